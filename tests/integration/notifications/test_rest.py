"""Rest is rest: with thousands of deliveries in history and nothing due, the sender
asks the database only now and then (core/pacing.py), each time through indexed
ranges over what is due (a channel's due deliveries by their due key). (A new delivery still goes at once: writing it wakes the
sender, as every other test here shows.)"""
import time
from datetime import datetime, timedelta, timezone

import eventlet
import pytest

from tests.integration.command_log import count_commands


@pytest.fixture
def commands(monkeypatch):
    return count_commands(monkeypatch, lambda collection, text: collection not in ("deliveries", "events"))


def test_an_idle_sender_backs_off_and_wakes_for_new_work(commands, platform, mongo):
    db = mongo("notifications")
    for _ in range(200):   # the service has created its indexes
        if "due_ts_1" in db.deliveries.index_information():
            break
        eventlet.sleep(0.05)
    now = datetime.now(timezone.utc)
    history = [{"_id": f"old-{i}", "event_id": f"evt-{i}", "event_type": "application.submitted",
                "recipient": f"p_{i % 300}", "channel": "inbox", "address": f"p_{i % 300}",
                "state": "delivered" if i % 10 else "dead", "attempts": 1, "rev": 1,
                "created_at": now - timedelta(days=30), "next_attempt_at": None, "lease_until": None,
                "due_ts": None, "lease_ts": None} for i in range(3000)]
    db.deliveries.insert_many(history)
    eventlet.sleep(7)   # let it find nothing a few times and back off

    commands.seen.clear()
    started = time.time()
    eventlet.sleep(8)
    idle = [c for c in commands.seen if ".deliveries" in c]
    seconds = time.time() - started
    # Every second per channel (5) and for leases, as before: ~48 in 8 s. Backed off:
    # one look (channels, leases, next due time) every 5 s at the most.
    assert len(idle) <= 2 * 8, (seconds, idle)
    assert all(any(f in c for f in ("due_ts", "due_key", "lease_ts")) for c in idle), idle
