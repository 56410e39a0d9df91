"""An application's trail in core/audit.py's one shape, also where its older entries
were stored in the shape before it (a running university's database): they read as
the new ones, in order, their time as text, and an idempotency key kept only in an old
entry still makes a retry of that step a replay."""
from datetime import datetime, timedelta, timezone

from core import audit
from tests.integration.helpers import campaign_payload

SECRETARY = "p_2023010101"
ADMIN = "p_admin"


def test_an_application_trail_old_and_new_reads_as_one_shape(rpc, mongo):
    campaign = rpc.applications.open_campaign(ADMIN, campaign_payload())
    draft = rpc.applications.create_application(SECRETARY, campaign["id"], {"form": {"title": "先锋领航"}}, "k-old")
    db = mongo("applications")
    new = db.audit.find_one({"application_id": draft["id"]})
    assert tuple(new) == audit.FIELDS and isinstance(new["at"], str) and new["campaign_id"] == campaign["id"]
    assert new["details"] == {"idempotency_key": "k-old"}

    # Make it look as stored before the shape: the creation's entry and an edit with
    # a key (as the old service wrote them), the application without `step_keys`.
    at = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)
    by = new["by"]
    db.audit.delete_many({"application_id": draft["id"]})
    db.audit.insert_many([
        {"_id": f"{draft['id']}:000001", "application_id": draft["id"], "seq": 1, "action": "create", "from": None,
         "to": "draft", "by": by, "at": at, "reason": None, "idempotency_key": "k-old"},
        {"_id": f"{draft['id']}:000002", "application_id": draft["id"], "seq": 2, "action": "withdraw",
         "from": "draft", "to": "withdrawn", "by": by, "at": at + timedelta(minutes=5), "reason": None,
         "idempotency_key": "k-withdraw"}])
    db.applications.update_one({"_id": draft["id"]}, {"$set": {"state": "withdrawn", "version": 2},
                                                      "$unset": {"step_keys": ""}})

    # The retry of the old keyed step is a replay, read from the old entry's key.
    again = rpc.applications.act(SECRETARY, draft["id"], {"action": "withdraw"}, "k-withdraw")
    assert again["state"] == "withdrawn" and again["version"] == 2
    reopened = rpc.applications.act(SECRETARY, draft["id"], {"action": "reopen"}, "k-reopen")
    assert reopened["state"] == "draft"

    trail = rpc.applications.audit_trail(SECRETARY, draft["id"])
    assert [(e["action"], e["from"], e["to"], e["at"]) for e in trail] == [
        ("create", None, "draft", "2026-03-01T02:00:00.000Z"),
        ("withdraw", "draft", "withdrawn", "2026-03-01T02:05:00.000Z"),
        ("reopen", "withdrawn", "draft", trail[2]["at"])]
    assert all(set(e) == set(audit.FIELDS) - {"_id"} | {"id"} for e in trail)
    assert {(e["subject_kind"], e["subject_id"], e["by"]["id"]) for e in trail} == {
        ("application", draft["id"], SECRETARY)}
    assert trail[1]["details"] == {"idempotency_key": "k-withdraw"} and trail[2]["details"] == {
        "idempotency_key": "k-reopen"}
    assert trail[2]["at"] > trail[1]["at"] and trail[2]["campaign_id"] == campaign["id"]
