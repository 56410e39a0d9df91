"""The notifications service's repository over its own MongoDB database.

Collections and the invariants the database keeps:

* ``events``: every event received, ``_id`` = envelope id. A redelivered event finds
  its first copy; ``planned`` (0/1) says whether its deliveries were written (the
  sweep plans again those that were not, e.g. when the directory did not answer).
* ``deliveries``: ``_id`` = the deterministic delivery id (sha256 of event id,
  recipient, channel), so a second insert of the same delivery is a no-op: a person
  is never told twice about one event on one channel. Every change is a conditional
  whole-document replace on ``rev`` (``swap``): of two workers claiming the same
  delivery exactly one wins, and a stale worker's write is refused.
* ``inbox``: ``_id`` = the delivery id (``InboxStore.put`` is idempotent), ``read`` 0/1.
* ``preferences`` (``_id`` = user id), ``subscriptions``, ``templates`` (``_id`` = the
  override key), ``buckets`` (rate-limit token buckets, compare-and-set on ``rev``),
  ``programs`` (display names of registered programs).

Written for the embedded nx-27017 wire server as well as MongoDB (core/mongo.py):
top-level datetimes only through inserts and whole-document replaces, never ``$set``;
flags as 0/1, never booleans; no ``$push`` of sub-documents.
"""
import uuid
from datetime import datetime, timedelta, timezone

from pymongo import ASCENDING, DESCENDING, ReplaceOne
from pymongo.errors import DuplicateKeyError

from core.errors import Conflict, NotFound
from core.mongo import count, insert_new
from core.pacing import Pacer

from .channels.base import InboxStore
from .domain import deliveries as dl
from .domain import rate_limit as rl
from .domain.preferences import default_preferences

SECRET_HIDDEN = "secret"


def _doc(item):
    """A domain document ("id") as stored ("_id")."""
    out = {k: v for k, v in item.items() if k != "id"}
    out["_id"] = item["id"]
    return out


def _item(doc):
    """A stored document as the domain sees it ("id", no queue times)."""
    if doc is None:
        return None
    out = {k: v for k, v in doc.items() if k not in QUEUE_FIELDS}
    out["id"] = doc["_id"]
    return out


QUEUE_FIELDS = ("_id", "due_ts", "due_key", "lease_ts", "plan_due_ts", "swap_token")


def _epoch(moment):
    return dl.utc(moment).timestamp() if moment is not None else None


def _event_doc(envelope, now):
    """A received event as first stored: not planned yet, due for the sweep."""
    return {"_id": envelope["id"], "type": envelope["type"], "envelope": envelope, "received_at": now,
            "planned": 0, "plan_tries": 0, "last_error": None, "deliveries": 0, "rev": 0,
            "plan_due_ts": _epoch(now)}


def _with_queue_times(doc):
    """The delivery with its queue times, epoch-second numbers the sender's timers
    range-scan through an index: ``due_ts`` while it waits (pending/failed; 0 when
    it may go at once), ``lease_ts`` while it is being sent; None otherwise, so that
    delivered and dead deliveries, however many, are never scanned."""
    state = doc.get("state")
    doc["due_ts"] = (_epoch(doc.get("next_attempt_at")) or 0.0) if state in dl.WAITING else None
    doc["due_key"] = _due_key(doc.get("channel"), doc["due_ts"]) if doc["due_ts"] is not None else None
    doc["lease_ts"] = _epoch(doc.get("lease_until")) if state == dl.SENDING else None
    return doc


def _due_key(channel, due_ts):
    """``due_ts`` under its channel, as text that sorts as the time does within a
    channel ("wecom|0001796626036.126268"): the sender asks each channel for what is
    due, and a range over one indexed field serves that on both servers, reading only
    that channel's due deliveries. With the time and the channel apart, a channel with
    nothing due read every other channel's backlog (nx-27017 uses one single-field
    index; MongoDB had no compound index either): 30 ms a call each second per channel
    at 1,000 waiting, growing with the backlog of the channels a rate limit holds back.
    Channel names hold no "|", which sorts after letters and digits, so one channel's
    range holds no other's."""
    return f"{channel}|{due_ts:020.6f}"


class MongoInboxStore(InboxStore):
    """``channels.base.InboxStore`` over the ``inbox`` collection."""

    def __init__(self, collection):
        self.items = collection

    def put(self, item):
        doc = _doc(item)
        doc["read"] = 1 if item.get("read_at") else 0
        try:
            self.items.insert_one(doc)
            return True
        except DuplicateKeyError:
            return False

    def put_many(self, items):
        """``put`` for many items in one unordered insert (``core.mongo.insert_new``):
        an item already there, a delivery sent again after a crash, does not stop the
        others."""
        docs = []
        for item in items:
            doc = _doc(item)
            doc["read"] = 1 if item.get("read_at") else 0
            docs.append(doc)
        new = insert_new(self.items, docs)
        return [doc["_id"] in new for doc in docs]

    def list(self, user_id, unread_only=False, limit=50, before=None, before_id=None):
        """Newest first, in one total order: created_at, then id, both descending. A
        later page starts after the item `before_id` (the last one shown), or else
        before the time `before`; it never skips nor repeats an item, also among
        items stored in the same second (the sender stores a batch at one time).

        nx-27017 compares datetimes in a range query to the second only (sorting is
        exact), so the page's own second is read whole and cut here by the exact
        key; older seconds come from the index."""
        query = {"user_id": user_id}
        if unread_only:
            query["read"] = 0
        sort = [("created_at", DESCENDING), ("_id", DESCENDING)]
        key = None
        if before_id:
            mark = self.items.find_one({"_id": before_id, "user_id": user_id}, {"created_at": 1})
            if mark is None:
                return []
            before, key = mark["created_at"], (mark["created_at"], before_id)
        if before is None:
            found = list(self.items.find(query, sort=sort, limit=limit))
        else:
            second = before.replace(microsecond=0)
            same = [d for d in self.items.find(dict(query, created_at={"$gte": second,
                                                                      "$lt": second + timedelta(seconds=1)}))
                    if ((d["created_at"], d["_id"]) < key if key else d["created_at"] < before)]
            found = same + list(self.items.find(dict(query, created_at={"$lt": second}), sort=sort, limit=limit))
        ordered = sorted(found, key=lambda d: (d["created_at"], d["_id"]), reverse=True)
        return [self._view(d) for d in ordered[:limit]]

    @staticmethod
    def _view(doc):
        item = _item(doc)
        item.pop("read", None)
        return item

    def unread_count(self, user_id):
        return count(self.items, {"user_id": user_id, "read": 0})

    def mark_read(self, user_id, item_ids=None, now=None):
        """Per item, a conditional replace (read_at is a top-level datetime)."""
        now = now or datetime.now(timezone.utc)
        query = {"user_id": user_id, "read": 0}
        if item_ids is not None:
            query["_id"] = {"$in": [str(i) for i in item_ids]}
        changed = 0
        for doc in list(self.items.find(query, limit=5000)):
            new = dict(doc, read=1, read_at=now)
            new.pop("_id")
            done = self.items.replace_one({"_id": doc["_id"], "user_id": user_id, "read": 0}, new)
            changed += done.modified_count
        return changed


class NotificationsStore:
    def __init__(self, db, config):
        self.db = db
        self.config = config
        self.inbox = MongoInboxStore(db.inbox)
        self.sender_pacer = Pacer(idle_max=5.0)
        self.replan_pacer = Pacer(idle_min=10.0, idle_max=30.0)

    def metrics(self):
        """Deliveries waiting (pending or failed, to be retried) and dead (cx_backlog)."""
        return {"deliveries_pending": count(self.db.deliveries, {"state": {"$in": list(dl.WAITING)}}),
                "deliveries_dead": count(self.db.deliveries, {"state": dl.DEAD})}

    def ensure_indexes(self):
        db = self.db
        db.deliveries.create_index([("due_ts", ASCENDING)])
        db.deliveries.create_index([("due_key", ASCENDING)])
        db.deliveries.create_index([("lease_ts", ASCENDING)])
        db.deliveries.create_index([("event_id", ASCENDING)])
        # The admin's delivery lists lead with one of these (nx-27017 uses single-field
        # indexes only); the compound ones serve their sort on MongoDB.
        db.deliveries.create_index([("state", ASCENDING)])
        db.deliveries.create_index([("recipient", ASCENDING)])
        db.deliveries.create_index([("recipient", ASCENDING), ("created_at", DESCENDING)])
        db.deliveries.create_index([("state", ASCENDING), ("dead_at", DESCENDING)])
        db.inbox.create_index([("user_id", ASCENDING)])
        db.inbox.create_index([("user_id", ASCENDING), ("created_at", DESCENDING)])
        db.inbox.create_index([("user_id", ASCENDING), ("read", ASCENDING)])
        db.events.create_index([("plan_due_ts", ASCENDING)])
        db.subscriptions.create_index([("event_types", ASCENDING)])
        db.templates.create_index([("event_type", ASCENDING)])
        self._add_queue_times()

    def _add_queue_times(self):
        """Deliveries and events stored before the queue times existed get them
        (once: afterwards none lacks them)."""
        for doc in self.db.deliveries.find({"due_ts": {"$exists": False}}):
            queued = _with_queue_times(dict(doc))
            self.db.deliveries.update_one({"_id": doc["_id"]}, {"$set": {
                "due_ts": queued["due_ts"], "due_key": queued["due_key"], "lease_ts": queued["lease_ts"]}})
        # waiting deliveries stored before the due key existed (only the waiting ones
        # are read: the range over due_ts holds nothing else)
        for doc in self.db.deliveries.find({"due_ts": {"$gte": 0}}, {"channel": 1, "due_ts": 1, "due_key": 1}):
            if doc.get("due_key") is None:
                self.db.deliveries.update_one({"_id": doc["_id"], "due_ts": doc["due_ts"]},
                                              {"$set": {"due_key": _due_key(doc.get("channel"), doc["due_ts"])}})
        for doc in self.db.events.find({"plan_due_ts": {"$exists": False}}):
            due = None if doc.get("planned") else _epoch(doc.get("received_at")) or 0.0
            self.db.events.update_one({"_id": doc["_id"]}, {"$set": {"plan_due_ts": due}})

    # -- events received ------------------------------------------------------
    def receive_events(self, envelopes, now):
        """Store each envelope as an event unless it is there already, in one insert (and
        one read of those that were): [(stored event doc, True if this is the first
        copy)], in order. The same envelope twice in `envelopes` is first once."""
        docs = [_event_doc(envelope, now) for envelope in envelopes]
        firsts = insert_new(self.db.events, list({d["_id"]: d for d in docs}.values()))
        taken = {d["_id"] for d in docs} - firsts
        stored = {d["_id"]: d for d in self.db.events.find({"_id": {"$in": sorted(taken)}})} if taken else {}
        out = []
        for doc in docs:
            first = doc["_id"] in firsts
            firsts.discard(doc["_id"])            # a second copy in this batch is not first
            out.append((doc if first else stored.get(doc["_id"], doc), first))
        return out

    def finish_events(self, outcomes, now=None):
        """Record the outcome of planning each event, in one write: [(event, planned,
        deliveries, error)]. Each is a whole-document replace (planned_at is a time)
        guarded by the event's ``rev``."""
        ops = []
        for event, planned, deliveries, error in outcomes:
            new = {k: v for k, v in event.items() if k != "_id"}
            new.update(planned=1 if planned else 0, plan_tries=event.get("plan_tries", 0) + 1,
                       last_error=error, deliveries=deliveries, planned_at=now if planned else None,
                       rev=event.get("rev", 0) + 1,
                       plan_due_ts=None if planned else _epoch(event.get("received_at")) or 0.0)
            ops.append(ReplaceOne({"_id": event["_id"], "rev": event.get("rev", 0)}, new))
        if ops:
            self.db.events.bulk_write(ops, ordered=False)

    def unplanned_events(self, older_than, limit=100):
        """Events received before `older_than` whose deliveries are not written yet
        (an indexed range over the unplanned ones only)."""
        return list(self.db.events.find({"plan_due_ts": {"$lt": _epoch(older_than)}},
                                        sort=[("plan_due_ts", ASCENDING)], limit=limit))

    def get_event(self, event_id):
        return self.db.events.find_one({"_id": event_id})

    # -- deliveries -----------------------------------------------------------
    def insert_deliveries(self, deliveries):
        """Insert each new delivery; one already there (same id) is left as it is.
        Returns how many were new."""
        return len(self.insert_new_deliveries(deliveries))

    def insert_new_deliveries(self, deliveries):
        """`insert_deliveries` in one insert, returning the ids of the new ones."""
        created = insert_new(self.db.deliveries,
                             [_with_queue_times(dict(_doc(delivery), rev=0)) for delivery in deliveries])
        if created:
            self.sender_pacer.wake()
        return created

    def get_delivery(self, delivery_id):
        doc = self.db.deliveries.find_one({"_id": delivery_id})
        if doc is None:
            raise NotFound(f"No delivery {delivery_id!r}.", f"投递记录不存在：{delivery_id}", field="delivery_id")
        return _item(doc)

    def swap(self, old, new):
        """Replace ``old`` by ``new`` if nobody changed it meanwhile; the stored
        document (with its new ``rev``) or None when another worker was first
        (``swap_many`` of one)."""
        return self.swap_many([(old, new)])[0]

    def swap_many(self, pairs):
        """Replace each ``old`` by its ``new`` if nobody changed it meanwhile, in one
        round trip (two when another worker changed some of them): [the stored
        document (with its new ``rev``) or None when another worker was first], in
        order. Each replacement carries this call's token, so the ones that took are
        told from another worker's by what is stored, not guessed from a count."""
        if not pairs:
            return []
        token = uuid.uuid4().hex
        ops, docs = [], []
        for old, new in pairs:
            rev = old.get("rev", 0)
            doc = _with_queue_times(_doc(dict(new, rev=rev + 1)))
            doc["swap_token"] = token
            doc_id = doc.pop("_id")
            ops.append(ReplaceOne({"_id": doc_id, "rev": rev}, doc))
            docs.append((doc_id, doc))
        result = self.db.deliveries.bulk_write(ops, ordered=False)
        if result.matched_count == len(ops):
            mine = {doc_id for doc_id, _doc_ in docs}
        else:
            mine = {d["_id"] for d in self.db.deliveries.find(
                {"_id": {"$in": [doc_id for doc_id, _doc_ in docs]}, "swap_token": token}, {"_id": 1})}
        stored = [_item(dict(doc, _id=doc_id)) if doc_id in mine else None for doc_id, doc in docs]
        if any(doc_id in mine and doc.get("due_ts") is not None for doc_id, doc in docs):
            self.sender_pacer.wake()   # replayed, deferred or to be retried: the sender looks again
        return stored

    def due(self, channel, now, limit=50):
        """Waiting deliveries of `channel` whose time has come, earliest first: a
        range over `due_key` (see `_due_key`), reading that channel's due ones only."""
        query = {"due_key": {"$gte": f"{channel}|", "$lte": _due_key(channel, _epoch(now))}}
        return [_item(d) for d in self.db.deliveries.find(query, sort=[("due_key", ASCENDING)], limit=limit)]

    def expired_leases(self, now, limit=100):
        return [_item(d) for d in self.db.deliveries.find({"lease_ts": {"$lte": _epoch(now)}}, limit=limit)]

    def next_due_ts(self):
        """When the sender next has something to do (the earliest due time or lease
        end, epoch seconds), or None when nothing waits."""
        times = []
        for field in ("due_ts", "lease_ts"):
            doc = self.db.deliveries.find_one({field: {"$gte": 0}}, {field: 1}, sort=[(field, ASCENDING)])
            if doc is not None:
                times.append(doc[field])
        return min(times) if times else None

    def find_deliveries(self, event_id=None, state=None, channel=None, recipient=None, event_type=None,
                        limit=100, skip=0):
        query = {k: v for k, v in (("event_id", event_id), ("state", state), ("channel", channel),
                                   ("recipient", recipient), ("event_type", event_type)) if v}
        sort = [("dead_at", DESCENDING)] if state == dl.DEAD else [("created_at", DESCENDING)]
        cursor = self.db.deliveries.find(query, sort=sort + [("_id", ASCENDING)], skip=skip, limit=limit)
        return [_item(d) for d in cursor]

    def count_deliveries(self, **query):
        return count(self.db.deliveries, {k: v for k, v in query.items() if v})

    # -- rate limits ----------------------------------------------------------
    def take_token(self, key, limit, now, tries=5):
        """(taken, seconds until one is there): one token from the shared bucket ``key``,
        compare-and-set so that every worker of every process draws from one bucket."""
        for _ in range(tries):
            doc = self.db.buckets.find_one({"_id": key})
            state = {"tokens": doc["tokens"], "updated_at": doc["updated_at"]} if doc else None
            allowed, new_state, wait = rl.try_acquire(limit, state, now)
            if not allowed:
                return False, wait
            new = {"tokens": new_state["tokens"], "updated_at": new_state["updated_at"]}
            if doc is None:
                try:
                    self.db.buckets.insert_one(dict(new, _id=key, rev=1))
                    return True, 0.0
                except DuplicateKeyError:
                    continue
            if self.db.buckets.replace_one({"_id": key, "rev": doc["rev"]},
                                           dict(new, rev=doc["rev"] + 1)).modified_count == 1:
                return True, 0.0
        return False, 1.0 / limit.rate

    # -- preferences ----------------------------------------------------------
    def preferences(self, user_id):
        doc = self.db.preferences.find_one({"_id": user_id})
        if doc is None:
            return dict(default_preferences(user_id), rev=0)
        doc["user_id"] = doc.pop("_id")
        return doc

    def preferences_for(self, user_ids):
        out = {}
        for doc in self.db.preferences.find({"_id": {"$in": list(user_ids)}}):
            doc["user_id"] = doc.pop("_id")
            out[doc["user_id"]] = doc
        return out

    def save_preferences(self, current, new):
        """Replace the preferences read as ``current`` (rev) by ``new``; Conflict when
        someone saved in between."""
        rev = current.get("rev", 0)
        doc = {k: v for k, v in new.items() if k != "user_id"}
        doc["rev"] = rev + 1
        if rev == 0:
            try:
                self.db.preferences.insert_one(dict(doc, _id=current["user_id"]))
                return dict(doc, user_id=current["user_id"])
            except DuplicateKeyError:
                pass
        elif self.db.preferences.replace_one({"_id": current["user_id"], "rev": rev}, doc).modified_count == 1:
            return dict(doc, user_id=current["user_id"])
        raise Conflict("Your preferences were changed meanwhile; reload and try again.",
                       "通知设置已被修改，请刷新后重试", field="rev")

    # -- subscriptions --------------------------------------------------------
    def put_subscription(self, subscription):
        self.db.subscriptions.replace_one({"_id": subscription["id"]}, _doc(subscription), upsert=True)
        return subscription

    def get_subscription(self, subscription_id):
        doc = self.db.subscriptions.find_one({"_id": subscription_id})
        if doc is None:
            raise NotFound(f"No subscription {subscription_id!r}.", f"订阅不存在：{subscription_id}",
                           field="subscription_id")
        return _item(doc)

    def list_subscriptions(self):
        return [_item(d) for d in self.db.subscriptions.find({}, sort=[("created_at", ASCENDING)])]

    def subscriptions_for_types(self, event_types):
        """{event type: its active subscriptions} for several types in one read
        (``active`` may read back as 0/1)."""
        out = {t: [] for t in event_types}
        for d in self.db.subscriptions.find({"event_types": {"$in": list(event_types)}}):
            if d.get("active"):
                item = _item(d)
                for t in set(item.get("event_types") or ()) & set(out):
                    out[t].append(item)
        return out

    def remove_config_subscriptions(self, keep_ids):
        self.db.subscriptions.delete_many({"origin": "config", "_id": {"$nin": list(keep_ids)}})

    # -- template overrides ---------------------------------------------------
    def put_override(self, override):
        self.db.templates.replace_one({"_id": override["key"]}, dict(override, _id=override["key"]), upsert=True)
        return override

    def delete_override(self, key):
        return self.db.templates.delete_one({"_id": key}).deleted_count

    def overrides(self, event_type=None, program=None):
        query = {k: v for k, v in (("event_type", event_type), ("program", program)) if v}
        return [{k: v for k, v in d.items() if k != "_id"}
                for d in self.db.templates.find(query, sort=[("_id", ASCENDING)])]

    def overrides_for_types(self, event_types):
        """{event type: `overrides(event_type=...)`} for several types in one read."""
        out = {t: [] for t in event_types}
        for d in self.db.templates.find({"event_type": {"$in": list(event_types)}}, sort=[("_id", ASCENDING)]):
            if d.get("event_type") in out:
                out[d["event_type"]].append({k: v for k, v in d.items() if k != "_id"})
        return out

    # -- programs -------------------------------------------------------------
    def register_program(self, declaration, now):
        """Idempotent; keeps the newest registration's display names."""
        doc = {"title_zh": declaration.get("title_zh"), "title_en": declaration.get("title_en"),
               "version": declaration.get("version"), "registered_at": now}
        doc["_id"] = declaration["name"]   # in the replacement too: see core/mongo.py
        result = self.db.programs.replace_one({"_id": declaration["name"]}, doc, upsert=True)
        return result.upserted_id is not None

    def program(self, name):
        return self.db.programs.find_one({"_id": name})
