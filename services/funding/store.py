"""The funding service's repository over its own MongoDB database.

Collections (every id a string; every time an ISO 8601 UTC string, so nothing relies
on the wire server's datetime handling):

- ``rules``        one per registered program version (``<program>@<version>``)
- ``campaigns``    funding accounts of campaigns (domain/campaigns.py), by campaign id
- ``grants``       one per funded project (domain/grants.py)
- ``claims``       reimbursement claims (domain/claims.py)
- ``ledger``       the append-only ledger: entries are inserted, never updated or deleted;
                   ``_id`` is the entry id derived from its idempotency key, so a replay
                   cannot store an entry twice
- ``audit``        audit records of every change (core/audit.py's shape; deterministic
                   ids ``<outcome key>#<n>``)
- ``attachments``  receipts and closing materials, bytes included
- ``outbox``       every outcome, stored before it is applied (see :meth:`apply`)
- ``requests``     the request log behind Idempotency-Key (see idempotency.py)
- ``jobs``         background jobs (core/jobs.py): batch awards

How an Outcome is applied (domain/outcome.py is the protocol):

1. the outcome is stored in ``outbox`` (state ``pending``) under its key;
2. each GuardedUpdate is judged by ``guards.evaluate`` on the document as read (replay,
   equalities, bounds) and written by ONE ``update_one`` that lands only if the
   document is still at the revision read (``_rev`` compare-and-set), so a budget or a
   grant is never overspent whatever runs concurrently (a lost race re-reads and
   judges again: the typed refusal, e.g. BudgetExceeded with the remaining amount, is
   always about the current state);
3. inserts and ledger entries are inserted with unique ids (duplicates are replays);
4. the event is dispatched by whoever claims the outbox record (``pending`` →
   ``publishing``, one atomic update, so two finishers never both publish), then
   ``done``. A crash anywhere leaves a record the sweeper finishes (every step is
   idempotent). The record's protocol (claim, lease, release, sweep) is core's:
   core/outcome_log.py; `outcomes` is that log over ``outbox``.

Why a revision compare-and-set rather than ``guards.mongo_filter`` (conditions and
``$expr`` bounds in the filter, which is as atomic on a MongoDB replica set): the
embedded wire server nx-27017 0.8.1 evaluates ``$expr`` and array conditions
(``applied_ops: {$ne: key}``) outside its atomic write, so two concurrent writes can
both pass them (measured: 10 of 10 trials let a duplicate through), and it matches
``{field: None}`` only when the field is missing, not when it holds null. An equality
on one scalar field (``_rev``) it does check atomically, and so does MongoDB.
"""
import random
import time

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from core import audit
from core.filestore import file_store
from core.jobs import JobStore
from core.outcome_log import OutcomeLog
from core.errors import ChuangxianError, Conflict, NotFound
from core.idempotency import new_id
from core.pacing import sweep_pacer
from services.funding.domain import guards
from services.funding.domain.outcome import Outcome

COLLECTIONS = {"campaign": "campaigns", "grant": "grants", "claim": "claims"}
_RETRIES = 400          # compare-and-set rounds; one writer wins each round
REV = "_rev"            # revision of a campaign, grant or claim (bumped by every guarded write)


def not_found(what, what_zh, ident, field=None):
    return NotFound(f"No {what} {ident!r}.", f"{what_zh}不存在：{ident}", field=field or f"{what}_id")


def _plain(doc):
    """A stored document as the domain sees it: ``_id`` dropped."""
    if doc is None:
        return None
    doc = dict(doc)
    doc.pop("_id", None)
    return doc


class FundingStore:
    def __init__(self, db, config):
        self.db = db
        self.config = config
        self.sweep_pacer = sweep_pacer(config)
        self.files = file_store(config, client=db.client)   # receipts' and materials' bytes
        self.jobs = JobStore(db.jobs, "funding")             # batch awards (awards.py)
        self.outcomes = OutcomeLog(db.outbox)               # every outcome until its event is out

    def ensure_indexes(self):
        db = self.db
        db.rules.create_index([("program", ASCENDING), ("registered_at", DESCENDING)])
        db.grants.create_index([("campaign_id", ASCENDING), ("college_id", ASCENDING)])
        db.grants.create_index([("lead_id", ASCENDING)])
        db.grants.create_index([("advisor_id", ASCENDING)])
        db.claims.create_index([("grant_id", ASCENDING), ("filed_at", ASCENDING)])
        db.claims.create_index([("status", ASCENDING), ("college_id", ASCENDING)])
        db.claims.create_index([("campaign_id", ASCENDING)])   # a campaign's claims (the workbook)
        db.ledger.create_index([("campaign_id", ASCENDING), ("at", ASCENDING)])
        db.ledger.create_index([("grant_id", ASCENDING), ("at", ASCENDING)])
        db.audit.create_index([("subject_id", ASCENDING), ("at", ASCENDING)])
        db.attachments.create_index([("grant_id", ASCENDING), ("kind", ASCENDING)])
        self.outcomes.ensure_indexes()
        self.jobs.ensure_indexes()

    # -- rules ------------------------------------------------------------
    def save_rules(self, program, version, rules, now_iso):
        """Idempotent: one record per program version. Returns True if new."""
        try:
            self.db.rules.insert_one({"_id": f"{program}@{version}", "program": program,
                                      "version": version, "rules": rules,
                                      "registered_at": now_iso})
            return True
        except DuplicateKeyError:
            return False

    def get_rules(self, program, version=None):
        """``{"program", "version", "rules", "registered_at"}`` or None; the newest
        registration when ``version`` is None."""
        if version is None:
            found = list(self.db.rules.find({"program": program},
                                            sort=[("registered_at", DESCENDING)], limit=1))
            doc = found[0] if found else None
        else:
            doc = self.db.rules.find_one({"_id": f"{program}@{version}"})
        return _plain(doc)

    # -- documents --------------------------------------------------------
    def find(self, kind, doc_id):
        return _plain(self.db[COLLECTIONS[kind]].find_one({"_id": doc_id}))

    def number_notice(self, grant_id, year):
        """Give a grant its 立项通知书 number, the next of the year's counter (shared by
        every campaign), once: a grant numbered already keeps its number. Returns
        the grant."""
        grant = self.find("grant", grant_id)
        if grant is None or grant.get("notice_seq"):
            return grant
        counter = self.db.counters.find_one_and_update({"_id": f"grant_notice:{year}"}, {"$inc": {"seq": 1}},
                                                       upsert=True, return_document=ReturnDocument.AFTER)
        # only if no one numbered it meanwhile (then this number is left unused)
        self.db.grants.update_one({"_id": grant_id, "notice_seq": {"$exists": False}},
                                  {"$set": {"notice_year": year, "notice_seq": int(counter["seq"])}})
        return self.find("grant", grant_id)

    def get(self, kind, doc_id, what, what_zh):
        doc = self.find(kind, doc_id)
        if doc is None:
            raise not_found(what, what_zh, doc_id)
        return doc

    def grants_of_campaign(self, campaign_id):
        return [_plain(g) for g in self.db.grants.find({"campaign_id": campaign_id},
                                                       sort=[("_id", ASCENDING)])]

    def grants_where(self, query, limit=2000):
        return [_plain(g) for g in self.db.grants.find(query, sort=[("_id", ASCENDING)],
                                                       limit=limit)]

    def claims_of(self, grant_id):
        return [_plain(c) for c in self.db.claims.find({"grant_id": grant_id},
                                                       sort=[("filed_at", ASCENDING),
                                                             ("_id", ASCENDING)])]

    def claims_where(self, query, limit=500):
        return [_plain(c) for c in self.db.claims.find(query, sort=[("filed_at", ASCENDING),
                                                                    ("_id", ASCENDING)],
                                                       limit=limit)]

    def claims_using_receipts(self, receipt_ids, except_claim=None):
        """Live claims (not rejected or withdrawn) that list any of ``receipt_ids``."""
        query = {"receipts": {"$in": list(receipt_ids)},
                 "status": {"$nin": ["rejected", "withdrawn"]}}
        return [c for c in self.claims_where(query) if c["id"] != except_claim]

    def ledger_entries(self, **query):
        return [_plain(e) for e in self.db.ledger.find(query, sort=[("at", ASCENDING),
                                                                    ("_id", ASCENDING)])]

    def audit_of(self, subject_id):
        """The trail of a campaign, grant or claim, oldest first, in core/audit.py's
        shape; records stored before it named their subject `subject` (an index on it
        was made then)."""
        found = [*self.db.audit.find({"subject_id": subject_id}), *self.db.audit.find({"subject": subject_id})]
        return [audit.view(a) for a in audit.in_order(found)]

    # -- attachments ------------------------------------------------------
    def add_attachment(self, grant, meta, data, max_count, now_iso, attachment_id=None):
        """Store the bytes in the file store (core/filestore.py; content-addressed) and
        the attachment with their `file_id`, then take a slot of the kind's count on the
        grant with one conditional increment (only while the grant is active); a lost
        race for the last slot removes the attachment again and returns None. A second
        upload under the same `attachment_id` (a concurrent retry) returns the first."""
        file_id = self.files.put(data)["file_id"]
        doc = dict(meta, _id=attachment_id or new_id("fatt"), grant_id=grant["id"], file_id=file_id,
                   uploaded_at=now_iso)
        try:
            self.db.attachments.insert_one(doc)
        except DuplicateKeyError:
            return self.get_attachment(grant["id"], doc["_id"])
        taken = self.db.grants.update_one(
            # $or inside $and: nx-27017 applies a top-level $or beside _id to the
            # first document matching the $or alone (core/mongo.py).
            {"$and": [{"_id": grant["id"], "status": "active"},
                      {"$or": [{f"attachment_counts.{meta['kind']}": {"$exists": False}},
                               {f"attachment_counts.{meta['kind']}": {"$lt": max_count}}]}]},
            {"$inc": {f"attachment_counts.{meta['kind']}": 1}})
        if taken.matched_count != 1:
            self.db.attachments.delete_one({"_id": doc["_id"]})
            return None
        return _plain(doc) | {"id": doc["_id"]}

    def list_attachments(self, grant_id, kind=None):
        query = {"grant_id": grant_id, **({"kind": kind} if kind else {})}
        return [_plain(a) | {"id": a["_id"]}
                for a in self.db.attachments.find(query, {"data": 0},
                                                  sort=[("uploaded_at", ASCENDING), ("_id", ASCENDING)])]

    def get_attachment(self, grant_id, attachment_id, with_data=False):
        projection = None if with_data else {"data": 0}
        doc = self.db.attachments.find_one({"_id": attachment_id, "grant_id": grant_id}, projection)
        if not doc:
            raise not_found("attachment", "附件", attachment_id)
        return _plain(doc) | {"id": doc["_id"]}

    def attachments_anywhere(self, ids):
        """{id: attachment (no bytes)} of the given ids, whatever their grant: one
        query for the receipts of a page of claims."""
        if not ids:
            return {}
        return {a["_id"]: _plain(a) | {"id": a["_id"]}
                for a in self.db.attachments.find({"_id": {"$in": sorted(set(ids))}}, {"data": 0})}

    def attachments_by_id(self, grant_id, ids):
        return {a["_id"]: _plain(a) | {"id": a["_id"]}
                for a in self.db.attachments.find({"_id": {"$in": list(ids)}, "grant_id": grant_id},
                                                  {"data": 0})}

    # -- the request log (Idempotency-Key) -------------------------------
    def find_request(self, request_id):
        return self.db.requests.find_one({"_id": request_id})

    def save_request(self, record):
        try:
            self.db.requests.insert_one(record)
        except DuplicateKeyError:
            pass  # a concurrent identical retry logged it first

    # -- applying outcomes ------------------------------------------------
    def begin(self, outcome):
        """Store the outcome (step 0) in the outcome log. Returns True if this call stored it."""
        return self.outcomes.begin(outcome.key, outcome.to_dict(), outcome.event)

    def apply(self, outcome):
        """Apply an outcome (see module docstring); raises the typed refusal of its
        first update, after its compensations, leaving nothing behind. Returns
        ``outcome.result``. A replay (``outcome.replay``) changes nothing."""
        if outcome.replay:
            return outcome.result
        owner = self.begin(outcome)
        try:
            self.apply_steps(outcome)
        except ChuangxianError:
            # refused (budget, state, concurrent change): compensated, nothing to finish
            if owner:
                self.outcomes.drop(outcome.key)
            raise
        # any other failure (the database went away half-way) leaves the record for
        # the sweeper, which finishes the outcome
        return outcome.result

    def apply_steps(self, outcome):
        """Steps 1-3 of an outcome already in the outbox (the sweeper calls this)."""
        applied = False
        for update in outcome.updates:
            try:
                applied = self._guarded(update) or applied
            except Exception:
                if applied:
                    for comp in outcome.compensations:
                        self._guarded(comp)
                raise
        for kind, doc in outcome.inserts:
            try:
                self.db[COLLECTIONS[kind]].insert_one(dict(doc, _id=doc["id"], **{REV: 0}))
            except DuplicateKeyError:
                pass  # a replay: the document is there already
        for entry in outcome.entries:
            try:
                self.db.ledger.insert_one(dict(entry, _id=entry["id"]))
            except DuplicateKeyError:
                pass  # the same entry (same idempotency key) is booked once
        for i, record in enumerate(outcome.audit):
            shaped = audit.read(record)   # an outcome stored before core/audit.py's shape too
            if shaped["subject_id"] is None:   # such an old record of a claim's filing names none
                shaped["subject_kind"], shaped["subject_id"] = "claim", (outcome.result or {}).get("id")
            try:
                self.db.audit.insert_one(dict(shaped, _id=f"{outcome.key}#{i}"))
            except DuplicateKeyError:
                pass

    def _guarded(self, update):
        """One conditional write. True if applied now, False if it was a replay.

        The guard is judged on the document as read (guards.evaluate: replay,
        equalities, bounds), and the write only lands if the document is still at
        that revision (``_rev``, a compare-and-set every guarded write bumps); a lost
        race re-reads and judges again. So the bound always holds on exactly the
        state the write replaces. (A plain equality on a scalar is the one condition
        the embedded wire server checks atomically; it evaluates ``$expr`` and array
        conditions outside its write, see tests/integration/funding.)"""
        coll = self.db[COLLECTIONS[update.doc]]
        body = guards.mongo_update(update)
        body["$inc"] = {**body.get("$inc", {}), REV: 1}
        for attempt in range(_RETRIES):
            doc = coll.find_one({"_id": update.id})
            verdict = guards.evaluate(update, _plain(doc))
            if verdict == "replay":
                return False
            if verdict != "apply":
                raise verdict
            if coll.update_one({"_id": update.id, REV: {"$eq": doc.get(REV)}}, body).matched_count == 1:
                return True
            time.sleep(random.uniform(0, 0.002 * min(attempt + 1, 20)))  # back off, then re-judge
        raise Conflict("the record kept changing; try again", "记录频繁变动，请重试",
                       field=f"{update.doc}_id")
