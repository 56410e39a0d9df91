"""The records service's repository over its own database, ``<prefix>_records``.

Collections: ``facts``, ``awards``, and ``rejected_events`` (award events too
malformed to keep, with the reasons, for an operator to look at).

Guarantees, held by the database rather than by read-then-write:
  * ids are deterministic (see domain/facts.py and domain/awards.py) and ``_id`` is
    unique, so a re-import, a retried request or a redelivered event stores a record
    once; of two concurrent inserts of the same record exactly one succeeds and the
    other becomes an update or a no-op;
  * a record is only ever replaced whole, conditionally on its ``revision`` (no $set
    of top-level times, no $push: nx-27017 round-trips neither); a lost race is
    retried from a fresh read;
  * an unchanged record is not written at all (its ``imported_at`` stays).
"""
from pymongo import ASCENDING, DESCENDING
from pymongo.errors import BulkWriteError, DuplicateKeyError

from core.errors import Conflict
from core.filestore import file_store
from core.jobs import JobStore

CHUNK = 1000
DUPLICATE_KEY = 11000
RETRIES = 5


class RecordsStore:
    def __init__(self, db, config):
        self.db = db
        self.config = config
        self.jobs = JobStore(db.jobs, "records")
        self.files = file_store(config, client=db.client)   # uploaded files (core/filestore.py)

    def ensure_indexes(self):
        self.jobs.ensure_indexes()
        facts, awards = self.db.facts, self.db.awards
        facts.create_index([("subject_id", ASCENDING), ("kind", ASCENDING), ("date", ASCENDING)],
                           name="subject_kind_date")
        facts.create_index([("college_id", ASCENDING), ("kind", ASCENDING)])
        facts.create_index([("school_id", ASCENDING), ("kind", ASCENDING)])
        awards.create_index([("subject_id", ASCENDING), ("program", ASCENDING)], name="subject_program")
        awards.create_index([("member_ids", ASCENDING)])
        awards.create_index([("campaign_id", ASCENDING)])
        awards.create_index([("program", ASCENDING), ("academic_year", ASCENDING)])
        awards.create_index([("college_id", ASCENDING)])

    # -- writes --------------------------------------------------------------
    def put_facts(self, docs, same_content, progress=None):
        """Insert new facts, replace changed ones, leave identical ones alone, CHUNK at
        a time (one read and one insert_many each; `progress(done, total)` after
        each). Returns {"created", "updated", "unchanged"} counts."""
        return self._put_many(self.db.facts, docs, same_content, progress)

    def put_awards(self, docs, same_content):
        """Imported awards, as `put_facts`."""
        return self._put_many(self.db.awards, docs, same_content)

    def add_award(self, doc):
        """An award granted on the platform: stored once (True), a redelivery is a
        no-op (False) — the award of an id never changes."""
        try:
            self.db.awards.insert_one(dict(doc, revision=1))
            return True
        except DuplicateKeyError:
            return False

    def save_program_kind(self, code, program, version, spec, now):
        """A program's fact kind, its newest declaration (replaced whole)."""
        self.db.program_kinds.replace_one({"_id": code}, {"_id": code, "program": program, "version": version,
                                                          "spec": spec, "registered_at": now}, upsert=True)

    def program_kinds(self):
        return list(self.db.program_kinds.find({}))

    def reject_event(self, envelope, problems, now):
        key = str((envelope or {}).get("id") if isinstance(envelope, dict) else None)
        try:
            self.db.rejected_events.insert_one({"_id": key, "envelope": envelope, "problems": problems, "at": now})
        except DuplicateKeyError:
            pass  # a redelivery of the same bad event

    # -- reads ---------------------------------------------------------------
    def find_facts(self, query, newest_first=False, limit=0):
        """Facts matching `query`, oldest first (by date, then id: a stable order)."""
        return self._find(self.db.facts, query, newest_first, limit)

    def find_awards(self, query, newest_first=False, limit=0):
        return self._find(self.db.awards, query, newest_first, limit)

    def get_fact(self, fact_id):
        return self.db.facts.find_one({"_id": fact_id})

    # -- internals -----------------------------------------------------------
    @staticmethod
    def _find(collection, query, newest_first, limit):
        order = DESCENDING if newest_first else ASCENDING
        return list(collection.find(query).sort([("date", order), ("_id", order)]).limit(limit))

    def _put_many(self, collection, docs, same_content, progress=None):
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        report = progress or (lambda done, total: None)
        for start in range(0, len(docs), CHUNK):
            chunk = docs[start:start + CHUNK]
            existing = {d["_id"]: d for d in collection.find({"_id": {"$in": [d["_id"] for d in chunk]}})}
            fresh = [dict(d, revision=1) for d in chunk if d["_id"] not in existing]
            raced = []
            if fresh:
                try:
                    collection.insert_many(fresh, ordered=False)
                    counts["created"] += len(fresh)
                except BulkWriteError as exc:
                    failed = {e["index"] for e in exc.details.get("writeErrors", ()) if e.get("code") == DUPLICATE_KEY}
                    others = [e for e in exc.details.get("writeErrors", ()) if e.get("code") != DUPLICATE_KEY]
                    if others:
                        raise
                    counts["created"] += len(fresh) - len(failed)
                    raced = [chunk_doc for i, chunk_doc in enumerate(fresh) if i in failed]
            for doc in [d for d in chunk if d["_id"] in existing] + raced:
                counts[self._put_one(collection, doc, same_content, existing.get(doc["_id"]))] += 1
            report(start + len(chunk), len(docs))
        return counts

    def _put_one(self, collection, doc, same_content, current=None):
        doc = {k: v for k, v in doc.items() if k != "revision"}
        for _attempt in range(RETRIES):
            if current is None:
                current = collection.find_one({"_id": doc["_id"]})
            if current is None:
                try:
                    collection.insert_one(dict(doc, revision=1))
                    return "created"
                except DuplicateKeyError:
                    continue
            if same_content(current, doc):
                return "unchanged"
            revision = current.get("revision") or 0
            result = collection.replace_one({"_id": doc["_id"], "revision": revision}, dict(doc, revision=revision + 1))
            if result.matched_count == 1:
                return "updated"
            current = None  # someone else changed it: read again
        raise Conflict(f"Record {doc['_id']} kept changing while it was written; try again.",
                       f"记录 {doc['_id']} 正被同时修改，请重试", field="file")
