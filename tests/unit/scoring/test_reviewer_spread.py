"""Each reviewer's totals before and after normalisation (services/scoring/reviewer_spread.py):
summed from a computation's marks as the admin's explanations list them (the oracle:
reference_spread, from domain.explain), and the distribution the dashboard draws."""
from services.scoring import reviewer_spread as rs
from services.scoring.domain.explain import explain
from tests.unit.scoring.reference_spread import explained_totals
from tests.unit.scoring.test_scoring_array_path import _campaign, _outcome


def _shares(tree):
    if tree.categories:
        return {}, {c: {k: 100.0 * v for k, v in tree.leaf_weights(c).items()} for c in tree.categories}
    return {k: 100.0 * v for k, v in tree.leaf_weights(None).items()}, None


def test_the_totals_are_those_of_the_explanations():
    """Random campaigns (both trees, categories, role weights, imported facts, every
    method, z-scores on and off): the same totals, reviewers and order as summing
    every explanation of every ranked application, and so the same summaries."""
    compared = [seed for seed in range(36) if _compare(seed)]
    assert len(compared) >= 20 and {seed % 3 == 2 for seed in compared} == {True, False}   # both trees


def _compare(seed):
    """False when the seed's computation stops on a problem (nothing to compare)."""
    args, _policy = _campaign(seed)
    out, error = _outcome(args)
    if error:
        return False
    tree = args[0]
    ids = [a["id"] for a in args[4]] + ["nobody"]     # one without a score counts for nobody
    shares, by_category = _shares(tree)
    explanations = [explain(tree, out["scores"].get(aid) or {"application_id": aid, "results": [], "leaves": {},
                                                            "total": None}, viewer_may_see_reviewers=True)
                    for aid in ids]
    expected, _names = explained_totals(explanations, shares, by_category)
    got = rs.reviewer_totals(tree, out["scores"], ids, shares, by_category)
    assert got == expected and list(got) == list(expected)
    assert sum(len(before) for before, _after in got.values()) > 0
    assert rs.summarise(got) == rs.summarise(expected)
    return True


def test_totals_weight_leaves_by_their_share_before_and_after_normalisation(dorm_tree):
    def score(aid, marks_by_leaf, category):
        return {"application_id": aid, "results": [{"category": category}],
                "leaves": {leaf: {"marks": [{"reviewer_id": r, "normalised": n, "value": v} for r, n, v in marks]}
                           for leaf, marks in marks_by_leaf.items()}}
    scores = {"a1": score("a1", {"theory": [("r1", 0.9, 0.8), ("r2", 0.5, 0.6)], "no_violation": [("r1", 0.6, 0.5)],
                                 "env": []}, "环境优美型"),
              "a2": score("a2", {"theory": [("r1", 0.4, 0.5)], "no_violation": [("r1", 0.4, 0.5)],
                                 "env": [("r1", 0.4, 0.5)]}, "环境优美型")}
    shares = {"环境优美型": {"theory": 75, "no_violation": 25, "env": 0}}
    got = rs.reviewer_totals(dorm_tree, scores, ["a1", "a2"], {}, shares)
    assert got == {"r1": ([82.5, 40.0], [72.5, 50.0]),      # 0.75*0.9+0.25*0.6 = 0.825
                   "r2": ([50.0], [60.0])}                  # only the leaf r2 scored
    out = rs.summarise(got, {"r1": "冯教授", "r2": "王教授"})
    assert [r["name"] for r in out] == ["冯教授", "王教授"]
    assert out[0]["before_stats"] == {"n": 2, "mean": 61.25, "sd": 21.25, "min": 40.0, "q1": 50.62,
                                      "median": 61.25, "q3": 71.88, "max": 82.5}
    assert out[1]["after_stats"] == {"n": 1, "mean": 60.0, "sd": 0.0, "min": 60.0, "q1": 60.0, "median": 60.0,
                                     "q3": 60.0, "max": 60.0}
    assert rs.stats([])["n"] == 0 and rs.stats([])["median"] is None
    # a reviewer whose sheets carry no name: None, after the named, never the id
    assert [r["name"] for r in rs.summarise(got, {"r2": "王教授"})] == ["王教授", None]
