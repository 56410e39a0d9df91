"""Funding rules (经费规则) as typed data: tiers with caps in fen, closing materials,
spending categories, claim approval steps and the deadlines enforced. The funding
service adds the cross-references (a tier's materials among the known kinds):
`services/funding/domain/rules.py`."""
from marshmallow import fields, validate

from .base import Strict, Whole, code, text

STEPS = validate.OneOf(("advisor", "college", "finance"))
DEADLINE_KEYS = validate.OneOf(("implementation_start", "implementation_end", "closing_deadline"))


class Named(Strict):
    code = code(required=True)
    name = text(40, required=True)
    name_en = text(80)


class Tier(Named):
    """A grade of project with its cap (重点 ≤ 5000 元 = 500000 fen)."""

    cap_fen = Whole(required=True, validate=validate.Range(min=1))
    closing_materials = fields.List(code())


class MaterialKind(Named):
    value = fields.String(validate=validate.OneOf(("attachment", "url")))


class Bounds(Strict):
    opens = fields.String(validate=DEADLINE_KEYS)
    closes = fields.String(validate=DEADLINE_KEYS)


class Funding(Strict):
    tiers = fields.List(fields.Nested(Tier), required=True, validate=validate.Length(min=1))
    categories = fields.List(fields.Nested(Named))
    approval_steps = fields.List(fields.String(validate=STEPS), validate=validate.Length(min=1))
    claim_steps = fields.List(fields.String(validate=STEPS), validate=validate.Length(min=1))
    material_kinds = fields.List(fields.Nested(MaterialKind))
    deadlines = fields.Dict(keys=fields.String(validate=validate.OneOf(
        ("award_grant", "file_claim", "submit_material", "close_project"))), values=fields.Nested(Bounds))
