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


def test_role_and_account_trails_old_and_new(http, mongo):
    """A person's role history and the grants log, and an account's history: entries
    stored before core/audit.py's shape (role entries flat, account entries with an
    epoch time and `by` an id) show beside new ones with the same information."""
    target = "p_2023010202"
    ok = http.as_("college_admin_me", "POST", f"/api/people/{target}/roles",
                  json={"role": "dorm_leader", "unit_id": "dorm_me1", "reason": "寝室推选"})
    assert ok.status_code == 201 and ok.json["grant_id"] and ok.json["person_id"] == target
    people = mongo("applications")
    person = people.people.find_one({"_id": target})
    new = person["role_history"][-1]
    assert (new["subject_kind"], new["subject_id"], new["details"]["role"]) == ("person", target, "dorm_leader")
    old = {"_id": f"{target}:000000", "seq": 0, "action": "revoke", "person_id": target, "person_name": "刘洋",
           "grant_id": "g-old", "role": "class_monitor", "unit_id": "dorm_me1",
           "by": new["by"], "at": "2025-09-01T00:00:00.000Z", "reason": "换届"}
    people.people.update_one({"_id": target}, {"$set": {"role_history": [old, new]}})
    people.role_audit.insert_one(dict(old, at_utc=datetime(2025, 9, 1, tzinfo=timezone.utc)))

    page = http.as_("college_admin_me", "GET", f"/api/people/{target}").json
    assert [(e["action"], e["role"], e["label"], e["unit_name"], e["by"]["name"], e["reason"], e["person_id"])
            for e in page["history"]] == [
        ("grant", "dorm_leader", "寝室长", "北苑3号楼301", "郑书记", "寝室推选", target),
        ("revoke", "class_monitor", "班长", "北苑3号楼301", "郑书记", "换届", target)]
    log = http.as_("college_admin_me", "GET", "/api/people/grants").json
    assert [(e["person_id"], e["action"], e["role"], e["at"]) for e in log] == [
        (target, "grant", "dorm_leader", new["at"]), (target, "revoke", "class_monitor", "2025-09-01T00:00:00.000Z")]

    assert http.as_("admin", "PUT", "/api/accounts/p_reviewer/password", json={"password": "Start2026ab"}).status_code == 200
    accounts = mongo("accounts").account_audit
    stored = accounts.find_one({"subject_id": "p_reviewer"})
    assert tuple(stored) == audit.FIELDS and stored["by"]["id"] == "p_admin" and stored["at"].endswith("Z")
    accounts.insert_one({"_id": "aa_old", "person_id": "p_reviewer", "action": "disabled", "by": "p_admin",
                         "at": datetime(2025, 9, 1, tzinfo=timezone.utc).timestamp(), "reason": "离职"})
    history = http.as_("admin", "GET", "/api/accounts/p_reviewer").json["history"]
    assert [(h["action"], h["by"], h["reason"]) for h in history] == [
        ("password_set", history[0]["by"], None), ("disabled", history[0]["by"], "离职")]
    assert history[0]["by"] and history[1]["at"] == "2025-09-01T00:00:00.000Z"


def test_a_campaign_history_old_and_new(rpc, mongo):
    """A campaign's history (edits, withdrawals, window changes) in core/audit.py's
    shape; an entry stored before it (a datetime time, `changes` beside the others)
    reads as it, before the new one."""
    campaign = rpc.applications.open_campaign(ADMIN, campaign_payload())
    rpc.applications.edit_campaign(ADMIN, campaign["id"], {"title": "新标题", "reason": "改名"})
    db = mongo("applications")
    stored = db.campaigns.find_one({"_id": campaign["id"]})
    new = stored["history"][-1]
    assert tuple(new) == audit.FIELDS and new["details"]["changes"] == {"title": "新标题"}
    old = {"seq": 0, "action": "edited", "by": new["by"], "at": datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc),
           "reason": "旧的", "changes": {"title": "旧标题"}}
    db.campaigns.replace_one({"_id": campaign["id"]}, dict(stored, history=[old, new]))
    history = rpc.applications.campaign_history(ADMIN, campaign["id"])
    assert [(h["action"], h["subject_kind"], h["subject_id"], h["at"], h["by"]["id"], h["reason"],
             h["details"]["changes"]) for h in history] == [
        ("edited", "campaign", campaign["id"], "2026-03-01T02:00:00.000Z", ADMIN, "旧的", {"title": "旧标题"}),
        ("edited", "campaign", campaign["id"], new["at"], ADMIN, "改名", {"title": "新标题"})]


def test_the_dashboard_counts_old_and_new_entries_of_the_whole_campaign(rpc, mongo):
    """The campaign dashboard's states per day (applications.campaign_dashboard)
    replay new entries (they name their campaign) and entries stored before they did;
    it counts what the admin's list shows (a draft never submitted is left out) and
    only the campaign's admin may ask."""
    import pytest

    from core.errors import PermissionDenied
    from services.applications.domain.campaign_counts import SHANGHAI
    from tests.integration.helpers import PDF, b64, good_form
    campaign = rpc.applications.open_campaign(ADMIN, campaign_payload())
    app = rpc.applications.create_application(SECRETARY, campaign["id"], {"form": good_form()})
    rpc.applications.add_attachment(SECRETARY, app["id"], "application_form", "a.pdf", b64(PDF))
    rpc.applications.act(SECRETARY, app["id"], {"action": "submit"})
    rpc.applications.create_application("p_2023020101", campaign["id"], {"form": good_form()})   # stays a draft
    db = mongo("applications")
    created = db.audit.find_one({"application_id": app["id"], "action": "create"})
    assert created["campaign_id"] == campaign["id"]
    at = datetime.now(timezone.utc) - timedelta(days=10)
    db.audit.replace_one({"_id": created["_id"]}, {   # as stored before entries named their campaign
        "_id": created["_id"], "application_id": app["id"], "seq": 1, "action": "create", "from": None,
        "to": "draft", "by": created["by"], "at": at, "reason": None})

    counts = rpc.applications.campaign_dashboard(ADMIN, campaign["id"])
    assert [(c["id"], c["total"], c["states"]) for c in counts["by_college"]["colleges"]] == [
        ("college_me", 1, {"submitted": 1})]
    over = counts["over_time"]
    assert over["days"][0] == at.astimezone(SHANGHAI).date().isoformat() and len(over["days"]) == 11
    assert over["series"] == {"draft": [1] * 10 + [0], "submitted": [0] * 10 + [1]}
    with pytest.raises(PermissionDenied):
        rpc.applications.campaign_dashboard(SECRETARY, campaign["id"])

    # Kept until the campaign changes: the kept counts are what a second look gets (a
    # mark put in them shows), and a step taken is counted at once.
    kept = db.dashboards.find_one({"_id": campaign["id"]})
    assert kept["view"] == counts
    db.dashboards.replace_one({"_id": campaign["id"]}, dict(kept, view=dict(counts, marked=True)))
    assert rpc.applications.campaign_dashboard(ADMIN, campaign["id"])["marked"] is True
    rpc.applications.act("p_counselor_me", app["id"], {"action": "college_approve"})
    again = rpc.applications.campaign_dashboard(ADMIN, campaign["id"])
    assert "marked" not in again
    assert [(c["id"], c["states"]) for c in again["by_college"]["colleges"]] == [("college_me", {"college_approved": 1})]
    assert again["over_time"]["series"]["college_approved"][-1] == 1
