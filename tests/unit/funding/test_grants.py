"""Awarding grants: tier caps, approved projects only, one per project, within budget."""
import random

import pytest

from core.errors import (BudgetExceeded, Conflict, InvalidTransition, PermissionDenied,
                         ValidationFailed)
from services.funding.domain import grants
from services.funding.domain.ledger import campaign_balance, grant_balance

from .support import (COLLEGE, LEAD, NOW, SCHOOL, FINANCE, MemStore, open_campaign,
                      pilot_rules, project)


def setup(budget=2_000_000):
    store, rules = MemStore(), pilot_rules()
    open_campaign(store, rules, budget)
    return store, rules


def award(store, rules, tier="key", actor=SCHOOL, existing=None, **req):
    req = req or {"amount_fen": 500_000}
    proj = req.pop("project", None) or project()
    return grants.award_grant(store.get("campaign", "camp"), rules, proj, {"tier": tier, **req},
                              actor, NOW, existing=existing)


def test_award_at_the_cap():
    store, rules = setup()
    out = award(store, rules, amount_yuan="5000")
    store.apply(out)
    g = store.get("grant", "grant-p1")
    assert (g["tier"], g["tier_name"], g["granted_fen"], g["status"]) == ("key", "重点", 500_000,
                                                                          "active")
    assert g["awarded_by"] == {"id": "u-school", "name": "学工部王老师"}
    assert store.get("campaign", "camp")["granted_fen"] == 500_000
    assert store.get("campaign", "camp")["awards"] == {"p1": 500_000}
    assert grant_balance(store.ledger, "grant-p1")["granted_fen"] == 500_000
    assert campaign_balance(store.ledger, "camp")["available_fen"] == 1_500_000
    assert store.events[0]["type"] == "grant.awarded"
    assert store.events[0]["data"]["amount"] == "¥5,000.00"


@pytest.mark.parametrize("tier, ok, over, cap_text", [
    ("key", "5000", "5000.01", "¥5,000.00"),
    ("featured", "3000.00", "3000.01", "¥3,000.00"),
    ("general", "1000", "1000.01", "¥1,000.00"),
])
def test_tier_caps(tier, ok, over, cap_text):
    store, rules = setup()
    award(store, rules, tier, amount_yuan=ok)          # at the cap: fine
    with pytest.raises(BudgetExceeded) as err:
        award(store, rules, tier, amount_yuan=over)
    assert f"cap {cap_text}" in err.value.message_en and cap_text in err.value.message_zh
    assert err.value.details["cap_fen"] == err.value.details["remaining_fen"]


@pytest.mark.parametrize("req", [{"amount_fen": 0}, {"amount_fen": -100}, {"amount_yuan": "-1"},
                                 {"amount_yuan": "100.005"}, {"amount_fen": 99.5}, {}])
def test_bad_amounts_are_refused(req):
    store, rules = setup()
    with pytest.raises(ValidationFailed):
        grants.award_grant(store.get("campaign", "camp"), rules, project(),
                           {"tier": "key", **req}, SCHOOL, NOW)


def test_unknown_tier_is_refused_naming_known_tiers():
    store, rules = setup()
    with pytest.raises(ValidationFailed) as err:
        award(store, rules, "platinum")
    assert "known tiers: key, featured, general" in err.value.message_en


def test_only_approved_projects_of_this_campaign():
    store, rules = setup()
    with pytest.raises(InvalidTransition) as err:
        award(store, rules, project=project(status="under_review"), amount_fen=1)
    assert "not approved" in err.value.message_en and "尚未通过" in err.value.message_zh
    with pytest.raises(ValidationFailed):
        award(store, rules, project=project(campaign_id="other"), amount_fen=1)
    with pytest.raises(ValidationFailed):
        award(store, rules, project=project(pid="p.1"), amount_fen=1)


@pytest.mark.parametrize("actor", [LEAD, COLLEGE])
def test_only_school_or_finance_award(actor):
    store, rules = setup()
    with pytest.raises(PermissionDenied):
        award(store, rules, actor=actor)
    award(store, rules, actor=FINANCE)


def test_one_grant_per_project():
    store, rules = setup()
    store.apply(award(store, rules))
    existing = store.get("grant", "grant-p1")
    again = award(store, rules, existing=existing)
    assert again.replay and again.result == existing
    with pytest.raises(Conflict):
        award(store, rules, "featured", existing=existing, amount_fen=300_000)


def test_budget_is_never_exceeded_and_the_message_states_what_is_left():
    store, rules = setup(budget=700_000)
    store.apply(award(store, rules))                     # 700,000 − 500,000 = 200,000 left
    with pytest.raises(BudgetExceeded) as err:
        award(store, rules, "featured", project=project("p2"), amount_fen=300_000)
    assert "remaining budget ¥2,000.00" in err.value.message_en
    assert "剩余可分配预算 ¥2,000.00" in err.value.message_zh


def test_parallel_awards_from_one_snapshot_stay_within_budget():
    # 20 approvals computed at once against ¥10,000; each ¥3,000 → only 3 fit.
    store, rules = setup(budget=1_000_000)
    snapshot = store.get("campaign", "camp")
    outs = [grants.award_grant(snapshot, rules, project(f"p{i}"),
                               {"tier": "featured", "amount_fen": 300_000}, SCHOOL, NOW)
            for i in range(20)]
    random.Random(7).shuffle(outs)
    ok = refused = 0
    for out in outs:
        try:
            store.apply(out)
            ok += 1
        except BudgetExceeded as exc:
            refused += 1
            assert exc.details["remaining_fen"] == 100_000
    assert (ok, refused) == (3, 17)
    camp = store.get("campaign", "camp")
    assert camp["granted_fen"] == 900_000 == campaign_balance(store.ledger, "camp")["granted_fen"]
    assert len(store.docs["grant"]) == 3 and len(store.ledger) == 4   # budget_set + 3 awards


def test_racing_awards_for_one_project_count_once():
    store, rules = setup()
    snapshot = store.get("campaign", "camp")
    same = [grants.award_grant(snapshot, rules, project(), {"tier": "key", "amount_fen": 500_000},
                               SCHOOL, NOW) for _ in range(3)]
    other = grants.award_grant(snapshot, rules, project(), {"tier": "general",
                                                            "amount_fen": 100_000}, SCHOOL, NOW)
    for out in same:
        store.apply(out)                                 # the copies are replays
    with pytest.raises(Conflict):
        store.apply(other)
    assert store.get("campaign", "camp")["granted_fen"] == 500_000
    assert store.get("grant", "grant-p1")["granted_fen"] == 500_000
    assert len([e for e in store.ledger if e["kind"] == "grant_awarded"]) == 1


def test_rules_must_be_the_campaigns_version():
    store, rules = setup()
    newer = pilot_rules(approval_steps=["advisor", "finance"])
    with pytest.raises(Conflict):
        award(store, newer)


def test_a_tier_other_than_the_reviews_proposal_needs_a_reason_kept_on_the_grant():
    rules, store = pilot_rules(), MemStore()
    camp = open_campaign(store, rules)
    graded = dict(project("p1"), proposed_tier="featured")
    for blank in (None, "", "   "):
        with pytest.raises(ValidationFailed) as err:
            grants.award_grant(camp, rules, graded, {"tier": "key", "amount_fen": 400_000,
                                                     "tier_reason": blank}, SCHOOL, NOW)
        assert err.value.details[0]["field"] == "tier_reason"
        assert "特色" in err.value.details[0]["message_zh"] and "重点" in err.value.details[0]["message_zh"]
    store.apply(grants.award_grant(camp, rules, graded, {"tier": "key", "amount_fen": 400_000,
                                                         "tier_reason": " 示范带动作用突出 "}, SCHOOL, NOW))
    grant = store.get("grant", "grant-p1")
    assert (grant["tier"], grant["proposed_tier"], grant["tier_reason"]) == ("key", "featured", "示范带动作用突出")
    # as proposed: no reason needed, none kept; a grade that names no tier proposes nothing
    same = grants.award_grant(store.get("campaign", "camp"), rules, dict(project("p2"), proposed_tier="general"),
                              {"tier": "general", "amount_fen": 100_000}, SCHOOL, NOW)
    assert (same.result["proposed_tier"], same.result["tier_reason"]) == ("general", None)
    other = grants.award_grant(store.get("campaign", "camp"), rules, dict(project("p3"), proposed_tier="一等奖"),
                               {"tier": "general", "amount_fen": 100_000}, SCHOOL, NOW)
    assert other.result["proposed_tier"] is None
