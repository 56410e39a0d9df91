"""The repository of what follows the decision, in the applications database:
public notices (公示), objections (异议), final lists, stage reports, awards and their
audit trail.

Invariants held by the database:
  * `notices`: one document per version, ``_id = <campaign_id>:v<n>``; a version is
    never changed after it is made. The unique index ``one_notice_per_cause`` on
    (campaign_id, cause) — cause "opened" or the upheld objection's id — makes a
    re-notice happen once per objection however often it is finished;
  * `objections`: an idempotency key gives a deterministic ``_id``; a resolution is
    a conditional replace on (revision, state "pending"), so it happens once; the
    evidence's bytes are in the file store (core/filestore.py; `objection_files`
    holds those of objections filed before it);
  * `final_lists`: ``_id = <campaign_id>``, so finalising twice or concurrently
    stores one list;
  * `stage_reports`: ``_id = <application_id>:<stage>``, changed by conditional
    replace on `revision`;
  * `awards`: ``_id = award:<application_id>:<code>``.
Every change carries its audit entries and events in the document's `outbox`,
written in the same insert or replace; `lifecycle_outbox.finish` records and
publishes them and clears it, and the service's sweep finishes interrupted ones
(same pattern and nx-27017 limits as store.py: whole-document replaces, no $push, no
top-level datetimes through $set).
"""
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from core import audit
from core.outbox import Outboxes
from core.pacing import sweep_pacer

from services.applications.store import not_found

COLLECTIONS = ("notices", "objections", "final_lists", "stage_reports", "awards")


class NoticeStore:
    def __init__(self, db, config):
        self.db = db
        self.config = config
        self.sweep_pacer = sweep_pacer(config)
        self.outboxes = Outboxes(db, "lifecycle_audit")   # outboxes and the trail (core/outbox.py)

    def ensure_indexes(self):
        db = self.db
        db.notices.create_index([("campaign_id", ASCENDING), ("cause", ASCENDING)], unique=True,
                                name="one_notice_per_cause")
        db.notices.create_index([("campaign_id", ASCENDING), ("version", ASCENDING)])
        db.objections.create_index([("campaign_id", ASCENDING), ("state", ASCENDING)])
        db.objections.create_index([("objector_id", ASCENDING)])
        db.stage_reports.create_index([("application_id", ASCENDING)])
        db.stage_reports.create_index([("campaign_id", ASCENDING)])
        db.awards.create_index([("campaign_id", ASCENDING)])
        db.final_lists.create_index([("settled", ASCENDING)])
        db.lifecycle_audit.create_index([("subject_id", ASCENDING), ("at", ASCENDING)])
        db.lifecycle_audit.create_index([("application_id", ASCENDING)])
        db.lifecycle_audit.create_index([("campaign_id", ASCENDING), ("at", ASCENDING)])
        for name in COLLECTIONS:
            self.outboxes.ensure_sweep_index(name)

    # -- generic: insert once, conditional replace, outbox ---------------------
    def insert_once(self, collection, doc):
        """(stored, created): the document, or the one already under its _id."""
        try:
            self.db[collection].insert_one(doc)
            return doc, True
        except DuplicateKeyError:
            existing = self.db[collection].find_one({"_id": doc["_id"]})
            if existing is None:  # the duplicate was on another unique index
                raise
            return existing, False

    def replace_if(self, collection, current, new, **conditions):
        """Replace `current` by `new` only if it is still at its revision and its
        previous outbox is finished; returns the new document or None."""
        query = {"_id": current["_id"], "revision": current["revision"], "outbox": None, **conditions}
        body = {k: v for k, v in new.items() if k not in ("_id", "outbox_claim_ts")}
        return self.db[collection].find_one_and_replace(query, body, return_document=ReturnDocument.AFTER)

    def next_number(self, counter):
        """The next number of `counter` (1, 2, ...), atomically: two callers never get
        the same one (a caller that then does not use it leaves a gap)."""
        doc = self.db.counters.find_one_and_update({"_id": counter}, {"$inc": {"seq": 1}}, upsert=True,
                                                   return_document=ReturnDocument.AFTER)
        return int(doc["seq"])

    def get(self, collection, doc_id):
        return self.db[collection].find_one({"_id": doc_id})

    def stale(self, collection, older_than, limit=100):
        return self.outboxes.stale(collection, older_than, limit)

    def campaign_audit(self, campaign_id):
        """The campaign's trail, oldest first (core/audit.py: entries stored before its
        shape have datetime times, ordered as one type with the text of newer ones)."""
        return audit.in_order(self.db.lifecycle_audit.find({"campaign_id": campaign_id},
                                                           sort=[("at", ASCENDING), ("_id", ASCENDING)], limit=5000))

    def audit_of(self, subject_ids):
        return audit.in_order(self.db.lifecycle_audit.find({"subject_id": {"$in": list(subject_ids)}},
                                                           sort=[("at", ASCENDING), ("_id", ASCENDING)]))

    # -- notices ---------------------------------------------------------------
    def latest_notice(self, campaign_id):
        found = list(self.db.notices.find({"campaign_id": campaign_id}, sort=[("version", DESCENDING)], limit=1))
        return found[0] if found else None

    def get_notice(self, notice_id):
        doc = self.db.notices.find_one({"_id": notice_id})
        if not doc:
            raise not_found("notice", "公示", notice_id)
        return doc

    def notice_by_cause(self, campaign_id, cause):
        return self.db.notices.find_one({"campaign_id": campaign_id, "cause": cause})

    def campaign_notices(self, campaign_id):
        return list(self.db.notices.find({"campaign_id": campaign_id}, sort=[("version", ASCENDING)]))

    def insert_notice(self, doc):
        """True when inserted; False when the version or the cause already exists."""
        try:
            self.db.notices.insert_one(doc)
            return True
        except DuplicateKeyError:
            return False

    def milestones(self, campaign_ids):
        """({campaign_id with a notice}, {with a final list}, {with a stage report}):
        three queries whatever the number of campaigns (core/campaign_phase.py)."""
        ids = list(campaign_ids)
        noticed = {d["campaign_id"] for d in self.db.notices.find({"campaign_id": {"$in": ids}}, {"campaign_id": 1})}
        final = {d["_id"] for d in self.db.final_lists.find({"_id": {"$in": ids}}, {"_id": 1})}
        started = {d["campaign_id"] for d in self.db.stage_reports.find({"campaign_id": {"$in": sorted(final)}},
                                                                        {"campaign_id": 1})} if final else set()
        return noticed, final, started

    # -- objections --------------------------------------------------------------
    def get_objection(self, objection_id):
        doc = self.db.objections.find_one({"_id": objection_id})
        if not doc:
            raise not_found("objection", "异议", objection_id)
        return doc

    def campaign_objections(self, campaign_id, objector_id=None):
        query = {"campaign_id": campaign_id}
        if objector_id:
            query["objector_id"] = objector_id
        return list(self.db.objections.find(query, sort=[("created_at", ASCENDING), ("_id", ASCENDING)]))

    def unsettled_objections(self, campaign_id):
        """Pending ones, and resolved ones whose outbox (a re-notice) is not finished."""
        # Filtered here: nx-27017 matches {"outbox": {"$ne": None}} on a missing field.
        return [o for o in self.campaign_objections(campaign_id) if o["state"] == "pending" or o.get("outbox")]

    # -- final lists -------------------------------------------------------------
    def get_final_list(self, campaign_id):
        return self.db.final_lists.find_one({"_id": campaign_id})

    def mark_settled(self, campaign_id):
        self.db.final_lists.update_one({"_id": campaign_id}, {"$set": {"settled": 1}})

    def unsettled_final_lists(self, older_than):
        return list(self.db.final_lists.find({"settled": 0, "finalised_at": {"$lt": older_than}}, limit=20))

    # -- stage reports -----------------------------------------------------------
    def stage_docs(self, application_id):
        return {d["stage"]: d for d in self.db.stage_reports.find({"application_id": application_id})}

    def count_waiting_stage_reports(self, campaign_id):
        """Stage reports handed in and not yet assessed (one indexed count)."""
        from core.mongo import count
        return count(self.db.stage_reports, {"campaign_id": campaign_id, "assessment": None, "report": {"$ne": None}})

    def campaign_stage_docs(self, campaign_id):
        """{application_id: {stage: doc}} of a campaign, in one query."""
        out = {}
        for d in self.db.stage_reports.find({"campaign_id": campaign_id}):
            out.setdefault(d["application_id"], {})[d["stage"]] = d
        return out

    # -- awards ------------------------------------------------------------------
    def campaign_awards(self, campaign_id):
        return list(self.db.awards.find({"campaign_id": campaign_id}, sort=[("application_id", ASCENDING),
                                                                            ("_id", ASCENDING)]))

    def application_awards(self, application_id):
        return list(self.db.awards.find({"application_id": application_id}, sort=[("_id", ASCENDING)]))
