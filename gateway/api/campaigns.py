from flask import g
from flask_smorest import Blueprint

from gateway.api import accepted, idempotency_key, rpc
from gateway.api.jobs import JobOut
from gateway.auth import login_required
from gateway.schemas import (
    IDEMPOTENCY_HEADER, ApplicantChoicesOut, ApplicationOut, CampaignHistoryOut, CampaignOut, CampaignQuery, NominationsOut,
)
from services.applications.schemas import (
    ApplicationCreate, CampaignInput, CampaignTexts, CampaignUpdate, CampaignWindow, CampaignWithdraw, NominationInput,
)

blp = Blueprint("campaigns", __name__, url_prefix="/api/campaigns", description="Campaigns (评选活动)")


@blp.route("", methods=["POST"])
@blp.arguments(CampaignInput)
@blp.response(201, CampaignOut)
@blp.doc(parameters=[IDEMPOTENCY_HEADER])
@login_required
def open_campaign(payload):
    """Open a campaign (school admin; a college's admin for a college-level one).
    Times without an offset are Asia/Shanghai; both application times are required
    and the times must be in order. A college-level campaign may name the
    school-level one it nominates to (`parent_campaign_id`); a school-level one may
    set `nomination_quota`. With an Idempotency-Key a double submit opens one."""
    with rpc() as cluster:
        return cluster.applications.open_campaign(g.actor_id, payload, idempotency_key())


@blp.route("/<campaign_id>", methods=["PATCH"])
@blp.arguments(CampaignUpdate)
@blp.response(200, CampaignOut)
@blp.alt_response(409, description="Withdrawn, settings after a submission, or changed meanwhile")
@login_required
def edit_campaign(payload, campaign_id):
    """Correct a campaign (its admin): title, academic year, times, settings (until an
    application is submitted), nomination quota; `reason` goes into its history."""
    with rpc() as cluster:
        return cluster.applications.edit_campaign(g.actor_id, campaign_id, payload)


@blp.route("/<campaign_id>/withdraw", methods=["POST"])
@blp.arguments(CampaignWithdraw)
@blp.response(200, CampaignOut)
@blp.alt_response(409, description="Applications were submitted in it")
@login_required
def withdraw_campaign(payload, campaign_id):
    """Withdraw a campaign opened by mistake (its admin, with a reason): it is no
    longer listed and accepts nothing. Repeating it is a no-op."""
    with rpc() as cluster:
        return cluster.applications.withdraw_campaign(g.actor_id, campaign_id, payload)


@blp.route("/<campaign_id>/window", methods=["POST"])
@blp.arguments(CampaignWindow)
@blp.response(200, CampaignOut)
@blp.alt_response(409, description="Not open yet (close), or results published / notice opened (extend)")
@login_required
def set_application_window(payload, campaign_id):
    """Close the application window now (`close`; repeating it changes nothing) or
    extend it (`extend` with `closes_at`: later than the current deadline and now,
    before the review opens, not once results were published or the notice opened)."""
    with rpc() as cluster:
        return cluster.applications.set_application_window(g.actor_id, campaign_id, payload)


@blp.route("/<campaign_id>/texts", methods=["PUT"])
@blp.arguments(CampaignTexts)
@blp.response(200, CampaignOut)
@login_required
def set_campaign_texts(payload, campaign_id):
    """The campaign's notice (申报通知正文) and requirements (申报要求), plain text (its admin)."""
    with rpc() as cluster:
        return cluster.applications.set_campaign_texts(g.actor_id, campaign_id, payload)


@blp.route("/<campaign_id>/history")
@blp.response(200, CampaignHistoryOut(many=True))
@login_required
def campaign_history(campaign_id):
    """Who opened, edited or withdrew the campaign, when, what and why (its admin)."""
    with rpc() as cluster:
        return cluster.applications.campaign_history(g.actor_id, campaign_id)


@blp.route("")
@blp.arguments(CampaignQuery, location="query")
@blp.response(200, CampaignOut(many=True))
@login_required
def list_campaigns(query):
    """Campaigns in your scope; `open=true` for those accepting applications now."""
    with rpc() as cluster:
        return cluster.applications.list_campaigns(g.actor_id, query["open"])


@blp.route("/<campaign_id>")
@blp.response(200, CampaignOut)
@login_required
def get_campaign(campaign_id):
    with rpc() as cluster:
        return cluster.applications.get_campaign(g.actor_id, campaign_id)


@blp.route("/<campaign_id>/applications", methods=["POST"])
@blp.arguments(ApplicationCreate)
@blp.response(201, ApplicationOut)
@blp.alt_response(409, description="The applicant already applied in this campaign, or the window is closed")
@login_required
def create_application(payload, campaign_id):
    """Create a draft for the unit you represent. Send an Idempotency-Key header to
    make retries safe. Drafts may be incomplete; submitting checks everything."""
    with rpc() as cluster:
        return cluster.applications.create_application(g.actor_id, campaign_id, payload, idempotency_key())


@blp.route("/<campaign_id>/shortlist")
@login_required
def shortlist(campaign_id):
    """The newest published review round (入选名单): selected with grade and rank, the
    rest with the reason (the campaign admin)."""
    with rpc() as cluster:
        return cluster.applications.get_shortlist(g.actor_id, campaign_id)


@blp.route("/<campaign_id>/nominations", methods=["POST"])
@blp.arguments(NominationInput)
@blp.response(202, JobOut, description="The nomination job; follow it at /api/jobs/{id}. Its result is the "
                                       "NominateOut shape; a full quota fails it with quota_exceeded")
@blp.alt_response(409, description="No final list yet")
@login_required
def nominate(payload, campaign_id):
    """Nominate applications of this college campaign's final list to its parent
    campaign (推荐上报; the college campaign's admin), as a background job. All or
    nothing on the quota; repeating a nomination is a no-op (`created: false`)."""
    with rpc() as cluster:
        return accepted(cluster.applications.nominate(g.actor_id, campaign_id, payload))


@blp.route("/<campaign_id>/nominations")
@blp.response(200, NominationsOut)
@login_required
def nominations(campaign_id):
    """Nominations by college with used/quota: of a school campaign (its admin sees
    every college, a college admin their own), or of a college campaign (its admin)."""
    with rpc() as cluster:
        return cluster.applications.list_nominations(g.actor_id, campaign_id)


@blp.route("/<campaign_id>/applicant-choices")
@blp.response(200, ApplicantChoicesOut)
@login_required
def applicant_choices(campaign_id):
    """Everyone you may apply for in this campaign (the units you represent; for a
    counselor, the classes of their college; or yourself), each judged by the
    program's eligibility rules before the form is filled: eligible, or the reasons
    why not, and its application when it has one."""
    with rpc() as cluster:
        return cluster.applications.applicant_choices(g.actor_id, campaign_id)
