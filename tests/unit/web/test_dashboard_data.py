"""The dashboard's numbers (gateway/web/dashboard_data.py) from RPC-shaped input."""
from datetime import date

from gateway.web import dashboard_data as dd


def test_applications_per_college_leave_drafts_out_and_keep_workflow_order():
    apps = [{"college_id": "c1", "state": "approved"}, {"college_id": "c1", "state": "submitted"},
            {"college_id": "c2", "state": "submitted"}, {"college_id": "c2", "state": "draft"}]
    out = dd.by_college(apps, {"c1": "机电学院", "c2": "经管学院"})
    assert out["states"] == ["submitted", "approved"]
    assert out["colleges"] == [
        {"id": "c1", "name": "机电学院", "total": 2, "states": {"submitted": 1, "approved": 1}},
        {"id": "c2", "name": "经管学院", "total": 1, "states": {"submitted": 1, "approved": 0}}]


def test_states_over_time_replay_the_trails_by_beijing_day():
    trails = {
        # 2026-09-01 17:30Z is 2026-09-02 01:30 in Beijing: counted on the 2nd.
        "a": [{"at": "2026-09-01T01:00:00Z", "to": "draft"}, {"at": "2026-09-01T17:30:00Z", "to": "submitted"},
              {"at": "2026-09-02T02:00:00Z", "to": "submitted"},             # an edit: no change
              {"at": "2026-09-03T02:00:00Z", "to": "college_approved"}],
        "b": [{"at": "2026-09-02T03:00:00Z", "to": "draft"}, {"at": "2026-09-02T04:00:00Z", "action": "edit"}],
    }
    out = dd.stages_over_time(trails, date(2026, 9, 10))
    assert out["days"][:4] == ["2026-09-01", "2026-09-02", "2026-09-03", "2026-09-04"]
    assert out["days"][-1] == "2026-09-10" and len(out["days"]) == 10
    assert out["states"] == ["draft", "submitted", "college_approved"]
    assert out["series"] == {"draft": [1] * 10, "submitted": [0, 1] + [0] * 8, "college_approved": [0, 0] + [1] * 8}
    # A campaign younger than a week still shows a week, zeros before its first day.
    short = dd.stages_over_time(trails, date(2026, 9, 4))
    assert short["days"][0] == "2026-08-29" and short["series"]["draft"] == [0, 0, 0, 1, 1, 1, 1]
    assert dd.stages_over_time({}, date(2026, 9, 4)) == {"days": [], "states": [], "series": {}}


def test_stages_over_time_cover_at_most_the_last_90_days():
    trails = {"a": [{"at": "2025-01-01T00:00:00Z", "to": "draft"}]}
    out = dd.stages_over_time(trails, date(2026, 1, 1))
    assert len(out["days"]) == dd.MAX_DAYS and out["days"][-1] == "2026-01-01"
    assert out["series"]["draft"] == [1] * dd.MAX_DAYS


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
    out = dd.reviewer_spread(explanations, {"x": 75, "y": 25}, names={"r2": "王教授"})
    assert [r["name"] for r in out] == ["冯教授", "王教授"]
    r1 = out[0]
    assert r1["before"] == [82.5, 40.0] and r1["after"] == [72.5, 50.0]     # 0.75*0.9+0.25*0.6 = 0.825
    assert r1["before_stats"] == {"n": 2, "mean": 61.25, "sd": 21.25, "min": 40.0, "max": 82.5}
    assert out[1]["before"] == [50.0] and out[1]["after"] == [60.0]       # only the leaf r2 scored


def test_reviewer_spread_uses_the_categorys_shares():
    explanations = [{"application_id": "a1", "breakdowns": [{"category": "quiet", "tree": {
        "id": "root", "children": [_leaf("q", [("r1", 0.5, 0.5)]), _leaf("z", [("r1", 1.0, 1.0)])]}}]}]
    out = dd.reviewer_spread(explanations, {}, {"quiet": {"q": 50, "z": 50}})
    assert out[0]["before"] == [75.0]


def test_budget_per_tier_sums_projects_in_the_programs_tier_order():
    rows = [{"tier": "general", "granted_fen": 100000, "claimed_fen": 5000, "approved_fen": 5000, "paid_fen": 0,
             "remaining_fen": 95000},
            {"tier": "key", "granted_fen": 500000, "claimed_fen": 120050, "approved_fen": 120050,
             "paid_fen": 120050, "remaining_fen": 379950},
            {"tier": "key", "granted_fen": 300000, "claimed_fen": 0, "approved_fen": 0, "paid_fen": 0,
             "remaining_fen": 300000}]
    tiers = [{"code": "key", "name": "重点"}, {"code": "featured", "name": "特色"}, {"code": "general", "name": "一般"}]
    out = dd.budget_by_tier(rows, tiers)
    assert [(t["name"], t["projects"], t["granted_fen"], t["paid_fen"]) for t in out] == [
        ("重点", 2, 800000, 120050), ("一般", 1, 100000, 0)]
