"""Accounts for administrators (账号管理): see an account, set an initial password,
issue a one-time reset link (handed over or e-mailed), disable and enable. A school
administrator manages every account, a college administrator those of the college.
Password hashes and reset tokens never appear here: a handed-over link is shown
once, to the administrator who asked for it."""
from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from gateway.api import rpc
from gateway.auth import login_required, revoke_person_here
from services.accounts.schemas import DisableInput, IssueReset, SetPassword

blp = Blueprint("accounts", __name__, url_prefix="/api/accounts",
                description="Accounts: passwords, reset links, disabling (账号管理)")


class AccountOut(Schema):
    person_id = fields.String()
    login = fields.String()
    name = fields.String()
    number = fields.String(allow_none=True, metadata={"description": "学号/工号"})
    has_password = fields.Boolean()
    must_change_password = fields.Boolean()
    disabled = fields.Boolean()
    disabled_reason = fields.String(allow_none=True)
    password_changed_at = fields.Float(allow_none=True, metadata={"description": "epoch seconds"})
    email = fields.String(allow_none=True)
    history = fields.List(fields.Dict(), metadata={"description": "who did what to the account, newest first"})


class ResetOut(Schema):
    channel = fields.String()
    reset_url = fields.String(metadata={"description": "one-time link to hand over (channel link)"})
    expires_at = fields.Float()
    sent_to = fields.String(metadata={"description": "masked address (channel email)"})


class FindQuery(Schema):
    login = fields.String(required=True, metadata={"description": "学号/工号"})


@blp.route("")
@login_required  # before the body: no token is a 401, never a 422
@blp.arguments(FindQuery, location="query")
@blp.response(200, AccountOut)
def find(query):
    """The account with this login (学号/工号)."""
    with rpc() as cluster:
        return cluster.accounts.find_account(g.actor_id, query["login"])


@blp.route("/<person_id>")
@login_required  # before the body: no token is a 401, never a 422
@blp.response(200, AccountOut)
def get(person_id):
    """A person's account, with its history."""
    with rpc() as cluster:
        return cluster.accounts.get_account(g.actor_id, person_id)


@blp.route("/<person_id>/password", methods=["PUT"])
@login_required  # before the body: no token is a 401, never a 422
@blp.arguments(SetPassword)
@blp.response(200, AccountOut)
def set_password(data, person_id):
    """Set an initial or replacement password; by default the person must change it
    at the next log-in. Their sessions end."""
    with rpc() as cluster:
        account = cluster.accounts.set_password(g.actor_id, person_id, data)
    revoke_person_here(person_id)
    return account


@blp.route("/<person_id>/reset", methods=["POST"])
@login_required  # before the body: no token is a 401, never a 422
@blp.arguments(IssueReset)
@blp.response(200, ResetOut)
def issue_reset(data, person_id):
    """A one-time password-reset link, valid 24 hours: returned to hand over
    (`link`) or e-mailed to the person (`email`)."""
    with rpc() as cluster:
        return cluster.accounts.issue_reset(g.actor_id, person_id, data["channel"])


@blp.route("/<person_id>/disabled", methods=["PUT"])
@login_required  # before the body: no token is a 401, never a 422
@blp.arguments(DisableInput)
@blp.response(200, AccountOut)
def set_disabled(data, person_id):
    """Disable (log-in refused, every session ends at once; the person and their
    history stay) or enable an account."""
    with rpc() as cluster:
        account = cluster.accounts.set_disabled(g.actor_id, person_id, data)
    if data["disabled"]:
        revoke_person_here(person_id)
    return account
