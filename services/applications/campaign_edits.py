"""Correcting a campaign opened by mistake: editing it or withdrawing it (撤销).

Guarantees:
  * only the campaign's admin may do either (the same rule as opening it);
  * an edit is checked like an opening (both application times present, the four
    times in order, settings only the program's own) on the merged result, so no
    write path stores a campaign without a valid window;
  * the program settings cannot change once an application was submitted (the
    applicants were judged by them), and a campaign with submitted applications
    cannot be withdrawn;
  * each change is one conditional replace on the campaign's version, carrying its
    audit entry (who, when, what, why) in the campaign's `history`, so the change
    and its record are one write and of two concurrent edits one wins;
  * a withdrawn campaign is no longer listed, accepts no application step, and
    cannot be edited; withdrawing it again is a no-op.
"""
from core import audit, settings_spec
from core.errors import Conflict, InvalidTransition, field_error, invalid
from services.applications.campaigns import merge_settings, campaign_view
from services.applications.domain import nomination_rules, permissions, windows
from services.applications.views import jsonable

EDITABLE = ("title", "academic_year", *windows.TIME_FIELDS, "settings", "nomination_quota")
SUBMITTED = ("submitted", "returned", "college_approved", "approved", "rejected")


def _admin_campaign(store, actor, campaign_id):
    campaign = store.get_campaign(campaign_id)
    permissions.require_campaign_admin(actor, campaign)
    if campaign.get("state") == "withdrawn":
        raise InvalidTransition("This campaign was withdrawn.", "该评选活动已撤销", field="state")
    return campaign


def _record(campaign, actor, action, now, reason=None, changes=None):
    """The campaign changed by `action`, its history entry (core/audit.py's shape, the
    changes as a detail) appended, and the version it was read at."""
    version = int(campaign.get("version") or 0)
    entry = audit.entry(f"{campaign['_id']}:{version + 1}", "campaign", campaign["_id"], action, actor.ref(), now,
                        campaign_id=campaign["_id"], seq=version + 1, reason=reason,
                        **({"changes": changes} if changes is not None else {}))
    return {**campaign, "version": version + 1, "history": [*(campaign.get("history") or []), entry],
            "updated_at": now}, version


def edit_campaign(store, actor, campaign_id, data, program, now):
    """Apply `data` (CampaignUpdate: a subset of EDITABLE plus `reason`). Returns the
    campaign's view. Raises PermissionDenied, InvalidTransition (withdrawn),
    ValidationFailed (bad or unordered times; nothing to change), Conflict
    (settings after submissions; a concurrent change)."""
    campaign = _admin_campaign(store, actor, campaign_id)
    changes = {k: v for k, v in data.items() if k in EDITABLE}
    if not changes:
        raise invalid([field_error("body", f"Nothing to change; send one of: {', '.join(EDITABLE)}.",
                                   "没有要修改的内容")])
    if "settings" in changes:
        changes["settings"] = merge_settings(program, changes["settings"] or {})
        if changes["settings"] == settings_spec.defaults_of(campaign.get("settings")):
            changes.pop("settings")   # the form sends every setting: an unchanged one is no change
            if not changes:
                return campaign_view(campaign, now)
        elif store.count_applications(campaign_id, SUBMITTED):
            raise Conflict("Applications were submitted under these settings; they can no longer change.",
                           "已有申报按当前设置提交，不能再修改活动设置", field="settings")
    if changes.get("nomination_quota") is not None:
        problems = nomination_rules.settings_errors(permissions.campaign_level(campaign), {}, None, None, None,
                                                    changes["nomination_quota"])
        if problems:
            raise invalid(problems)
    merged = {name: changes.get(name, campaign.get(name)) for name in windows.TIME_FIELDS}
    changes.update({k: v for k, v in windows.campaign_times(merged).items() if k in changes})
    updated, version = _record(campaign, actor, "edited", now, data.get("reason"), changes=jsonable(changes))
    updated.update(changes)
    return campaign_view(store.replace_campaign(updated, version), now)


def withdraw_campaign(store, actor, campaign_id, reason, now):
    """Withdraw a campaign opened by mistake (with a reason). Returns the view;
    a second call returns it unchanged. Raises PermissionDenied, Conflict when
    applications were submitted in it (they must be decided, not dropped)."""
    campaign = store.get_campaign(campaign_id)
    permissions.require_campaign_admin(actor, campaign)
    if campaign.get("state") == "withdrawn":
        return campaign_view(campaign, now)
    submitted = store.count_applications(campaign_id, SUBMITTED)
    if submitted:
        raise Conflict(f"{submitted} application(s) were submitted in this campaign; it cannot be withdrawn.",
                       f"该活动已有 {submitted} 份申报提交，不能撤销", field="campaign_id",
                       details={"submitted": submitted})
    updated, version = _record(campaign, actor, "withdrawn", now, reason)
    updated.update(state="withdrawn", withdrawn_at=now, withdrawn_by=actor.ref())
    return campaign_view(store.replace_campaign(updated, version), now)


def campaign_history(store, actor, campaign_id):
    """The campaign's audit trail, oldest first (its admin only), in core/audit.py's
    shape; entries stored before it (their time a datetime, `changes` beside the
    others, no id) read as it."""
    campaign = store.get_campaign(campaign_id)
    permissions.require_campaign_admin(actor, campaign)
    return [jsonable(_history_view(campaign, h)) for h in campaign.get("history") or []]


def _history_view(campaign, entry):
    shaped = audit.view(entry)
    if shaped["subject_id"] is None:   # stored before the shape: the campaign's own
        shaped.update(subject_kind="campaign", subject_id=campaign["_id"], campaign_id=campaign["_id"])
    return shaped
