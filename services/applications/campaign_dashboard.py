"""What the school admin's dashboard shows of a campaign's applications, over the
whole campaign in a fixed number of reads however many applications it has: the
applications (college and state only, one query on the campaign_id index), their
audit entries (state changes only, one query on the audit's campaign_id index, and
one more for the entries stored before they named their campaign), the colleges'
names (one read by id); then kept (collection ``dashboards``) until the campaign's
applications or audit entries change, or the day does (`view`). The campaign's
admin only (permissions.require_campaign_admin).

Counted are the applications the campaign admin's list shows (store.list_applications
for the school): submitted at least once and not a draft; the counting itself is
domain/campaign_counts.py."""
from collections import defaultdict

from core import audit
from services.applications.domain import campaign_counts, permissions


INLINE_COUNT = 1000   # a campaign of more applications is counted by a job (jobs.DASHBOARD_COUNTS)
FRESH_SECONDS = 60    # a large campaign's counts kept this recently are shown as they are


def view(store, actor, campaign_id, now, start_job=None):
    """{"by_college": campaign_counts.by_college(...), "over_time":
    campaign_counts.stages_over_time(...) ending on `now`'s Beijing day}: kept with
    what they were counted from (the applications' count and newest change, the
    campaign's audit entries' count, the day) and counted again only when that
    changed.

    Counting reads every application and state change of the campaign (1.1 s at
    5,000 applications and 20,000 entries), so a campaign of more than INLINE_COUNT
    applications is counted by the job `start_job()` starts (or finds under way),
    never in the request: the view is then the counts kept last (empty the first
    time) with ``"updating"``, the job's view, which the page follows and reloads
    at its end. Counts kept less than FRESH_SECONDS ago are shown as they are, so
    a page reloaded at a job's end while applications keep coming in shows the
    new counts instead of starting another job. Without `start_job` every campaign
    is counted here."""
    campaign = store.get_campaign(campaign_id)
    permissions.require_campaign_admin(actor, campaign)
    key = _key(store, campaign_id, now)
    kept = store.kept_dashboard(campaign_id)
    if kept is not None and kept["key"] == key:
        return kept["view"]
    if start_job is None or key["applications"]["count"] <= INLINE_COUNT:
        return _recount(store, campaign_id, key, now)
    if kept is not None and kept["key"]["day"] == key["day"] and \
            now.timestamp() - kept.get("counted_ts", 0) < FRESH_SECONDS:
        return kept["view"]
    shown = kept["view"] if kept is not None else {"by_college": campaign_counts.by_college([], {}),
                                                   "over_time": campaign_counts.stages_over_time({}, None)}
    return dict(shown, updating=start_job())


def refresh(store, campaign_id, now):
    """The job's work: count the campaign and keep the counts; {"applications": n}."""
    key = _key(store, campaign_id, now)
    counted = _recount(store, campaign_id, key, now)
    return {"applications": sum(c["total"] for c in counted["by_college"]["colleges"])}


def _key(store, campaign_id, now):
    # Read before counting: a change made meanwhile leaves the kept counts outdated, never falsely current.
    return {"applications": store.campaign_revision(campaign_id), "audit": store.campaign_audit_count(campaign_id),
            "day": campaign_counts.today_in_beijing(now).isoformat()}


def _recount(store, campaign_id, key, now):
    counted = _count(store, campaign_id, now)
    store.keep_dashboard({"_id": campaign_id, "key": key, "view": counted, "counted_ts": now.timestamp()})
    return counted


def _count(store, campaign_id, now):
    apps = [a for a in store.campaign_states(campaign_id)
            if a.get("submitted_at") is not None and a.get("state") not in permissions.PRIVATE_STATES]
    shown = {a["_id"] for a in apps}
    trails = defaultdict(list)
    for entry in store.campaign_state_changes(campaign_id, shown):
        trails[entry["application_id"]].append({"at": audit.at_text(entry.get("at")), "to": entry.get("to")})
    colleges = {a.get("college_id") for a in apps if a.get("college_id")}
    names = {uid: unit.get("name") or uid for uid, unit in store.units_by_ids(colleges).items()} if colleges else {}
    return {"by_college": campaign_counts.by_college(apps, names),
            "over_time": campaign_counts.stages_over_time(dict(trails), campaign_counts.today_in_beijing(now))}
