"""Each reviewer's totals before and after normalisation (services/scoring/reviewer_spread.py)
from admin explanations."""
from services.scoring import reviewer_spread as rs


def _leaf(leaf_id, marks):
    return {"id": leaf_id, "reviewers": [{"reviewer_id": r, "normalised": n, "value": v} for r, n, v in marks]}


def test_reviewer_spread_weights_leaves_by_their_share_before_and_after_normalisation():
    explanations = [
        {"application_id": "a1", "reviewer_names": {"r1": "冯教授"}, "breakdowns": [{"category": None, "tree": {
            "id": "root", "children": [_leaf("x", [("r1", 0.9, 0.8), ("r2", 0.5, 0.6)]),
                                       _leaf("y", [("r1", 0.6, 0.5)])]}}]},
        {"application_id": "a2", "breakdowns": [{"category": None, "tree": {
            "id": "root", "children": [_leaf("x", [("r1", 0.4, 0.5)]), _leaf("y", [("r1", 0.4, 0.5)])]}}]},
    ]
    out = rs.reviewer_spread(explanations, {"x": 75, "y": 25}, names={"r2": "王教授"})
    assert [r["name"] for r in out] == ["冯教授", "王教授"]
    r1 = out[0]
    assert r1["before"] == [82.5, 40.0] and r1["after"] == [72.5, 50.0]     # 0.75*0.9+0.25*0.6 = 0.825
    assert r1["before_stats"] == {"n": 2, "mean": 61.25, "sd": 21.25, "min": 40.0, "max": 82.5}
    assert out[1]["before"] == [50.0] and out[1]["after"] == [60.0]       # only the leaf r2 scored


def test_reviewer_spread_uses_the_categorys_shares():
    explanations = [{"application_id": "a1", "breakdowns": [{"category": "quiet", "tree": {
        "id": "root", "children": [_leaf("q", [("r1", 0.5, 0.5)]), _leaf("z", [("r1", 1.0, 1.0)])]}}]}]
    out = rs.reviewer_spread(explanations, {}, {"quiet": {"q": 50, "z": 50}})
    assert out[0]["before"] == [75.0]
