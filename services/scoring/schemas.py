"""What crosses the wire into the scoring service (RPC and, reused by the gateway,
HTTP request bodies). marshmallow 4; errors become bilingual field errors through
`core.forms.load_or_raise`. Scores themselves are checked by the domain against each
leaf's scale, so the message names the leaf and its scale."""
from marshmallow import Schema, fields, validate

from services.scoring.domain.aggregation import METHODS, ON_MISSING
from services.scoring.programs import CONFLICT_FIELDS

REASON = validate.Length(1, 1000)


class ConflictPolicyInput(Schema):
    unit_fields = fields.List(fields.String(validate=validate.OneOf(CONFLICT_FIELDS)), data_key="fields",
                              attribute="fields",
                         metadata={"description": "Shared units that disqualify a reviewer "
                                                  "(class_id, dorm_id, branch_id, college_id)"})
    same_college = fields.Boolean(metadata={"description": "Reviewers never score their own college (同院回避)"})


class SetupInput(Schema):
    """A campaign's scoring setup; every key is optional and keeps its current value
    (or the program's default) when absent."""

    aggregation = fields.String(validate=validate.OneOf(METHODS),
                                metadata={"description": "mean, median or trimmed_mean (去掉一个最高分和一个最低分)"})
    zscore = fields.Boolean(metadata={"description": "Per-reviewer z-score normalisation within the campaign"})
    on_missing = fields.String(validate=validate.OneOf(ON_MISSING))
    reviewers_per_application = fields.Integer(validate=validate.Range(1, 20),
                                               metadata={"description": "k reviewers per application"})
    blind_review = fields.Boolean(metadata={"description": "Reviewers see no applicant names (匿名评审)"})
    conflict = fields.Nested(ConflictPolicyInput)
    reviewer_ids = fields.List(fields.String(validate=validate.Length(1, 80)), allow_none=True,
                               metadata={"description": "The reviewer pool for automatic assignment; "
                                                        "empty: everyone with the reviewer role in scope"})
    population = fields.Integer(allow_none=True, validate=validate.Range(1, 10_000_000),
                                metadata={"description": "Size of the population a percentage quota is of"})
    version = fields.Integer(validate=validate.Range(0, 1_000_000_000),
                             metadata={"description": "The version you read (optimistic concurrency)"})


class AssignInput(Schema):
    application_id = fields.String(required=True, validate=validate.Length(1, 80))
    reviewer_id = fields.String(required=True, validate=validate.Length(1, 80))
    role = fields.String(load_default="reviewer", validate=validate.Length(1, 40),
                         metadata={"description": "The scorer role the reviewer scores as"})


class AssignmentsPage(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 500))
    after = fields.String(load_default=None, validate=validate.Length(1, 300),
                          metadata={"description": "`next_after` of the previous page"})


class RankingRows(Schema):
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 1_000_000))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))


class ConflictInput(Schema):
    application_id = fields.String(required=True, validate=validate.Length(1, 80))
    reviewer_id = fields.String(load_default=None, validate=validate.Length(1, 80),
                                metadata={"description": "Admins declare for anyone; reviewers for themselves"})
    reason = fields.String(required=True, validate=REASON)


class SheetInput(Schema):
    scores = fields.Dict(keys=fields.String(validate=validate.Length(1, 80)), values=fields.Raw(allow_none=True),
                         load_default=dict,
                         metadata={"description": "{leaf id: score}; null clears a draft score"})
    comment = fields.String(load_default=None, allow_none=True, validate=validate.Length(0, 2000),
                            metadata={"description": "The reviewer's comment (评审意见), locked with the sheet; "
                                                     "\"\" clears it, absent or null keeps it"})
    version = fields.Integer(validate=validate.Range(0, 1_000_000_000),
                             metadata={"description": "The version you read (optimistic concurrency)"})


class SheetChangeInput(Schema):
    scores = fields.Dict(keys=fields.String(validate=validate.Length(1, 80)), values=fields.Raw(), required=True)
    reason = fields.String(required=True, validate=REASON)
    version = fields.Integer(validate=validate.Range(0, 1_000_000_000))


class ReasonInput(Schema):
    reason = fields.String(required=True, validate=REASON)


class VetoInput(Schema):
    reason = fields.String(required=True, validate=REASON)
    reason_zh = fields.String(load_default=None, validate=REASON)


class PublishInput(Schema):
    round = fields.Integer(load_default=None, validate=validate.Range(1, 1000),
                           metadata={"description": "Default: the latest published round, or 1. A later "
                                                    "round supersedes an earlier one."})
