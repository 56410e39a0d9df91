"""Pages everyone uses: log-in, log-out, the language switch, home (campaigns)."""
from urllib.parse import urlparse

from flask import g, make_response, redirect, render_template, request, url_for

from core.errors import ChuangxianError
from gateway.api import rpc
from gateway.auth import issue_token
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
    error = None
    if request.method == "POST":
        session.check_csrf()
        try:
            with rpc() as cluster:
                person = cluster.applications.authenticate(
                    {"login": request.form.get("login", ""), "password": request.form.get("password", "")})
        except ChuangxianError as exc:
            error = exc.to_dict()
        else:
            token, expires = issue_token(person)
            response = redirect(_safe_next(request.args.get("next")))
            return session.set_login(response, token, expires)
    status = 200 if error is None else (401 if error["code"] != "rate_limited" else 429)
    return render_template("login.html", error=error, login=request.form.get("login", "")), status


@blp.route("/logout", methods=["POST"])
def logout():
    session.check_csrf()
    return session.clear_login(redirect(url_for("web.login")))


def load_me():
    """The logged-in person (roles decide which menu items the layout shows)."""
    with rpc() as cluster:
        g.me = cluster.applications.whoami(g.actor_id)
    g.my_roles = {r["role"] for r in g.me.get("roles", [])}
    return g.me


@blp.route("/")
@session.page_login_required
def home():
    load_me()
    with rpc() as cluster:
        campaigns = cluster.applications.list_campaigns(g.actor_id, False)
    return render_template("home.html", campaigns=campaigns)


def no_store(response_body, status=200):
    response = make_response(response_body, status)
    response.headers["Cache-Control"] = "no-store"
    return response
