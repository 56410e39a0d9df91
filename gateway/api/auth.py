from flask import g
from flask_smorest import Blueprint

from core.envelope import iso_utc
from gateway.api import rpc
from gateway.auth import issue_token, login_required
from gateway.schemas import PersonOut, TokenOut
from services.applications.schemas import Credentials

blp = Blueprint("auth", __name__, url_prefix="/api", description="Log-in and who am I (登录)")


@blp.route("/auth/login", methods=["POST"])
@blp.arguments(Credentials)
@blp.response(200, TokenOut)
@blp.alt_response(401, description="Wrong login or password")
@blp.alt_response(429, description="Too many failed log-ins for this login")
def login(credentials):
    """Log in with a password; returns a bearer token that expires."""
    with rpc() as cluster:
        person = cluster.applications.authenticate(credentials)
    token, expires = issue_token(person)
    return {"token": token, "token_type": "Bearer", "expires_at": iso_utc(expires), "user": person}


@blp.route("/me")
@blp.response(200, PersonOut)
@login_required
def me():
    """The logged-in person with their roles."""
    with rpc() as cluster:
        return cluster.applications.whoami(g.actor_id)


@blp.route("/ping")
@login_required
def ping():
    """The cheapest authenticated RPC round trip (a baseline for benchmarks)."""
    with rpc() as cluster:
        return {"pong": cluster.applications.ping()}
