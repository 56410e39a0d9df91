"""Awarding many grants at once (批量立项): the school admin's award form on the
campaign funding page sends every ticked project of the final list in one request.

The request checks what it can without touching a document per project: who may
award, the funding account, every row's tier, amount (≤ the tier's cap), the reason
a tier other than the proposed one needs, the application (approved, of this
campaign; one read of the campaign's approved applications), and that the new
awards together fit in what is left of the budget. Every problem is reported at
once, each naming its row (``awards[2].tier_reason``), and nothing is awarded.
Then a background job (core/jobs.py, kind ``award_grants``) awards each row with
the same guarded write a single award uses (``workflow.award_grant``: the budget is
never exceeded, whatever runs at the same time); a row the job refuses (say its
advisor lost the role meanwhile) is listed in the job's result with the reason and
the other rows are awarded. Re-running the job (after a crash) awards nothing
twice: an existing grant with the same tier and amount is a replay.
"""
from core.envelope import utc_now
from core.errors import ChuangxianError, field_error, invalid
from services.funding import workflow
from services.funding.domain import actors, grants
from services.funding.domain.campaigns import available_fen, tier_cap
from services.funding.domain.money import budget_exceeded, format_fen, parse_amount
from services.funding.domain.rules import tier as find_tier

AWARD_GRANTS = "award_grants"


def _row_errors(i, exc):
    """The field errors of a refusal, each renamed into row ``i``."""
    details = exc.details if isinstance(exc.details, list) else []
    found = [d for d in details if isinstance(d, dict) and d.get("field")]
    if not found:
        found = [{"field": exc.field or "awards", "message": exc.message_en, "message_zh": exc.message_zh}]
    return [field_error(f"awards[{i}].{d['field']}", d.get("message") or d.get("message_en") or "",
                        d.get("message_zh") or "") for d in found]


def check(ctx, actor, campaign_id, awards, now):
    """Everything a batch can be refused for before any write (see the module
    docstring); returns the rows to award. Raises ValidationFailed (all rows'
    problems) or BudgetExceeded (the new awards' sum over what is left)."""
    actors.require_any(actor, {}, ("school_admin", "finance"), "award grants", "拨付立项经费")
    campaign = workflow._campaign(ctx, campaign_id)
    rules = workflow._rules_of(ctx, campaign, now)
    approved = {a["id"]: a for a in ctx.apps.internal_applications(campaign_id, ["approved"])}
    existing = {g["project_id"]: g for g in ctx.store.grants_of_campaign(campaign_id)}
    errors, seen, new_total = [], set(), 0
    for i, row in enumerate(awards):
        app = approved.get(row["application_id"])
        if row["application_id"] in seen:
            errors.append(field_error(f"awards[{i}].application_id", "listed twice", "重复列出"))
            continue
        seen.add(row["application_id"])
        if app is None:
            errors.append(field_error(f"awards[{i}].application_id",
                                      "not an approved application of this campaign", "不是本活动已立项的申报"))
            continue
        try:
            tier = find_tier(rules, row["tier"])
            grants.check_tier_choice(rules, (app.get("final_result") or {}).get("grade"), tier,
                                     row.get("tier_reason"))
            amount = parse_amount(row, "amount")
            cap = tier_cap(campaign, tier)
            if amount > cap:
                raise invalid([field_error("amount_fen", f"exceeds the {tier['name_en']} cap {format_fen(cap)}",
                                           f"超过{tier['name']}项目上限 {format_fen(cap)}")])
        except ChuangxianError as exc:
            errors.extend(_row_errors(i, exc))
            continue
        if app["id"] not in existing:
            new_total += amount
    if errors:
        raise invalid(errors)
    left = available_fen(campaign)
    if new_total > left:
        raise budget_exceeded(left, f"the awards total {format_fen(new_total)}, more than the budget left",
                              f"本次立项合计 {format_fen(new_total)}，超过剩余预算", remaining_en="remaining budget",
                              remaining_zh="剩余可分配预算", field="awards", requested_fen=new_total)
    return awards


def run(job, service):
    """The job: award each row in order; ``{"awarded", "rows", "refused": [{"row",
    "application_id", "field", "message", "message_zh"}]}``."""
    params = job.params
    ctx, actor = service._ctx, service._actor(job.actor_id)
    rows, refused, awarded = params["awards"], [], 0
    for i, row in enumerate(rows):
        try:
            workflow.award_grant(ctx, actor, params["campaign_id"], row, utc_now())
            awarded += 1
        except ChuangxianError as exc:
            refused.append({"row": i + 1, "application_id": row["application_id"], "field": exc.field,
                            "message": exc.message_en, "message_zh": exc.message_zh})
        job.progress(i + 1, len(rows))
    return {"awarded": awarded, "rows": len(rows), "refused": refused}


HANDLERS = {AWARD_GRANTS: run}
