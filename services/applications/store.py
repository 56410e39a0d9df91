"""The applications service's repository over its own MongoDB database.

Invariants live in the database, not in read-then-write:
  * one application per applicant per campaign: unique index
    ``one_application_per_applicant`` on (campaign_id, applicant_id);
  * a step of the state machine is one conditional update on (state, version), so
    of two concurrent steps exactly one wins;
  * attachment counts per kind are conditional increments;
  * the audit entry and the event of a step are written in the same update as the
    step itself (the document's `outbox`), then copied to the append-only `audit`
    collection and published; `flush_outbox` finishes that after a crash, and the
    audit id is deterministic, so finishing twice records it once.
Arrays of sub-documents are replaced whole, never $push-ed, and top-level times are
never written with $set: the embedded Mongo wire server (nx-27017) round-trips
neither; conditional whole-document replaces give the same guarantee.
"""
import copy
import uuid
from datetime import datetime, timedelta, timezone

from pymongo import ASCENDING, DESCENDING, ReplaceOne, ReturnDocument, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from core import roles as role_rules
from core.errors import Conflict, NotFound
from core.idempotency import new_id
from core.jobs import JobStore
from core.filestore import file_store
from core.mongo import count, insert_new, read_led
from core.outbox import Outboxes, born_claimed
from core.pacing import sweep_pacer
from core.stamps import distinct_stamps
from services.applications.role_holders import RoleHolders, keys_of
from services.applications.visible_lists import VisibleLists
from core.outbox import stamp as outbox_stamp


def not_found(what, what_zh, ident):
    return NotFound(f"No {what} {ident!r}.", f"{what_zh}不存在：{ident}", field=f"{what}_id")


REVIEW_BATCH = 500   # review results written in one round trip (set_review_results)
LEAD_READ = 500      # people read by a search's one leading condition and checked here (find_people_any)


class ApplicationsStore:
    def __init__(self, db, config):
        self.db = db
        self.config = config
        self.jobs = JobStore(db.jobs, "applications")
        self.outboxes = Outboxes(db, "audit")   # changes' outboxes and the audit trail (core/outbox.py)
        self.files = file_store(config, client=db.client)   # attachments' bytes (core/filestore.py)
        self._programs = {}   # "<name>@<version>" -> declaration (versions are immutable)
        self.role_holders = RoleHolders(db)   # who holds a role where, by index (role_holders.py)
        self.visible_lists = VisibleLists(db.applications)   # lists people read (visible_lists.py)
        self.sweep_pacer = sweep_pacer(config)

    def metrics(self):
        """Changes whose audit entry and event are not out yet (cx_backlog, core/metrics.py)."""
        return {"outbox": count(self.db.applications, {"outbox_ts": {"$ne": None}}, limit=100_000)}

    def ensure_indexes(self):
        db = self.db
        self.jobs.ensure_indexes()
        db.applications.create_index(
            [("campaign_id", ASCENDING), ("applicant_id", ASCENDING)], unique=True,
            name="one_application_per_applicant",
        )
        # Lists: a single-field index on each field a list leads with (nx-27017 uses
        # those only), and for MongoDB the compound index of each filter + sort.
        # Lists sort and page on updated_ts (epoch seconds beside updated_at: nx-27017
        # compares numbers in SQL, datetimes in Python).
        for field in ("campaign_id", "college_id", "applicant_id", "updated_ts", "on_behalf_by"):
            db.applications.create_index([(field, ASCENDING)])
        for field in ("campaign_id", "college_id", "applicant_id"):
            # (not ", _id": nx-27017 then refuses every insert with "JSON path error near '_id'")
            db.applications.create_index([(field, ASCENDING), ("updated_ts", DESCENDING)])
        for doc in db.applications.find({"updated_ts": {"$exists": False}}, {"updated_at": 1}):   # once
            stamp = doc.get("updated_at")
            db.applications.update_one({"_id": doc["_id"]}, {"$set": {"updated_ts": stamp.timestamp() if stamp else 0.0}})
        db.applications.create_index([("college_id", ASCENDING), ("state", ASCENDING)])
        db.applications.create_index([("campaign_id", ASCENDING), ("state", ASCENDING)])
        self.outboxes.ensure_sweep_index("applications")
        db.audit.create_index([("application_id", ASCENDING)])
        db.audit.create_index([("application_id", ASCENDING), ("seq", ASCENDING)])
        db.audit.create_index([("campaign_id", ASCENDING)])   # a campaign's state changes (campaign_dashboard.py)
        db.attachments.create_index([("application_id", ASCENDING)])
        db.people.create_index([("login", ASCENDING)], unique=True, name="unique_login")
        db.people.create_index([("student_no", ASCENDING)])
        # the people directory's search (class/dorm/branch/college/role_keys are indexed below);
        # not compound with _id: the embedded wire server cannot index _id in a compound key
        for field in ("school_id", "name", "staff_no", "role_names"):
            db.people.create_index([(field, ASCENDING)])
        db.role_audit.create_index([("by.id", ASCENDING), ("at_utc", DESCENDING)])
        db.role_audit.create_index([("person_id", ASCENDING), ("at_utc", DESCENDING)])
        db.people.create_index([("role_keys", ASCENDING)])  # who speaks for a unit, who counsels a college
        for field in ("class_id", "dorm_id", "branch_id", "college_id"):  # members of a unit (hooks, awards)
            db.people.create_index([(field, ASCENDING)])
        db.units.create_index([("kind", ASCENDING), ("parent_id", ASCENDING)])
        db.units.create_index([("kind", ASCENDING), ("name", ASCENDING)])
        db.campaigns.create_index([("program", ASCENDING), ("academic_year", ASCENDING)])
        db.shortlists.create_index([("campaign_id", ASCENDING), ("round", ASCENDING)])
        self.mark_final_listed_campaigns()
        self.mark_published_campaigns()
        # once per database: people stored before role_holders existed (a lazy cursor:
        # read only when the index is not built yet)
        self.role_holders.build(db.people.find({"role_keys": {"$exists": True}}, {"role_keys": 1}))

    # -- programs -----------------------------------------------------------
    def register_program(self, declaration, now):
        """Idempotent: a version is stored once; `programs` points at the newest."""
        key = f"{declaration['name']}@{declaration['version']}"
        try:
            self.db.program_versions.insert_one({"_id": key, "registered_at": now, **declaration})
            created = True
        except DuplicateKeyError:
            created = False
        self.db.programs.update_one(
            {"_id": declaration["name"]},
            {"$set": {"version": declaration["version"], "title_zh": declaration["title_zh"],
                      "title_en": declaration["title_en"], "rater_roles": declaration.get("rater_roles") or [],
                      "updated_at": now}},
            upsert=True,
        )
        return created

    def get_program(self, name, version=None):
        if version is None:
            head = self.db.programs.find_one({"_id": name})
            if not head:
                raise not_found("program", "项目类型", name)
            version = head["version"]
        key = f"{name}@{version}"
        if key not in self._programs:   # a registered version never changes: read it once per process
            doc = self.db.program_versions.find_one({"_id": key})
            if not doc:
                raise not_found("program", "项目类型", key)
            doc.pop("_id")
            doc.pop("registered_at", None)   # the declaration exactly as registered, so it registers again
            self._programs[key] = doc
        return copy.deepcopy(self._programs[key])

    def list_programs(self):
        return list(self.db.programs.find({}, sort=[("_id", ASCENDING)]))

    # -- directory ----------------------------------------------------------
    def upsert_unit(self, unit):
        self.db.units.replace_one({"_id": unit["_id"]}, unit, upsert=True)
        return unit

    def get_unit(self, unit_id):
        unit = self.db.units.find_one({"_id": unit_id})
        if not unit:
            raise not_found("unit", "单位", unit_id)
        return unit

    def units_by_ids(self, unit_ids):
        return {u["_id"]: u for u in self.db.units.find({"_id": {"$in": list(unit_ids)}})}

    def people_by_ids(self, person_ids):
        """People as stored (password hash included), by id; the missing are left out."""
        return {p["_id"]: p for p in self.db.people.find({"_id": {"$in": list(person_ids)}})}

    def replace_units(self, units):
        """Insert or replace units by id, in one round trip."""
        if units:
            self.db.units.bulk_write([ReplaceOne({"_id": u["_id"]}, u, upsert=True) for u in units], ordered=False)

    def replace_people(self, people):
        """Insert or replace people by id, in one round trip; a login taken by someone
        else raises Conflict (the others in the batch are written)."""
        if not people:
            return
        before = {d["_id"]: keys_of(d) for d in self.db.people.find({"_id": {"$in": [p["_id"] for p in people]}},
                                                                      {"role_keys": 1})}
        try:
            self.role_holders.write(
                [(p["_id"], before.get(p["_id"], set()), keys_of(p)) for p in people],
                lambda: self.db.people.bulk_write([ReplaceOne({"_id": p["_id"]}, p, upsert=True) for p in people],
                                                  ordered=False))
        except BulkWriteError as exc:
            taken = [e.get("op", {}).get("replacement", {}).get("login") or "?" for e in exc.details.get(
                "writeErrors", []) if e.get("code") == 11000]
            if not taken:
                raise
            raise Conflict(f"Login(s) {', '.join(map(str, taken))} are taken.",
                           f"登录名已被占用：{'、'.join(map(str, taken))}", field="login",
                           details=[{"login": t} for t in taken]) from None

    def find_units(self, query, limit=1000):
        return list(self.db.units.find(query, sort=[("kind", ASCENDING), ("name", ASCENDING)], limit=limit))

    def upsert_person(self, person):
        """Insert or replace by id; a login taken by someone else raises Conflict."""
        before = self.db.people.find_one({"_id": person["_id"]}, {"role_keys": 1})
        try:
            self.role_holders.write([(person["_id"], keys_of(before), keys_of(person))],
                                    lambda: self.db.people.replace_one({"_id": person["_id"]}, person, upsert=True))
        except DuplicateKeyError:
            raise Conflict(f"Login {person['login']!r} is taken.", f"登录名 {person['login']} 已被占用",
                           field="login") from None
        return person

    def get_person(self, person_id):
        person = self.db.people.find_one({"_id": person_id})
        if not person:
            raise not_found("person", "人员", person_id)
        return person

    def person_by_login(self, login):
        return self.db.people.find_one({"login": login})

    def person_by_number(self, number):
        """By login, 学号 (student_no) or 工号 (staff_no): each is indexed."""
        for field in ("login", "student_no", "staff_no"):
            person = self.db.people.find_one({field: number})
            if person:
                return person
        return None

    def find_people(self, query, limit=1000):
        return list(self.db.people.find(query, {"password_hash": 0}, sort=[("_id", ASCENDING)], limit=limit))

    def people_holding(self, role_keys, limit=20000, now=None):
        """People holding any of `role_keys` ("role@unit") now: role_holders finds the
        candidates, and a role whose academic year has ended no longer counts
        (core.roles.current; checked at read time, no sweeper)."""
        if not role_keys:
            return []
        now = now or datetime.now(timezone.utc)
        wanted = set(role_keys)
        # by _id through role_holders: a $in on the array role_keys scans every person on nx-27017
        candidates = self.role_holders.holders(wanted)
        if not candidates:
            return []
        return [p for p in self.find_people({"_id": {"$in": candidates}}, limit=limit)
                if wanted & {role_rules.role_key(r) for r in role_rules.current(p.get("roles"), now)}]

    # -- people directory and role grants (people_search.py, role_grants.py) ---
    def search_people(self, query, after=None, limit=50):
        """One page of people matching `query`, in _id order after the keyset
        cursor `after` (no skip: every page costs the same however deep)."""
        if not after:
            return self.find_people(query, limit=limit)
        query = dict(query, _id={"$gt": after}) if "_id" not in query else {"$and": [query, {"_id": {"$gt": after}}]}
        # in an aggregation: nx-27017 scans for a range on _id in a find, serves it here
        return list(self.db.people.aggregate([{"$match": query}, {"$sort": {"_id": ASCENDING}}, {"$limit": limit},
                                              {"$project": {"password_hash": 0}}]))

    def find_people_any(self, ways, after=None, limit=50, cap=None):
        """(page, total) of the people matching any of `ways`, each a (query, lead)
        pair, run by itself (no $or) and merged: `page` as `search_people` gives it, up
        to `limit` in _id order after `after`; `total` the distinct people matching,
        counted no further than `cap` (None without a cap).

        A way's `lead` is one of its query's conditions that an index serves by itself
        (a 学号 prefix). When it holds no more than LEAD_READ people, they are read by
        it alone and the query is checked here (core.query_match): beside the school's
        equality nx-27017 took the school's index and looked at every person of it
        (40-85 ms a query at 30,000 people, for one 学号)."""
        found, ids = {}, set()
        for query, lead in ways:
            led = self._people_led(query, lead)
            if led is not None:
                ids.update(p["_id"] for p in led)
                found.update((p["_id"], p) for p in led if not after or p["_id"] > after)
                continue
            found.update((p["_id"], p) for p in self.search_people(query, after, limit))
            if cap is not None and len(ways) == 1:      # one way: an index count, not its ids
                return [found[k] for k in sorted(found)][:limit], self.count_people(query, cap)
            if cap is not None:
                ids.update(d["_id"] for d in self.db.people.find(query, {"_id": 1}, limit=cap))
        page = [found[key] for key in sorted(found)][:limit]
        return page, (min(len(ids), cap) if cap is not None else None)

    def _people_led(self, query, lead):
        """The people matching `query`, read by `lead` alone and checked here; None
        without a lead, when it holds more than LEAD_READ, or for a query
        core.query_match does not check (the server is asked it then)."""
        if lead is None:
            return None
        return read_led(self.db.people, lead, query, LEAD_READ, {"password_hash": 0}, counted=True)

    def count_people(self, query, cap):
        """How many match, counted no further than `cap` (an index count, never a
        full scan for a broad filter)."""
        return count(self.db.people, query, limit=cap)

    def replace_roles(self, person, roles, audit_entry, now):
        """Set `person`'s roles with `audit_entry` appended to its role history, in
        one conditional replace on `roles_version`; None when someone changed the
        person's roles first. The audit entry is then copied to `role_audit` with
        a deterministic id (person:seq), so copying twice records it once."""
        version = person.get("roles_version", 0)
        seq = version + 1
        entry = dict(audit_entry, _id=f"{person['_id']}:{seq:06d}", seq=seq)
        new = {k: v for k, v in person.items() if k != "_id"}
        new.update(roles=list(roles), **role_rules.role_index(roles), roles_version=seq,
                   role_history=list(person.get("role_history") or []) + [entry], updated_at=now)
        cond = {"_id": person["_id"], "roles_version": version} if "roles_version" in person else \
            {"_id": person["_id"], "roles_version": {"$exists": False}}
        saved = self.role_holders.write(
            [(person["_id"], keys_of(person), keys_of(new))],
            lambda: self.db.people.find_one_and_replace(cond, new, return_document=ReturnDocument.AFTER))
        if saved is not None:
            try:
                self.db.role_audit.insert_one(dict(entry, at_utc=now))
            except DuplicateKeyError:
                pass
        return saved

    def move_role(self, old, new_entry, now):
        """Every grant of role `old` becomes `new_entry(person_id, role)` (a program now
        declares, under its own key, a role the platform had as `old`): one conditional
        write per person on `roles_version`, keeping `role_holders`; a person whose
        roles someone changed meanwhile is read again (up to 5 times). Returns how many
        people changed; none hold `old` afterwards unless a writer kept giving it."""
        moved = 0
        for _ in range(5):
            # $in: an equality on an indexed array field misses on nx-27017
            found = list(self.db.people.find({"role_names": {"$in": [old]}}))
            if not found:
                break
            for person in found:
                roles = [new_entry(person["_id"], r) if r.get("role") == old else r for r in person.get("roles") or []]
                version = person.get("roles_version", 0)
                new = {k: v for k, v in person.items() if k != "_id"}
                new.update(roles=roles, **role_rules.role_index(roles), roles_version=version + 1, updated_at=now)
                cond = {"_id": person["_id"], "roles_version": version} if "roles_version" in person else \
                    {"_id": person["_id"], "roles_version": {"$exists": False}}
                saved = self.role_holders.write(
                    [(person["_id"], keys_of(person), keys_of(new))],
                    lambda: self.db.people.find_one_and_replace(cond, new, return_document=ReturnDocument.AFTER))
                moved += saved is not None
        return moved

    def record_role_audit(self, entries, now):
        """Copy audit entries (ids deterministic) to `role_audit`; a copy made before is kept once."""
        if not entries:
            return
        try:
            self.db.role_audit.insert_many([dict(e, at_utc=now) for e in entries], ordered=False)
        except BulkWriteError as exc:  # duplicates are copies made before (a job resumed after a crash)
            if any(e.get("code") != 11000 for e in exc.details.get("writeErrors", [])):
                raise

    def role_audit(self, query, limit=200):
        return list(self.db.role_audit.find(query, sort=[("at_utc", DESCENDING)], limit=limit))

    def applications_of(self, applicant_ids, limit=100):
        return list(self.db.applications.find({"applicant_id": {"$in": list(applicant_ids)}},
                                              sort=[("_id", DESCENDING)], limit=limit))

    # -- campaigns ----------------------------------------------------------
    def insert_campaign(self, campaign):
        """Inserts, or returns the campaign already stored under the same (keyed) id
        when its creator is the same; raises Conflict otherwise."""
        try:
            self.db.campaigns.insert_one(campaign)
        except DuplicateKeyError:
            existing = self.get_campaign(campaign["_id"])
            if (existing.get("created_by") or {}).get("id") != campaign["created_by"]["id"]:
                raise Conflict("This idempotency key was used for another campaign.",
                               "该幂等键已用于其他评选活动", field="Idempotency-Key") from None
            return existing
        return campaign

    def replace_campaign(self, campaign, expected_version):
        """Replace the whole campaign if it is still at `expected_version` (0: an old
        record without a version); raises Conflict when someone changed it meanwhile."""
        guard = {"_id": campaign["_id"]}
        guard.update({"version": expected_version} if expected_version else {"version": {"$exists": False}})
        if self.db.campaigns.replace_one(guard, campaign).matched_count != 1:
            raise Conflict("The campaign changed meanwhile; reload and try again.", "评选活动已被他人修改，请刷新后重试",
                           field="version")
        return campaign

    def count_applications(self, campaign_id, states):
        return count(self.db.applications, {"campaign_id": campaign_id, "state": {"$in": list(states)}})

    def campaign_scope(self, campaign_id):
        """{"_id", "unit_id", "unit_path"} of the campaign, or None when there is none."""
        return self.db.campaigns.find_one({"_id": campaign_id}, {"unit_id": 1, "unit_path": 1})

    def get_campaign(self, campaign_id):
        campaign = self.db.campaigns.find_one({"_id": campaign_id})
        if not campaign:
            raise not_found("campaign", "评选活动", campaign_id)
        return campaign

    def mark_final_listed(self, campaign_id):
        """From now on the campaign takes no more applications: its final list is being
        stored (final_list.finalise marks the campaign first, then stores the list, so
        no application slips in between). The version moves, so an edit made from an
        older read fails instead of dropping the mark (it is a number: nx-27017 returns
        booleans as 0/1)."""
        # {"$in": [None, 0]}, not {"$ne": 1}: nx-27017 updates nothing for a $ne filter
        self.db.campaigns.update_one({"_id": campaign_id, "final_listed": {"$in": [None, 0]}},
                                     {"$set": {"final_listed": 1}, "$inc": {"version": 1}})

    def mark_final_listed_campaigns(self):
        """Mark every campaign whose final list was stored before campaigns carried the
        mark (idempotent; run at start with the indexes)."""
        listed = sorted(d["_id"] for d in self.db.final_lists.find({}, {"_id": 1}))
        if listed:
            self.db.campaigns.update_many({"_id": {"$in": listed}, "final_listed": {"$in": [None, 0]}},
                                          {"$set": {"final_listed": 1}, "$inc": {"version": 1}})

    def final_listed(self, campaign_ids):
        """The ids among `campaign_ids` whose final list (正式名单, notice_store's
        `final_lists`, same database) exists."""
        ids = sorted(set(campaign_ids))
        if not ids:
            return set()
        return {d["_id"] for d in self.db.final_lists.find({"_id": {"$in": ids}}, {"_id": 1})}

    def list_campaigns(self, query):
        return list(self.db.campaigns.find(query, sort=[("application_closes_at", DESCENDING)], limit=500))

    # -- applications -------------------------------------------------------
    def insert_application(self, application, idempotency_key):
        """Insert a new draft (its outbox, if any, claimed by the caller: the caller
        sets `born_claimed`). A retry with the same key returns the first result;
        any other second application for the applicant raises Conflict."""
        try:
            self.db.applications.insert_one(application)
        except DuplicateKeyError:
            existing = self.db.applications.find_one(
                {"campaign_id": application["campaign_id"], "applicant_id": application["applicant_id"]}
            )
            if existing and idempotency_key and existing.get("created_key") == idempotency_key:
                return existing, False
            raise Conflict(
                "This applicant already has an application in this campaign (one per applicant).",
                "该申报单位在本次活动中已有申报（每个单位限报一项）",
                field="applicant_id",
                details={"application_id": existing["_id"] if existing else None},
            ) from None
        return application, True

    def get_application(self, application_id):
        app = self.db.applications.find_one({"_id": application_id})
        if not app:
            raise not_found("application", "申报", application_id)
        return app

    def get_applications(self, application_ids):
        """{id: application} of those of `application_ids` that exist (one query)."""
        return {a["_id"]: a for a in self.db.applications.find({"_id": {"$in": list(application_ids)}})}

    def apply_change(self, application, changes, outbox, now):
        """Apply `changes` only if the application is still at the version and state
        it was read at, with `outbox` (audit + event) in the same write and claimed
        by this writer (finish it with outbox.finish_written). Returns the new
        document, or None when someone else changed it first.

        A conditional whole-document replace rather than $set: the embedded wire
        server stores a top-level datetime written by $set as text."""
        new = {k: v for k, v in application.items() if k not in ("_id", "outbox_claim_ts")}
        # the claim on the outbox is this writer's from the start (core/outbox.py)
        new.update(changes, outbox=outbox, **outbox_stamp(now), updated_at=now, updated_ts=now.timestamp(),
                   version=application["version"] + 1, **born_claimed(now.timestamp()))
        return self.db.applications.find_one_and_replace(
            # outbox None: the previous change's audit entry and event are out, so
            # this change cannot overwrite them before they are.
            {"_id": application["_id"], "version": application["version"], "state": application["state"],
             "outbox": None},
            new, return_document=ReturnDocument.AFTER,
        )

    def apply_changes(self, items, now):
        """`apply_change` for many applications in one round trip (and one read
        back): items are (application as read, changes, outbox). Returns the new
        documents of those applied; an application someone else changed first is
        left out."""
        if not items:
            return []
        # The audit and event ids are deterministic (the same for two finalisers at
        # once), so this write marks its outboxes with a token of its own to tell
        # which replaces were its.
        token = uuid.uuid4().hex
        ops, ids = [], []
        # each its own stamp, a microsecond apart: the lists order them by it alone (`_top`)
        for (application, changes, outbox), stamp in zip(items, distinct_stamps(now.timestamp(), len(items))):
            new = {k: v for k, v in application.items() if k != "outbox_claim_ts"}
            new.update(changes, outbox=dict(outbox, token=token), **outbox_stamp(now), updated_at=now,
                       updated_ts=stamp, version=application["version"] + 1)
            ops.append(ReplaceOne({"_id": application["_id"], "version": application["version"],
                                   "state": application["state"], "outbox": None}, new))
            ids.append(application["_id"])
        self.db.applications.bulk_write(ops, ordered=False)
        return [doc for doc in self.db.applications.find({"_id": {"$in": ids}})
                if (doc.get("outbox") or {}).get("token") == token]

    def record_audit(self, entry):
        """Append-only; deterministic ids, so recording an entry twice keeps one."""
        self.outboxes.record([entry])

    def audit_trail(self, application_id):
        return list(self.db.audit.find({"application_id": application_id}, sort=[("seq", ASCENDING)]))

    def list_applications(self, visible, campaign_id=None, state=None, college_id=None, limit=100, skip=0,
                          after=None):
        """Only what `visible` (domain/visibility.py) allows, newest first: see
        `VisibleLists.list` (visible_lists.py)."""
        return self.visible_lists.list(visible, campaign_id, state, college_id, limit, skip, after)

    def count_visible(self, visible, campaign_id=None, state=None, college_id=None):
        """How many `list_applications` would list over all its pages (`VisibleLists.count`)."""
        return self.visible_lists.count(visible, campaign_id, state, college_id)

    def position_of(self, visible, application_id, campaign_id=None, state=None, college_id=None):
        """Where the application stands in that list, or None (`VisibleLists.position`)."""
        return self.visible_lists.position(visible, application_id, campaign_id, state, college_id)

    def applications_in(self, campaign_id, applicant_ids):
        """The campaign's applications of these applicants (one per applicant)."""
        if not applicant_ids:
            return []
        return list(self.db.applications.find({"campaign_id": campaign_id, "applicant_id": {"$in": sorted(applicant_ids)}},
                                              {"outbox": 0}, limit=len(applicant_ids)))

    def campaign_revision(self, campaign_id):
        """{"count", "updated_ts"}: how many applications the campaign has and when
        the newest change was (index campaign_id + updated_ts)."""
        newest = self.db.applications.find_one({"campaign_id": campaign_id}, {"updated_ts": 1},
                                               sort=[("updated_ts", DESCENDING)])
        return {"count": count(self.db.applications, {"campaign_id": campaign_id}),
                "updated_ts": (newest or {}).get("updated_ts")}

    def campaign_audit_count(self, campaign_id):
        """How many audit entries name the campaign (an indexed count): with
        `campaign_revision`, what the dashboard's counts are computed from."""
        return count(self.db.audit, {"campaign_id": campaign_id})

    def kept_dashboard(self, campaign_id):
        """The dashboard's counts kept for the campaign (campaign_dashboard.py), or None."""
        return self.db.dashboards.find_one({"_id": campaign_id})

    def keep_dashboard(self, doc):
        """Keep the dashboard's counts of a campaign (derived: writing them again writes the same)."""
        self.db.dashboards.replace_one({"_id": doc["_id"]}, doc, upsert=True)

    def campaign_states(self, campaign_id):
        """Every application of the campaign as {_id, college_id, state,
        submitted_at}: one query, led by the campaign_id index."""
        return list(self.db.applications.find({"campaign_id": campaign_id},
                                              {"college_id": 1, "state": 1, "submitted_at": 1}))

    def campaign_state_changes(self, campaign_id, application_ids):
        """The audit entries of `application_ids` (applications of the campaign) as
        {application_id, at, to}: those naming the campaign, and those stored before
        an entry named its campaign (core/audit.py: read as they are, never
        rewritten; a set that no longer grows); one query each, led by the audit's
        campaign_id index."""
        fields = {"application_id": 1, "at": 1, "to": 1, "_id": 0}
        return [entry for wanted in (campaign_id, None) for entry in self.db.audit.find({"campaign_id": wanted}, fields)
                if entry.get("application_id") in application_ids]

    def campaign_applications(self, campaign_id, states=None, ids=None):
        """The campaign's applications (in `states`; of `ids`), by id. Given ids, they
        are read by _id alone and the rest is checked here: nx-27017 otherwise serves
        the query by campaign_id and reads every application of the campaign (9 ms
        against 1.5 ms for 10 of 5,000)."""
        if ids is not None:
            found = self.db.applications.find({"_id": {"$in": sorted(ids)}}, {"outbox": 0},
                                              sort=[("_id", ASCENDING)])
            return [d for d in found
                    if d.get("campaign_id") == campaign_id and (not states or d.get("state") in states)]
        query = {"campaign_id": campaign_id}
        if states:
            query["state"] = {"$in": list(states)}
        return list(self.db.applications.find(query, {"outbox": 0}, sort=[("_id", ASCENDING)]))

    # -- review results (from the scoring service) --------------------------
    def insert_shortlist(self, shortlist):
        """Store a round of results (False when it was stored already: a redelivered
        event) and mark its campaign as having published results (`published_results`,
        also when the round was there: a crash between the two writes is mended by the
        redelivery)."""
        try:
            self.db.shortlists.insert_one(shortlist)
            created = True
        except DuplicateKeyError:
            created = False
        insert_new(self.db.published_results, [{"_id": shortlist["campaign_id"]}])
        return created

    def latest_shortlist(self, campaign_id):
        found = list(self.db.shortlists.find({"campaign_id": campaign_id}, sort=[("round", DESCENDING)], limit=1))
        return found[0] if found else None

    def campaigns_with_results(self, campaign_ids):
        """The ids among `campaign_ids` with a published round of results: one read by
        _id of their marks (`published_results`, one small document per campaign),
        never of the rounds, each of which holds every application's result (about
        1 MB at 2,000 dorms; nx-27017 reads a document whole however projected, and a
        `$in` on campaign_id there reads every round of every campaign)."""
        ids = sorted(set(campaign_ids))
        if not ids:
            return set()
        return {d["_id"] for d in self.db.published_results.find({"_id": {"$in": ids}}, {"_id": 1})}

    def mark_published_campaigns(self):
        """Mark the campaigns whose results were stored before the marks existed: once,
        while there is no mark but there are rounds (run at start with the indexes)."""
        if self.db.published_results.find_one({}, {"_id": 1}) or not self.db.shortlists.find_one({}, {"_id": 1}):
            return
        rows = self.db.shortlists.aggregate([{"$group": {"_id": "$campaign_id"}}])
        insert_new(self.db.published_results, [{"_id": row["_id"]} for row in rows if row["_id"]])

    def set_review_results(self, round_, results):
        """Each application's result of a round ([(application id, result)]),
        REVIEW_BATCH to a round trip. Only a newer round replaces a result; the
        version moves so that a concurrent whole-document change cannot overwrite it
        with a stale copy."""
        def newer(application_id):
            return {"$and": [{"_id": application_id},  # $and: see core/mongo.py
                             {"$or": [{"review_round": {"$exists": False}}, {"review_round": None},
                                      {"review_round": {"$lt": round_}}]}]}

        ops = [UpdateOne(newer(application_id), {"$set": {"review_result": result, "review_round": round_},
                                                  "$inc": {"version": 1}}) for application_id, result in results]
        for start in range(0, len(ops), REVIEW_BATCH):
            self.db.applications.bulk_write(ops[start:start + REVIEW_BATCH], ordered=False)

    # -- attachments --------------------------------------------------------
    def add_attachment(self, application, meta, data, max_count, now, attachment_id=None, file_id=None):
        """Store the bytes in the file store (core/filestore.py: content-addressed, so a
        retry stores nothing new; `file_id`: they were just read from there under
        that id, so they are stored already) and the attachment with their `file_id`,
        then take a slot of the kind's count atomically; a lost race for the last slot
        removes the attachment again and returns None. A second upload under the same
        `attachment_id` (a concurrent retry) returns the first."""
        file_id = file_id or self.files.put(data)["file_id"]
        doc = dict(meta, _id=attachment_id or new_id("att"), application_id=application["_id"], file_id=file_id,
                   uploaded_at=now)
        try:
            self.db.attachments.insert_one(doc)
        except DuplicateKeyError:
            return self.get_attachment(application["_id"], doc["_id"])
        taken = self.db.applications.update_one(
            {"_id": application["_id"], "state": {"$in": ["draft", "returned"]},
             f"attachment_counts.{meta['kind']}": {"$lt": max_count}},
            # The version moves too, so a concurrent whole-document change cannot
            # overwrite the count with a stale one.
            {"$inc": {f"attachment_counts.{meta['kind']}": 1, "version": 1}},
        )
        if taken.modified_count != 1:
            self.db.attachments.delete_one({"_id": doc["_id"]})
            return None
        return doc

    def list_attachments(self, application_id):
        return list(self.db.attachments.find({"application_id": application_id}, {"data": 0},
                                             sort=[("uploaded_at", ASCENDING)]))

    def get_attachment(self, application_id, attachment_id, with_data=False):
        projection = None if with_data else {"data": 0}
        doc = self.db.attachments.find_one({"_id": attachment_id, "application_id": application_id}, projection)
        if not doc:
            raise not_found("attachment", "附件", attachment_id)
        return doc

    def remove_attachment(self, application, attachment):
        """Remove one attachment while its application is a draft or returned: the
        kind's count goes down first, conditionally on that state, so an application
        submitted meanwhile keeps its files. False when it was no longer editable."""
        freed = self.db.applications.update_one(
            {"_id": application["_id"], "state": {"$in": ["draft", "returned"]},
             f"attachment_counts.{attachment['kind']}": {"$gt": 0}},
            {"$inc": {f"attachment_counts.{attachment['kind']}": -1, "version": 1}},
        )
        if freed.modified_count != 1:
            return False
        if self.db.attachments.delete_one({"_id": attachment["_id"]}).deleted_count != 1:
            # removed by a concurrent request, which freed its own slot: give this one back
            self.db.applications.update_one({"_id": application["_id"]},
                                            {"$inc": {f"attachment_counts.{attachment['kind']}": 1}})
        return True

    def since(self, now, seconds):
        return now - timedelta(seconds=seconds)
