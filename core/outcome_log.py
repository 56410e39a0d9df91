"""The outbox kept as a log of outcomes: the variant of core/outbox.py for a change
that writes several documents (funding: a budget, a grant, a claim, ledger entries),
where no one document can carry the outbox.

A change is stored here first, whole, under its key (the idempotency key of the
command), before its first write; the service then applies it step by step (every
step idempotent) and :func:`finish` publishes its event. A record is ``pending``
until its event is out, ``publishing`` while a finisher holds it, ``done`` after.

The protocol is core/outbox.py's, with its LEASE_SECONDS:

- one finisher at a time: it claims the record first (``pending`` → ``publishing``,
  one atomic update); a claim older than LEASE_SECONDS (its holder died) may be
  taken over, so two live finishers never both publish;
- the event is published at least once; its envelope id is derived from the
  command's idempotency key, so the one duplicate a crash can cause (published, then
  died before ``done``) de-duplicates downstream on the envelope id;
- when the broker is out of reach the change stands and the caller is answered: the
  claim is released at once (back to ``pending``) and :func:`sweep` publishes later;
- :func:`sweep` takes up every record left open for longer than its delay,
  re-applies it (idempotent step by step) and finishes it, so no event is lost to a
  crash; one whose first write is refused by now (the request failed) is dropped.
"""
import json
import logging
import time

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from core.errors import ChuangxianError
from core.outbox import FINISHED, LEASE_SECONDS, PUBLISH_FAILED, SKIPPED

log = logging.getLogger(__name__)

PENDING, PUBLISHING, DONE = "pending", "publishing", "done"


class OutcomeLog:
    """The store side: one record per outcome in `records` (a collection), ``open_ts``
    (epoch seconds) set while it is not done, so the sweep range-scans the open ones
    only however many are done. The outcome is kept as JSON text: nested lists of
    sub-documents come back exactly as written on every Mongo server."""

    def __init__(self, records):
        self.records = records

    def ensure_indexes(self):
        self.records.create_index([("open_ts", ASCENDING)])
        # Records stored before `open_ts` existed get it once (afterwards none lacks it).
        for record in self.records.find({"open_ts": {"$exists": False}}, {"state": 1, "created_ts": 1}):
            self.records.update_one({"_id": record["_id"]}, {"$set": {
                "open_ts": None if record.get("state") == DONE else record.get("created_ts", 0.0)}})

    def begin(self, key, outcome, event=None):
        """Store `outcome` (a JSON-able dict) as ``pending`` under `key`; True if this
        call stored it, False if it was there already (a replay or a concurrent retry)."""
        now = time.time()
        try:
            self.records.insert_one({
                "_id": key, "state": PENDING, "created_ts": now, "open_ts": now,
                "outcome": json.dumps(outcome, ensure_ascii=False),
                "event_type": (event or {}).get("type"), "event_id": (event or {}).get("event_id")})
            return True
        except DuplicateKeyError:
            return False

    def claim(self, key, now_ts, lease_seconds=LEASE_SECONDS):
        """The right to publish the outcome's event; True for exactly one caller, or again
        once a claim is older than the lease. Compare-and-sets on scalar fields only,
        which the wire server checks atomically (core/mongo.py)."""
        taken = self.records.update_one({"_id": key, "state": PENDING},
                                        {"$set": {"state": PUBLISHING, "claimed_ts": now_ts}})
        if taken.matched_count == 1:
            return True
        record = self.records.find_one({"_id": key})
        held = (record or {}).get("claimed_ts", now_ts)
        if not record or record["state"] != PUBLISHING or held >= now_ts - lease_seconds:
            return False
        taken = self.records.update_one({"_id": key, "state": PUBLISHING, "claimed_ts": held},
                                        {"$set": {"claimed_ts": now_ts}})
        return taken.matched_count == 1

    def release(self, key):
        """Give up a claim (publishing failed): back to pending, so the next sweep finishes it."""
        self.records.update_one({"_id": key, "state": PUBLISHING}, {"$set": {"state": PENDING}})

    def done(self, key):
        self.records.update_one({"_id": key}, {"$set": {"state": DONE, "done_ts": time.time(), "open_ts": None}})

    def drop(self, key):
        """Remove a record still pending: its outcome was refused, nothing of it stands."""
        self.records.delete_one({"_id": key, "state": PENDING})

    def unfinished(self, older_than_s, limit=200, lease_seconds=LEASE_SECONDS):
        """(key, outcome) of the records a crash may have cut short: pending for longer
        than `older_than_s` seconds, or publishing under a claim older than the lease."""
        now = time.time()
        records = self.records.find({"open_ts": {"$lt": now - older_than_s}}, sort=[("open_ts", ASCENDING)],
                                    limit=limit)
        return [(r["_id"], json.loads(r["outcome"])) for r in records
                if r["state"] == PENDING
                or (r["state"] == PUBLISHING and r.get("claimed_ts", now) < now - lease_seconds)]


def finish(outcomes, dispatch, key, envelope):
    """Publish `envelope` (None: the outcome has no event) if this caller wins the
    record's claim, then mark it done. Returns FINISHED, SKIPPED (no event, or another
    finisher holds it) or PUBLISH_FAILED (released for the sweep)."""
    if envelope is None:
        outcomes.done(key)
        return SKIPPED
    if not outcomes.claim(key, time.time()):
        return SKIPPED
    try:
        dispatch(envelope["type"], envelope)
    except Exception as exc:  # noqa: BLE001 - the change stands; the sweep publishes later
        log.warning("event %s of outcome %s not published (%s); the outbox sweep publishes it",
                    envelope["type"], key, exc)
        outcomes.release(key)
        return PUBLISH_FAILED
    outcomes.done(key)
    return FINISHED


def sweep(outcomes, dispatch, older_than_s, reapply, envelope_of):
    """Finish every outcome a crash cut short; returns how many it took up.
    `reapply(outcome)` applies what is missing (idempotent; raises the typed refusal
    of a first write refused by now, and that record is dropped); `envelope_of(outcome)`
    is its event's envelope or None. Stops at the first PUBLISH_FAILED: with the broker
    down, the next sweep tries again rather than each record in turn."""
    taken = 0
    for key, outcome in outcomes.unfinished(older_than_s):
        try:
            reapply(outcome)
        except ChuangxianError as exc:
            log.info("outcome %s refused on sweep (%s); dropped", key, exc)
            outcomes.drop(key)
            continue
        taken += 1
        if finish(outcomes, dispatch, key, envelope_of(outcome)) == PUBLISH_FAILED:
            return taken
    return taken
