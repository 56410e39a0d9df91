"""Public notice (公示), objections (异议), the final list (正式名单), stages beyond the
decision (中期检查, 评估考核) and awards (荣誉称号): docs/PROGRAM_LIFECYCLE.md."""
from urllib.parse import quote

from flask import Response, g
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from core.forms import decode_upload
from gateway import files
from gateway.api import accepted, idempotency_key, rpc
from gateway.api.jobs import JobOut
from gateway.auth import login_required
from services.applications.notice_schemas import (
    AssessInput, AwardQuery, NoticeOpen, ObjectionInput, ResolveInput, StageReportInput,
)

blp = Blueprint("notices", __name__, url_prefix="/api",
                description="Public notice, objections, final list, stages and awards (公示、异议、正式名单、阶段考核、荣誉)")

IDEMPOTENCY = {"parameters": [{"in": "header", "name": "Idempotency-Key", "required": False,
                               "schema": {"type": "string", "maxLength": 200},
                               "description": "A retry with the same key returns the first result"}]}


# -- response schemas (what /api/openapi.json documents) ---------------------------
class PersonRefOut(Schema):
    id = fields.String()
    name = fields.String()


class NoticeEntryOut(Schema):
    application_id = fields.String()
    applicant_id = fields.String(allow_none=True)
    applicant_name = fields.String(allow_none=True)
    college_id = fields.String(allow_none=True)
    grade = fields.String(allow_none=True)
    grade_name_zh = fields.String(allow_none=True)
    category = fields.String(allow_none=True)
    category_name_zh = fields.String(allow_none=True)
    rank = fields.Integer(allow_none=True)
    total = fields.Float(allow_none=True)


class EvidenceOut(Schema):
    filename = fields.String()
    type = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()


class ResolutionOut(Schema):
    decision = fields.String()
    reply = fields.String()
    change = fields.Dict(allow_none=True)
    by = fields.Nested(PersonRefOut)
    at = fields.String()


class ObjectionOut(Schema):
    id = fields.String()
    notice_id = fields.String()
    notice_version = fields.Integer()
    campaign_id = fields.String()
    application_id = fields.String()
    applicant_name = fields.String(allow_none=True)
    objector = fields.Nested(PersonRefOut)
    reason = fields.String()
    evidence = fields.Nested(EvidenceOut, allow_none=True)
    state = fields.String(metadata={"description": "pending, upheld or dismissed"})
    resolution = fields.Nested(ResolutionOut, allow_none=True)
    created_at = fields.String()
    resolved_at = fields.String(allow_none=True)


class HowToObjectOut(Schema):
    zh = fields.String()
    en = fields.String()
    endpoint = fields.String()


class NoticeOut(Schema):
    id = fields.String(metadata={"description": "<campaign_id>:v<version>"})
    campaign_id = fields.String()
    program = fields.String()
    version = fields.Integer()
    round = fields.Integer(allow_none=True)
    days = fields.Integer()
    entries = fields.List(fields.Nested(NoticeEntryOut))
    opens_at = fields.String()
    closes_at = fields.String()
    opens_at_local = fields.String()
    closes_at_local = fields.String()
    period_local = fields.String()
    open = fields.Boolean(metadata={"description": "Objections are accepted now"})
    status = fields.String(metadata={"description": "open, closed, superseded or final"})
    supersedes = fields.String(allow_none=True)
    final_list = fields.Boolean()
    how_to_object = fields.Nested(HowToObjectOut)
    created_by = fields.Nested(PersonRefOut)
    created_at = fields.String()
    created = fields.Boolean(metadata={"description": "Only when opening: false if it was already open"})
    objections = fields.List(fields.Nested(ObjectionOut), metadata={"description": "Campaign admin only"})
    audit = fields.List(fields.Dict(), metadata={"description": "Campaign admin only: who opened, objected, "
                                                               "resolved, re-noticed, finalised, granted; when, why"})


class FinalListOut(Schema):
    id = fields.String()
    campaign_id = fields.String()
    notice_id = fields.String()
    notice_version = fields.Integer()
    program = fields.String()
    academic_year = fields.String(allow_none=True)
    entries = fields.List(fields.Nested(NoticeEntryOut))
    finalised_by = fields.Nested(PersonRefOut)
    finalised_at = fields.String()


class AwardGrantedOut(Schema):
    id = fields.String(metadata={"description": "award:<application_id>:<code>"})
    program = fields.String()
    campaign_id = fields.String()
    academic_year = fields.String(allow_none=True)
    application_id = fields.String()
    recipient_kind = fields.String()
    recipient_id = fields.String()
    recipient_name = fields.String()
    college_id = fields.String(allow_none=True)
    member_ids = fields.List(fields.String())
    code = fields.String()
    title = fields.String()
    title_en = fields.String()
    level = fields.String()
    category = fields.String(allow_none=True)
    grade = fields.String(allow_none=True)
    rank = fields.Integer(allow_none=True)
    source = fields.String(metadata={"description": "final_list or final_evaluation"})
    granted_by = fields.Nested(PersonRefOut)
    granted_at = fields.String()


class OutputOut(Schema):
    id = fields.String()
    achieved = fields.Boolean()
    evidence = fields.String()


class ReportOut(Schema):
    summary = fields.String()
    outputs = fields.List(fields.Nested(OutputOut))
    by = fields.Nested(PersonRefOut)
    at = fields.String()


class AssessmentOut(Schema):
    result = fields.String()
    comment = fields.String(allow_none=True)
    revised = fields.Boolean()
    by = fields.Nested(PersonRefOut)
    at = fields.String()


class StageFileOut(Schema):
    id = fields.String()
    filename = fields.String()
    type = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    uploaded_by = fields.Nested(PersonRefOut)
    uploaded_at = fields.String()


class StageOut(Schema):
    stage = fields.String()
    name_zh = fields.String()
    status = fields.String(metadata={"description": "waiting, open, returned, assessed or failed_earlier"})
    progress = fields.String(metadata={"description": "waiting, failed_earlier, to_submit, submitted, returned, "
                                                      "passed or failed"})
    files = fields.List(fields.Nested(StageFileOut))
    returns = fields.List(fields.Nested(AssessmentOut), metadata={"description": "Earlier returns, oldest first"})
    report = fields.Nested(ReportOut, allow_none=True)
    assessment = fields.Nested(AssessmentOut, allow_none=True)
    unmet_outputs = fields.List(fields.String())
    revision = fields.Integer()
    trail = fields.List(fields.Dict(), metadata={"description": "Audit: who, what, when, why"})


class StagesOut(Schema):
    application_id = fields.String()
    campaign_id = fields.String()
    applicant_name = fields.String()
    state = fields.String()
    next_step = fields.Dict(allow_none=True, metadata={"description": "{action: submit|resubmit|await|done|closed, "
                                                                      "stage}"})
    stages = fields.List(fields.Nested(StageOut))
    expected_outputs = fields.List(fields.Dict())
    awards_at = fields.String(metadata={"description": "final_list or final_evaluation"})
    awards = fields.List(fields.Nested(AwardGrantedOut))


# -- notices -----------------------------------------------------------------------
@blp.route("/campaigns/<campaign_id>/notice", methods=["POST"])
@blp.arguments(NoticeOpen, required=False)
@blp.response(201, NoticeOut)
@blp.alt_response(409, description="No results published yet")
@login_required
def open_notice(payload, campaign_id):
    """Put the published results on public notice (campaign admin); opening again
    returns the notice already open."""
    with rpc() as cluster:
        return cluster.applications.open_notice(g.actor_id, campaign_id, payload)


@blp.route("/campaigns/<campaign_id>/notice")
@blp.response(200, NoticeOut)
@login_required
def get_notice(campaign_id):
    """The current version: entries, period, how to object (anyone in scope); the
    campaign admin also sees the objections."""
    with rpc() as cluster:
        return cluster.applications.get_notice(g.actor_id, campaign_id)


@blp.route("/campaigns/<campaign_id>/final-list")
@blp.response(200, FinalListOut)
@login_required
def get_final_list(campaign_id):
    """The final list (anyone in scope)."""
    with rpc() as cluster:
        return cluster.applications.get_final_list(g.actor_id, campaign_id)


@blp.route("/notices/<notice_id>/objections", methods=["POST"])
@blp.arguments(ObjectionInput)
@blp.response(201, ObjectionOut)
@blp.alt_response(409, description="deadline_passed: outside the notice period (field closes_at)")
@blp.doc(**IDEMPOTENCY)
@login_required
def file_objection(payload, notice_id):
    """Object to an entry while the notice is open (anyone in scope)."""
    evidence = payload.get("evidence")
    if evidence and evidence.get("data_b64"):   # the bytes go to the file store, the RPC carries their id
        data = decode_upload(evidence["data_b64"], field="evidence.data_b64")
        reference, filename = files.put_upload(data, evidence.get("filename"))   # a large photo is shrunk first
        payload = dict(payload, evidence={"filename": filename, "file": reference})
    with rpc() as cluster:
        return cluster.applications.file_objection(g.actor_id, notice_id, payload, idempotency_key())


@blp.route("/notices/<notice_id>/objections")
@blp.response(200, ObjectionOut(many=True))
@login_required
def list_objections(notice_id):
    """Your own objections and their replies; the campaign admin sees all of them."""
    with rpc() as cluster:
        return cluster.applications.list_objections(g.actor_id, notice_id)


@blp.route("/notices/<notice_id>/objections/<objection_id>/evidence")
@login_required
def objection_evidence(notice_id, objection_id):
    """Download an objection's evidence (the objector and the campaign admin)."""
    with rpc() as cluster:
        doc = cluster.applications.get_objection_evidence(g.actor_id, notice_id, objection_id)
    return Response(files.content_of(doc), mimetype=doc["content_type"], headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(doc['filename'])}"})


@blp.route("/notices/<notice_id>/objections/<objection_id>/resolve", methods=["POST"])
@blp.arguments(ResolveInput)
@blp.response(200, ObjectionOut)
@blp.doc(**IDEMPOTENCY)
@login_required
def resolve_objection(payload, notice_id, objection_id):
    """Uphold or dismiss, with a reply (campaign admin); upheld with a change
    re-notices the list for a new full period."""
    with rpc() as cluster:
        return cluster.applications.resolve_objection(g.actor_id, notice_id, objection_id, payload,
                                                      idempotency_key())


@blp.route("/notices/<notice_id>/finalise", methods=["POST"])
@blp.response(202, JobOut, description="The job deciding the applications; follow it at /api/jobs/{id}. Its "
                                       "result is the final list (FinalListOut) with `decided`")
@blp.alt_response(409, description="The period is not over, or objections are pending (named)")
@login_required
def finalise(notice_id):
    """Make the list final (campaign admin), as a background job: applications are
    decided and, unless the program has a final evaluation, the titles granted.
    Finalising again gives the same list."""
    with rpc() as cluster:
        return accepted(cluster.applications.finalise_notice(g.actor_id, notice_id))


# -- stages -------------------------------------------------------------------------
@blp.route("/applications/<application_id>/stages")
@blp.response(200, StagesOut)
@login_required
def get_stages(application_id):
    with rpc() as cluster:
        return cluster.applications.get_stages(g.actor_id, application_id)


@blp.route("/applications/<application_id>/stages/<stage>/report", methods=["PUT"])
@blp.arguments(StageReportInput)
@blp.response(200, StagesOut)
@login_required
def put_stage_report(payload, application_id, stage):
    """The applicant's report on an open stage (midterm, then final_evaluation)."""
    with rpc() as cluster:
        return cluster.applications.put_stage_report(g.actor_id, application_id, stage, payload)


@blp.route("/applications/<application_id>/stages/<stage>/assess", methods=["POST"])
@blp.arguments(AssessInput)
@blp.response(200, StagesOut)
@blp.doc(**IDEMPOTENCY)
@login_required
def assess_stage(payload, application_id, stage):
    """Pass, fail, or return for resubmission (campaign admin; fail and return need a
    comment); once per report unless `revise` with a comment."""
    with rpc() as cluster:
        return cluster.applications.assess_stage(g.actor_id, application_id, stage, payload, idempotency_key())


# -- awards -------------------------------------------------------------------------
@blp.route("/awards")
@blp.arguments(AwardQuery, location="query")
@blp.response(200, AwardGrantedOut(many=True))
@login_required
def list_awards(query):
    """A campaign's awards (anyone in its scope)."""
    with rpc() as cluster:
        return cluster.applications.list_awards(g.actor_id, query["campaign_id"])


from gateway.api import stage_routes  # noqa: E402,F401  (the stage files and the campaign's stages, on this blueprint)
