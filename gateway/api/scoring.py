"""REST endpoints of the scoring service (评分): criteria, setup, assignments, score
sheets, vetoes, results and explanations.

Request bodies reuse the service's own schemas (services/scoring/schemas.py); who may
do what is decided by the service on every call (services/scoring/access.py):
school admins of the campaign set up, assign, change sheets with a reason, veto and
publish; reviewers see and score only what they were assigned; an applicant's
representative reads the explanation of their own published result.
"""
from flask import g, url_for
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from gateway.api import accepted, rpc
from gateway.api.jobs import JobOut
from gateway.auth import login_required
from gateway.schemas import AuditOut
from services.scoring.schemas import (
    AssignInput, ConflictInput, PublishInput, ReasonInput, SetupInput, SheetChangeInput, SheetInput, VetoInput,
)

blp = Blueprint("scoring", __name__, url_prefix="/api/scoring",
                description="Scoring (评分): criteria, reviewers, score sheets, vetoes, results")

CAMPAIGN = "/campaigns/<campaign_id>"
APPLICATION = CAMPAIGN + "/applications/<application_id>"


# -- response schemas (for the OpenAPI document) ------------------------------------
class CriteriaOut(Schema):
    program = fields.String()
    program_version = fields.String()
    fingerprint = fields.String()
    criteria = fields.Dict(metadata={"description": "The weighted tree: id, name, weight (% of parent), "
                                                    "children | scale + scorer_role | by_category"})
    leaf_shares = fields.Dict(allow_none=True, metadata={"description": "{leaf id: share of the total, 0..100}"})
    leaf_shares_by_category = fields.Dict(allow_none=True)
    quota_rules = fields.Raw(allow_none=True)
    scoring = fields.Dict(metadata={"description": "The program's default scoring policy"})


class SetupOut(Schema):
    campaign_id = fields.String()
    program = fields.String()
    program_version = fields.String()
    aggregation = fields.Dict(metadata={"description": "{method, reviewer_normalisation, on_missing}"})
    zscore = fields.Boolean()
    reviewers_per_application = fields.Integer()
    blind_review = fields.Boolean()
    conflict = fields.Dict(metadata={"description": "{fields: [...], same_college}"})
    reviewer_ids = fields.List(fields.String())
    population = fields.Integer(allow_none=True)
    version = fields.Integer()
    configured = fields.Boolean()
    updated_by = fields.Dict()
    updated_at = fields.String()


class AssignmentOut(Schema):
    id = fields.String()
    campaign_id = fields.String()
    application_id = fields.String()
    applicant_name = fields.String(allow_none=True)
    reviewer_id = fields.String()
    reviewer_name = fields.String()
    role = fields.String()
    source = fields.String(metadata={"description": "manual or auto"})
    sheet_state = fields.String(allow_none=True)
    by = fields.Dict()
    at = fields.String()


class AssignmentsOut(Schema):
    reviewers_per_application = fields.Integer()
    assignments = fields.List(fields.Nested(AssignmentOut))
    loads = fields.Dict(keys=fields.String(), values=fields.Integer())
    total = fields.Integer(metadata={"description": "With `limit`: how many the campaign has"})
    reviewer_names = fields.Dict(keys=fields.String(), values=fields.String(allow_none=True),
                                 metadata={"description": "With `limit`: the name of each reviewer in `loads`"})
    next_after = fields.String(allow_none=True,
                               metadata={"description": "With `limit`: `after` for the next page; null on the last"})
    declared_conflicts = fields.List(fields.Dict())


class AssignmentsQuery(Schema):
    limit = fields.Integer(validate=validate.Range(1, 500),
                           metadata={"description": "One page of this many (keyset); without it, every assignment"})
    after = fields.String(validate=validate.Length(1, 300), metadata={"description": "`next_after` of the last page"})


class ConflictOut(Schema):
    application_id = fields.String()
    reviewer_id = fields.String()
    declared = fields.Boolean()


class RemovedOut(Schema):
    removed = fields.String()


class MyAssignmentOut(Schema):
    campaign_id = fields.String()
    application_id = fields.String()
    role = fields.String()
    sheet_state = fields.String(allow_none=True)
    sheet_version = fields.Integer()
    application = fields.Dict(metadata={"description": "Without applicant names under blind review (alias instead)"})


class SheetOut(Schema):
    id = fields.String(allow_none=True)
    campaign_id = fields.String()
    application_id = fields.String()
    reviewer_id = fields.String()
    reviewer_name = fields.String()
    role = fields.String()
    category = fields.Raw(allow_none=True)
    scores = fields.Dict(metadata={"description": "{leaf id: score}"})
    state = fields.String(metadata={"description": "draft or submitted (locked)"})
    version = fields.Integer()
    submitted_at = fields.String(allow_none=True)
    audit = fields.List(fields.Dict())
    updated_at = fields.String()
    comment = fields.String(allow_none=True, metadata={"description": "The reviewer's comment (评审意见)"})


class AssignedApplicationOut(Schema):
    application = fields.Dict()
    role = fields.String()
    category = fields.Raw(allow_none=True, metadata={"description": "The application's category or categories"})
    indicators = fields.List(fields.Dict(), metadata={"description": "The leaves you score: id, name, scale, share"})
    sheet = fields.Nested(SheetOut, allow_none=True)
    total = fields.Dict(allow_none=True, metadata={
        "description": "What your saved scores add up to on the 0..100 total: {\"points\", \"max\", \"shares\": "
                       "{leaf id: percent of the total}}; null when scored in several categories"})
    attachments = fields.List(fields.Dict(), metadata={
        "description": "The application's attachments: id, kind, type, size, filename (null under blind review)"})


class VetoOut(Schema):
    application_id = fields.String()
    vetoed = fields.Boolean()
    active = fields.Dict(allow_none=True)
    records = fields.List(fields.Dict())
    version = fields.Integer()


class ResultsOut(Schema):
    round = fields.Integer()
    campaign_id = fields.String()
    program = fields.String()
    program_version = fields.String()
    selected = fields.List(fields.Dict(), metadata={"description": "[{application_id, grade, rank, total, ...}]"})
    rest = fields.List(fields.Dict(), metadata={"description": "[{application_id, reason, rank, total, ...}]"})
    cut_line = fields.Dict()
    grade_cut_lines = fields.Dict(allow_none=True)
    cut_lines = fields.Dict(allow_none=True, metadata={"description": "Per category (per-category selection)"})
    level = fields.String(allow_none=True, metadata={"description": "school or college"})
    quota = fields.Raw()
    published_at = fields.String()
    published_by = fields.Dict()
    event_id = fields.String()
    inputs_fingerprint = fields.String()
    created = fields.Boolean()
    stale = fields.Boolean()
    rows_total = fields.Integer(metadata={"description": "With `limit`: rows in the whole ranking"})
    rows_offset = fields.Integer()
    selected_total = fields.Integer()
    cut_shown = fields.Boolean(metadata={"description": "With `limit`: the cut line falls in this window"})


class ResultsOverviewOut(Schema):
    published = fields.Nested(ResultsOut, allow_none=True)
    preview = fields.Nested(ResultsOut, allow_none=True)
    preview_problem = fields.Dict(allow_none=True, metadata={"description": "Why no preview yet (e.g. sheets missing)"})
    preview_state = fields.String(metadata={"description": "current (computed from the data as it stands), outdated "
                                                           "(a job computes it afresh: preview_job) or missing"})
    preview_computed_at = fields.String(allow_none=True)
    preview_job = fields.Nested(JobOut, allow_none=True, metadata={"description": "The job computing the preview"})


class ExplanationOut(Schema):
    application_id = fields.String()
    applicant_name = fields.String()
    total = fields.Float(allow_none=True)
    breakdowns = fields.List(fields.Dict(), metadata={"description": "Leaf -> node -> total, per category"})
    rank = fields.Integer(allow_none=True)
    ranked_count = fields.Integer(allow_none=True)
    status = fields.String(allow_none=True, metadata={"description": "in or out"})
    reason = fields.String(allow_none=True)
    grade = fields.String(allow_none=True)
    grade_name_zh = fields.String(allow_none=True)
    message = fields.String(allow_none=True)
    message_zh = fields.String(allow_none=True)
    cut_line = fields.Dict(allow_none=True)
    category = fields.String(allow_none=True)
    category_name_zh = fields.String(allow_none=True)
    category_rank = fields.Integer(allow_none=True)
    categories = fields.List(fields.String(), allow_none=True)
    vetoes = fields.List(fields.Dict())
    published = fields.Boolean()
    round = fields.Integer(allow_none=True)
    published_at = fields.String(allow_none=True)
    viewer = fields.String(metadata={"description": "admin (per reviewer) or applicant (aggregated)"})
    reviewer_names = fields.Dict(metadata={"description": "Admins only"})


class VersionQuery(Schema):
    version = fields.String()


class MineQuery(Schema):
    campaign_id = fields.String()
    limit = fields.Integer(validate=validate.Range(1, 500),
                           metadata={"description": "One page of at most this many, in order (campaign, then "
                                                    "application); the headers X-Total-Count, X-To-Score and Link "
                                                    "(rel=next) tell the rest. Without it, every one."})
    after = fields.String(validate=validate.Length(1, 300),
                          metadata={"description": "The page after this key (the Link header's `after`)"})


class AuditQuery(Schema):
    application_id = fields.String()


# -- criteria and setup ---------------------------------------------------------------
@blp.route("/programs/<name>/criteria")
@blp.arguments(VersionQuery, location="query")
@blp.response(200, CriteriaOut)
@login_required
def program_criteria(query, name):
    """A program's registered criteria tree (newest version, or `version`)."""
    with rpc() as cluster:
        return cluster.scoring.get_criteria(name, query.get("version"))


@blp.route(CAMPAIGN + "/criteria")
@blp.response(200, CriteriaOut)
@login_required
def campaign_criteria(campaign_id):
    """The criteria of the program version the campaign pinned."""
    with rpc() as cluster:
        return cluster.scoring.campaign_criteria(g.actor_id, campaign_id)


@blp.route(CAMPAIGN + "/setup")
@blp.response(200, SetupOut)
@login_required
def get_setup(campaign_id):
    """The campaign's scoring setup (school admin); the program's defaults before the first save."""
    with rpc() as cluster:
        return cluster.scoring.get_setup(g.actor_id, campaign_id)


@blp.route(CAMPAIGN + "/setup", methods=["PUT"])
@blp.arguments(SetupInput)
@blp.response(200, SetupOut)
@blp.alt_response(409, description="Changed meanwhile (send the version you read), or conflict rules with assignments")
@login_required
def configure(payload, campaign_id):
    """Set up scoring (school admin): aggregation, z-score, k reviewers, blind review,
    conflict rules, reviewer pool. Absent keys keep their value."""
    with rpc() as cluster:
        return cluster.scoring.configure(g.actor_id, campaign_id, payload)


# -- assignments ------------------------------------------------------------------------
@blp.route(CAMPAIGN + "/reviewer-pool")
@login_required
def pool_preview(campaign_id):
    """The reviewer pool, its size and, per application under review, the pool
    members in conflict with it and how many conflict-free reviewers it has
    (campaign admin; before assignment)."""
    with rpc() as cluster:
        return cluster.scoring.pool_preview(g.actor_id, campaign_id)


@blp.route(CAMPAIGN + "/assignments")
@blp.arguments(AssignmentsQuery, location="query")
@blp.response(200, AssignmentsOut)
@login_required
def list_assignments(query, campaign_id):
    """The assignments with their sheets' state and the reviewers' loads (campaign
    admin): every one, or with `limit` one page in order (application, then reviewer)
    with `total` and `next_after`."""
    page = {"limit": query["limit"], "after": query.get("after")} if query.get("limit") else None
    with rpc() as cluster:
        return cluster.scoring.list_assignments(g.actor_id, campaign_id, page)


@blp.route(CAMPAIGN + "/assignments", methods=["POST"])
@blp.arguments(AssignInput)
@blp.response(201, AssignmentOut)
@blp.alt_response(422, description="Conflict of interest (named), or not an application under review")
@blp.alt_response(409, description="Already assigned")
@login_required
def assign(payload, campaign_id):
    """Assign a reviewer by hand (school admin); refused on a conflict of interest."""
    with rpc() as cluster:
        return cluster.scoring.assign(g.actor_id, campaign_id, payload)


@blp.route(CAMPAIGN + "/assignments/auto", methods=["POST"])
@blp.response(202, JobOut, description="The assignment job; follow it at /api/jobs/{id}. Its result is "
                                       "{created: [assignment], loads: {reviewer id: count}}")
@blp.alt_response(409, description="The campaign is not set up")
@login_required
def auto_assign(campaign_id):
    """Give every college-approved application k conflict-free reviewers, loads balanced
    (a background job; asking again while it runs returns the same job)."""
    with rpc() as cluster:
        return accepted(cluster.scoring.auto_assign(g.actor_id, campaign_id))


@blp.route(CAMPAIGN + "/assignments/<application_id>/<reviewer_id>", methods=["DELETE"])
@blp.arguments(ReasonInput, location="query")
@blp.response(200, RemovedOut)
@login_required
def unassign(payload, campaign_id, application_id, reviewer_id):
    """Remove an assignment whose sheet is not submitted (school admin, with a reason)."""
    with rpc() as cluster:
        return cluster.scoring.unassign(g.actor_id, campaign_id, application_id, reviewer_id, payload)


@blp.route(CAMPAIGN + "/conflicts", methods=["POST"])
@blp.arguments(ConflictInput)
@blp.response(201, ConflictOut)
@login_required
def declare_conflict(payload, campaign_id):
    """Declare a conflict of interest (回避): a reviewer for themself, an admin for anyone."""
    with rpc() as cluster:
        return cluster.scoring.declare_conflict(g.actor_id, campaign_id, payload)


@blp.route("/assignments/mine")
@blp.arguments(MineQuery, location="query")
@blp.response(200, MyAssignmentOut(many=True), headers={
    "X-Total-Count": {"description": "With `limit`: how many you were assigned", "schema": {"type": "integer"}},
    "X-To-Score": {"description": "With `limit`: how many wait for your scores", "schema": {"type": "integer"}},
    "Link": {"description": 'With `limit`, unless this is the last page: `<url>; rel="next"`',
             "schema": {"type": "string"}}})
@login_required
def my_assignments(query):
    """What you were assigned to review (and nothing else); blind where the campaign says so.
    A school's reviewer has thousands: ask with `limit` for a page at a time."""
    with rpc() as cluster:
        if not query.get("limit"):
            return cluster.scoring.my_assignments(g.actor_id, query.get("campaign_id"))
        page = cluster.scoring.my_assignments(g.actor_id, query.get("campaign_id"),
                                              {"limit": query["limit"], "after": query.get("after")})
    headers = {"X-Total-Count": str(page["total"]), "X-To-Score": str(page["to_score"])}
    if page["next_after"]:
        args = {k: v for k, v in query.items() if k != "after"}
        headers["Link"] = f'<{url_for("scoring.my_assignments", after=page["next_after"], **args)}>; rel="next"'
    return page["assignments"], 200, headers


@blp.route(APPLICATION)
@blp.response(200, AssignedApplicationOut)
@login_required
def assigned_application(campaign_id, application_id):
    """An application assigned to you, the indicators you score and your sheet."""
    with rpc() as cluster:
        return cluster.scoring.assigned_application(g.actor_id, campaign_id, application_id)


@blp.route(APPLICATION + "/attachments/<attachment_id>")
@blp.alt_response(404, description="Not an attachment of an application assigned to you")
@login_required
def assigned_attachment(campaign_id, application_id, attachment_id):
    """Download an attachment of an application assigned to you (the evidence you score
    from); under blind review it is named by its kind, not its original file name."""
    from urllib.parse import quote

    from flask import Response

    from core.uploads import CONTENT_TYPES
    from gateway import files
    with rpc() as cluster:
        doc = cluster.scoring.assigned_attachment(g.actor_id, campaign_id, application_id, attachment_id)
    name = doc.get("filename") or f"{doc.get('kind') or 'file'}.{doc.get('type') or 'bin'}"
    return Response(files.content_of(doc), mimetype=CONTENT_TYPES.get(doc.get("type"), "application/octet-stream"),
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


# -- score sheets -------------------------------------------------------------------------
@blp.route(APPLICATION + "/sheet")
@blp.response(200, SheetOut)
@login_required
def get_sheet(campaign_id, application_id):
    """Your score sheet for an assigned application."""
    with rpc() as cluster:
        return cluster.scoring.get_sheet(g.actor_id, campaign_id, application_id)


@blp.route(APPLICATION + "/sheet", methods=["PUT"])
@blp.arguments(SheetInput)
@blp.response(200, SheetOut)
@blp.alt_response(422, description="A score outside its indicator's scale (the indicator and scale named)")
@blp.alt_response(409, description="Submitted and locked, or changed meanwhile")
@login_required
def save_sheet(payload, campaign_id, application_id):
    """Save a draft: {"scores": {leaf id: score}} merged into your sheet (null clears)."""
    with rpc() as cluster:
        return cluster.scoring.save_sheet(g.actor_id, campaign_id, application_id, payload)


@blp.route(APPLICATION + "/sheet/submit", methods=["POST"])
@blp.arguments(SheetInput, required=False)
@blp.response(200, SheetOut)
@login_required
def submit_sheet(payload, campaign_id, application_id):
    """Submit your sheet (optionally with last scores); it is locked afterwards."""
    with rpc() as cluster:
        return cluster.scoring.submit_sheet(g.actor_id, campaign_id, application_id, payload)


@blp.route(APPLICATION + "/sheets")
@blp.response(200, SheetOut(many=True))
@login_required
def list_sheets(campaign_id, application_id):
    """Every reviewer's sheet of an application (school admin)."""
    with rpc() as cluster:
        return cluster.scoring.list_sheets(g.actor_id, campaign_id, application_id)


@blp.route(APPLICATION + "/sheets/<reviewer_id>", methods=["PATCH"])
@blp.arguments(SheetChangeInput)
@blp.response(200, SheetOut)
@login_required
def change_sheet(payload, campaign_id, application_id, reviewer_id):
    """Change a submitted sheet's scores (school admin), with a reason; audited."""
    with rpc() as cluster:
        return cluster.scoring.change_sheet(g.actor_id, campaign_id, application_id, reviewer_id, payload)


@blp.route(APPLICATION + "/sheets/<reviewer_id>/reopen", methods=["POST"])
@blp.arguments(ReasonInput)
@blp.response(200, SheetOut)
@login_required
def reopen_sheet(payload, campaign_id, application_id, reviewer_id):
    """Send a submitted sheet back to its reviewer as a draft (school admin, reason)."""
    with rpc() as cluster:
        return cluster.scoring.reopen_sheet(g.actor_id, campaign_id, application_id, reviewer_id, payload)


# -- vetoes -------------------------------------------------------------------------------
@blp.route(APPLICATION + "/veto", methods=["POST"])
@blp.arguments(VetoInput)
@blp.response(201, VetoOut)
@login_required
def veto(payload, campaign_id, application_id):
    """Veto an application (一票否决) with a reason; it leaves the ranking. Audited."""
    with rpc() as cluster:
        return cluster.scoring.veto(g.actor_id, campaign_id, application_id, payload)


@blp.route(APPLICATION + "/veto/revoke", methods=["POST"])
@blp.arguments(ReasonInput)
@blp.response(200, VetoOut)
@login_required
def revoke_veto(payload, campaign_id, application_id):
    """Revoke the active veto with a reason (the record stays)."""
    with rpc() as cluster:
        return cluster.scoring.revoke_veto(g.actor_id, campaign_id, application_id, payload)


@blp.route(CAMPAIGN + "/vetoes")
@blp.response(200, VetoOut(many=True))
@login_required
def list_vetoes(campaign_id):
    with rpc() as cluster:
        return cluster.scoring.list_vetoes(g.actor_id, campaign_id)


# -- results ------------------------------------------------------------------------------
class RankingQuery(Schema):
    limit = fields.Integer(validate=validate.Range(1, 1000),
                           metadata={"description": "Only this many rows of each ranking; without it, every row"})
    offset = fields.Integer(validate=validate.Range(0, 1_000_000), metadata={"description": "From this row (0: the top)"})


@blp.route(CAMPAIGN + "/results")
@blp.arguments(RankingQuery, location="query")
@blp.response(200, ResultsOverviewOut)
@login_required
def results(query, campaign_id):
    """The latest published results and the stored preview of publishing now (school
    admin). The preview is computed by a background job, never by this request: when
    the data changed since, it is `outdated` and `preview_job` computes it afresh.
    With `limit` (and `offset`), each ranking is that window of rows, with its counts."""
    rows = {"limit": query["limit"], "offset": query.get("offset", 0)} if query.get("limit") else None
    with rpc() as cluster:
        return cluster.scoring.results(g.actor_id, campaign_id, rows)


@blp.route(CAMPAIGN + "/results/compute", methods=["POST"])
@blp.response(202, JobOut, description="The job computing the preview; follow it at /api/jobs/{id}. Its result is "
                                       "{selected, rest} counts, or {problem} while sheets are missing")
@login_required
def compute(campaign_id):
    """Compute the results preview afresh (school admin), as a background job: for
    facts imported since (the stored preview notices scoring and application
    changes by itself)."""
    with rpc() as cluster:
        return accepted(cluster.scoring.compute_results(g.actor_id, campaign_id))


@blp.route(CAMPAIGN + "/results/publish", methods=["POST"])
@blp.arguments(PublishInput, required=False)
@blp.response(202, JobOut, description="The publishing job; follow it at /api/jobs/{id}. Its result is the "
                                       "published round (ResultsOut with `created`); it fails with 409's conflict "
                                       "while sheets are missing or when the round was published from other inputs")
@blp.alt_response(422, description="A round that skips one")
@login_required
def publish(payload, campaign_id):
    """Rank, select by the quota rules and publish `scoring.results_published`
    (school admin), as a background job. Publishing the same inputs again gives the
    stored result (`created: false`)."""
    with rpc() as cluster:
        return accepted(cluster.scoring.publish_results(g.actor_id, campaign_id, payload))


@blp.route(APPLICATION + "/explain")
@blp.response(200, ExplanationOut)
@login_required
def explain(campaign_id, application_id):
    """Explain-my-score: leaves -> total, rank, cut line, why in or out. Applicants see
    their own published result aggregated; school admins see every reviewer's marks."""
    with rpc() as cluster:
        return cluster.scoring.explain(g.actor_id, campaign_id, application_id)


@blp.route(CAMPAIGN + "/audit")
@blp.arguments(AuditQuery, location="query")
@blp.response(200, AuditOut(many=True))
@login_required
def audit(query, campaign_id):
    """Every audited scoring change of the campaign (school admin): who, what, when, why."""
    with rpc() as cluster:
        return cluster.scoring.audit_trail(g.actor_id, campaign_id, query.get("application_id"))
