"""Authentication: signed JWTs (HS256) with an expiry, issued after a password log-in.

The token only says who you are; what you may do is decided by the services from
their own directory on every call (the one place for authorization is
services/applications/domain/permissions.py), so a revoked role takes effect at once.
"""
import functools
from datetime import datetime, timedelta, timezone

import jwt
from flask import current_app, g, request

from core.errors import Unauthenticated


def issue_token(person):
    settings = current_app.config["CX"]["GATEWAY"]
    now = datetime.now(timezone.utc)
    expires = now + timedelta(minutes=int(settings.get("TOKEN_TTL_MINUTES", 480)))
    claims = {"sub": person["id"], "name": person.get("name"), "iat": now, "exp": expires}
    return jwt.encode(claims, settings["SECRET_KEY"], algorithm="HS256"), expires


def _claims():
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise Unauthenticated("Log in first: send 'Authorization: Bearer <token>'.", "请先登录",
                              field="Authorization")
    secret = current_app.config["CX"]["GATEWAY"]["SECRET_KEY"]
    try:
        return jwt.decode(header[7:], secret, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("Your session expired; log in again.", "登录已过期，请重新登录",
                              field="Authorization") from None
    except jwt.InvalidTokenError:
        raise Unauthenticated("Invalid token; log in again.", "登录凭证无效，请重新登录",
                              field="Authorization") from None


def login_required(view):
    """Sets g.actor_id from a valid token; raises Unauthenticated otherwise."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        g.actor_id = _claims()["sub"]
        return view(*args, **kwargs)

    return wrapped
