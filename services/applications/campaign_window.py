"""Closing the application window early (截止申报) or extending it (延长申报).

Guarantees:
  * only the campaign's admin, never on a withdrawn campaign (campaign_edits);
  * closing sets the deadline to now; closing a window that has already closed
    changes nothing (a double click closes once); a window that has not opened yet
    is not closed (edit its times instead);
  * extending moves the deadline later, into the future, and never past what follows
    it: not at or after the review window's start, and not once results were
    published or a public notice (公示) opened — the message names the date in the way;
  * each change is one conditional replace on the campaign's version carrying its
    history entry (who, when, the old and new deadline, why);
  * closing the campaign (结项) needs its final list; it sets `closed_at` (the phase
    已结项, core/campaign_phase.py) once: closing it again changes nothing.
"""
from datetime import timezone

from core.errors import Conflict, field_error, invalid
from services.applications.campaign_edits import _admin_campaign, _record
from services.applications.campaigns import campaign_view
from services.applications.domain.windows import parse_local, shanghai_text
from services.applications.views import jsonable


def _aware(moment):
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _save(store, actor, campaign, action, closes, now, reason):
    old = _aware(campaign.get("application_closes_at"))
    updated, version = _record(campaign, actor, action, now, reason,
                               changes=jsonable({"application_closes_at": closes, "was": old}))
    updated["application_closes_at"] = closes
    return campaign_view(store.replace_campaign(updated, version), now)


def close_applications(store, actor, campaign_id, now, reason=None):
    """Close the window now. Returns the campaign view (with `changed`)."""
    campaign = _admin_campaign(store, actor, campaign_id)
    opens, closes = _aware(campaign.get("application_opens_at")), _aware(campaign.get("application_closes_at"))
    if closes is not None and closes <= now:
        return dict(campaign_view(campaign, now), changed=False)
    if opens is None or now < opens:
        raise Conflict("The application window has not opened yet; change its times instead.",
                       "申报尚未开始，不能截止；如需调整请修改申报时间", field="application_opens_at")
    return dict(_save(store, actor, campaign, "closed_early", now.replace(microsecond=0), now, reason), changed=True)


def extend_applications(store, notes, actor, campaign_id, closes_at, now, reason=None):
    """Move the deadline to `closes_at` (ISO 8601; naive = Beijing). Returns the view.
    Raises ValidationFailed (field application_closes_at) for a time not later than
    the current deadline and now, or at/after the review start; Conflict once
    results were published or the notice opened."""
    campaign = _admin_campaign(store, actor, campaign_id)
    new = parse_local(closes_at, "application_closes_at")
    if store.campaigns_with_results([campaign_id]) or notes.latest_notice(campaign_id):
        raise Conflict("Results were published or the public notice opened: the application window can no "
                       "longer be extended.", "评审结果已发布或公示已开始，不能再延长申报", field="application_closes_at")
    current = _aware(campaign.get("application_closes_at"))
    review = _aware(campaign.get("review_opens_at"))
    problem = None
    if new <= now or (current is not None and new <= current):
        problem = ("The new deadline must be later than the current one and in the future.",
                   f"新的截止时间须晚于当前截止时间（{shanghai_text(current) if current else '—'}）且晚于现在")
    elif review is not None and new >= review:
        problem = (f"The new deadline must be before the review opens ({shanghai_text(review)}, Beijing time).",
                   f"新的截止时间须早于评审开始时间（{shanghai_text(review)}，北京时间）；如需更晚，请先修改评审时间")
    if problem:
        raise invalid([field_error("application_closes_at", *problem)])
    return _save(store, actor, campaign, "extended", new, now, reason)


def close_campaign(store, notes, actor, campaign_id, now, reason=None):
    """结项: the campaign is over. Conflict before its final list exists."""
    campaign = _admin_campaign(store, actor, campaign_id)
    if campaign.get("closed_at"):
        return dict(campaign_view(campaign, now), changed=False)
    if notes.get_final_list(campaign_id) is None:
        raise Conflict("A campaign is closed once its final list exists.", "尚未产生正式名单，活动不能结项",
                       field="campaign_id")
    updated, version = _record(campaign, actor, "closed", now, reason)
    updated["closed_at"] = now
    return dict(campaign_view(store.replace_campaign(updated, version), now), changed=True)
