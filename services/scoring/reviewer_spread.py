"""Each reviewer's totals before and after the per-reviewer normalisation, for the
school admin's dashboard: how differently reviewers mark, and what normalisation
(z-scores, when the campaign's setup asks for them) made of it.

`view` reads a campaign's latest published round (its stored computation: every
reviewer's mark on every leaf, raw-normalised and after normalisation, as it was
published) and the reviewers' names from the campaign's sheets. The numbers are
those of the admin's explanations of every ranked application (results.explain,
which formats the same stored computation), so the dashboard and explain-my-score
never disagree: `reviewer_totals` walks the leaves each explanation shows
(explain.breakdown_leaves) and sums the marks it lists, without formatting them
(at 5,000 applications formatting every explanation took seconds; the tests compare
both on published rounds: tests/unit/scoring/reference_spread.py).

What the page draws is each reviewer's distribution (a box per reviewer: quartiles,
extremes, mean and spread), so that is what is sent: a few numbers per reviewer,
not every total (25,000 of them at 5,000 dorms with 5 reviewers each).
"""
import math
import statistics
from collections import defaultdict

from services.scoring import campaign_setup, programs, results
from services.scoring.access import require_campaign_admin
from services.scoring.domain.explain import breakdown_leaves
from core.off_hub import off_hub


def reviewer_totals(tree, scores, ids, shares, shares_by_category=None):
    """{reviewer id: ([before], [after])}: per reviewer, the total they gave each
    application of `ids` (in that order) on 0..100, the weighted mean of their marks
    over the leaves they scored (weights: the leaf shares of the breakdown's
    category), before (`normalised`) and after (`value`) normalisation. `scores`:
    {application id: score} of a computation; an application without one counts for
    nobody. Reviewers in the order they first appear."""
    sums = defaultdict(dict)   # reviewer -> application -> [w, w*before, w*after]
    leaves_of = {}
    for aid in ids:
        score = scores.get(aid)
        if not score:
            continue
        for result in score.get("results") or []:
            category = result["category"]
            if category not in leaves_of:
                leaves_of[category] = [leaf.id for leaf in breakdown_leaves(tree.root, category)]
            weights = (shares_by_category or {}).get(category) or shares or {}
            for leaf_id in leaves_of[category]:
                weight = weights.get(leaf_id, 0)
                for mark in score["leaves"][leaf_id]["marks"]:
                    acc = sums[mark["reviewer_id"]].setdefault(aid, [0.0, 0.0, 0.0])
                    acc[0] += weight
                    acc[1] += weight * mark["normalised"]
                    acc[2] += weight * mark["value"]
    return {rid: ([round(100 * b / w, 2) for w, b, _a in apps.values() if w],
                  [round(100 * a / w, 2) for w, _b, a in apps.values() if w])
            for rid, apps in sums.items()}


def stats(values):
    """{"n", "mean", "sd" (population), "min", "q1", "median", "q3", "max"} of
    totals on 0..100, two decimals (quartiles interpolated between the totals);
    all None but n when there are none."""
    if not values:
        return {"n": 0, "mean": None, "sd": None, "min": None, "q1": None, "median": None, "q3": None, "max": None}
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive") if len(values) > 1 else values * 3
    return {"n": len(values), "mean": round(mean, 2), "sd": round(sd, 2), "min": round(min(values), 2),
            "q1": round(q1, 2), "median": round(median, 2), "q3": round(q3, 2), "max": round(max(values), 2)}


def summarise(totals, names=None):
    """[{"reviewer_id", "name", "before_stats", "after_stats"}] sorted by name (then
    in the order of `totals`), from `reviewer_totals`. A reviewer none of whose
    sheets carries a name has name None, after the named: never their id, which a
    page must not show (the page numbers them)."""
    names = names or {}
    out = [{"reviewer_id": rid, "name": names.get(rid) or None, "before_stats": stats(before),
            "after_stats": stats(after)} for rid, (before, after) in totals.items()]
    out.sort(key=lambda r: (r["name"] is None, r["name"] or ""))
    return out


def ranked_ids(payload):
    """The applications a published round ranked, in its order (the selected, then the rest)."""
    return [e["application_id"] for e in (payload.get("selected") or []) + (payload.get("rest") or [])]


def of_round(definition, published, names):
    """`summarise(reviewer_totals(...))` of a published round (its stored document,
    computation included) over the applications it ranked."""
    criteria = definition.criteria_view()
    totals = reviewer_totals(definition.tree, published["computed"]["scores"], ranked_ids(published["payload"]),
                             criteria.get("leaf_shares") or {}, criteria.get("leaf_shares_by_category"))
    return summarise(totals, names)


def keep(store, published, names):
    """Compute and keep the spread of a published round ({"_id", "campaign_id",
    "round", "inputs_fingerprint", "computed" with its scores, "payload"}): the
    stored document ({"reviewers", ...})."""
    computed = published["computed"]
    definition = programs.load(store, computed["program"], computed["program_version"])
    # a pass over every mark of the round: off the hub (core/off_hub.py)
    doc = {"_id": f"{published['campaign_id']}:{published['round']}", "campaign_id": published["campaign_id"],
           "round": published["round"], "inputs_fingerprint": published["inputs_fingerprint"],
           "reviewers": off_hub(of_round, definition, published, names)}
    store.keep_spread(doc)
    return doc


def kept(store, campaign_id):
    """The spread of the campaign's latest published round, or None before one is
    published: the one kept for it (by the publishing job: jobs.py), else computed
    from the stored round and kept. Which round is the latest is counted (rounds are
    1, 2, ... with none skipped: results.check_publish), not read: the newest round's
    document is megabytes at a school's size."""
    rounds = store.round_count(campaign_id)
    if not rounds:
        return None
    spread = store.kept_spread(campaign_id)
    if spread is not None and spread["round"] == rounds:
        return spread
    published = store.latest_selection(campaign_id)
    published = dict(published, computed=results.published_computation(store, published))
    return keep(store, published, store.reviewer_names(campaign_id))


def view(store, applications, person, campaign_id):
    """{"round", "reviewers": of_round(...), "zscore": whether the campaign's setup
    normalises reviewers now} for the latest published round (campaign admin), or
    None before any is published."""
    campaign = applications.campaign(campaign_id)
    require_campaign_admin(person, campaign)
    spread = kept(store, campaign_id)
    if spread is None:
        return None
    stored = store.get_setup(campaign_id)
    if stored is not None:
        setup = campaign_setup.normalise(stored)
    else:
        setup = campaign_setup.defaults(campaign, programs.load(store, campaign["program"], campaign["program_version"]))
    return {"round": spread["round"], "reviewers": spread["reviewers"],
            "zscore": setup["aggregation"]["reviewer_normalisation"] == "zscore"}
