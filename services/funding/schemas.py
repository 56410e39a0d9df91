"""What crosses the wire into the funding service (RPC and, reused by the gateway,
HTTP). marshmallow 4; errors become bilingual field errors.

Amounts are ``fields.Raw`` on purpose: the domain's money parser (domain/money.py)
reads them from the raw JSON value so that ``1.5`` fen, ``"12.345"`` yuan, ``true``,
``1e3`` or a negative number are refused with one clear message, never coerced.
Give exactly one of ``<name>_fen`` (integer fen) or ``<name>_yuan`` (decimal yuan).
"""
from marshmallow import RAISE, Schema, fields, validate

_FEN = {"description": "Integer fen (分); 100 fen = 1 yuan. Give this or the _yuan field.",
        "type": "integer", "example": 500000}
_YUAN = {"description": "Yuan (元) as a decimal string or number with at most 2 decimals, "
                        "e.g. \"1234.50\". Give this or the _fen field.",
         "type": "string", "example": "5000.00"}
_ID = validate.Length(1, 64)


class Strict(Schema):
    class Meta:
        unknown = RAISE


class DeadlinesInput(Strict):
    implementation_start = fields.String(load_default=None, metadata={
        "description": "实施开始: ISO 8601 with a UTC offset, e.g. 2025-10-01T00:00:00+08:00"})
    implementation_end = fields.String(load_default=None, metadata={"description": "实施结束"})
    closing_deadline = fields.String(load_default=None, metadata={"description": "结项截止"})


class FundingCampaignInput(Strict):
    campaign_id = fields.String(required=True, validate=_ID, metadata={
        "description": "The campaign (评选活动) of the applications service"})
    budget_fen = fields.Raw(load_default=None, allow_none=True, metadata=_FEN)
    budget_yuan = fields.Raw(load_default=None, allow_none=True, metadata=_YUAN)
    deadlines = fields.Nested(DeadlinesInput, load_default=dict)
    reason = fields.String(load_default=None, validate=validate.Length(0, 500))


class BudgetInput(Strict):
    budget_fen = fields.Raw(load_default=None, allow_none=True, metadata=_FEN)
    budget_yuan = fields.Raw(load_default=None, allow_none=True, metadata=_YUAN)
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class AwardInput(Strict):
    application_id = fields.String(required=True, validate=_ID, metadata={
        "description": "The approved application (立项项目) to fund"})
    tier = fields.String(required=True, validate=validate.Length(1, 40), metadata={
        "description": "Tier code of the program's rules, e.g. key (重点), featured (特色), general (一般)"})
    amount_fen = fields.Raw(load_default=None, allow_none=True, metadata=_FEN)
    amount_yuan = fields.Raw(load_default=None, allow_none=True, metadata=_YUAN)
    advisor_id = fields.String(required=True, validate=_ID, metadata={
        "description": "The faculty advisor (指导老师): a person of the directory. The application "
                       "form names the advisor only by name, so the awarding admin picks the person."})
    tier_reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(0, 500), metadata={
        "description": "Why the tier differs from the one the review proposed (the final list's grade); "
                       "required then, kept on the grant"})
    reason = fields.String(load_default=None, validate=validate.Length(0, 500))


class AwardsInput(Strict):
    awards = fields.List(fields.Nested(AwardInput), required=True, validate=validate.Length(1, 500), metadata={
        "description": "1-500 awards of this campaign, done as one background job"})


class ClaimItemInput(Strict):
    description = fields.Raw(required=True, metadata={"type": "string", "description": "1-200 characters"})
    category = fields.Raw(load_default=None, metadata={
        "type": "string", "description": "Spending category, if the program has categories"})
    amount_fen = fields.Raw(load_default=None, allow_none=True, metadata=_FEN)
    amount_yuan = fields.Raw(load_default=None, allow_none=True, metadata=_YUAN)


class ClaimInput(Strict):
    items = fields.List(fields.Nested(ClaimItemInput), required=True, metadata={
        "description": "1-100 items (报销明细)"})
    receipts = fields.List(fields.String(), required=True, metadata={
        "description": "Ids of receipt attachments uploaded to the grant (kind=receipt), 1-50"})
    purpose = fields.Raw(required=True, metadata={"type": "string", "description": "报销事由, 1-200 characters"})


CLAIM_ACTIONS = ("approve", "return", "reject", "withdraw", "pay")


class ClaimActionInput(Strict):
    action = fields.String(required=True, validate=validate.OneOf(CLAIM_ACTIONS), metadata={
        "description": "approve / return (reason) / reject (reason) at the current step; "
                       "withdraw (the lead); pay (finance, after the last approval)"})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(0, 500))
    payment_reference = fields.String(load_default=None, allow_none=True, validate=validate.Length(0, 64), metadata={
        "description": "付款凭证号: the voucher or transfer number of the payment; required with pay"})


class MaterialInput(Strict):
    kind = fields.String(required=True, validate=validate.Length(1, 40), metadata={
        "description": "closing_report, work_case, activity_summary (attachment ids) or article_link (URL)"})
    value = fields.String(required=True, validate=validate.Length(1, 2000), metadata={
        "description": "An attachment id of this grant, or for article_link an http(s) URL"})


class MaterialsReviewInput(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(("pass", "return")), metadata={
        "description": "pass (every required material in) or return (with a reason)"})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(0, 500), metadata={
        "description": "Required to return: what the project must change"})


class CloseInput(Strict):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(0, 500))


REPORT_LEVELS = ("campaign", "college", "project")
