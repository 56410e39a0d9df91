"""The reviewer spread as the dashboard first computed it, kept as the oracle of
services/scoring/reviewer_spread.py: from the admin's explanations (one
domain.explain / results.explain each), each reviewer's totals summed leaf by leaf
as the explanations list them."""
from collections import defaultdict


def _leaves(node):
    if node.get("children"):
        for child in node["children"]:
            yield from _leaves(child)
    elif "reviewers" in node:
        yield node


def explained_totals(explanations, shares, shares_by_category=None):
    """({reviewer id: ([before], [after])}, {reviewer id: name the explanations give})
    in the shape of reviewer_spread.reviewer_totals."""
    sums = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0, 0.0]))  # reviewer -> app -> [w, w*before, w*after]
    names = {}
    for ex in explanations:
        names.update(ex.get("reviewer_names") or {})
        for breakdown in ex.get("breakdowns") or []:
            weights = (shares_by_category or {}).get(breakdown.get("category")) or shares or {}
            for leaf in _leaves(breakdown["tree"]):
                weight = weights.get(leaf["id"], 0)
                for mark in leaf.get("reviewers") or []:
                    acc = sums[mark["reviewer_id"]][ex["application_id"]]
                    acc[0] += weight
                    acc[1] += weight * mark["normalised"]
                    acc[2] += weight * mark["value"]
    totals = {rid: ([round(100 * b / w, 2) for w, b, _a in apps.values() if w],
                    [round(100 * a / w, 2) for w, _b, a in apps.values() if w])
              for rid, apps in sums.items()}
    return totals, names
