"""Pages everyone uses: log-in, log-out, the language switch (home: pages_home.py)."""
from urllib.parse import urlparse

from flask import g, make_response, redirect, render_template, request, url_for

from core.errors import ChuangxianError, PermissionDenied
from gateway.api import rpc
from gateway.auth import client_address, issue_token, revoke, sign_in_options, sign_in_rpc
from gateway.web import blp, i18n, session
from gateway.web.assets import send_vendor


def _safe_next(target):
    """Only local paths: a log-in link must not send people to another site."""
    parsed = urlparse(target or "")
    if parsed.scheme or parsed.netloc or not (target or "").startswith("/"):
        return url_for("web.home")
    return target


@blp.route("/static/vendor/<path:name>")
def vendor(name):
    return send_vendor(name)


@blp.route("/lang/<code>")
def set_language(code):
    response = redirect(_safe_next(request.args.get("next")))
    if code in i18n.LANGUAGES:
        response.set_cookie(i18n.LANG_COOKIE, code, max_age=365 * 86400, samesite="Lax")
    return response


@blp.route("/login", methods=["GET", "POST"])
def login():
    """Local password or campus LDAP, plus a link to 统一身份认证 (CAS) when configured."""
    error = None
    options = sign_in_options()
    method = request.form.get("method", "ldap" if options["ldap"] else "local")
    if request.method == "POST":
        session.check_csrf()
        try:
            with sign_in_rpc() as cluster:
                person = cluster.accounts.authenticate(
                    {"login": request.form.get("login", ""), "password": request.form.get("password", ""),
                     "method": method if method in ("local", "ldap") else "local"}, client_address())
        except ChuangxianError as exc:
            error = exc.to_dict()
        else:
            return signed_in(person, request.args.get("next"))
    status = 200 if error is None else status_of_code(error["code"])
    wait = ((error or {}).get("details") or {}) if isinstance((error or {}).get("details"), dict) else {}
    headers = {"Retry-After": str(wait["retry_after_seconds"])} if wait.get("retry_after_seconds") else {}
    return render_template("login.html", error=error, login=request.form.get("login", ""), options=options,
                           method=method, next=request.args.get("next", "")), status, headers


def status_of_code(code):
    return {"rate_limited": 429, "permission_denied": 403, "not_found": 404,
            "campus_sign_in_unavailable": 503}.get(code, 401)


def signed_in(person, next_url):
    """The response that keeps the new token in the cookie and goes on: to the
    password change first when the password must be changed."""
    token, expires = issue_token(person)
    target = _safe_next(next_url)
    if person.get("must_change_password"):
        target = url_for("web.change_password", next=target)
    return session.set_login(redirect(target), token, expires)


@blp.route("/logout", methods=["POST"])
def logout():
    """Ends the session: the token in the cookie is revoked, not only forgotten."""
    session.check_csrf()
    claims = session.current_claims()
    if claims:
        revoke(claims)
    return session.clear_login(redirect(url_for("web.login")))


def load_me(roles=None):
    """The logged-in person (roles decide which menu items the layout shows). With
    `roles`, the page is for those roles only: anyone else gets the 403 page, not an
    empty shell of a page they cannot use (the services still decide every action)."""
    if g.get("me") is None:
        with rpc() as cluster:
            g.me = cluster.applications.whoami(g.actor_id)
        g.my_roles = {r["role"] for r in g.me.get("roles", [])}
    if roles is not None and not g.my_roles & set(roles):
        raise PermissionDenied("This page is for other roles.", "您的角色无权使用此页面", field="role")
    return g.me


def no_store(response_body, status=200):
    response = make_response(response_body, status)
    response.headers["Cache-Control"] = "no-store"
    return response
