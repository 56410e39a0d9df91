"""Nomination upward on the applications service's own database.

Invariants held by the database, not by read-then-write:
  * the quota: one counter document per (parent campaign, college), `_id`
    ``<parent_campaign_id>:<college_id>``; a slot is taken by one conditional
    ``$inc`` on ``count < quota`` (a range condition on a scalar, atomic on every
    server we run on), so of any number of concurrent nominations at most `quota`
    take a slot; a slot whose copy fails is given back;
  * one nominee per applicant in the parent campaign: the applications'
    unique index ``one_application_per_applicant`` (campaign_id, applicant_id),
    together with the nominee's deterministic id (nomination_rules.nomination_id),
    makes a repeated or racing nomination write one document;
  * attachment copies have deterministic ids too, so copying twice stores them once.
The final list is read from `final_lists` (`_id` = the campaign's id), written by the
public-notice code.
"""
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from services.applications.domain import nomination_rules as rules


class NominationStore:
    def __init__(self, db, config):
        self.db = db
        self.config = config

    def ensure_indexes(self):
        self.db.applications.create_index([("nominated_from.campaign_id", ASCENDING)], name="nominated_from_campaign")
        self.db.campaigns.create_index([("parent_campaign_id", ASCENDING)], name="parent_campaign")

    # -- what nominations start from ------------------------------------------
    def final_list(self, campaign_id):
        return self.db.final_lists.find_one({"_id": campaign_id})

    def child_campaigns(self, parent_campaign_id):
        return list(self.db.campaigns.find({"parent_campaign_id": parent_campaign_id}, sort=[("unit_id", ASCENDING)]))

    # -- the quota ----------------------------------------------------------
    @staticmethod
    def _counter_id(parent_campaign_id, college_id):
        return f"{parent_campaign_id}:{college_id}"

    def take_slot(self, parent_campaign_id, college_id, quota):
        """Take one of the college's slots; False when all `quota` are taken. With
        `quota` None (no limit) a slot is always taken, so `used` stays true."""
        counter_id = self._counter_id(parent_campaign_id, college_id)
        try:
            self.db.nomination_quotas.insert_one({"_id": counter_id, "parent_campaign_id": parent_campaign_id,
                                                  "college_id": college_id, "count": 0})
        except DuplicateKeyError:
            pass  # the counter exists already (or a concurrent nomination made it)
        condition = {"_id": counter_id}
        if quota is not None:
            condition["count"] = {"$lt": quota}
        return self.db.nomination_quotas.update_one(condition, {"$inc": {"count": 1}}).modified_count == 1

    def release_slot(self, parent_campaign_id, college_id):
        """Give back a slot taken for a copy that was not made (never below zero)."""
        self.db.nomination_quotas.update_one(
            {"_id": self._counter_id(parent_campaign_id, college_id), "count": {"$gt": 0}}, {"$inc": {"count": -1}})

    def usage(self, parent_campaign_id):
        """{college_id: slots used} of a parent campaign."""
        found = self.db.nomination_quotas.find({"parent_campaign_id": parent_campaign_id})
        return {doc["college_id"]: int(doc["count"]) for doc in found}

    # -- nominees -----------------------------------------------------------
    def application_of(self, campaign_id, applicant_id):
        return self.db.applications.find_one({"campaign_id": campaign_id, "applicant_id": applicant_id})

    def copy_attachments(self, source_application_id, nominee_id):
        """Copy every attachment (its bytes by reference: core/filestore.py) of the source to the nominee, under
        deterministic ids: a second copy of the same attachment is not stored."""
        copied = 0
        for doc in self.db.attachments.find({"application_id": source_application_id}):
            copy = dict(doc, _id=rules.copied_attachment_id(nominee_id, doc["_id"]), application_id=nominee_id,
                        copied_from={"application_id": source_application_id, "attachment_id": doc["_id"]})
            try:
                self.db.attachments.insert_one(copy)
                copied += 1
            except DuplicateKeyError:
                pass
        return copied

    def drop_attachments(self, nominee_id):
        """Remove the copies made for a nominee that was not stored."""
        self.db.attachments.delete_many({"application_id": nominee_id})

    def insert_nominee(self, nominee):
        """(document, created). A nominee already stored under the same id (a repeat,
        or a racing twin) is returned with created False; the applicant holding some
        other application of the parent campaign returns (that application, False)
        too, and the caller tells the two apart (nomination_rules.is_same_nomination)."""
        try:
            self.db.applications.insert_one(nominee)
            return nominee, True
        except DuplicateKeyError:
            same = self.db.applications.find_one({"_id": nominee["_id"]})
            if same is not None:
                return same, False
            return self.application_of(nominee["campaign_id"], nominee["applicant_id"]), False

    def nominees(self, parent_campaign_id, source_campaign_id=None, college_ids=None):
        """The parent campaign's nominated applications, optionally only those from
        one college campaign or from some colleges."""
        query = {"campaign_id": parent_campaign_id, "nominated_from.campaign_id": {"$exists": True}}
        if source_campaign_id is not None:
            query["nominated_from.campaign_id"] = source_campaign_id
        if college_ids is not None:
            query["nominated_from.college_id"] = {"$in": sorted(college_ids)}
        return list(self.db.applications.find(query, {"outbox": 0}, sort=[("_id", ASCENDING)]))
