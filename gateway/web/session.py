"""Log-in for the web pages: the same JWT as the API, kept in an HttpOnly cookie.

Forms that change something carry a CSRF token (double submit: a random value in a
SameSite=Lax cookie and in the form must match), so another site cannot post in a
logged-in user's name.
"""
import functools
import hmac
import secrets

from flask import g, redirect, request, url_for

from core.errors import ChuangxianError, PermissionDenied
from gateway.auth import decode_token

TOKEN_COOKIE = "cx_token"
CSRF_COOKIE = "cx_csrf"


def current_claims():
    """The claims of the page cookie's token when it is valid and not revoked."""
    token = request.cookies.get(TOKEN_COOKIE)
    if not token:
        return None
    try:
        return decode_token(token)
    except ChuangxianError:
        return None


def current_actor_id():
    claims = current_claims()
    return claims["sub"] if claims else None


def page_login_required(view):
    """Sets g.actor_id and g.claims, or sends the browser to the log-in page and
    back afterwards; a person who must change their password is sent to that
    page first (views marked `allow_during_password_change` excepted)."""
    allowed = getattr(view, "allow_during_password_change", False)

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        claims = current_claims()
        if claims is None:
            return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
        if claims.get("pwc") and not allowed:
            return redirect(url_for("web.change_password", next=request.full_path.rstrip("?")))
        g.claims = claims
        g.actor_id = claims["sub"]
        if request.method == "POST":
            check_csrf()
        return view(*args, **kwargs)

    return wrapped


def csrf_token():
    """The token for this browser (set as a cookie by `remember_csrf`)."""
    token = request.cookies.get(CSRF_COOKIE)
    if not token:
        token = g.get("new_csrf") or secrets.token_urlsafe(24)
        g.new_csrf = token
    return token


def remember_csrf(response):
    if g.get("new_csrf"):
        response.set_cookie(CSRF_COOKIE, g.new_csrf, httponly=True, samesite="Lax", secure=request.is_secure)
    return response


def check_csrf():
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    kept = request.cookies.get(CSRF_COOKIE) or ""
    if not kept or not hmac.compare_digest(sent, kept):
        raise PermissionDenied("The form expired; reload the page and try again.", "页面已过期，请刷新后重试",
                               field="csrf_token")


def set_login(response, token, expires):
    response.set_cookie(TOKEN_COOKIE, token, expires=expires, httponly=True, samesite="Lax",
                        secure=request.is_secure)
    return response


def clear_login(response):
    response.delete_cookie(TOKEN_COOKIE)
    return response
