"""A campaign's funding account (批次经费): its total budget, its deadlines, and the
rules version it was opened with.

The campaign document the store keeps::

    {"id": "camp-2025", "program": "pilot_branches", "rules_fingerprint": "<sha256>",
     "budget_fen": 5000000, "budget_version": 1, "granted_fen": 0, "returned_fen": 0,
     "awards": {},          # project_id -> granted fen (one grant per project, atomically)
     "deadlines": {...},    # see deadlines.py
     "opened_by": {"id", "name"}, "opened_at": "<iso>", "applied_ops": []}

Guarantee: ``granted_fen - returned_fen <= budget_fen`` holds after every guarded
update; lowering the budget below what is already granted is refused.
"""
from core import audit as audit_entries
from core.envelope import iso_utc
from core.errors import Conflict, field_error, invalid

from . import deadlines as deadline_rules
from .actors import actor_ref, require_any
from .guards import AtMost, Equal, GuardedUpdate
from .ids import check_id
from .ledger import make_entry
from .money import format_fen, parse_amount
from .outcome import Outcome

_BUDGET_ROLES = ("finance", "school_admin")


def available_fen(campaign):
    """Budget not yet granted: ``budget − granted + returned``."""
    return campaign["budget_fen"] - campaign["granted_fen"] + campaign["returned_fen"]


def open_campaign(request, rules, actor, now):
    """Open a campaign's funding account.

    ``request``: ``{"id", "budget_fen" | "budget_yuan", "deadlines": {...}}``.
    Finance or a school admin only. Returns an Outcome inserting the campaign and a
    ``budget_set`` entry (key ``budget_set:<id>:v1``).
    """
    require_any(actor, {}, _BUDGET_ROLES, "open a campaign budget", "设置批次经费预算")
    campaign_id = check_id(request.get("id"), "id")
    budget = parse_amount(request, "budget", allow_zero=True)
    deadlines = deadline_rules.validate_campaign_deadlines(rules, request.get("deadlines"))
    tier_caps = campaign_tier_caps(rules, request.get("tiers"))
    at = iso_utc(deadline_rules.require_aware(now))
    who = actor_ref(actor)
    campaign = {
        "id": campaign_id, "program": rules["program"], "tier_caps": tier_caps,
        "rules_fingerprint": rules["fingerprint"], "budget_fen": budget, "budget_version": 1,
        "granted_fen": 0, "returned_fen": 0, "awards": {}, "deadlines": deadlines,
        "opened_by": who, "opened_at": at, "applied_ops": [],
    }
    key = f"budget_set:{campaign_id}:v1"
    entry = make_entry("budget_set", key, budget, campaign_id=campaign_id, actor=who, at=at,
                       reason=request.get("reason") or "campaign opened")
    audit = audit_entries.entry(None, "campaign", campaign_id, "open_campaign", who, at, campaign_id=campaign_id,
                                budget_fen=budget)
    return Outcome(key=key, result=campaign, inserts=[("campaign", campaign)],
                   entries=[entry], audit=[audit])


def campaign_tier_caps(rules, tiers):
    """{tier code: cap_fen} of the tiers a campaign's settings give (``settings.tiers``,
    the program's own tiers unless the campaign lowered a cap when it was opened).
    A cap may be lowered, never raised above the program's; an unknown tier is refused.
    Tiers the campaign does not name keep the program's cap."""
    caps, errors = {}, []
    by_code = {t["code"]: t for t in rules["tiers"]}
    for i, item in enumerate(tiers or []):
        code, cap = (item or {}).get("code"), (item or {}).get("cap_fen")
        if code not in by_code:
            errors.append(field_error(f"settings.tiers[{i}].code", f"unknown tier {code!r}",
                                      f"未知的资助等级 {code!r}"))
        elif isinstance(cap, bool) or not isinstance(cap, int) or not 0 < cap <= by_code[code]["cap_fen"]:
            program_cap = format_fen(by_code[code]["cap_fen"])
            errors.append(field_error(f"settings.tiers[{i}].cap_fen", f"the {code} cap must be a whole number of fen "
                                      f"from 1 to the program's {program_cap}",
                                      f"{by_code[code]['name']}上限须为 1 分至项目规定的 {program_cap} 之间的整数（分）"))
        else:
            caps[code] = cap
    if errors:
        raise invalid(errors)
    return caps


def tier_cap(campaign, tier):
    """The cap of `tier` in this campaign: the campaign's own when it set one."""
    return (campaign.get("tier_caps") or {}).get(tier["code"], tier["cap_fen"])


def set_budget(campaign, request, actor, now):
    """Change the total budget (absolute). ``request``: ``{"budget_fen" |
    "budget_yuan", "reason"}``. Refused below ``granted − returned``. The guarded
    update is a compare-and-set on ``budget_version``, so concurrent changes serialise
    (the loser gets Conflict) and the ledger's last ``budget_set`` is the live one.
    """
    require_any(actor, {}, _BUDGET_ROLES, "change a campaign budget", "调整批次经费预算")
    budget = parse_amount(request, "budget", allow_zero=True)
    at = iso_utc(deadline_rules.require_aware(now))
    committed = campaign["granted_fen"] - campaign["returned_fen"]
    if budget < committed:
        raise invalid([field_error(
            "budget_fen", f"must be at least {format_fen(committed)}, already granted",
            f"预算不能低于已分配的 {format_fen(committed)}")])
    reason = (request.get("reason") or "").strip()
    if not reason:
        raise invalid([field_error("reason", "a reason is required", "请填写调整原因")])
    version = campaign["budget_version"]
    # the content is in the key: a different change from the same version is not a
    # replay of this one, so its compare-and-set fails (Conflict) instead
    key = f"budget_set:{campaign['id']}:v{version + 1}:{budget}"
    who = actor_ref(actor)
    update = GuardedUpdate(
        doc="campaign", id=campaign["id"], op_key=key,
        assign={"budget_fen": budget, "budget_version": version + 1},
        require_equal=(Equal("budget_version", version),),
        require_at_most=(AtMost(terms={"granted_fen": 1, "returned_fen": -1}, plus=0,
                                limit=budget, error="conflict",
                                message_en="the new budget is below what was granted meanwhile",
                                message_zh="新预算低于期间已分配的金额", field="budget_fen"),),
    )
    entry = make_entry("budget_set", key, budget, campaign_id=campaign["id"], actor=who, at=at,
                       reason=reason)
    result = {**campaign, "budget_fen": budget, "budget_version": version + 1}
    audit = audit_entries.entry(None, "campaign", campaign["id"], "set_budget", who, at, campaign_id=campaign["id"],
                                reason=reason, previous_budget_fen=campaign["budget_fen"], budget_fen=budget)
    return Outcome(key=key, result=result, updates=[update], entries=[entry], audit=[audit])


def require_rules_of(campaign, rules):
    """Conflict unless ``rules`` are the version the campaign was opened with (every
    command checks this, so an old campaign keeps the rules it was opened with)."""
    if rules.get("fingerprint") != campaign.get("rules_fingerprint"):
        raise Conflict("these funding rules are not the version this campaign was opened with",
                       "经费规则版本与该批次开设时的版本不一致",
                       details={"campaign_rules": campaign.get("rules_fingerprint"),
                                "given_rules": rules.get("fingerprint")})
