"""A burst of events is stored and planned in batches (core/group_commit.py,
intake.receive_many): far fewer database writes than events, every delivery
written once, and an event whose own planning fails waits for the sweep without
holding up the others of its batch."""
import copy

import pytest
from nameko.standalone.events import event_dispatcher

from services.notifications.service import NotificationsService
from tests.integration.command_log import count_commands
from tests.integration.notifications.conftest import wait_for
from tests.integration.notifications.test_redelivery_and_restart import COUNSELOR_ID, SECRETARY_ID, decided_event

BURST = 40


@pytest.fixture
def extra_services():
    return []


@pytest.fixture
def commands(monkeypatch):
    return count_commands(monkeypatch, lambda collection, text: collection != "events")


def test_a_burst_of_events_is_planned_in_batches(config, rpc, mongo, container_factory, commands):
    conf = copy.deepcopy(config)
    conf["NOTIFICATIONS"]["SENDER"].update(enabled=False)        # planning only: nothing sent meanwhile
    container_factory(NotificationsService, conf).start()
    db = mongo("notifications")
    commands.seen.clear()

    dispatch = event_dispatcher(config)
    good = [decided_event() for _ in range(BURST)]
    bad = decided_event()
    bad["data"]["program"] = {"not": "a program name"}          # its own planning fails (no display name)
    for event in good[:BURST // 2] + [bad] + good[BURST // 2:]:
        dispatch("applications", "application.decided", event)

    ids = [e["id"] for e in good]
    wait_for(lambda: db.events.count_documents({"_id": {"$in": ids}, "planned": 1}) == BURST, seconds=60)
    wait_for(lambda: db.events.count_documents({"_id": bad["id"], "plan_tries": {"$gte": 1}}) == 1)
    seen = list(commands.seen)      # (the sweep tries the bad event again later)

    per_event = {}
    for d in db.deliveries.find({"event_id": {"$in": ids + [bad["id"]]}}):
        per_event.setdefault(d["event_id"], []).append((d["recipient"], d["channel"]))
    assert set(per_event) == set(ids)                                   # the bad event has none
    first = sorted(per_event[ids[0]])
    assert {(f"user:{COUNSELOR_ID}", "inbox"), (f"user:{SECRETARY_ID}", "inbox")} <= set(first)
    assert all(sorted(pairs) == first for pairs in per_event.values()), per_event   # each once, none missing
    assert all(e["deliveries"] == len(first) for e in db.events.find({"_id": {"$in": ids}}))

    stored = db.events.find_one({"_id": bad["id"]})
    assert stored["planned"] == 0 and "TypeError" in stored["last_error"]   # kept for the sweep

    inserts = [c for c in seen if c.startswith("insert ")]
    outcomes = [c for c in seen if c.startswith("update ")]
    # One at a time this was an insert and an outcome write per event (41 each).
    assert 1 <= len(inserts) <= (BURST + 1) // 3, inserts
    assert 1 <= len(outcomes) <= (BURST + 1) // 3, outcomes
