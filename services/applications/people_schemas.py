"""What crosses the wire for the people directory and role grants (marshmallow 4;
the gateway reuses them, so they appear in /api/openapi.json)."""
from marshmallow import Schema, fields, validate

from core.roles import ROLE_KEYS
from services.applications.schemas import _academic_year

_ID = validate.Length(1, 80)
# A role key: the platform's, or a program's declared rater role "<program>:<key>"
# (which roles exist is the applications service's to say: it learns them as
# programs register; GET /api/people/roles lists them).
_ROLE = validate.Regexp(r"^[a-z][a-z0-9_]{0,39}(:[a-z][a-z0-9_]{0,39})?$",
                        error="Not a role key: one of the platform's or a program's <program>:<key>.")
_ROLE_HELP = ("A role key: one of " + ", ".join(ROLE_KEYS)
              + ", or a rater role a program declares, <program>:<key> (GET /api/people/roles lists them)")


class PeopleQuery(Schema):
    q = fields.String(load_default=None, validate=validate.Length(1, 40),
                      metadata={"description": "Name, 学号 or 工号 (prefix), or a login"})
    college_id = fields.String(load_default=None, validate=_ID)
    class_id = fields.String(load_default=None, validate=_ID)
    dorm_id = fields.String(load_default=None, validate=_ID)
    branch_id = fields.String(load_default=None, validate=_ID)
    role = fields.String(load_default=None, validate=_ROLE, metadata={"description": _ROLE_HELP})
    after = fields.String(load_default=None, validate=_ID,
                          metadata={"description": "The `next` cursor of the previous page"})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class RoleGrantInput(Schema):
    role = fields.String(required=True, validate=_ROLE, metadata={"description": _ROLE_HELP})
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
