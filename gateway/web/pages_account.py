"""Account pages: my account (change password, forced after a first log-in),
forgotten password, reset with a one-time link, 统一身份认证 (CAS) sign-in, and for
administrators the account page of a person (set password, reset link, disable)."""
from urllib.parse import urlencode

from flask import g, redirect, render_template, request, url_for

from core.errors import ChuangxianError
from gateway.api import rpc
from gateway.auth import (
    allow_during_password_change, client_address, issue_token, revoke_person_here, sign_in_options, sign_in_rpc,
)
from gateway.web import blp, i18n, menu, session
from gateway.web.pages_common import _safe_next, load_me, signed_in, status_of_code

i18n.add({
    "my_account": ("我的账号", "My account"),
    "change_password": ("修改密码", "Change password"),
    "must_change_first": ("首次登录或管理员重置后，请先设置您自己的新密码。", "Please set a password of your own first."),
    "current_password": ("当前密码", "Current password"),
    "new_password": ("新密码", "New password"),
    "repeat_password": ("再次输入新密码", "New password again"),
    "passwords_differ": ("两次输入的新密码不一致", "The two new passwords differ"),
    "password_policy": ("密码至少 8 位，同时包含字母和数字，且不能与账号相同。",
                        "At least 8 characters with letters and digits, not the login."),
    "password_changed": ("密码已修改，其他设备上的登录已失效。", "Password changed; other sessions were ended."),
    "forgot_password": ("忘记密码", "Forgot your password"),
    "forgot_sent": ("如果该账号登记了电子邮箱，重置链接已发送，请在 24 小时内使用。没有邮箱时请联系管理员获取站内重置链接。",
                    "If the account has an e-mail address, a reset link was sent (valid 24 hours). Without one, "
                    "ask an administrator for a reset link."),
    "send_link": ("发送重置链接", "Send a reset link"),
    "reset_password": ("重置密码", "Reset password"),
    "reset_done": ("密码已重置，请用新密码登录。", "Your password was reset; log in with it."),
    "campus_sign_in": ("统一身份认证登录", "Campus sign-in (CAS)"),
    "campus_ldap": ("统一身份认证（校园账号）", "Campus account (LDAP)"),
    "local_account": ("本地账号", "Local account"),
    "sign_in_with": ("登录方式", "Sign in with"),
    "or": ("或", "or"),
    "campus_failed": ("统一身份认证未成功", "Campus sign-in did not succeed"),
    "accounts_admin": ("账号管理", "Accounts"),
    "manage_account": ("账号与密码（设置密码、重置链接、停用）", "Account and password (set, reset link, disable)"),
    "person_page": ("人员信息", "Person"),
    "find_account": ("查找账号（学号/工号）", "Find an account (student or staff number)"),
    "find": ("查找", "Find"),
    "account_of": ("账号", "Account"),
    "has_password": ("已设置密码", "Password set"),
    "no_password": ("未设置密码", "No password yet"),
    "must_change": ("下次登录须修改密码", "Must change the password at the next log-in"),
    "account_disabled": ("已停用", "Disabled"),
    "account_enabled": ("正常", "Active"),
    "set_initial_password": ("设置初始密码", "Set an initial password"),
    "force_change": ("下次登录时要求修改", "Require a change at the next log-in"),
    "reset_link": ("生成站内重置链接", "Make a one-time reset link"),
    "reset_email": ("发送重置邮件", "E-mail a reset link"),
    "reset_link_once": ("一次性重置链接（24 小时内有效，只显示这一次，请当面或通过可靠渠道交给本人）：",
                        "One-time reset link (valid 24 hours, shown only now; hand it to the person):"),
    "reset_mail_sent": ("重置邮件已发送至", "Reset mail sent to"),
    "disable_account": ("停用账号", "Disable the account"),
    "enable_account": ("启用账号", "Enable the account"),
    "account_history": ("账号记录", "Account history"),
    "saved": ("已保存", "Saved"),
    "email": ("电子邮箱", "E-mail"),
    "when": ("时间", "When"),
    "by": ("操作人", "By"),
    "action": ("操作", "Action"),
})
ACTIONS_ZH = {"password_set": ("管理员设置密码", "password set by an administrator"),
              "password_changed": ("本人修改密码", "password changed"),
              "password_reset": ("通过链接重置密码", "password reset with a link"),
              "reset_issued": ("生成重置链接", "reset link issued"),
              "disabled": ("停用", "disabled"), "enabled": ("启用", "enabled")}
ADMIN_ROLES = ("school_admin", "college_admin")
menu.add("web.accounts_admin", "accounts_admin", ADMIN_ROLES)


def _render(template, status=200, **context):
    return render_template(template, **context), status


# --------------------------------------------------------------------------- my account

@blp.route("/account/password", methods=["GET", "POST"])
@session.page_login_required
@allow_during_password_change
def change_password():
    me = load_me()
    forced = bool(g.claims.get("pwc"))
    error = done = None
    if request.method == "POST":
        new = request.form.get("new_password", "")
        if new != request.form.get("repeat_password", ""):
            error = {"message": i18n.MESSAGES["passwords_differ"][1], "message_zh": i18n.MESSAGES["passwords_differ"][0],
                     "field": "repeat_password"}
        else:
            try:
                with sign_in_rpc() as cluster:
                    person = cluster.accounts.change_password(
                        g.actor_id, {"current_password": request.form.get("current_password", ""),
                                     "new_password": new}, client_address())
            except ChuangxianError as exc:
                error = exc.to_dict()
            else:
                revoke_person_here(g.actor_id)
                token, expires = issue_token(person)
                target = _safe_next(request.args.get("next")) if forced else url_for("web.change_password", done=1)
                return session.set_login(redirect(target), token, expires)
    done = request.args.get("done")
    status = 200 if error is None else (422 if error.get("code") in (None, "validation_failed") else 401)
    return _render("account_password.html", status, me=me, forced=forced, error=error, done=done)


@blp.route("/account/forgot", methods=["GET", "POST"])
def forgot_password():
    sent = error = None
    if request.method == "POST":
        session.check_csrf()
        try:
            with sign_in_rpc() as cluster:
                cluster.accounts.request_reset({"login": request.form.get("login", "")}, client_address())
            sent = True
        except ChuangxianError as exc:
            error = exc.to_dict()
    return _render("account_forgot.html", 200 if error is None else status_of_code(error["code"]) if
                   error["code"] != "validation_failed" else 422, sent=sent, error=error)


@blp.route("/account/reset", methods=["GET", "POST"])
def reset_password():
    """The page a one-time link opens (path shared with account_service.RESET_PATH)."""
    token = request.values.get("token", "")
    error = done = None
    if request.method == "POST":
        session.check_csrf()
        new = request.form.get("new_password", "")
        if new != request.form.get("repeat_password", ""):
            error = {"message": i18n.MESSAGES["passwords_differ"][1], "message_zh": i18n.MESSAGES["passwords_differ"][0]}
        else:
            try:
                with sign_in_rpc() as cluster:
                    revoke_person_here(cluster.accounts.reset_password({"token": token, "new_password": new})["person_id"])
                done = True
            except ChuangxianError as exc:
                error = exc.to_dict()
    response = render_template("account_reset.html", token=token, error=error, done=done), (422 if error else 200)
    return response[0], response[1], {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


# --------------------------------------------------------------------------- CAS

def _cas_service_url(next_url):
    return url_for("web.cas_callback", _external=True, **({"next": next_url} if next_url else {}))


@blp.route("/auth/cas/login")
def cas_login():
    """Sends the browser to the campus CAS server's log-in page."""
    if not sign_in_options()["cas"]:
        return redirect(url_for("web.login"))
    from flask import current_app
    server = current_app.config["CX"]["CAMPUS_SIGN_IN"]["CAS"]["server_url"].rstrip("/")
    next_url = _safe_next(request.args.get("next")) if request.args.get("next") else None
    return redirect(f"{server}/login?{urlencode({'service': _cas_service_url(next_url)})}")


@blp.route("/auth/cas/callback")
def cas_callback():
    """The CAS server sends the browser back here with a service ticket."""
    next_url = request.args.get("next")
    try:
        with sign_in_rpc() as cluster:
            person = cluster.accounts.cas_login(request.args.get("ticket", ""), _cas_service_url(next_url),
                                                client_address())
    except ChuangxianError as exc:
        error = exc.to_dict()
        return _render("campus_failed.html", status_of_code(error["code"]) if error["code"] != "validation_failed"
                       else 422, error=error)
    return signed_in(person, next_url)


# --------------------------------------------------------------------------- administrators

@blp.route("/admin/accounts")
@session.page_login_required
def accounts_admin():
    """Find an account by 学号/工号 and open it."""
    me = load_me()
    if not g.my_roles & set(ADMIN_ROLES):
        from core.errors import PermissionDenied
        raise PermissionDenied("Only administrators manage accounts.", "只有管理员可以管理账号")
    login = request.args.get("login", "").strip()
    if login:
        with rpc() as cluster:
            found = cluster.accounts.find_account(g.actor_id, login)
        return redirect(url_for("web.account_admin", person_id=found["person_id"]))
    return _render("accounts_admin.html", me=me)


@blp.route("/admin/accounts/<person_id>", methods=["GET", "POST"])
@session.page_login_required
def account_admin(person_id):
    """A person's account: set a password, make or e-mail a reset link, disable or
    enable. Each action is one form; the result shows on the same page."""
    me = load_me()
    reset = saved = error = None
    if request.method == "POST":
        action = request.form.get("action")
        try:
            with rpc() as cluster:
                if action == "set_password":
                    cluster.accounts.set_password(g.actor_id, person_id, {
                        "password": request.form.get("password", ""),
                        "must_change": bool(request.form.get("must_change"))})
                    revoke_person_here(person_id)
                elif action in ("reset_link", "reset_email"):
                    reset = cluster.accounts.issue_reset(g.actor_id, person_id, action.split("_")[1])
                elif action in ("disable", "enable"):
                    cluster.accounts.set_disabled(g.actor_id, person_id, {
                        "disabled": action == "disable", "reason": request.form.get("reason") or None})
                    if action == "disable":
                        revoke_person_here(person_id)
            saved = True
        except ChuangxianError as exc:
            if exc.code in ("permission_denied", "not_found"):
                raise
            error = exc.to_dict()
    with rpc() as cluster:
        account = cluster.accounts.get_account(g.actor_id, person_id)
    history = [{**h, "label": i18n.pick(*ACTIONS_ZH.get(h["action"], (h["action"], h["action"])))}
               for h in account.get("history", [])]
    response = render_template("account_admin.html", me=me, account=account, reset=reset, saved=saved,
                               history=history, error=error)
    return response, 422 if error else 200, {"Cache-Control": "no-store"}
