"""Closing a funded project (结项), as the service runs it: read the grant, its
campaign's rules and claims, let the domain decide (domain/closing.py), apply its
Outcome (workflow._apply), publish ``project.closed``. Steps: materials submitted by
the lead or advisor, reviewed by the campaign admin (pass / return with a reason),
then the project closed."""
from core.errors import field_error, invalid
from services.funding.domain import closing
from services.funding.domain.rules import material_kind
from services.funding.views import grant_view
from services.funding.workflow import _apply, _campaign, _hints, _rules_of, _visible_grant


def submit_material(ctx, actor, grant_id, data, now):
    grant = _visible_grant(ctx, actor, grant_id)
    campaign = _campaign(ctx, grant["campaign_id"])
    rules = _rules_of(ctx, campaign, now)
    kind, value = data["kind"], data["value"]
    known = material_kind(rules, kind)
    if known is not None and known["value"] == "attachment":
        found = ctx.store.attachments_by_id(grant_id, [value]).get(value)
        if found is None or found["kind"] != kind:
            raise invalid([field_error("value", f"{value!r} is no {known['name_en']} attachment of this project; "
                                                f"upload it with kind={kind} first",
                                       f"{value} 不是本项目的{known['name']}附件，请先以 {kind} 类别上传")])
    outcome = closing.submit_material(grant, rules, campaign, kind, value, actor, now)
    _apply(ctx, outcome)
    return grant_view(ctx.store.find("grant", grant_id), rules)


def review_materials(ctx, actor, grant_id, data, now):
    """The campaign admin passes the closing materials, or returns them with a reason."""
    grant = _visible_grant(ctx, actor, grant_id)
    campaign = _campaign(ctx, grant["campaign_id"])
    rules = _rules_of(ctx, campaign, now)
    outcome = closing.review_materials(grant, rules, campaign, data["decision"], data.get("reason"), actor, now)
    _apply(ctx, outcome)
    return grant_view(ctx.store.find("grant", grant_id), rules)


def close_project(ctx, actor, grant_id, data, now):
    grant = _visible_grant(ctx, actor, grant_id)
    campaign = _campaign(ctx, grant["campaign_id"])
    rules = _rules_of(ctx, campaign, now)
    outcome = closing.close_project(grant, rules, campaign, ctx.store.claims_of(grant_id), actor, now,
                                    data.get("reason"))
    if outcome.event:
        outcome.event["data"].update(_hints(ctx, campaign, grant))
    _apply(ctx, outcome)
    return grant_view(ctx.store.find("grant", grant_id), rules)


