"""Log-in (local password, LDAP, CAS ticket), log-out, who am I, and the person's
own password: change, forgotten-password request, reset with a one-time link."""
from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from core.envelope import iso_utc
from gateway.api import rpc
from gateway.auth import (
    allow_during_password_change, client_address, issue_token, login_required, revoke, revoke_person_here, sign_in_options,
    sign_in_rpc,
)
from gateway.schemas import PersonOut, TokenOut
from services.accounts.schemas import CasTicket, ChangePassword, Credentials, ResetInput, ResetRequest

blp = Blueprint("auth", __name__, url_prefix="/api", description="Log-in and who am I (登录)")


class SignInOptionsOut(Schema):
    local = fields.Boolean()
    cas = fields.Boolean()
    ldap = fields.Boolean()
    cas_login_url = fields.String(allow_none=True, metadata={"description": "Open in a browser to sign in with CAS"})


class AcceptedOut(Schema):
    accepted = fields.Boolean()


def token_response(person):
    token, expires = issue_token(person)
    return {"token": token, "token_type": "Bearer", "expires_at": iso_utc(expires), "user": person,
            "must_change_password": bool(person.get("must_change_password"))}


@blp.route("/auth/login", methods=["POST"])
@blp.arguments(Credentials)
@blp.response(200, TokenOut)
@blp.alt_response(401, description="Wrong login or password")
@blp.alt_response(403, description="The account is disabled")
@blp.alt_response(429, description="Too many failed log-ins from this address (see Retry-After)")
def login(credentials):
    """Log in with a password (`method`: local, or ldap for the campus directory);
    returns a bearer token that expires. `must_change_password`: the token opens
    only POST /api/auth/password until the password is changed."""
    with sign_in_rpc() as cluster:
        person = cluster.accounts.authenticate(credentials, client_address())
    return token_response(person)


@blp.route("/auth/cas", methods=["POST"])
@blp.arguments(CasTicket)
@blp.response(200, TokenOut)
@blp.alt_response(401, description="The ticket was refused")
@blp.alt_response(404, description="The campus identity is not in the directory")
def cas_login(data):
    """Exchange a CAS 3.0 service ticket (统一身份认证) for a token; `service` is the
    URL the ticket was issued for."""
    with sign_in_rpc() as cluster:
        person = cluster.accounts.cas_login(data["ticket"], data["service"], client_address())
    return token_response(person)


@blp.route("/auth/options")
@blp.response(200, SignInOptionsOut)
def options():
    """The ways to sign in here (no log-in needed)."""
    from flask import url_for
    found = sign_in_options()
    found["cas_login_url"] = url_for("web.cas_login", _external=True) if found["cas"] else None
    return found


@blp.route("/auth/logout", methods=["POST"])
@login_required  # before the body: no token is a 401, never a 422
@blp.response(204)
@allow_during_password_change
def logout():
    """Log out: this token stops working at once."""
    revoke(g.claims)


@blp.route("/auth/password", methods=["POST"])
@login_required  # before the body: no token is a 401, never a 422
@blp.arguments(ChangePassword)
@blp.response(200, TokenOut)
@blp.alt_response(401, description="The current password is wrong")
@blp.alt_response(422, description="The new password does not meet the policy")
@allow_during_password_change
def change_password(data):
    """Change your own password; every other session ends, and a new token is
    returned."""
    with sign_in_rpc() as cluster:
        person = cluster.accounts.change_password(g.actor_id, data, client_address())
    revoke_person_here(g.actor_id)
    return token_response(person)


@blp.route("/auth/password-reset-request", methods=["POST"])
@blp.arguments(ResetRequest)
@blp.response(202, AcceptedOut)
@blp.alt_response(429, description="Too many requests from this address")
def request_reset(data):
    """Forgotten password: when the login has an e-mail address and e-mail is
    configured, a one-time link is mailed. The answer never says whether it was."""
    with sign_in_rpc() as cluster:
        return cluster.accounts.request_reset(data, client_address())


@blp.route("/auth/password-reset", methods=["POST"])
@blp.arguments(ResetInput)
@blp.response(200, AcceptedOut)
@blp.alt_response(422, description="Invalid, used or expired link, or a password outside the policy")
def reset(data):
    """Set a new password with a one-time reset token (from the e-mailed or handed-over link)."""
    with sign_in_rpc() as cluster:
        done = cluster.accounts.reset_password(data)
    revoke_person_here(done["person_id"])
    return {"accepted": True}


@blp.route("/me")
@login_required  # before the body: no token is a 401, never a 422
@blp.response(200, PersonOut)
@allow_during_password_change
def me():
    """The logged-in person with their roles."""
    with rpc() as cluster:
        return cluster.applications.whoami(g.actor_id)


@blp.route("/ping")
@login_required  # before the body: no token is a 401, never a 422
def ping():
    """The cheapest authenticated RPC round trip (a baseline for benchmarks)."""
    with rpc() as cluster:
        return {"pong": cluster.applications.ping()}
