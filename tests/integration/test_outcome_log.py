"""The outcome log (core/outcome_log.py) against the Mongo wire server: one finisher
of many concurrent ones publishes, a dead claim lapses after the outbox lease, a
refused publish is released at once for the sweep, the sweep re-applies and drops
what is refused by now, and records written before the log kept `open_ts` still
count."""
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from core import outbox, outcome_log
from core.errors import Conflict
from core.outcome_log import OutcomeLog


@pytest.fixture
def log(mongo):
    records = mongo("outcome_log_test").outbox
    records.drop()
    kept = OutcomeLog(records)
    kept.ensure_indexes()
    return kept


def envelope(n):
    return {"type": "grant.awarded", "id": f"evt-{n}"}


def refused(*_args):
    raise ConnectionRefusedError(111, "ECONNREFUSED")


def test_of_twenty_concurrent_finishers_one_publishes(log):
    assert log.begin("k1", {"n": 1}, {"type": "grant.awarded", "event_id": "evt-1"}) is True
    assert log.begin("k1", {"n": 1}) is False                       # a retry stores nothing
    sent = []
    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(lambda _: outcome_log.finish(log, lambda t, e: sent.append(e["id"]), "k1",
                                                             envelope(1)), range(20)))
    assert sent == ["evt-1"] and results.count(outbox.FINISHED) == 1
    record = log.records.find_one({"_id": "k1"})
    assert record["state"] == "done" and record["open_ts"] is None and record["event_id"] == "evt-1"


def test_a_dead_claim_lapses_after_the_outbox_lease(log):
    log.begin("k2", {"n": 2})
    now = time.time()
    assert log.claim("k2", now) is True                             # then its holder dies
    assert log.claim("k2", now + outbox.LEASE_SECONDS - 1) is False
    assert log.claim("k2", now + outbox.LEASE_SECONDS + 1) is True
    assert log.claim("k2", now + outbox.LEASE_SECONDS + 1) is False  # taken over by one only


def test_a_refused_publish_is_released_at_once_and_the_sweep_publishes(log):
    log.begin("k3", {"n": 3})
    assert outcome_log.finish(log, refused, "k3", envelope(3)) == outbox.PUBLISH_FAILED
    assert log.records.find_one({"_id": "k3"})["state"] == "pending"   # not held for a lease
    applied, sent = [], []
    assert outcome_log.sweep(log, lambda t, e: sent.append(e["id"]), -1, applied.append,
                             lambda data: envelope(data["n"])) == 1
    assert applied == [{"n": 3}] and sent == ["evt-3"]
    assert log.records.find_one({"_id": "k3"})["state"] == "done"
    assert outcome_log.sweep(log, lambda t, e: sent.append(e["id"]), -1, applied.append,
                             lambda data: envelope(data["n"])) == 0


def test_the_sweep_drops_an_outcome_refused_by_now_and_stops_at_a_refusing_broker(log):
    for n in (4, 5, 6):
        log.begin(f"k{n}", {"n": n})

    def reapply(data):
        if data["n"] == 4:
            raise Conflict("changed meanwhile", "已被他人修改")

    assert outcome_log.sweep(log, refused, -1, reapply, lambda data: envelope(data["n"])) == 1
    assert log.records.find_one({"_id": "k4"}) is None               # dropped, nothing of it stands
    assert {r["_id"]: r["state"] for r in log.records.find()} == {"k5": "pending", "k6": "pending"}


def test_an_outcome_without_an_event_is_done_and_a_done_one_is_never_dropped(log):
    log.begin("k7", {"n": 7})
    assert outcome_log.finish(log, refused, "k7", None) == outbox.SKIPPED
    log.drop("k7")
    assert log.records.find_one({"_id": "k7"})["state"] == "done"
    assert log.unfinished(-1) == []


def test_records_stored_before_open_ts_are_swept(log):
    log.records.insert_many([
        {"_id": "old-pending", "state": "pending", "created_ts": 1.0, "outcome": '{"n": 8}'},
        {"_id": "old-done", "state": "done", "created_ts": 1.0, "outcome": '{"n": 9}'}])
    log.ensure_indexes()
    assert log.unfinished(5) == [("old-pending", {"n": 8})]
