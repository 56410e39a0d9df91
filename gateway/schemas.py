"""Response and header schemas for the OpenAPI document. Request bodies reuse the
applications service's own schemas (services/applications/schemas.py)."""
from marshmallow import Schema, fields


class ErrorOut(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    message_zh = fields.String(required=True)
    field = fields.String()
    details = fields.Raw()


IDEMPOTENCY_HEADER = {
    "in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string", "maxLength": 200},
    "description": "Any unique string per intended change (e.g. a UUID), at most 200 characters: a retry with "
                   "the same key returns the first result and changes nothing more."}


class PersonOut(Schema):
    id = fields.String()
    login = fields.String()
    name = fields.String()
    roles = fields.List(fields.Dict())
    college_id = fields.String(allow_none=True)
    class_id = fields.String(allow_none=True)
    branch_id = fields.String(allow_none=True)


class TokenOut(Schema):
    token = fields.String()
    token_type = fields.String()
    expires_at = fields.String()
    user = fields.Nested(PersonOut)
    must_change_password = fields.Boolean(metadata={"description": "The token only opens the password change"})


class ProgramSummaryOut(Schema):
    name = fields.String()
    version = fields.String()
    title_zh = fields.String()
    title_en = fields.String()


class ProgramOut(Schema):
    name = fields.String()
    version = fields.String()
    title_zh = fields.String()
    title_en = fields.String()
    applicant_kind = fields.String()
    form_schema = fields.Dict()
    attachments = fields.List(fields.Dict())
    stages = fields.List(fields.String())
    settings = fields.Dict()
    criteria = fields.Raw(allow_none=True)
    quota_rules = fields.Raw(allow_none=True)
    funding = fields.Raw(allow_none=True)


class CampaignOut(Schema):
    id = fields.String()
    program = fields.String()
    program_version = fields.String()
    title = fields.String()
    academic_year = fields.String()
    unit_id = fields.String()
    unit_name = fields.String()
    application_opens_at = fields.String()
    application_closes_at = fields.String()
    review_opens_at = fields.String(allow_none=True)
    review_closes_at = fields.String(allow_none=True)
    application_open = fields.Boolean(metadata={"description": "Accepting applications now: the window is open, "
                                                                "not withdrawn, no final list yet"})
    final_listed = fields.Boolean(metadata={"description": "Its final list (正式名单) exists: no more applications"})
    application_window_local = fields.String()
    seconds_to_deadline = fields.Integer()
    settings = fields.Dict()
    level = fields.String(metadata={"description": "school | college: the kind of the campaign's unit"})
    parent_campaign_id = fields.String(allow_none=True)
    nomination_quota = fields.Dict(allow_none=True, metadata={"description": '{"per_college": n}'})
    state = fields.String(metadata={"description": "open | withdrawn"})
    version = fields.Integer()
    phase = fields.String(metadata={"description": "upcoming | applying | checking | reviewing | notice | final | "
                                                   "implementation | closed | withdrawn (core/campaign_phase.py)"})
    notice_text = fields.String(metadata={"description": "申报通知正文 (plain text)"})
    requirements = fields.String(metadata={"description": "申报要求 (plain text)"})
    templates = fields.List(fields.Dict(), metadata={"description": "Templates applicants download: id, filename, "
                                                                    "type, size"})


class CampaignHistoryOut(Schema):
    seq = fields.Integer()
    action = fields.String(metadata={"description": "edited | withdrawn"})
    by = fields.Dict()
    at = fields.String()
    reason = fields.String(allow_none=True)
    changes = fields.Dict()


class NominatedFromOut(Schema):
    campaign_id = fields.String()
    application_id = fields.String()
    college_id = fields.String()
    rank = fields.Integer(allow_none=True)
    total = fields.Raw(allow_none=True)
    grade = fields.String(allow_none=True)
    grade_name_zh = fields.String(allow_none=True)


class NominationOut(Schema):
    id = fields.String(metadata={"description": "The nominee's application in the parent campaign"})
    campaign_id = fields.String()
    applicant_kind = fields.String()
    applicant_id = fields.String()
    applicant_name = fields.String()
    college_id = fields.String(allow_none=True)
    state = fields.String()
    nominated_from = fields.Nested(NominatedFromOut)
    nominated_at = fields.String()
    review_result = fields.Dict(allow_none=True)
    created = fields.Boolean(metadata={"description": "False when it was nominated before (a no-op)"})


class NominateOut(Schema):
    campaign_id = fields.String()
    parent_campaign_id = fields.String()
    college_id = fields.String()
    quota = fields.Integer(allow_none=True)
    used = fields.Integer()
    nominations = fields.List(fields.Nested(NominationOut))


class NominationGroupOut(Schema):
    college_id = fields.String()
    college_name = fields.String()
    quota = fields.Integer(allow_none=True)
    used = fields.Integer()
    nominations = fields.List(fields.Nested(NominationOut))


class NominationsOut(Schema):
    campaign_id = fields.String(metadata={"description": "The school-level campaign"})
    title = fields.String()
    per_college = fields.Integer(allow_none=True)
    colleges = fields.List(fields.Nested(NominationGroupOut))


class AttachmentOut(Schema):
    id = fields.String()
    kind = fields.String()
    filename = fields.String()
    type = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_at = fields.String()


class ApplicationOut(Schema):
    id = fields.String()
    campaign_id = fields.String()
    program = fields.String()
    program_version = fields.String()
    applicant_kind = fields.String()
    applicant_id = fields.String()
    applicant_name = fields.String()
    college_id = fields.String(allow_none=True)
    state = fields.String()
    form = fields.Dict()
    version = fields.Integer()
    created_at = fields.String()
    updated_at = fields.String()
    submitted_at = fields.String(allow_none=True)
    first_submitted_at = fields.String(allow_none=True)
    attachments = fields.List(fields.Nested(AttachmentOut))
    nominated_from = fields.Dict(allow_none=True, metadata={"description": "Set on a nominee (推荐上报)"})
    resubmitted_at = fields.String(allow_none=True,
                                   metadata={"description": "When it was last resubmitted after a return (退回后重新提交)"})
    since_return = fields.Dict(allow_none=True, metadata={
        "description": "One application: what changed since its last return, {\"fields\": [{\"field\", \"old\", "
                       "\"new\"}], \"added\", \"removed\" (attachments), \"returned_at\", \"resubmitted_at\"}; "
                       "null if never returned"})
    on_behalf_by = fields.String(allow_none=True, metadata={"description": "Who applied on the unit's behalf "
                                                                           "(a counselor for a class), or null"})


class EligibilityReasonOut(Schema):
    code = fields.String()
    message = fields.String()
    message_zh = fields.String()
    blocking = fields.Boolean(metadata={"description": "false: bars one choice of the form only (a note)"})


class CandidateOut(Schema):
    applicant_id = fields.String()
    name = fields.String()
    on_behalf = fields.Boolean(metadata={"description": "Applied for on its behalf (a counselor for a class)"})
    eligible = fields.Boolean(allow_none=True, metadata={"description": "null: the program could not be asked now"})
    reasons = fields.List(fields.Nested(EligibilityReasonOut), metadata={"description": "Why it may not apply"})
    notes = fields.List(fields.Nested(EligibilityReasonOut), metadata={"description": "Choices it may not make"})
    application = fields.Dict(allow_none=True, metadata={"description": "{id, state, visible} when it applied"})


class ApplicantChoicesOut(Schema):
    applicant_kind = fields.String()
    accepting = fields.Boolean()
    candidates = fields.List(fields.Nested(CandidateOut))


class AuditOut(Schema):
    """An audit entry, in the one shape every service keeps (core/audit.py)."""
    id = fields.String()
    subject_kind = fields.String(metadata={"description": "What was changed: application, notice, assignment, …"})
    subject_id = fields.String()
    campaign_id = fields.String(allow_none=True)
    application_id = fields.String(allow_none=True)
    seq = fields.Integer(allow_none=True, metadata={"description": "Its place in its subject's trail"})
    action = fields.String()
    by = fields.Dict(allow_none=True, metadata={"description": "{id, name} of who acted; null for the system"})
    at = fields.String(metadata={"description": "ISO 8601 UTC"})
    reason = fields.String(allow_none=True)
    from_ = fields.String(data_key="from", attribute="from", allow_none=True,
                          metadata={"description": "The subject's state before, when the action changed it"})
    to = fields.String(allow_none=True)
    details = fields.Dict(allow_none=True, metadata={"description": "Whatever else the action carries"})


class UnitOut(Schema):
    id = fields.String()
    kind = fields.String()
    name = fields.String()
    parent_id = fields.String(allow_none=True)
    college_id = fields.String(allow_none=True)
    path = fields.List(fields.String())


class ImportOut(Schema):
    imported = fields.Integer()
    units_touched = fields.Integer()


class ListQuery(Schema):
    campaign_id = fields.String()
    state = fields.String()
    college_id = fields.String()
    limit = fields.Integer()
    skip = fields.Integer()
    after = fields.String(metadata={"description": "Keyset paging: the id of the last application of the "
                                                   "previous page (fast for deep pages, unlike skip)"})


class CampaignQuery(Schema):
    open = fields.Boolean(load_default=False)


class UnitQuery(Schema):
    kind = fields.String()
    parent_id = fields.String()
