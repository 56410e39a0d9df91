"""The applications' numbers on the school admin's dashboard (pure functions over
what the store read, so the charts and their tables show the same data and are
tested without a database).

- `by_college`: applications per college and state (drafts are left out: nobody
  has submitted them).
- `stages_over_time`: for each Beijing day, how many applications were in each
  state at the end of that day, replayed from the audit trails.
"""
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
STATES = ("draft", "submitted", "returned", "college_approved", "approved", "rejected", "withdrawn")
MAX_DAYS = 90
MIN_DAYS = 7      # a campaign that moved within a day still shows a week, so change is visible


def _day(iso):
    return datetime.fromisoformat(str(iso).replace("Z", "+00:00")).astimezone(SHANGHAI).date()


def by_college(apps, college_names):
    """{"colleges": [{"id", "name", "total", "states": {state: n}}], "states": [...]}
    sorted by college name; states in workflow order, only those that occur."""
    counts = defaultdict(lambda: defaultdict(int))
    for app in apps:
        if app.get("state") == "draft":
            continue
        counts[app.get("college_id") or ""][app["state"]] += 1
    seen = [s for s in STATES if any(s in c for c in counts.values())]
    colleges = [{"id": cid, "name": college_names.get(cid, cid or "—"), "total": sum(c.values()),
                 "states": {s: c.get(s, 0) for s in seen}} for cid, c in counts.items()]
    colleges.sort(key=lambda c: c["name"])
    return {"colleges": colleges, "states": seen}


def stages_over_time(trails, today):
    """`trails`: {application_id: [audit entries {"at", "to"}]} (any order: the
    changes are put in time order here); `today`: a date (Beijing). Returns
    {"days": ["YYYY-MM-DD"], "states": [...], "series": {state: [count at the end of
    each day]}} over MIN_DAYS to MAX_DAYS days ending today. An entry without `to`
    (an edit) changes nothing."""
    changes = []
    for app_id, trail in trails.items():
        for entry in trail:
            if entry.get("to") and entry.get("at"):
                changes.append((_day(entry["at"]), entry["at"], app_id, entry["to"]))
    if not changes:
        return {"days": [], "states": [], "series": {}}
    changes.sort()
    first = max(min(changes[0][0], today - timedelta(days=MIN_DAYS - 1)), today - timedelta(days=MAX_DAYS - 1))
    days = [first + timedelta(days=i) for i in range((today - first).days + 1)]
    state, series, i = {}, defaultdict(list), 0
    for day in days:
        while i < len(changes) and changes[i][0] <= day:
            state[changes[i][2]] = changes[i][3]
            i += 1
        tally = defaultdict(int)
        for s in state.values():
            tally[s] += 1
        for s in STATES:
            series[s].append(tally.get(s, 0))
    used = [s for s in STATES if any(series[s])]
    return {"days": [d.isoformat() for d in days], "states": used, "series": {s: series[s] for s in used}}


def today_in_beijing(now):
    """The Beijing date of `now` (an aware datetime)."""
    return now.astimezone(SHANGHAI).date()
