"""The numbers behind the school admin's dashboard, computed from what the services
return over RPC (pure functions, so each chart and its table alternative show the
same data and are tested without a browser).

- `by_college`: applications per college and state (drafts are left out: nobody
  has submitted them).
- `stages_over_time`: for each Beijing day, how many applications were in each
  state at the end of that day, replayed from the audit trails.
- `reviewer_spread`: each reviewer's totals (0..100, weighted by the criteria's leaf
  shares) before and after the per-reviewer normalisation, read from the
  scoring service's admin explanations (`normalised` and `value` of every mark).
- `budget_by_tier`: granted, claimed, approved and paid per funding tier, from the
  funding service's project report (integer fen).
"""
import math
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
    """`trails`: {application_id: [audit entries {"at", "to"}, oldest first]};
    `today`: a date (Beijing). Returns {"days": ["YYYY-MM-DD"], "states": [...],
    "series": {state: [count at the end of each day]}} over MIN_DAYS to MAX_DAYS
    days ending today. An entry without `to` (an edit) changes nothing."""
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


def _leaves(node):
    if node.get("children"):
        for child in node["children"]:
            yield from _leaves(child)
    elif "reviewers" in node:
        yield node


def _stats(values):
    if not values:
        return {"n": 0, "mean": None, "sd": None, "min": None, "max": None}
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return {"n": len(values), "mean": round(mean, 2), "sd": round(sd, 2), "min": round(min(values), 2),
            "max": round(max(values), 2)}


def reviewer_spread(explanations, shares, shares_by_category=None, names=None):
    """Per reviewer, the totals they gave each application on 0..100: the weighted
    mean of their marks over the leaves they scored (weights: the leaf shares of
    the application's category), before (`normalised`) and after (`value`)
    normalisation. Returns [{"reviewer_id", "name", "before": [...], "after": [...],
    "before_stats", "after_stats"}] sorted by name."""
    sums = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0, 0.0]))  # reviewer -> app -> [w, w*before, w*after]
    found_names = dict(names or {})
    for ex in explanations:
        found_names.update(ex.get("reviewer_names") or {})
        for breakdown in ex.get("breakdowns") or []:
            weights = (shares_by_category or {}).get(breakdown.get("category")) or shares or {}
            for leaf in _leaves(breakdown["tree"]):
                weight = weights.get(leaf["id"], 0)
                for mark in leaf.get("reviewers") or []:
                    acc = sums[mark["reviewer_id"]][ex["application_id"]]
                    acc[0] += weight
                    acc[1] += weight * mark["normalised"]
                    acc[2] += weight * mark["value"]
    out = []
    for rid, apps in sums.items():
        before = [round(100 * b / w, 2) for w, b, _a in apps.values() if w]
        after = [round(100 * a / w, 2) for w, _b, a in apps.values() if w]
        out.append({"reviewer_id": rid, "name": found_names.get(rid) or rid, "before": before, "after": after,
                    "before_stats": _stats(before), "after_stats": _stats(after)})
    out.sort(key=lambda r: r["name"])
    return out


def budget_by_tier(rows, tiers=()):
    """[{"tier", "name", "projects", "granted_fen", "claimed_fen", "approved_fen",
    "paid_fen", "remaining_fen"}] in the order of the program's tiers (then any
    other tier seen), from the funding report's project rows."""
    names = {t["code"]: t.get("name") or t["code"] for t in tiers}
    order = [t["code"] for t in tiers]
    totals = {}
    for row in rows:
        tier = row.get("tier") or "—"
        if tier not in totals:
            totals[tier] = {"tier": tier, "name": names.get(tier) or row.get("tier_name") or tier, "projects": 0,
                            "granted_fen": 0, "claimed_fen": 0, "approved_fen": 0, "paid_fen": 0,
                            "remaining_fen": 0}
        t = totals[tier]
        t["projects"] += 1
        for key in ("granted_fen", "claimed_fen", "approved_fen", "paid_fen", "remaining_fen"):
            t[key] += int(row.get(key) or 0)
    ranked = [code for code in order if code in totals] + sorted(c for c in totals if c not in order)
    return [totals[c] for c in ranked]


def today_in_beijing():
    return datetime.now(SHANGHAI).date()
