"""Ledger entries and the balances derived from them, on hand-worked numbers."""
import pytest

from services.funding.domain.ledger import (campaign_balance, entry_id, grant_balance,
                                            grant_balances, make_entry, totals_by)

AT = "2025-10-20T02:00:00.000Z"
WHO = {"id": "u1", "name": "甲"}


def e(kind, key, amount, grant=None, claim=None, college="col-me", campaign="camp"):
    project = grant and grant.replace("grant-", "")
    return make_entry(kind, key, amount, campaign_id=campaign, grant_id=grant, claim_id=claim,
                      project_id=project if grant else None,
                      college_id=college if grant else None, actor=WHO, at=AT)


def book():
    """Budget ¥20,000; grant A ¥5,000 (col-me), grant B ¥1,000 (col-cs).
    A: c1 ¥1,200 reserved→approved→paid; c2 ¥300 reserved→released; c3 ¥500 reserved;
       c4 ¥250 reserved→approved (unpaid).
    B: closed with nothing spent (¥1,000 returned)."""
    return [
        e("budget_set", "b1", 2_000_000),
        e("grant_awarded", "ga", 500_000, "grant-A"),
        e("grant_awarded", "gb", 100_000, "grant-B", college="col-cs"),
        e("claim_reserved", "r1", 120_000, "grant-A", "c1"),
        e("claim_approved", "a1", 120_000, "grant-A", "c1"),
        e("claim_paid", "p1", 120_000, "grant-A", "c1"),
        e("claim_reserved", "r2", 30_000, "grant-A", "c2"),
        e("claim_released", "x2", 30_000, "grant-A", "c2"),
        e("claim_reserved", "r3", 50_000, "grant-A", "c3"),
        e("claim_reserved", "r4", 25_000, "grant-A", "c4"),
        e("claim_approved", "a4", 25_000, "grant-A", "c4"),
        e("grant_returned", "ret-b", 100_000, "grant-B", college="col-cs"),
    ]


def test_grant_balance_buckets():
    a = grant_balance(book(), "grant-A")
    assert (a["granted_fen"], a["reserved_fen"], a["approved_fen"], a["paid_fen"]) == \
        (500_000, 50_000, 25_000, 120_000)
    assert a["committed_fen"] == 195_000               # 50,000 + 25,000 + 120,000
    assert a["remaining_fen"] == 305_000               # 500,000 − 195,000 − 0
    b = grant_balance(book(), "grant-B")
    assert (b["returned_fen"], b["remaining_fen"]) == (100_000, 0)


def test_campaign_balance():
    assert campaign_balance(book(), "camp") == {
        "campaign_id": "camp", "budget_fen": 2_000_000, "granted_fen": 600_000,
        "returned_fen": 100_000, "available_fen": 1_500_000}   # 2,000,000 − 600,000 + 100,000


def test_last_budget_set_wins():
    entries = book() + [e("budget_set", "b2", 900_000)]
    assert campaign_balance(entries, "camp")["available_fen"] == 400_000


def test_duplicates_never_count_twice():
    entries = book()
    doubled = entries + [dict(x) for x in entries]
    assert grant_balances(doubled) == grant_balances(entries)
    assert campaign_balance(doubled, "camp") == campaign_balance(entries, "camp")


def test_totals_by_college_and_project():
    by_college = totals_by(book(), "college_id")
    assert by_college["col-me"]["remaining_fen"] == 305_000
    assert by_college["col-cs"]["granted_fen"] == 100_000 and by_college["col-cs"]["grants"] == 1
    assert totals_by(book(), "project_id")["A"]["paid_fen"] == 120_000


def test_entry_ids_are_deterministic_from_the_idempotency_key():
    assert entry_id("k") == entry_id("k") != entry_id("k2")
    assert e("budget_set", "k", 1)["id"] == entry_id("k")


@pytest.mark.parametrize("kind, amount, accounts", [
    ("grant_spent", 1, {}),                                   # unknown kind
    ("claim_reserved", -1, {"grant_id": "g", "claim_id": "c"}),
    ("claim_reserved", 0, {"grant_id": "g", "claim_id": "c"}),
    ("claim_reserved", 1.5, {"grant_id": "g", "claim_id": "c"}),
    ("claim_reserved", True, {"grant_id": "g", "claim_id": "c"}),
    ("claim_reserved", 100, {"grant_id": "g"}),               # no claim id
    ("grant_awarded", 100, {}),                               # no grant
])
def test_make_entry_refuses_programming_errors(kind, amount, accounts):
    with pytest.raises(ValueError):
        make_entry(kind, "k", amount, campaign_id="camp", actor=WHO, at=AT,
                   project_id="p", college_id="col", **accounts)


def test_zero_allowed_only_for_budget_and_return():
    assert e("budget_set", "z", 0)["amount_fen"] == 0
    assert e("grant_returned", "z2", 0, "grant-A")["amount_fen"] == 0
