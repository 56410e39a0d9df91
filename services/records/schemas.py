"""What crosses the wire into the records service (RPC and, reused by the gateway,
HTTP). marshmallow 4; errors become bilingual field errors. The shape of `value`
depends on `kind` and is checked by domain/kinds.py (``value.<name>`` errors)."""
from marshmallow import RAISE, Schema, fields, validate

from services.records.domain.kinds import SUBJECT_KINDS

_ID = validate.Length(1, 64)
# A kind is checked by the records service itself (domain/facts.py names an unknown one):
# programs register kinds of their own there, which the gateway does not know.
_KIND = validate.Length(1, 80)


class Strict(Schema):
    class Meta:
        unknown = RAISE


class FactInput(Strict):
    subject_kind = fields.String(required=True, validate=validate.OneOf(list(SUBJECT_KINDS)), metadata={
        "description": "person (个人), class (班级), dorm (寝室) or branch (党支部)"})
    subject_id = fields.String(required=True, validate=_ID, metadata={
        "description": "The unit's id, or for a person their id or 学号/工号 (stored as p_<学号>)"})
    kind = fields.String(required=True, validate=_KIND, metadata={
        "description": "A fact kind of GET /api/records/kinds, e.g. scholarship or merit_students:assessment_rank"})
    value = fields.Dict(required=True, metadata={
        "description": "The kind's fields, e.g. {\"level\": \"second\", \"name\": \"三好学生奖学金\"}"})
    date = fields.String(required=True, metadata={"description": "YYYY-MM-DD (Asia/Shanghai calendar day)",
                                                   "example": "2023-10-08"})
    academic_year = fields.String(load_default=None, allow_none=True, metadata={
        "description": "e.g. 2022-2023; default: the academic year of date (from 1 September)"})
    source = fields.String(required=True, validate=validate.Length(1, 100), metadata={
        "description": "Where the fact comes from, e.g. 教务处"})
    source_ref = fields.String(load_default=None, allow_none=True, validate=validate.Length(0, 100), metadata={
        "description": "The source's own record number; the same (source, source_ref) is one fact"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(0, 500))


class FactQuery(Schema):
    subject_id = fields.String(load_default=None, validate=_ID)
    kind = fields.String(load_default=None, validate=_KIND)


class AwardQuery(Schema):
    subject_id = fields.String(load_default=None, validate=_ID, metadata={
        "description": "Awards of this subject, or (for a person) of a class, dorm or branch they belonged to"})
    program = fields.String(load_default=None, validate=validate.Length(1, 50))
    campaign_id = fields.String(load_default=None, validate=_ID)
