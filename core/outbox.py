"""The transactional outbox kept inside the changed document: one protocol for every
service that embeds it (applications, the notice lifecycle, scoring). A change that
writes several documents keeps its outbox as a log of outcomes instead, by the same
protocol and lease: core/outcome_log.py (funding). Audit entries have core/audit.py's
shape.

A change writes, in the same insert or conditional replace as the change itself,
``outbox`` and ``outbox_ts`` (when, for the sweep: `stamp`) into the document it changes. The
outbox holds the change's audit entries, its events and, optionally, a follow-up
(``then``) that must run before the events go out. Two shapes are read:

- ``{"token": t, "audit": [entries], "events": [envelopes], "then": ...}``;
- ``{"audit": entry, "event": envelope or None}``: one entry, whose id is the token
  (a bulk write may add a ``token`` of its own; it is not the claim's).

Guarantees of :func:`finish`:

- one finisher at a time: it claims the outbox first (``outbox_claim_ts``); a claim
  older than LEASE_SECONDS (its holder died) may be taken over. A writer may take
  the claim in the very write that makes the outbox (``outbox_claim_ts`` set beside
  it, see :func:`born_claimed`) and finish with ``claimed=True``: one command fewer
  per change, the same exclusion (the sweep then takes over a dead writer's outbox
  after the lease instead of after its own delay);
- audit entries are recorded once however often it runs (their ids are fixed when
  the change is made);
- events are published at least once, with ids fixed when the change was made, so
  subscribers de-duplicate on the envelope id;
- when the broker is out of reach the change stands and the caller is answered: the
  claim is released at once (not held for a lease) and the outbox left for the
  sweep, which publishes within seconds of the broker's return.
"""
import logging
import time

from pymongo import ASCENDING

from core.mongo import insert_new

log = logging.getLogger(__name__)

# A finisher records a few audit entries and publishes a few events: milliseconds.
# A claim older than this is its dead holder's (e.g. the process that made the
# change was killed before finishing) and another may take it over. Short, because
# the next change of the same document waits for the outbox to be out; safe,
# because a second finisher records nothing twice (fixed audit ids) and republishes
# only events whose ids subscribers de-duplicate on.
LEASE_SECONDS = 5
FINISHED = "finished"
SKIPPED = "skipped"              # no outbox, or another finisher holds it
PUBLISH_FAILED = "publish_failed"  # the events could not go out; the sweep retries
_CLEARED = {"outbox": "", "outbox_ts": "", "outbox_at": "", "outbox_claim_ts": ""}   # outbox_at: before stamp


def parts(box):
    """(token path, token, audit entries, events, follow-up) of an outbox of either shape
    (told apart by its audit: a list, or one entry whose id is the token)."""
    if isinstance(box.get("audit"), list):
        return "outbox.token", box["token"], list(box["audit"]), list(box.get("events") or []), box.get("then")
    event = box.get("event")
    return "outbox.audit._id", box["audit"]["_id"], [box["audit"]], [event] if event else [], None


class Outboxes:
    """The store side: outboxes in the collections of `db`, audit entries into
    `db[audit_collection]` (append-only, deterministic ids)."""

    def __init__(self, db, audit_collection="audit"):
        self.db = db
        self.audit = db[audit_collection]

    def claim(self, collection, doc_id, box, now_ts, lease_seconds=LEASE_SECONDS):
        """The right to finish `box`; True if taken. The claim time is epoch seconds, a
        number every Mongo server stores as such."""
        path, token = parts(box)[:2]
        claimed = self.db[collection].update_one(
            # $or inside $and: see core/mongo.py (nx-27017 update with _id beside $or).
            {"$and": [{"_id": doc_id, path: token},
                      {"$or": [{"outbox_claim_ts": {"$exists": False}}, {"outbox_claim_ts": None},
                               {"outbox_claim_ts": {"$lt": now_ts - lease_seconds}}]}]},
            {"$set": {"outbox_claim_ts": now_ts}})
        return claimed.modified_count == 1

    def release(self, collection, doc_id, box):
        """Give up a claim (publishing failed), so the next sweep finishes the outbox."""
        path, token = parts(box)[:2]
        self.db[collection].update_one({"_id": doc_id, path: token}, {"$set": {"outbox_claim_ts": None}})

    def clear(self, collection, doc_id, box):
        """Remove `box` (only that one: a newer change's outbox stays)."""
        path, token = parts(box)[:2]
        self.db[collection].update_one({"_id": doc_id, path: token}, {"$unset": _CLEARED})

    def clear_many(self, collection, doc_ids):
        self.db[collection].update_many({"_id": {"$in": list(doc_ids)}}, {"$unset": _CLEARED})

    def record(self, entries):
        """Record audit entries in one round trip, each once however often."""
        insert_new(self.audit, list(entries))

    def stale(self, collection, older_than, limit=200):
        """Documents of `collection` whose outbox was written before `older_than` (a
        datetime or epoch seconds): an indexed range over the pending outboxes only,
        however many finished documents the collection holds."""
        before = older_than.timestamp() if hasattr(older_than, "timestamp") else float(older_than)
        return list(self.db[collection].find({"outbox_ts": {"$lt": before}}, limit=limit))

    def ensure_sweep_index(self, collection):
        """The index `stale` ranges over. Outboxes written before `stamp` existed (a
        datetime ``outbox_at``, pending when the service was upgraded) get their
        ``outbox_ts``, so the sweep still finishes them (a one-off scan at start)."""
        coll = self.db[collection]
        coll.create_index([("outbox_ts", ASCENDING)])
        for doc in coll.find({"outbox_at": {"$exists": True}, "outbox_ts": {"$exists": False}},
                             {"outbox_at": 1}):
            if hasattr(doc.get("outbox_at"), "timestamp"):
                coll.update_one({"_id": doc["_id"], "outbox_at": doc["outbox_at"]},
                                {"$set": {"outbox_ts": doc["outbox_at"].timestamp()}})


def stamp(now):
    """The field a change writes beside its new outbox: when, as epoch seconds. A
    number, because the sweep's range query must be served by the index on every
    server: nx-27017 compares datetimes outside its index (on 100,000 documents a
    datetime range took 280-690 ms, the same range over numbers 6-17 ms)."""
    return {"outbox_ts": now.timestamp() if hasattr(now, "timestamp") else float(now)}


def born_claimed(now_ts):
    """The fields a write adds beside a new outbox to hold its claim from the start
    (epoch seconds, like `Outboxes.claim`); its writer then calls `finish(...,
    claimed=True)` with the document as written."""
    return {"outbox_claim_ts": now_ts}


def finish(outboxes, dispatch, collection, doc, follow_up=None, claimed=False):
    """Finish `doc`'s outbox (see the module's guarantees). `follow_up(doc, then)` runs
    before the events go out and must be idempotent. `claimed`: the caller wrote this
    outbox with `born_claimed` and `doc` is what that write returned, so the claim is
    already its own. Returns FINISHED, SKIPPED or PUBLISH_FAILED."""
    box = (doc or {}).get("outbox")
    if not box:
        return SKIPPED
    if not claimed and not outboxes.claim(collection, doc["_id"], box, time.time()):
        return SKIPPED
    _, _, audit, events, then = parts(box)
    outboxes.record(audit)
    if then and follow_up is not None:
        follow_up(doc, then)
    try:
        for event in events:
            dispatch(event["type"], event)
    except Exception as exc:  # noqa: BLE001 - the broker is out of reach: the sweep publishes them later
        log.warning("events of %s %s not published (%s); the outbox sweep publishes them", collection, doc["_id"], exc)
        outboxes.release(collection, doc["_id"], box)
        return PUBLISH_FAILED
    outboxes.clear(collection, doc["_id"], box)
    return FINISHED


def finish_many(outboxes, dispatch, collection, docs):
    """`finish` for documents this worker has just changed (a bulk decision): their
    audit entries in one insert, their events, their outboxes cleared in one update.
    No claim: a fresh outbox is the sweep's only after its delay, and if the sweep
    does take one over, entries are still recorded once and events at least once.
    Returns FINISHED, SKIPPED (nothing boxed) or PUBLISH_FAILED (outboxes left for
    the sweep)."""
    boxed = [doc for doc in docs if doc.get("outbox")]
    if not boxed:
        return SKIPPED
    outboxes.record([entry for doc in boxed for entry in parts(doc["outbox"])[2]])
    try:
        for doc in boxed:
            for event in parts(doc["outbox"])[3]:
                dispatch(event["type"], event)
    except Exception as exc:  # noqa: BLE001 - see finish
        log.warning("events of %d %s not all published (%s); the outbox sweep publishes them", len(boxed),
                    collection, exc)
        return PUBLISH_FAILED
    outboxes.clear_many(collection, [doc["_id"] for doc in boxed])
    return FINISHED


def sweep(outboxes, dispatch, collections, older_than, finisher=None):
    """Finish every outbox older than `older_than` in `collections`; returns how many
    documents it took up. It stops at the first PUBLISH_FAILED: with the broker down,
    the next sweep tries again rather than each document in turn. `finisher(collection,
    doc)` replaces plain `finish` where a collection needs its follow-up."""
    taken = 0
    for collection in collections:
        for doc in outboxes.stale(collection, older_than):
            taken += 1
            outcome = finisher(collection, doc) if finisher else finish(outboxes, dispatch, collection, doc)
            if outcome == PUBLISH_FAILED:
                return taken
    return taken
