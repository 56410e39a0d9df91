"""A campaign that lowers a tier's cap (its settings.tiers) holds funding to it too."""
import pytest

from core.errors import BudgetExceeded, ValidationFailed
from services.funding.domain import campaigns, grants
from services.funding.views import tiers_view

from .support import DEADLINES, FINANCE, NOW, SCHOOL, MemStore, pilot_rules, project


def _open(rules, tiers):
    store = MemStore()
    store.apply(campaigns.open_campaign({"id": "camp", "budget_fen": 2_000_000, "deadlines": DEADLINES,
                                         "tiers": tiers}, rules, FINANCE, NOW))
    return store


def test_a_lowered_cap_is_the_grants_limit():
    rules = pilot_rules()
    store = _open(rules, [{"code": "key", "cap_fen": 400_000}])
    campaign = store.get("campaign", "camp")
    assert campaign["tier_caps"] == {"key": 400_000}
    with pytest.raises(BudgetExceeded) as over:
        grants.award_grant(campaign, rules, project(), {"tier": "key", "amount_fen": 450_000}, SCHOOL, NOW)
    assert "4,000.00" in over.value.message_zh or "4000.00" in over.value.message_zh
    assert over.value.details["cap_fen"] == 400_000
    store.apply(grants.award_grant(campaign, rules, project(), {"tier": "key", "amount_fen": 400_000}, SCHOOL, NOW))
    caps = {t["code"]: t["cap_fen"] for t in tiers_view(rules, campaign["tier_caps"])}
    assert caps["key"] == 400_000 and caps["featured"] == 300_000   # the others keep the program's


def test_a_cap_above_the_programs_or_an_unknown_tier_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        _open(pilot_rules(), [{"code": "key", "cap_fen": 600_000}, {"code": "gold", "cap_fen": 1}])
    assert [d["field"] for d in refused.value.details] == ["settings.tiers[0].cap_fen", "settings.tiers[1].code"]
