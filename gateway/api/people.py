"""People and their roles (人员与角色): search, a person's record, grants and revokes.

No client needs to know an id beforehand: search by name or 学号/工号 returns them.
"""
from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from gateway.api import rpc
from gateway.auth import login_required
from services.applications.people_schemas import PeopleQuery, PersonInput, RoleGrantInput, RoleRevokeInput

blp = Blueprint("people", __name__, url_prefix="/api/people", description="People and roles (人员与角色)")


class PersonOut(Schema):
    id = fields.String()
    name = fields.String()
    login = fields.String()
    student_no = fields.String(allow_none=True)
    staff_no = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    grade = fields.Integer(allow_none=True)
    political_status = fields.String(allow_none=True)
    school_id = fields.String(allow_none=True)
    college_id = fields.String(allow_none=True)
    class_id = fields.String(allow_none=True)
    dorm_id = fields.String(allow_none=True)
    branch_id = fields.String(allow_none=True)
    college_name = fields.String()
    class_name = fields.String()
    dorm_name = fields.String()
    branch_name = fields.String()
    role_labels = fields.List(fields.Dict(), metadata={"description": "Roles in force, as labels with unit names"})
    roles = fields.List(fields.Dict(), metadata={"description": "On a person's page: every role, in force or ended"})
    history = fields.List(fields.Dict(), metadata={"description": "Grants and revokes: who, when, why"})
    applications = fields.List(fields.Dict())


class PeoplePage(Schema):
    items = fields.List(fields.Nested(PersonOut))
    next = fields.String(allow_none=True, metadata={"description": "Pass as `after` for the next page"})
    total = fields.Integer(allow_none=True, metadata={"description": "On the first page only (None after)"})
    total_capped = fields.Boolean(metadata={"description": "True when there are more than `total`"})


class GrantLogQuery(Schema):
    all = fields.Boolean(load_default=False, metadata={"description": "Every grant (school admin), not only mine"})


@blp.route("")
@blp.arguments(PeopleQuery, location="query")
@blp.response(200, PeoplePage)
@login_required
def search(query):
    """People you may see (school admin: your school; college admin or counselor: your
    college; anyone else: the faculty advisors of your school, names only)."""
    with rpc() as cluster:
        return cluster.applications.search_people(g.actor_id, query)


@blp.route("", methods=["POST"])
@blp.arguments(PersonInput)
@blp.response(201, PersonOut)
@login_required
def add(payload):
    """Add a staff member or outside expert (教师、校外专家) by 工号."""
    with rpc() as cluster:
        return cluster.applications.add_person(g.actor_id, payload)


@blp.route("/me")
@blp.response(200, PersonOut)
@login_required
def me():
    """Your own record: units (your dorm too), roles and applications."""
    with rpc() as cluster:
        return cluster.applications.get_person(g.actor_id, g.actor_id)


@blp.route("/grants")
@blp.arguments(GrantLogQuery, location="query")
@login_required
def grants_log(query):
    """Grants and revokes you made (or, for a school admin with all=true, everyone's)."""
    with rpc() as cluster:
        return cluster.applications.role_grants_log(g.actor_id, not query["all"])


class RoleOut(Schema):
    role = fields.String(metadata={"description": "The key a grant names (a program's own: <program>:<key>)"})
    label_zh = fields.String()
    label_en = fields.String()
    unit_kinds = fields.List(fields.String(), metadata={"description": "Kinds of unit it is held at"})
    program = fields.String(allow_none=True, metadata={"description": "The program that declares it; none: the platform's"})
    granted_by = fields.String(allow_none=True, metadata={"description": "school_admin, college_admin or none"})
    grantable = fields.Boolean(metadata={"description": "Whether you may grant it"})


@blp.route("/roles")
@blp.response(200, RoleOut(many=True))
@login_required
def roles():
    """Every role a person can hold: the platform's and the rater roles enabled programs
    declare (e.g. 先进班集体's 团总支（测评）), with their labels and whether you may grant them."""
    with rpc() as cluster:
        return cluster.applications.role_catalogue(g.actor_id)


@blp.route("/<person_id>")
@blp.response(200, PersonOut)
@login_required
def person(person_id):
    with rpc() as cluster:
        return cluster.applications.get_person(g.actor_id, person_id)


@blp.route("/<person_id>/roles", methods=["POST"])
@blp.arguments(RoleGrantInput)
@blp.response(201)
@blp.alt_response(403, description="The role or unit is outside what you may grant")
@blp.alt_response(409, description="The person already holds this role there")
@login_required
def grant(payload, person_id):
    """Grant a role at a unit, optionally for a program, campaign or academic year (audited)."""
    with rpc() as cluster:
        return cluster.applications.grant_role(g.actor_id, person_id, payload)


@blp.route("/<person_id>/roles/<grant_id>/revoke", methods=["POST"])
@blp.arguments(RoleRevokeInput)
@blp.response(200)
@login_required
def revoke(payload, person_id, grant_id):
    """Revoke a role with a reason (audited); it stops at once."""
    with rpc() as cluster:
        return cluster.applications.revoke_role(g.actor_id, person_id, grant_id, payload)
