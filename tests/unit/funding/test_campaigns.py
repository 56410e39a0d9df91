"""A campaign's budget: opened by finance, never lowered below what is granted."""
import pytest

from core.errors import Conflict, PermissionDenied, ValidationFailed
from services.funding.domain import campaigns, grants
from services.funding.domain.ledger import campaign_balance

from .support import (DEADLINES, FINANCE, LEAD, NOW, SCHOOL, MemStore, open_campaign,
                      pilot_rules, project)


def test_open_campaign_books_the_budget():
    rules = pilot_rules()
    out = campaigns.open_campaign({"id": "camp", "budget_yuan": "50,000", "deadlines": DEADLINES},
                                  rules, FINANCE, NOW)
    c = out.result
    assert (c["budget_fen"], c["granted_fen"], c["returned_fen"]) == (5_000_000, 0, 0)
    assert c["rules_fingerprint"] == rules["fingerprint"]
    assert c["deadlines"]["closing_deadline"] == "2025-12-15T09:00:00.000Z"
    assert [(e["kind"], e["amount_fen"]) for e in out.entries] == [("budget_set", 5_000_000)]
    assert out.inserts == [("campaign", c)]


@pytest.mark.parametrize("request_, error", [
    ({"id": "camp", "budget_yuan": "-1"}, ValidationFailed),
    ({"id": "camp", "budget_yuan": "1.001"}, ValidationFailed),
    ({"id": "bad.id", "budget_fen": 1}, ValidationFailed),
    ({"id": "camp", "budget_fen": 1, "deadlines": {}}, ValidationFailed),   # rules need them
])
def test_open_campaign_refuses_bad_input(request_, error):
    with pytest.raises(error):
        campaigns.open_campaign({"deadlines": DEADLINES, **request_}, pilot_rules(), FINANCE, NOW)


def test_only_finance_or_school_admin_set_budgets():
    with pytest.raises(PermissionDenied) as err:
        campaigns.open_campaign({"id": "c", "budget_fen": 1, "deadlines": DEADLINES},
                                pilot_rules(), LEAD, NOW)
    assert "finance office or school administrator" in err.value.message_en
    assert "财务处或学校管理员" in err.value.message_zh


def _with_grant(budget=1_000_000):
    store, rules = MemStore(), pilot_rules()
    open_campaign(store, rules, budget)
    store.apply(grants.award_grant(store.get("campaign", "camp"), rules, project(),
                                   {"tier": "key", "amount_fen": 400_000}, SCHOOL, NOW))
    return store, rules


def test_budget_cannot_drop_below_what_is_granted():
    store, _ = _with_grant()
    camp = store.get("campaign", "camp")
    with pytest.raises(ValidationFailed) as err:
        campaigns.set_budget(camp, {"budget_fen": 399_999, "reason": "削减"}, FINANCE, NOW)
    assert "at least ¥4,000.00" in err.value.message_en
    store.apply(campaigns.set_budget(camp, {"budget_fen": 400_000, "reason": "削减"}, FINANCE, NOW))
    assert campaign_balance(store.ledger, "camp")["available_fen"] == 0
    assert store.get("campaign", "camp")["budget_fen"] == 400_000


def test_concurrent_budget_changes_serialise():
    store, _ = _with_grant()
    camp = store.get("campaign", "camp")
    first = campaigns.set_budget(camp, {"budget_fen": 900_000, "reason": "a"}, FINANCE, NOW)
    second = campaigns.set_budget(camp, {"budget_fen": 800_000, "reason": "b"}, FINANCE, NOW)
    store.apply(first)
    with pytest.raises(Conflict):
        store.apply(second)
    assert store.get("campaign", "camp")["budget_fen"] == 900_000
    assert campaign_balance(store.ledger, "camp")["budget_fen"] == 900_000


def test_budget_lowered_under_a_grant_that_landed_meanwhile_is_refused():
    store, rules = MemStore(), pilot_rules()
    open_campaign(store, rules, 1_000_000)
    stale = store.get("campaign", "camp")
    store.apply(grants.award_grant(stale, rules, project(), {"tier": "key", "amount_fen": 500_000},
                                   SCHOOL, NOW))
    cut = campaigns.set_budget(stale, {"budget_fen": 300_000, "reason": "削减"}, FINANCE, NOW)
    with pytest.raises(Conflict):
        store.apply(cut)
    assert store.get("campaign", "camp")["budget_fen"] == 1_000_000


def test_set_budget_needs_a_reason():
    store, _ = _with_grant()
    with pytest.raises(ValidationFailed):
        campaigns.set_budget(store.get("campaign", "camp"), {"budget_fen": 2}, FINANCE, NOW)
