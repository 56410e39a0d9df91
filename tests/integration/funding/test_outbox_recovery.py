"""A crash between an outcome's first write and its event: the outbox sweep (a timer of
the service) finishes it — the rest is applied once, the event published once."""
from datetime import datetime, timezone

import eventlet

from services.funding.domain import grants, ledger
from services.funding.store import FundingStore

from .conftest import ADVISOR, LEAD, approved_application, new_campaign, open_budget, wait_until


def test_the_sweep_finishes_an_award_cut_short_after_its_first_write(rpc, mongo, config, funding_events):
    campaign = new_campaign(rpc)
    app = approved_application(rpc, campaign["id"], LEAD)
    open_budget(rpc, campaign["id"], budget_yuan="10000")
    db = mongo("funding")
    store = FundingStore(db, config)
    camp = store.find("campaign", campaign["id"])
    rules = store.get_rules("pilot_branches", campaign["program_version"])["rules"]
    project = {"id": app["id"], "campaign_id": campaign["id"], "college_id": "college_me", "title": "先锋领航",
               "lead_id": LEAD, "advisor_id": ADVISOR, "status": "approved"}
    admin = {"id": "p_admin", "name": "校学工部管理员", "roles": [{"role": "school_admin", "unit_id": "school_demo"}]}
    outcome = grants.award_grant(camp, rules, project, {"tier": "key", "amount_fen": 300_000}, admin,
                                 datetime.now(timezone.utc))

    # What the service had done when it "crashed": the outbox record and the budget write.
    assert store.begin(outcome)
    assert store._guarded(outcome.updates[0]) is True
    db.outbox.update_one({"_id": outcome.key}, {"$set": {"created_ts": 0}})
    assert db.grants.count_documents({}) == 0 and db.campaigns.find_one({"_id": campaign["id"]})["granted_fen"] == 300_000

    assert wait_until(lambda: db.outbox.find_one({"_id": outcome.key})["state"] == "done", seconds=15)
    assert wait_until(lambda: len(funding_events) == 1)
    eventlet.sleep(2.5)   # another sweep round: nothing more happens
    grant = db.grants.find_one({"_id": grants.grant_id_for(app["id"])})
    assert grant["granted_fen"] == 300_000 and grant["status"] == "active"
    entries = list(db.ledger.find({"campaign_id": campaign["id"]}))
    assert [e["kind"] for e in entries].count("grant_awarded") == 1
    stored = db.campaigns.find_one({"_id": campaign["id"]})
    assert stored["granted_fen"] == ledger.campaign_balance(entries, campaign["id"])["granted_fen"] == 300_000
    assert [e["id"] for e in funding_events] == [outcome.event["event_id"]]
    assert funding_events[0]["data"]["amount_fen"] == 300_000
    # The grant is usable as any other: the lead sees it.
    assert rpc.funding.get_grant(LEAD, grant["_id"])["remaining_fen"] == 300_000


def test_registration_is_idempotent_and_versioned(rpc):
    declaration = rpc.applications.get_program("pilot_branches")
    again = rpc.funding.register_program(declaration)
    assert again["created"] is False and again["version"] == declaration["version"]
    changed = dict(declaration, version="v-next", funding=dict(declaration["funding"], tiers=[
        {"code": "key", "name": "重点", "cap_fen": 800_000, "closing_materials": ["closing_report"]}]))
    assert rpc.funding.register_program(changed)["created"] is True
    assert rpc.funding.get_rules("pilot_branches", "v-next")["tiers"][0]["cap_fen"] == 800_000
    assert rpc.funding.get_rules("pilot_branches", declaration["version"])["tiers"][0]["cap_fen"] == 500_000
    assert rpc.funding.register_program(dict(declaration, funding=None))["funding"] is False
    import pytest
    from core.errors import ValidationFailed
    with pytest.raises(ValidationFailed) as bad:
        rpc.funding.register_program(dict(declaration, version="v-bad", funding={"tiers": [{"code": "key"}]}))
    assert "tiers[0].name" in bad.value.message_en
