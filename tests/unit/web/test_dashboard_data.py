"""The dashboard's budget per tier (gateway/web/dashboard_data.py) from the funding report's rows."""
from gateway.web import dashboard_data as dd


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


def test_a_reviewer_without_a_name_is_numbered_never_shown_by_id():
    from flask import Flask

    from gateway.web.i18n import LANG_COOKIE
    from gateway.web.pages_dashboard import named

    reviewers = [{"reviewer_id": "p_rev_1", "name": "冯教授"}, {"reviewer_id": "p_rev_2", "name": "p_rev_2"},
                 {"reviewer_id": "p_rev_3", "name": None}]
    with Flask(__name__).test_request_context("/dashboard"):
        assert [r["name"] for r in named(reviewers)] == ["冯教授", "评审专家 2", "评审专家 3"]
    with Flask(__name__).test_request_context("/dashboard", headers={"Cookie": f"{LANG_COOKIE}=en"}):
        assert [r["name"] for r in named(reviewers)][1:] == ["Reviewer 2", "Reviewer 3"]
