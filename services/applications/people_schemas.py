"""What crosses the wire for the people directory and role grants (marshmallow 4;
the gateway reuses them, so they appear in /api/openapi.json)."""
from marshmallow import Schema, fields, validate

from core.roles import ROLES
from services.applications.schemas import _academic_year

_ID = validate.Length(1, 80)


class PeopleQuery(Schema):
    q = fields.String(load_default=None, validate=validate.Length(1, 40),
                      metadata={"description": "Name, 学号 or 工号 (prefix), or a login"})
    college_id = fields.String(load_default=None, validate=_ID)
    class_id = fields.String(load_default=None, validate=_ID)
    dorm_id = fields.String(load_default=None, validate=_ID)
    branch_id = fields.String(load_default=None, validate=_ID)
    role = fields.String(load_default=None, validate=validate.OneOf(sorted(ROLES)))
    after = fields.String(load_default=None, validate=_ID,
                          metadata={"description": "The `next` cursor of the previous page"})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class RoleGrantInput(Schema):
    role = fields.String(required=True, validate=validate.OneOf(sorted(ROLES)),
                         metadata={"description": "One of " + ", ".join(sorted(ROLES))})
    unit_id = fields.String(required=True, validate=_ID, metadata={"description": "Where the role is held"})
    reason = fields.String(required=True, validate=validate.Length(2, 300), metadata={"description": "Why (audited)"})
    academic_year = fields.String(load_default=None, validate=_academic_year,
                                  metadata={"description": "Ends with this 学年 (e.g. 2025-2026), by itself"})
    program = fields.String(load_default=None, validate=validate.Length(1, 60))
    campaign_id = fields.String(load_default=None, validate=_ID)


class RoleRevokeInput(Schema):
    reason = fields.String(required=True, validate=validate.Length(2, 300))


class PersonInput(Schema):
    """A staff member or outside expert added to the directory (students come from the roster)."""
    name = fields.String(required=True, validate=validate.Length(1, 30))
    staff_no = fields.String(required=True, validate=validate.Regexp(r"^[0-9A-Za-z_]{3,20}$"),
                             metadata={"description": "工号 (also the login)"})
    unit_id = fields.String(required=True, validate=_ID, metadata={"description": "The school or a college"})
    title = fields.String(load_default=None, validate=validate.Length(1, 40), metadata={"description": "职务/职称"})
