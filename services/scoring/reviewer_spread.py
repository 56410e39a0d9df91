"""Each reviewer's totals before and after the per-reviewer normalisation, for the
school admin's dashboard: how differently reviewers mark, and what normalisation
(z-scores, when the campaign's setup asks for them) made of it.

`view` reads a campaign's latest published round (its stored computation: every
reviewer's mark on every leaf, raw-normalised and after normalisation, as it was
published) and the reviewers' names from the campaign's sheets: two reads however
many applications the round ranked. The numbers are those of the admin's
explanations of every ranked application (results.explain, which formats the same
stored computation), so the dashboard and explain-my-score never disagree.
"""
import math
from collections import defaultdict

from services.scoring import campaign_setup, programs, results
from services.scoring.access import require_campaign_admin
from services.scoring.domain.explain import explain as explain_score
from core.off_hub import off_hub


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
    normalisation, from admin explanations (results.explain). Returns
    [{"reviewer_id", "name", "before": [...], "after": [...], "before_stats",
    "after_stats"}] sorted by name."""
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


def of_round(definition, published, names):
    """`reviewer_spread` of a published round (its stored document, computation
    included) over the applications it ranked, in the round's order (the selected,
    then the rest), explained as the admin sees them."""
    computed, payload = published["computed"], published["payload"]
    ids = [e["application_id"] for e in (payload.get("selected") or []) + (payload.get("rest") or [])]
    explanations = []
    for aid in ids:
        score = computed["scores"].get(aid) or {"application_id": aid, "results": [], "leaves": {}, "total": None}
        explanations.append(explain_score(definition.tree, score, viewer_may_see_reviewers=True))
    criteria = definition.criteria_view()
    return reviewer_spread(explanations, criteria.get("leaf_shares") or {}, criteria.get("leaf_shares_by_category"),
                           names)


def view(store, applications, person, campaign_id):
    """{"round", "reviewers": of_round(...), "zscore": whether the campaign's setup
    normalises reviewers now} for the latest published round (campaign admin), or
    None before any is published."""
    campaign = applications.campaign(campaign_id)
    require_campaign_admin(person, campaign)
    published = store.latest_selection(campaign_id)
    if published is None:
        return None
    computed = results.published_computation(store, published)
    published = dict(published, computed=computed)
    definition = programs.load(store, computed["program"], computed["program_version"])
    stored = store.get_setup(campaign_id)
    setup = campaign_setup.normalise(stored) if stored is not None else campaign_setup.defaults(campaign, definition)
    names = store.reviewer_names(campaign_id)
    # thousands of explanations are pure formatting: off the hub (core/off_hub.py)
    spread = off_hub(of_round, definition, published, names)
    return {"round": published["round"], "reviewers": spread,
            "zscore": setup["aggregation"]["reviewer_normalisation"] == "zscore"}
