"""Authentication: signed JWTs (HS256) with an expiry, issued after a log-in.

The token only says who you are; what you may do is decided by the services from
their own directory on every call (the one place for authorization is
services/applications/domain/permissions.py), so a revoked role takes effect at once.
Every token has an id (`jti`) and its issue time (`ts`, fractional seconds): a
log-out revokes the one token, disabling an account or changing a password revokes
every token issued before (gateway/revocations.py). A token issued with a password
that must be changed (`pwc`) opens only the password change, /api/me and log-out.
"""
import functools
import time
import uuid
from datetime import datetime, timedelta, timezone

import jwt
from flask import current_app, g, request

from core.errors import PasswordChangeRequired, Unauthenticated
from gateway.revocations import Revocations
from gateway.rpc import RpcPool


def issue_token(person):
    settings = current_app.config["CX"]["GATEWAY"]
    now = datetime.now(timezone.utc)
    expires = now + timedelta(minutes=int(settings.get("TOKEN_TTL_MINUTES", 480)))
    claims = {"sub": person["id"], "name": person.get("name"), "iat": now, "exp": expires,
              "jti": uuid.uuid4().hex, "ts": now.timestamp()}
    if person.get("must_change_password"):
        claims["pwc"] = 1
    return jwt.encode(claims, settings["SECRET_KEY"], algorithm="HS256"), expires


def sign_in_rpc():
    """Borrow a proxy from the log-in calls' own small pool (a bulkhead: a log-in
    storm waits for these, never for the proxies every other request uses)."""
    pool = current_app.extensions.get("sign_in_rpc_pool")
    if pool is None:
        settings = current_app.config["CX"]["GATEWAY"]
        pool = current_app.extensions["sign_in_rpc_pool"] = RpcPool(
            current_app.config["CX"], size=int(settings.get("SIGN_IN_RPC_POOL_SIZE", 4)),
            timeout=float(settings.get("RPC_TIMEOUT_SECONDS", 30)))
    return pool.cluster()


def sign_in_options():
    """Which ways to sign in this installation offers, from the configuration (no
    call: the log-in page stays up even when the accounts service does not)."""
    from services.accounts import campus_sign_in
    config = current_app.config["CX"]
    return {"local": True, "cas": campus_sign_in.cas_settings(config) is not None,
            "ldap": campus_sign_in.ldap_settings(config) is not None}


def revocations():
    """This process's revocation list (made on first use)."""
    found = current_app.extensions.get("revocations")
    if found is None:
        # its own one-connection pool with a short wait: a refresh never takes a
        # connection a request needs, nor holds a request up when the bus is busy
        pool = current_app.extensions["revocations_rpc_pool"] = RpcPool(current_app.config["CX"], size=1, timeout=3)

        def fetch(at):
            with pool.cluster() as cluster:
                return cluster.accounts.revocations_since(at)

        found = current_app.extensions["revocations"] = Revocations(fetch)
    return found


def decode_token(token):
    """The claims of a valid, unexpired, unrevoked token; raises Unauthenticated."""
    secret = current_app.config["CX"]["GATEWAY"]["SECRET_KEY"]
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("Your session expired; log in again.", "登录已过期，请重新登录",
                              field="Authorization") from None
    except jwt.InvalidTokenError:
        raise Unauthenticated("Invalid token; log in again.", "登录凭证无效，请重新登录",
                              field="Authorization") from None
    if revocations().is_revoked(claims):
        raise Unauthenticated("You logged out or your account changed; log in again.", "登录已失效，请重新登录",
                              field="Authorization")
    return claims


def bearer_claims():
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise Unauthenticated("Log in first: send 'Authorization: Bearer <token>'.", "请先登录",
                              field="Authorization")
    return decode_token(header[7:])


def revoke(claims):
    """Log-out of the token with these claims, here at once and everywhere soon."""
    expires = float(claims.get("exp") or 0)
    with current_app.extensions["rpc_pool"].cluster() as cluster:
        cluster.accounts.revoke_token(claims["sub"], claims.get("jti"), expires)
    if claims.get("jti"):
        revocations().add({"sub": claims["sub"], "jti": claims["jti"], "expires": expires})


def revoke_person_here(person_id):
    """Every token of the person issued until now stops in this process at once
    (the accounts service recorded it for the other processes)."""
    ttl = int(current_app.config["CX"]["GATEWAY"].get("TOKEN_TTL_MINUTES", 480)) * 60
    now = time.time()
    revocations().add({"sub": person_id, "not_before": now, "expires": now + ttl})


PASSWORD_CHANGE_FIRST = ("Change your password first (POST /api/auth/password).", "请先修改初始密码")


def allow_during_password_change(view):
    """Marks a view that a person who must change their password may still use."""
    view.allow_during_password_change = True
    return view


def authenticate(allow_during_password_change=False):
    """Sets g.actor_id and g.claims from a valid token; raises Unauthenticated
    otherwise, and PasswordChangeRequired while the password must be changed."""
    claims = bearer_claims()
    if claims.get("pwc") and not allow_during_password_change:
        raise PasswordChangeRequired(*PASSWORD_CHANGE_FIRST, field="password")
    g.claims = claims
    g.actor_id = claims["sub"]


def login_required(view):
    """`authenticate` before the view. The mark `login_required` lets
    gateway/boundary.py check the token before webargs parses the body."""
    allowed = getattr(view, "allow_during_password_change", False)

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        authenticate(allowed)
        return view(*args, **kwargs)

    wrapped.login_required = True
    return wrapped


def client_address():
    """The caller's address (ProxyFix sets it from a trusted proxy's header)."""
    return request.remote_addr or "unknown"
