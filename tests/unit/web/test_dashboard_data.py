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
