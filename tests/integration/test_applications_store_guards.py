"""The applications store's guards, directly against the Mongo wire server: a change
cannot overwrite an outbox that is not out yet, and only one finisher claims it."""
import time
from datetime import datetime, timezone

import pytest

from services.applications.store import ApplicationsStore


@pytest.fixture
def store(config, mongo):
    repo = ApplicationsStore(mongo("applications"), config)
    repo.ensure_indexes()
    return repo


def _app(app_id, outbox=None):
    return {"_id": app_id, "campaign_id": "c", "applicant_id": app_id, "state": "draft", "version": 1,
            "outbox": outbox, "outbox_at": datetime.now(timezone.utc) if outbox else None}


def test_a_change_waits_for_the_previous_outbox(store):
    box = {"audit": {"_id": "a1:000001"}, "event": None}
    store.db.applications.insert_one(_app("a1", box))
    now = datetime.now(timezone.utc)
    assert store.apply_change(store.get_application("a1"), {"state": "submitted"}, box, now) is None
    store.outboxes.clear("applications", "a1", box)
    changed = store.apply_change(store.get_application("a1"), {"state": "submitted"}, box, now)
    assert changed["state"] == "submitted" and changed["version"] == 2


def test_one_finisher_claims_an_outbox_and_only_its_own_application(store):
    store.db.applications.insert_one(_app("a1", {"audit": {"_id": "a1:000001"}, "event": None}))
    store.db.applications.insert_one(_app("a2", {"audit": {"_id": "a2:000001"}, "event": None}))
    now, box = time.time(), {"audit": {"_id": "a2:000001"}, "event": None}
    claim = store.outboxes.claim
    assert claim("applications", "a2", box, now, 30) is True
    assert claim("applications", "a2", box, now, 30) is False      # held
    assert store.get_application("a1").get("outbox_claim_ts") is None     # the other one untouched
    assert claim("applications", "a2", box, now + 31, 30) is True   # a dead holder's lease expires
    store.outboxes.release("applications", "a2", box)                  # publishing failed: free at once
    assert claim("applications", "a2", box, now + 32, 30) is True
    assert claim("applications", "a2", {"audit": {"_id": "a2:000009"}}, now + 99, 30) is False  # not its outbox


def test_a_campaign_carries_its_final_list_mark_also_when_the_list_came_first(store):
    """Campaigns whose final list was stored before campaigns carried the mark get it
    when the service starts (ensure_indexes); the mark moves the version once."""
    from services.applications.workflow import campaign_of
    store.db.campaigns.insert_many([{"_id": "c_old", "version": 3}, {"_id": "c_open", "version": 1},
                                    {"_id": "c_new", "version": 1}])
    store.db.final_lists.insert_one({"_id": "c_old", "entries": []})
    assert campaign_of(store, "c_old")["final_listed"] is False   # as stored before
    store.ensure_indexes()
    store.ensure_indexes()
    assert campaign_of(store, "c_old")["final_listed"] is True and store.get_campaign("c_old")["version"] == 4
    assert campaign_of(store, "c_open")["final_listed"] is False and store.get_campaign("c_open")["version"] == 1
    store.mark_final_listed("c_new")
    store.mark_final_listed("c_new")
    assert campaign_of(store, "c_new")["final_listed"] is True and store.get_campaign("c_new")["version"] == 2
