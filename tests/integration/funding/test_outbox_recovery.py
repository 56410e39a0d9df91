"""A crash between an outcome's first write and its event: the outbox sweep (a timer of
the service) finishes it — the rest is applied once, the event published once."""
from datetime import datetime, timezone

import eventlet

from services.funding.domain import grants, ledger
from services.funding.store import FundingStore

from .conftest import ADVISOR, LEAD, approved_application, new_campaign, open_budget, wait_until


def award_outcome(store, campaign, app):
    """The outcome of the school admin awarding `app` a key-tier grant of 3,000 yuan,
    as the service computes it before its first write."""
    camp = store.find("campaign", campaign["id"])
    rules = store.get_rules("pilot_branches", campaign["program_version"])["rules"]
    project = {"id": app["id"], "campaign_id": campaign["id"], "college_id": "college_me", "title": "先锋领航",
               "lead_id": LEAD, "advisor_id": ADVISOR, "status": "approved"}
    admin = {"id": "p_admin", "name": "校学工部管理员", "roles": [{"role": "school_admin", "unit_id": "school_demo"}]}
    return grants.award_grant(camp, rules, project, {"tier": "key", "amount_fen": 300_000}, admin,
                              datetime.now(timezone.utc))


def test_the_sweep_finishes_an_award_cut_short_after_its_first_write(rpc, mongo, config, funding_events):
    campaign = new_campaign(rpc)
    app = approved_application(rpc, campaign["id"], LEAD)
    open_budget(rpc, campaign["id"], budget_yuan="10000")
    db = mongo("funding")
    store = FundingStore(db, config)
    outcome = award_outcome(store, campaign, app)

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


def test_the_audit_trail_is_of_the_one_shape_and_reads_older_records(rpc, mongo, config):
    """A change's audit records are stored in core/audit.py's shape, also one finished by
    the sweep from an outcome stored before that shape; records stored before it
    (`subject`, `actor`) read as it, in time order."""
    campaign = new_campaign(rpc)
    app = approved_application(rpc, campaign["id"], LEAD)
    open_budget(rpc, campaign["id"], budget_yuan="10000")
    db = mongo("funding")
    store = FundingStore(db, config)
    stored = db.audit.find_one({"subject_id": campaign["id"]})
    assert (stored["subject_kind"], stored["action"], stored["campaign_id"]) == ("campaign", "open_campaign",
                                                                               campaign["id"])
    assert stored["details"]["budget_fen"] == 1_000_000 and stored["at"].endswith("Z")

    outcome = award_outcome(store, campaign, app)
    new = outcome.audit[0]
    # The outcome as the service stored it before the shape, left for the sweep.
    outcome.audit = [{"at": new["at"], "actor": new["by"], "action": "award_grant", "grant_id": new["subject_id"],
                      "reason": None, **new["details"]}]
    assert store.begin(outcome)
    db.outbox.update_one({"_id": outcome.key}, {"$set": {"open_ts": 0}})
    grant_id = grants.grant_id_for(app["id"])
    db.audit.insert_one({"_id": "old#0", "subject": grant_id, "at": "2026-01-01T00:00:00.000Z", "actor": new["by"],
                         "action": "submit_material", "grant_id": grant_id, "kind": "closing_report", "value": "v"})
    assert wait_until(lambda: db.outbox.find_one({"_id": outcome.key})["state"] == "done", seconds=15)

    trail = store.audit_of(grant_id)
    assert [(e["id"], e["subject_kind"], e["subject_id"], e["action"], e["by"]["id"]) for e in trail] == [
        ("old#0", "grant", grant_id, "submit_material", "p_admin"),
        (f"{outcome.key}#0", "grant", grant_id, "award_grant", "p_admin")]
    assert trail[0]["details"] == {"grant_id": grant_id, "kind": "closing_report", "value": "v"}
    assert trail[1]["details"]["amount_fen"] == 300_000 and trail[1]["at"] == new["at"]
