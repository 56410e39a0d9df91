"""Grants (立项经费): money awarded to an approved project in a tier, up to its cap.

The grant document is the funding service's record of a project::

    {"id": "grant-p1", "campaign_id", "program", "rules_fingerprint", "project_id",
     "project_title", "college_id", "lead_id", "advisor_id", "tier": "key",
     "tier_name": "重点", "proposed_tier": "key" | None, "tier_reason": None | "...",
     "advisor_name", "status": "active" | "closed",
     "granted_fen", "reserved_fen", "approved_fen", "paid_fen", "returned_fen",
     "holds": {claim_id: fen},       # amount of each live claim (guards double reservation)
     "open_claims": 0,               # claims not yet paid / rejected / withdrawn
     "materials": {kind: {"value", "by", "at"}},
     "awarded_by", "awarded_at", "closed_by", "closed_at", "closing_reason",
     "applied_ops": []}

The project as the applications service describes it (input)::

    {"id": "p1", "campaign_id": "camp-2025", "college_id": "col-me", "title": "...",
     "lead_id": "u-lead", "advisor_id": "u-adv", "status": "approved"}

Guarantees of :func:`award_grant`: 0 < amount <= the tier's cap; the tier exists; a tier
other than the one the review proposed (``project["proposed_tier"]``, the final
list's grade) carries a reason (``tier_reason``, kept on the grant); the
project is approved and belongs to the campaign; at most one grant per project (a
repeat with the same tier and amount is a replay, a different one is a Conflict, also
under concurrency through ``campaign.awards``); the sum of grants never exceeds the
campaign budget (guarded update on the campaign).
"""
from core import audit as audit_entries
from core.envelope import iso_utc
from core.errors import Conflict, InvalidTransition, field_error, invalid

from . import deadlines, events
from .actors import actor_ref, require_any
from .campaigns import available_fen, require_rules_of, tier_cap
from .guards import AtMost, Equal, GuardedUpdate
from .ids import check_id
from .ledger import make_entry
from .money import budget_exceeded, format_fen, parse_amount
from .outcome import Outcome
from .rules import tier as find_tier

_AWARD_ROLES = ("school_admin", "finance")


def grant_id_for(project_id):
    """One grant per project, so the id is derived from the project id."""
    return f"grant-{project_id}"


def remaining_fen(grant):
    """What a new claim may still use: granted − reserved − approved − paid − returned."""
    return (grant["granted_fen"] - grant["reserved_fen"] - grant["approved_fen"]
            - grant["paid_fen"] - grant["returned_fen"])


def _check_project(project, campaign):
    errors = []
    if not isinstance(project, dict):
        raise invalid([field_error("project", "must be an object", "必须是对象")])
    for key in ("id", "college_id", "lead_id", "advisor_id"):
        if not isinstance(project.get(key), str) or not project.get(key):
            errors.append(field_error(f"project.{key}", "is required", "必填"))
    if errors:
        raise invalid(errors)
    check_id(project["id"], "project.id")
    if project.get("campaign_id") != campaign["id"]:
        raise invalid([field_error("project.campaign_id",
                                   f"the project belongs to another campaign, not {campaign['id']}",
                                   f"该项目不属于批次 {campaign['id']}")])
    if project.get("status") != "approved":
        raise InvalidTransition(
            f"the project is not approved (status: {project.get('status')}); "
            "only approved projects receive a grant",
            f"项目尚未通过立项审批（当前状态：{project.get('status')}），不能拨付经费",
            field="project.status")


def proposed_tier(rules, grade):
    """The tier the review proposes: the final list's grade when it names a tier
    (the pilot programme grades key / featured / general), else None."""
    return grade if any(t["code"] == grade for t in rules["tiers"]) else None


def check_tier_choice(rules, grade, tier, reason):
    """``(proposed tier code or None, reason or None)``. A tier other than the one the
    review proposed needs a reason (ValidationFailed naming ``tier_reason``); the
    reason is kept on the grant."""
    proposed = proposed_tier(rules, grade)
    reason = reason.strip() if isinstance(reason, str) and reason.strip() else None
    if proposed is None or proposed == tier["code"]:
        return proposed, None
    if reason is None:
        named = find_tier(rules, proposed)
        raise invalid([field_error(
            "tier_reason", f"the review proposed {named['name_en']}; give the reason for {tier['name_en']}",
            f"评审结果建议为{named['name']}项目，改为{tier['name']}须填写理由")])
    if len(reason) > 500:
        raise invalid([field_error("tier_reason", "must be at most 500 characters", "理由不能超过 500 个字符")])
    return proposed, reason


def award_grant(campaign, rules, project, request, actor, now, existing=None):
    """Award the grant of ``project`` in tier ``request["tier"]`` for
    ``request["amount_fen"]`` (or ``amount_yuan``). ``existing``: the project's grant
    if the store already has one. School admin or finance only.
    """
    require_any(actor, {}, _AWARD_ROLES, "award a grant", "拨付立项经费")
    require_rules_of(campaign, rules)
    _check_project(project, campaign)
    tier = find_tier(rules, request.get("tier"))
    proposed, tier_reason = check_tier_choice(rules, project.get("proposed_tier"), tier, request.get("tier_reason"))
    cap = tier_cap(campaign, tier)   # the campaign may have lowered the program's cap
    amount = parse_amount(request, "amount")
    if amount > cap:
        raise budget_exceeded(
            cap,
            f"amount {format_fen(amount)} exceeds the {tier['name_en']} tier cap {format_fen(cap)}",
            f"资助金额 {format_fen(amount)} 超过{tier['name']}项目上限 {format_fen(cap)}",
            remaining_en="tier cap", remaining_zh="该等级资助上限", field="amount_fen",
            cap_fen=cap, tier=tier["code"])
    now = deadlines.require_aware(now)
    project_id = project["id"]
    if existing is not None:
        if existing["tier"] == tier["code"] and existing["granted_fen"] == amount:
            return Outcome(key=f"grant_awarded:{project_id}", result=existing, replay=True)
        raise Conflict(
            f"project {project_id} already has a grant: {existing['tier']} "
            f"{format_fen(existing['granted_fen'])}",
            f"项目 {project_id} 已获资助：{existing['tier_name']} {format_fen(existing['granted_fen'])}",
            field="project.id", details={"grant_id": existing["id"]})
    if project_id in campaign.get("awards", {}):
        raise Conflict(f"project {project_id} already has a grant in this campaign",
                       f"项目 {project_id} 在本批次已获资助", field="project.id")
    deadlines.check(rules, campaign.get("deadlines"), "award_grant", now)
    available = available_fen(campaign)
    over_budget = ("the campaign budget cannot cover this grant", "批次经费预算不足以拨付该项目",
                   "remaining budget", "剩余可分配预算")
    if amount > available:
        raise budget_exceeded(available, *over_budget, field="amount_fen")

    at, who = iso_utc(now), actor_ref(actor)
    grant = {
        "id": grant_id_for(project_id), "campaign_id": campaign["id"],
        "program": rules["program"], "rules_fingerprint": rules["fingerprint"],
        "project_id": project_id, "project_title": project.get("title"),
        "college_id": project["college_id"], "lead_id": project["lead_id"],
        "advisor_id": project["advisor_id"], "advisor_name": project.get("advisor_name"),
        "tier": tier["code"], "tier_name": tier["name"],
        "proposed_tier": proposed, "tier_reason": tier_reason,
        "status": "active", "granted_fen": amount, "reserved_fen": 0, "approved_fen": 0,
        "paid_fen": 0, "returned_fen": 0, "open_claims": 0, "holds": {}, "materials": {},
        "awarded_by": who, "awarded_at": at, "closed_by": None, "closed_at": None,
        "closing_reason": None, "applied_ops": [],
    }
    key = f"grant_awarded:{project_id}:{tier['code']}:{amount}"
    update = GuardedUpdate(
        doc="campaign", id=campaign["id"], op_key=key,
        inc={"granted_fen": amount}, assign={f"awards.{project_id}": amount},
        require_equal=(Equal(f"awards.{project_id}", None, "conflict",
                             f"project {project_id} already has a grant in this campaign",
                             f"项目 {project_id} 在本批次已获资助"),),
        require_at_most=(AtMost(terms={"granted_fen": 1, "returned_fen": -1}, plus=amount,
                                limit_field="budget_fen", message_en=over_budget[0],
                                message_zh=over_budget[1], remaining_en=over_budget[2],
                                remaining_zh=over_budget[3], field="amount_fen"),),
    )
    entry = make_entry("grant_awarded", key, amount, campaign_id=campaign["id"],
                       grant_id=grant["id"], project_id=project_id,
                       college_id=grant["college_id"], actor=who, at=at,
                       # what people read in the ledger: the tier's name, and why it differs from the proposal
                       reason=request.get("reason") or "；".join(filter(None, (f"{tier['name']}项目", tier_reason))))
    audit = audit_entries.entry(None, "grant", grant["id"], "award_grant", who, at, campaign_id=campaign["id"],
                                application_id=project_id, reason=request.get("reason"), tier=tier["code"],
                                proposed_tier=proposed, tier_reason=tier_reason, amount_fen=amount)
    return Outcome(key=key, result=grant, updates=[update], inserts=[("grant", grant)],
                   entries=[entry], audit=[audit],
                   event=events.pending(events.GRANT_AWARDED, events.grant_awarded_data(grant),
                                        who, key))
