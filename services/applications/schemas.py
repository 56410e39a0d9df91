"""What crosses the wire into the applications service (RPC and, reused by the
gateway, HTTP). marshmallow 4; errors become bilingual field errors."""
import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.applications.domain.state_machine import ACTIONS


def _academic_year(value):
    match = re.fullmatch(r"(\d{4})-(\d{4})", value or "")
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise ValidationError("Must look like 2025-2026 (two consecutive years).")


class NominationQuotaInput(Schema):
    per_college = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10_000))


class CampaignInput(Schema):
    program = fields.String(required=True, validate=validate.Length(1, 60))
    title = fields.String(required=True, validate=validate.Length(2, 100))
    academic_year = fields.String(required=True, validate=_academic_year)
    unit_id = fields.String(required=True, validate=validate.Length(1, 60),
                            metadata={"description": "Scope: the school or a college (评选范围)"})
    application_opens_at = fields.String(required=True, validate=validate.Length(1, 40),
                                         metadata={"description": "ISO 8601; naive = Asia/Shanghai"})
    application_closes_at = fields.String(required=True, validate=validate.Length(1, 40),
                                          metadata={"description": "After application_opens_at"})
    review_opens_at = fields.String(load_default=None, allow_none=True, validate=validate.Length(0, 40))
    review_closes_at = fields.String(load_default=None, allow_none=True, validate=validate.Length(0, 40))
    settings = fields.Dict(load_default=dict, metadata={"description": "Overrides of the program's settings"})
    parent_campaign_id = fields.String(
        load_default=None, validate=validate.Length(1, 60),
        metadata={"description": "A college-level campaign: the school-level campaign (same program) it nominates "
                                 "to (推荐上报的上级评选活动)"})
    nomination_quota = fields.Nested(
        NominationQuotaInput, load_default=None,
        metadata={"description": "A school-level campaign: nominees accepted per college (每个学院推荐名额)"})


class CampaignUpdate(Schema):
    """An edit of a campaign opened by mistake: any of these; the rest stays."""

    title = fields.String(validate=validate.Length(2, 100))
    academic_year = fields.String(validate=_academic_year)
    application_opens_at = fields.String(validate=validate.Length(1, 40),
                                         metadata={"description": "ISO 8601; naive = Asia/Shanghai"})
    application_closes_at = fields.String(validate=validate.Length(1, 40))
    review_opens_at = fields.String(allow_none=True, validate=validate.Length(0, 40))
    review_closes_at = fields.String(allow_none=True, validate=validate.Length(0, 40))
    settings = fields.Dict(metadata={"description": "Overrides of the program's settings (until a submission)"})
    nomination_quota = fields.Nested(NominationQuotaInput, allow_none=True)
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(0, 500),
                           metadata={"description": "Why (kept in the campaign's history)"})


class CampaignTexts(Schema):
    """The campaign's notice (申报通知正文) and requirements (申报要求), plain text."""

    notice_text = fields.String(allow_none=True, validate=validate.Length(0, 20000),
                                metadata={"description": "申报通知正文: paragraphs separated by blank lines"})
    requirements = fields.String(allow_none=True, validate=validate.Length(0, 20000),
                                 metadata={"description": "申报要求"})


class CampaignWindow(Schema):
    """Close the application window now, or extend it to `closes_at`."""

    action = fields.String(required=True, validate=validate.OneOf(("close", "extend")))
    closes_at = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 40),
                              metadata={"description": "extend: the new deadline (ISO 8601; naive = Beijing time)"})
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(0, 500))


class CampaignWithdraw(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 500),
                           metadata={"description": "Why the campaign is withdrawn (撤销原因)"})


class NominationInput(Schema):
    application_ids = fields.List(
        fields.String(validate=validate.Length(1, 80)), required=True, validate=validate.Length(1, 200),
        metadata={"description": "Applications on this college campaign's final list (最终名单中的申报)"})


class ApplicationCreate(Schema):
    applicant_id = fields.String(load_default=None, validate=validate.Length(1, 60),
                                 metadata={"description": "The branch/class/dorm; defaults to the one you represent"})
    form = fields.Dict(required=True)


class ApplicationUpdate(Schema):
    form = fields.Dict(required=True)


class ActionInput(Schema):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    reason = fields.String(load_default=None, validate=validate.Length(0, 1000))


class ListFilter(Schema):
    campaign_id = fields.String(load_default=None)
    state = fields.String(load_default=None)
    college_id = fields.String(load_default=None)
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))
    skip = fields.Integer(load_default=0, validate=validate.Range(0, 1_000_000))
    after = fields.String(load_default=None, validate=validate.Length(1, 100),
                          metadata={"description": "the id of the last application of the previous page"})

    @validates_schema
    def _known_state(self, data, **kwargs):
        from services.applications.domain.state_machine import STATES
        if data.get("state") and data["state"] not in STATES:
            raise ValidationError(f"Must be one of: {', '.join(STATES)}.", "state")
