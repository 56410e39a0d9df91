"""REST endpoints of the funding service (经费): tiers, campaign budgets, grants,
receipts and materials, claims and their approvals, closing, ledgers and reports.

Requests that move money (opening a budget, changing it, awarding, filing, acting on
or resubmitting a claim, closing) require an ``Idempotency-Key`` header: a retry
with the same key gets the first answer and books nothing twice. Amounts are integer
fen (``*_fen``) or decimal yuan (``*_yuan``), never both; responses carry fen plus a
``display`` string. Who sees what is decided by the funding service on every call.
"""
from urllib.parse import quote

from flask import Response, g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from gateway import files
from gateway.api import accepted, idempotency_key, multipart, rpc
from gateway.api.jobs import JobOut
from gateway.auth import login_required
from gateway.schemas import IDEMPOTENCY_HEADER, AttachmentOut
from services.funding.schemas import (
    REPORT_LEVELS, AwardInput, AwardsInput, BudgetInput, ClaimActionInput, ClaimInput, CloseInput,
    FundingCampaignInput, MaterialInput, MaterialsReviewInput,
)

blp = Blueprint("funding", __name__, url_prefix="/api/funding",
                description="Funding (经费): tiers, budgets, grants, reimbursement claims, closing, reports")

IDEMPOTENCY = {"in": "header", "name": "Idempotency-Key", "required": True, "schema": {"type": "string", "maxLength": 200},
               "description": "Required: any unique string per intended change (e.g. a UUID). A retry with the "
                              "same key returns the first answer and never books twice."}
MONEY_409 = "Over the budget, the tier cap or the grant's remaining amount (the message states it), " \
            "not possible in the current state, or a concurrent change"


# --------------------------------------------------------------- schemas ---

class _Money(Schema):
    display = fields.Dict(keys=fields.String(), values=fields.String(),
                          metadata={"description": "Amounts formatted in yuan, e.g. ¥1,234.50"})


class TierOut(Schema):
    code = fields.String()
    name = fields.String()
    name_en = fields.String()
    cap_fen = fields.Integer()
    cap = fields.String()
    closing_materials = fields.List(fields.String())


class RulesOut(Schema):
    program = fields.String()
    version = fields.String()
    fingerprint = fields.String()
    tiers = fields.List(fields.Nested(TierOut))
    categories = fields.List(fields.Dict())
    approval_steps = fields.List(fields.String())
    material_kinds = fields.List(fields.Dict())
    deadlines = fields.Dict()
    registered_at = fields.String()


class FundingCampaignOut(_Money):
    id = fields.String()
    program = fields.String()
    program_version = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    academic_year = fields.String(allow_none=True)
    unit_id = fields.String(allow_none=True)
    school_id = fields.String(allow_none=True)
    rules_fingerprint = fields.String()
    budget_fen = fields.Integer()
    budget_version = fields.Integer()
    granted_fen = fields.Integer()
    returned_fen = fields.Integer()
    available_fen = fields.Integer(metadata={"description": "budget − granted + returned"})
    deadlines = fields.Dict(metadata={"description": "UTC"})
    deadlines_local = fields.Dict(metadata={"description": "Asia/Shanghai"})
    enforced_deadlines = fields.Dict(metadata={"description": "Which actions the program bounds by which deadline"})
    tiers = fields.List(fields.Nested(TierOut))
    opened_by = fields.Dict()
    opened_at = fields.String()


class FundingAttachmentOut(AttachmentOut):
    grant_id = fields.String()
    uploaded_by = fields.Dict()


class GrantOut(_Money):
    id = fields.String()
    campaign_id = fields.String()
    program = fields.String()
    rules_fingerprint = fields.String()
    project_id = fields.String()
    project_title = fields.String(allow_none=True)
    college_id = fields.String(allow_none=True)
    lead_id = fields.String()
    advisor_id = fields.String()
    advisor_name = fields.String(allow_none=True)
    tier = fields.String()
    tier_name = fields.String()
    proposed_tier = fields.String(allow_none=True, metadata={"description": "The tier the review proposed "
                                                                              "(the final list's grade)"})
    tier_reason = fields.String(allow_none=True, metadata={"description": "Why the tier differs from the proposal"})
    status = fields.String(metadata={"description": "active or closed"})
    granted_fen = fields.Integer()
    reserved_fen = fields.Integer(metadata={"description": "in claims awaiting approval"})
    approved_fen = fields.Integer(metadata={"description": "finally approved, not yet paid"})
    paid_fen = fields.Integer()
    returned_fen = fields.Integer(metadata={"description": "handed back to the campaign at closing"})
    remaining_fen = fields.Integer(metadata={"description": "what a new claim may still use"})
    open_claims = fields.Integer()
    materials = fields.Dict()
    required_materials = fields.List(fields.String())
    missing_materials = fields.List(fields.Dict())
    materials_version = fields.Integer(metadata={"description": "+1 with every material submitted"})
    materials_review = fields.Dict(allow_none=True, metadata={
        "description": "The admin's review: {decision: passed|returned, reason, by, at, materials_version}"})
    closing_step = fields.String(metadata={"description": "What comes next: materials, review, returned, close, "
                                                          "closed"})
    awarded_by = fields.Dict()
    awarded_at = fields.String()
    closed_by = fields.Dict(allow_none=True)
    closed_at = fields.String(allow_none=True)
    closing_reason = fields.String(allow_none=True)
    attachments = fields.List(fields.Nested(FundingAttachmentOut))
    actions = fields.List(fields.String(), metadata={
        "description": "What you may do now: file_claim, upload_materials, review_materials, close"})


class ClaimItemOut(Schema):
    description = fields.String()
    category = fields.String(allow_none=True)
    amount_fen = fields.Integer()


class ClaimOut(_Money):
    id = fields.String()
    grant_id = fields.String()
    campaign_id = fields.String()
    project_id = fields.String()
    college_id = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "submitted, advisor_approved, college_approved, "
                                                    "finance_approved, paid, returned, rejected, withdrawn"})
    steps = fields.List(fields.String())
    revision = fields.Integer()
    version = fields.Integer()
    items = fields.List(fields.Nested(ClaimItemOut))
    receipts = fields.List(fields.String())
    receipt_files = fields.List(fields.Nested(FundingAttachmentOut), metadata={
        "description": "The receipts' files (name, type, size); download each at "
                       "/api/funding/grants/{grant_id}/attachments/{id}"})
    purpose = fields.String()
    total_fen = fields.Integer()
    payment_reference = fields.String(allow_none=True, metadata={"description": "付款凭证号, recorded when paid"})
    filed_by = fields.Dict()
    filed_at = fields.String()
    updated_at = fields.String()
    history = fields.List(fields.Dict(), metadata={"description": "Audit (core/audit.py's entries): who (by), when (at), action, from, to, why (reason); the approval step and request id in details"})
    actions = fields.List(fields.String(), metadata={"description": "What you may do now"})


class LedgerEntryOut(_Money):
    id = fields.String()
    idempotency_key = fields.String()
    kind = fields.String(metadata={"description": "budget_set, grant_awarded, claim_reserved, claim_released, "
                                                  "claim_approved, claim_paid, grant_returned"})
    amount_fen = fields.Integer()
    campaign_id = fields.String()
    grant_id = fields.String(allow_none=True)
    claim_id = fields.String(allow_none=True)
    project_id = fields.String(allow_none=True)
    college_id = fields.String(allow_none=True)
    actor = fields.Dict()
    at = fields.String()
    reason = fields.String(allow_none=True)
    reference = fields.String(allow_none=True, metadata={"description": "付款凭证号 of a claim_paid entry"})


class _Columns(_Money):
    granted_fen = fields.Integer()
    claimed_fen = fields.Integer(metadata={"description": "in live claims: reserved + approved + paid"})
    approved_fen = fields.Integer(metadata={"description": "finally approved (paid or not)"})
    paid_fen = fields.Integer()
    returned_fen = fields.Integer()
    remaining_fen = fields.Integer()


class CampaignReportOut(_Columns):
    campaign_id = fields.String()
    projects = fields.Integer()
    budget_fen = fields.Integer()
    available_fen = fields.Integer()
    ledger_consistent = fields.Boolean(metadata={"description": "The guard counters agree with the ledger"})


class CollegeReportOut(_Columns):
    college_id = fields.String()
    college_name = fields.String(allow_none=True)
    projects = fields.Integer()


class ProjectReportOut(_Columns):
    project_id = fields.String()
    grant_id = fields.String()
    campaign_id = fields.String()
    college_id = fields.String(allow_none=True)
    tier = fields.String(allow_none=True)
    tier_name = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    status = fields.String(allow_none=True)


class RulesQuery(Schema):
    version = fields.String(load_default=None)


class GrantsQuery(Schema):
    campaign_id = fields.String(load_default=None)


class ReportQuery(Schema):
    level = fields.String(load_default="campaign", validate=validate.OneOf(REPORT_LEVELS))


# ----------------------------------------------------------- rules/tiers ---

@blp.route("/programs/<program>/rules")
@blp.arguments(RulesQuery, location="query")
@blp.response(200, RulesOut)
@login_required
def program_rules(query, program):
    """A program's funding rules: tiers with caps, closing materials per tier, claim
    approval steps (the newest registered version, or `version`)."""
    with rpc() as cluster:
        return cluster.funding.get_rules(program, query["version"])


# ------------------------------------------------------------- campaigns ---

@blp.route("/campaigns", methods=["POST"])
@blp.arguments(FundingCampaignInput)
@blp.response(201, FundingCampaignOut)
@blp.alt_response(409, description="Funding of this campaign is open already with other numbers")
@blp.doc(parameters=[IDEMPOTENCY])
@login_required
def open_campaign(payload):
    """Open the funding side of a campaign (school admin or finance): total budget
    (`budget_fen` or `budget_yuan`) and deadlines. The rules are those of the program
    version the campaign pinned."""
    with rpc() as cluster:
        return cluster.funding.open_campaign(g.actor_id, payload, idempotency_key())


@blp.route("/campaigns/<campaign_id>")
@blp.response(200, FundingCampaignOut)
@login_required
def get_campaign(campaign_id):
    """Budget, granted, returned, available; deadlines (UTC and Asia/Shanghai); tiers."""
    with rpc() as cluster:
        return cluster.funding.get_campaign(g.actor_id, campaign_id)


@blp.route("/campaigns/<campaign_id>/tiers")
@blp.response(200, TierOut(many=True))
@login_required
def campaign_tiers(campaign_id):
    """The tiers (重点/特色/一般) and caps this campaign awards under."""
    with rpc() as cluster:
        return cluster.funding.get_campaign(g.actor_id, campaign_id)["tiers"]


@blp.route("/campaigns/<campaign_id>/budget", methods=["PUT"])
@blp.arguments(BudgetInput)
@blp.response(200, FundingCampaignOut)
@blp.alt_response(409, description="Below what is granted already, or changed concurrently")
@blp.doc(parameters=[IDEMPOTENCY])
@login_required
def set_budget(payload, campaign_id):
    """Change the total budget (absolute, with a reason); never below what is granted."""
    with rpc() as cluster:
        return cluster.funding.set_budget(g.actor_id, campaign_id, payload, idempotency_key())


@blp.route("/campaigns/<campaign_id>/grants", methods=["POST"])
@blp.arguments(AwardInput)
@blp.response(201, GrantOut)
@blp.alt_response(409, description=MONEY_409)
@blp.doc(parameters=[IDEMPOTENCY])
@login_required
def award_grant(payload, campaign_id):
    """Award a grant to an approved application (school admin or finance): tier,
    amount ≤ the tier's cap and ≤ what is left of the budget (atomically), and the
    faculty advisor (a person). The lead is the branch's secretary."""
    with rpc() as cluster:
        return cluster.funding.award_grant(g.actor_id, campaign_id, payload, idempotency_key())


@blp.route("/campaigns/<campaign_id>/grants/batch", methods=["POST"])
@blp.arguments(AwardsInput)
@blp.response(202, JobOut, description="The awarding job; follow it at /api/jobs/{id}. Its result is "
                                       "{awarded, rows, refused: [{row, application_id, field, message, message_zh}]}")
@blp.alt_response(409, description="The new awards together exceed the budget left")
@login_required
def award_grants(payload, campaign_id):
    """Award many grants at once (school admin or finance), as a background job. Every
    row is checked first — tier, amount within the tier's cap, the reason a tier other
    than the proposed one needs, the application — and the new awards together must fit
    in the budget left; any problem refuses the whole batch, naming each row's field."""
    with rpc() as cluster:
        return accepted(cluster.funding.award_grants(g.actor_id, campaign_id, payload))


@blp.route("/campaigns/<campaign_id>/grants")
@blp.response(200, GrantOut(many=True))
@login_required
def campaign_grants(campaign_id):
    """The campaign's grants you may see."""
    with rpc() as cluster:
        return cluster.funding.list_grants(g.actor_id, campaign_id)


@blp.route("/campaigns/<campaign_id>/ledger")
@blp.response(200, LedgerEntryOut(many=True))
@login_required
def campaign_ledger(campaign_id):
    """The campaign's append-only ledger (finance, school admin)."""
    with rpc() as cluster:
        return cluster.funding.campaign_ledger(g.actor_id, campaign_id)


@blp.route("/campaigns/<campaign_id>/report")
@blp.response(200, CampaignReportOut)
@login_required
def campaign_report(campaign_id):
    """The campaign's totals (finance, school admin), derived from the ledger."""
    with rpc() as cluster:
        return cluster.funding.report(g.actor_id, campaign_id, "campaign")


@blp.route("/campaigns/<campaign_id>/report/colleges")
@blp.response(200, CollegeReportOut(many=True))
@login_required
def college_report(campaign_id):
    """Per college (finance and school admins: all; a college's admins and counselors: theirs)."""
    with rpc() as cluster:
        return cluster.funding.report(g.actor_id, campaign_id, "college")


@blp.route("/campaigns/<campaign_id>/report/projects")
@blp.response(200, ProjectReportOut(many=True))
@login_required
def project_report(campaign_id):
    """Per project you may see (a lead: their own; a college: its projects; finance: all)."""
    with rpc() as cluster:
        return cluster.funding.report(g.actor_id, campaign_id, "project")


# ---------------------------------------------------------------- grants ---

@blp.route("/grants")
@blp.arguments(GrantsQuery, location="query")
@blp.response(200, GrantOut(many=True))
@login_required
def list_grants(query):
    """Grants you may see: as lead or advisor, your college's, or all (finance, school admin)."""
    with rpc() as cluster:
        return cluster.funding.list_grants(g.actor_id, query["campaign_id"])


@blp.route("/grants/<grant_id>")
@blp.response(200, GrantOut)
@login_required
def get_grant(grant_id):
    """A grant: amounts, remaining, materials required and missing, attachments."""
    with rpc() as cluster:
        return cluster.funding.get_grant(g.actor_id, grant_id)


@blp.route("/grants/<grant_id>/ledger")
@blp.response(200, LedgerEntryOut(many=True))
@login_required
def grant_ledger(grant_id):
    """Every ledger entry of the grant, oldest first."""
    with rpc() as cluster:
        return cluster.funding.grant_ledger(g.actor_id, grant_id)


@blp.route("/grants/<grant_id>/attachments", methods=["POST"])
@blp.response(201, FundingAttachmentOut)
@blp.doc(requestBody={"content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file", "kind"],
    "properties": {"file": {"type": "string", "format": "binary"},
                   "kind": {"type": "string", "description": "receipt (PDF/JPG/PNG; the lead), or a closing "
                                                             "material: closing_report, work_case, activity_summary"}}}}}})
@blp.doc(parameters=[IDEMPOTENCY_HEADER])
@login_required
def upload(grant_id):
    """Upload a receipt or a closing material (multipart `file`, `kind`). The type is
    checked from the bytes; size and count are limited. A retry (the same
    Idempotency-Key, or the same file for the same kind) returns the first upload."""
    filename, data, form = multipart("file", "kind", raw=True)
    # the RPC carries the reference (core/filestore.py); a large phone photo is shrunk first
    reference, filename = files.put_upload(data, filename)
    with rpc() as cluster:
        return cluster.funding.add_attachment(g.actor_id, grant_id, form["kind"], filename, reference,
                                              idempotency_key())


@blp.route("/grants/<grant_id>/attachments/<attachment_id>")
@login_required
def download(grant_id, attachment_id):
    """Download a receipt or material."""
    with rpc() as cluster:
        doc = cluster.funding.get_attachment(g.actor_id, grant_id, attachment_id)
    return Response(files.content_of(doc), mimetype=doc["content_type"], headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(doc['filename'])}"})


@blp.route("/grants/<grant_id>/materials", methods=["POST"])
@blp.arguments(MaterialInput)
@blp.response(200, GrantOut)
@login_required
def submit_material(payload, grant_id):
    """Record a closing material (lead or advisor): an uploaded file's id, or for
    `article_link` the published article's URL."""
    with rpc() as cluster:
        return cluster.funding.submit_material(g.actor_id, grant_id, payload)


@blp.route("/grants/<grant_id>/materials/review", methods=["POST"])
@blp.arguments(MaterialsReviewInput)
@blp.response(200, GrantOut)
@blp.alt_response(409, description="Closed already, or the materials changed meanwhile")
@blp.doc(parameters=[IDEMPOTENCY])
@login_required
def review_materials(payload, grant_id):
    """Review the closing materials (the college or a school admin): `pass` (every
    required material in) or `return` with a `reason` the lead sees."""
    with rpc() as cluster:
        return cluster.funding.review_materials(g.actor_id, grant_id, payload, idempotency_key())


@blp.route("/grants/<grant_id>/close", methods=["POST"])
@blp.arguments(CloseInput, required=False)
@blp.response(200, GrantOut)
@blp.alt_response(409, description="Claims still pending, or closed already")
@blp.doc(parameters=[IDEMPOTENCY])
@login_required
def close_project(payload, grant_id):
    """Close the project (结项; the college or a school admin): the tier's materials
    must be in and have passed review, and no claim pending; unspent money returns to
    the campaign budget."""
    with rpc() as cluster:
        return cluster.funding.close_project(g.actor_id, grant_id, payload, idempotency_key())


# ---------------------------------------------------------------- claims ---

@blp.route("/grants/<grant_id>/claims", methods=["POST"])
@blp.arguments(ClaimInput)
@blp.response(201, ClaimOut)
@blp.alt_response(409, description=MONEY_409)
@blp.doc(parameters=[IDEMPOTENCY])
@login_required
def file_claim(payload, grant_id):
    """File a reimbursement claim (报销, the project lead): items with amounts, receipt
    attachment ids, purpose. Refused with the remaining amount if it would exceed the grant."""
    with rpc() as cluster:
        return cluster.funding.file_claim(g.actor_id, grant_id, payload, idempotency_key())


@blp.route("/grants/<grant_id>/claims")
@blp.response(200, ClaimOut(many=True))
@login_required
def list_claims(grant_id):
    with rpc() as cluster:
        return cluster.funding.list_claims(g.actor_id, grant_id)


@blp.route("/claims/<claim_id>")
@blp.response(200, ClaimOut)
@login_required
def get_claim(claim_id):
    """A claim with its audit history and the actions you may take."""
    with rpc() as cluster:
        return cluster.funding.get_claim(g.actor_id, claim_id)


@blp.route("/claims/<claim_id>", methods=["PUT"])
@blp.arguments(ClaimInput)
@blp.response(200, ClaimOut)
@blp.alt_response(409, description=MONEY_409)
@blp.doc(parameters=[IDEMPOTENCY])
@login_required
def resubmit_claim(payload, claim_id):
    """Edit and resubmit a returned claim (the lead)."""
    with rpc() as cluster:
        return cluster.funding.resubmit_claim(g.actor_id, claim_id, payload, idempotency_key())


@blp.route("/claims/<claim_id>/actions", methods=["POST"])
@blp.arguments(ClaimActionInput)
@blp.response(200, ClaimOut)
@blp.alt_response(409, description="Not possible in the current state, or changed concurrently")
@blp.doc(parameters=[IDEMPOTENCY])
@login_required
def act_on_claim(payload, claim_id):
    """One approval step: approve, return (reason) or reject (reason) by the current
    step's approver (advisor → college → finance); withdraw (the lead); pay (finance,
    with the `payment_reference` 付款凭证号, required)."""
    with rpc() as cluster:
        return cluster.funding.act_on_claim(g.actor_id, claim_id, payload, idempotency_key())


@blp.route("/approvals")
@blp.response(200, ClaimOut(many=True))
@login_required
def approvals():
    """Claims waiting for you: your step's approval, or (finance) payment."""
    with rpc() as cluster:
        return cluster.funding.pending_approvals(g.actor_id)
