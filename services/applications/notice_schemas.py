"""What crosses the wire for notices, objections, the final list, stages and awards
(RPC and, reused by the gateway, HTTP). marshmallow 4; the rules beyond shape are
in domain/notice_rules.py and domain/stage_rules.py."""
from marshmallow import Schema, fields, validate


class NoticeOpen(Schema):
    days = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(1, 30),
                          metadata={"description": "Period in days (default: the program's notice_days, else 5)"})
    opens_at = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 40),
                             metadata={"description": "Start (ISO 8601; naive = Beijing time); default now"})
    closes_at = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 40),
                              metadata={"description": "End (ISO 8601; naive = Beijing time); default start + days. "
                                                       "At least the campaign's notice_min_days after the start"})


class EvidenceInput(Schema):
    filename = fields.String(required=True, validate=validate.Length(1, 200))
    data_b64 = fields.String(required=True, metadata={"description": "The file, base64; PDF, Word, JPG or PNG"})


class ObjectionInput(Schema):
    application_id = fields.String(required=True, validate=validate.Length(1, 60),
                                   metadata={"description": "The entry objected to"})
    reason = fields.String(required=True, validate=validate.Length(1, 1000), metadata={"description": "异议理由"})
    evidence = fields.Nested(EvidenceInput, load_default=None, allow_none=True)


class EvidenceRef(Schema):
    """Evidence as the service receives it: the gateway has put the bytes in the file
    store (core/filestore.py) and sends their reference."""
    filename = fields.String(required=True, validate=validate.Length(1, 200))
    file = fields.Dict(required=True, metadata={"description": '{"file_id": ...} in the file store'})


class ObjectionFiled(ObjectionInput):
    """`file_objection`'s payload over RPC: the objection with its evidence by reference."""
    evidence = fields.Nested(EvidenceRef, load_default=None, allow_none=True)


class ChangeInput(Schema):
    remove = fields.Boolean(metadata={"description": "true: remove the entry"})
    grade = fields.String(validate=validate.Length(1, 40), metadata={"description": "the entry's new grade"})


class ResolveInput(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("upheld", "dismissed")))
    reply = fields.String(required=True, validate=validate.Length(1, 1000),
                          metadata={"description": "The written reply the objector reads"})
    change = fields.Nested(ChangeInput, load_default=None, allow_none=True,
                           metadata={"description": 'Upheld only: {"remove": true} or {"grade": "<grade>"}'})


class OutputInput(Schema):
    id = fields.String(required=True, validate=validate.Length(1, 60))
    achieved = fields.Boolean(required=True)
    evidence = fields.String(load_default="", validate=validate.Length(0, 1000))


class StageReportInput(Schema):
    summary = fields.String(required=True, validate=validate.Length(1, 5000))
    outputs = fields.List(fields.Nested(OutputInput), load_default=list,
                          metadata={"description": "One per expected output (预期成果) for the final evaluation"})


class AssessInput(Schema):
    result = fields.String(required=True, validate=validate.OneOf(("pass", "fail", "return")))
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(0, 1000))
    revise = fields.Boolean(load_default=False)


class AwardQuery(Schema):
    campaign_id = fields.String(required=True, validate=validate.Length(1, 60))
