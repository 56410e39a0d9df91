"""The scoring service's repository over its own MongoDB database (``<prefix>_scoring``).

Collections and the invariants the database keeps (not read-then-write):
  * ``programs``: one document per registered program version (``name@version``),
    inserted once; ``program_heads`` points at each program's newest version;
  * ``setups``: one scoring setup per campaign (``_id`` = campaign id), changed by
    a conditional replace on ``version``;
  * ``locks``: one assignment epoch per campaign; every change of a campaign's
    assignments first moves the epoch it read (a conditional ``$inc``) and holds the
    campaign busy until its writes are done, so two admins assigning at once cannot
    both act on the same (or a half-written) picture of the loads; the loads are
    kept on it with the epoch they were counted at (`assignment_loads`);
  * ``assignments``: ``_id`` = campaign:application:reviewer, so a pair is assigned
    at most once whatever the races; ``declared_conflicts`` the same;
  * ``sheets``: one score sheet per assignment (same ``_id``), every change a
    conditional replace on the sheet's ``version``;
  * ``vetoes``: one document per application (``_id`` = campaign:application) whose
    ``records`` only grow, changed by a conditional replace on ``version``;
  * ``selections``: the published results, ``_id`` = campaign:round and a unique
    index on (campaign_id, round): of two admins publishing at once exactly one
    selection is stored, so a quota can never be filled twice;
  * ``selection_scores``: a published computation's scores, one document per
    application (``_id`` = campaign:inputs fingerprint:application), written before
    its selection: the same inputs give the same scores, so a repeat or a concurrent
    publisher adds nothing, and a school's thousands of applications never make one
    document over the server's 16 MB;
  * ``reviewer_spreads``: each published round's reviewer spread (``_id`` =
    campaign:round), derived from the round and kept so the dashboard does not read
    the round's scores again (reviewer_spread.py);
  * ``published_heads`` and ``published_rows``: each published round's view without
    its ranking (``_id`` = campaign:round) and its ranking rows, ROWS_CHUNK to a
    document (campaign:round:k), so a page reads the window it shows
    (results.published_window), not the round's megabytes;
  * ``result_previews`` and ``preview_rows``: the stored preview of publishing now
    (results_cache.py) without its ranking, and its ranking rows the same way, under
    a generation each new preview replaces;
  * ``audit``: the append-only trail (who, what, when, why), deterministic ids.

Every change carries its audit entry (and, for results, its event) in an ``outbox``
inside the changed document, written in the same operation; `outbox.finish` copies
the entry to ``audit`` and publishes the event, and a periodic sweep finishes what a
crash interrupted. Lists of sub-documents are only ever written by insert or whole
replace and top-level times are never written with ``$set`` (core/mongo.py: the
embedded nx-27017 server round-trips neither); booleans may come back as 0/1.
"""
import uuid
from datetime import timedelta

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from core.errors import Conflict, NotFound
from core.jobs import JobStore
from core.mongo import count, insert_new
from core.outbox import Outboxes
from core.pacing import sweep_pacer

SCORES_BATCH = 500
ROWS_CHUNK = 500   # a published round's ranking rows to a document (published_rows)
OUTBOX_COLLECTIONS = ("setups", "assignments", "sheets", "vetoes", "selections", "declared_conflicts")


def _rows(collection, prefix, offset, limit):
    """Rows `offset` to `offset + limit` of a ranking kept ROWS_CHUNK rows to a
    document (``<prefix>:<k>``): the chunks that hold them, in one read by ids."""
    if limit <= 0:
        return []
    first, last = offset // ROWS_CHUNK, (offset + limit - 1) // ROWS_CHUNK
    ids = [f"{prefix}:{k}" for k in range(first, last + 1)]
    found = {d["k"]: d["rows"] for d in collection.find({"_id": {"$in": ids}}, {"k": 1, "rows": 1})}
    rows = [row for k in sorted(found) for row in found[k]]
    return rows[offset - first * ROWS_CHUNK:offset - first * ROWS_CHUNK + limit]


def pair_id(campaign_id, application_id, reviewer_id=None):
    parts = [campaign_id, application_id] + ([reviewer_id] if reviewer_id else [])
    return ":".join(parts)


def changed_meanwhile(what_en="It", what_zh="数据"):
    return Conflict(f"{what_en} was changed by someone else meanwhile; reload and try again.",
                    f"{what_zh}已被他人修改，请刷新后重试", field="version")


class ScoringStore:
    def __init__(self, db, config):
        self.db = db
        self.config = config
        self.sweep_pacer = sweep_pacer(config)
        self.jobs = JobStore(db.jobs, "scoring")
        self.outboxes = Outboxes(db, "audit")   # changes' outboxes and the audit trail (core/outbox.py)

    def ensure_indexes(self):
        db = self.db
        self.jobs.ensure_indexes()
        for name in ("assignments", "sheets", "audit"):   # nx-27017 uses single-field indexes only
            db[name].create_index([("campaign_id", ASCENDING)])
        db.assignments.create_index([("reviewer_id", ASCENDING)])
        db.sheets.create_index([("reviewer_id", ASCENDING)])   # a reviewer's to-do count
        db.assignments.create_index([("campaign_id", ASCENDING), ("reviewer_id", ASCENDING)])
        db.assignments.create_index([("campaign_id", ASCENDING), ("application_id", ASCENDING)])
        db.sheets.create_index([("campaign_id", ASCENDING), ("application_id", ASCENDING)])
        db.declared_conflicts.create_index([("campaign_id", ASCENDING)])
        db.vetoes.create_index([("campaign_id", ASCENDING)])
        db.selections.create_index([("campaign_id", ASCENDING), ("round", ASCENDING)], unique=True,
                                   name="one_selection_per_round")
        db.audit.create_index([("campaign_id", ASCENDING), ("at", ASCENDING)])
        db.selection_scores.create_index([("fingerprint", ASCENDING)])   # a published round's scores
        db.reviewer_spreads.create_index([("campaign_id", ASCENDING)])
        db.published_heads.create_index([("campaign_id", ASCENDING)])
        db.preview_rows.create_index([("campaign_id", ASCENDING)])
        for name in OUTBOX_COLLECTIONS:
            self.outboxes.ensure_sweep_index(name)

    # -- programs -----------------------------------------------------------
    def register_program(self, definition, now):
        """Store a program version once. Returns True when it was new."""
        key = f"{definition['name']}@{definition['version']}"
        try:
            self.db.programs.insert_one({"_id": key, "registered_at": now, **definition})
            created = True
        except DuplicateKeyError:
            created = False
        self.db.program_heads.update_one({"_id": definition["name"]},
                                         {"$set": {"version": definition["version"]}}, upsert=True)
        return created

    def get_program(self, name, version=None):
        """A registered definition; NotFound naming the program and version."""
        if version is None:
            head = self.db.program_heads.find_one({"_id": name})
            if not head:
                raise NotFound(f"Program {name!r} has not registered criteria with the scoring service.",
                               f"项目类型 {name} 尚未向评分服务登记评分指标", field="program")
            version = head["version"]
        doc = self.db.programs.find_one({"_id": f"{name}@{version}"})
        if not doc:
            raise NotFound(f"Program {name!r} version {version} has not registered criteria with the scoring service.",
                           f"项目类型 {name}（版本 {version}）尚未向评分服务登记评分指标", field="program_version")
        doc.pop("_id")
        return doc

    def program_versions(self, name):
        return list(self.db.programs.find({"name": name}, {"_id": 0}, sort=[("registered_at", ASCENDING)]))

    # -- setups -------------------------------------------------------------
    def get_setup(self, campaign_id):
        return self.db.setups.find_one({"_id": campaign_id})

    def save_setup(self, setup, expected_version):
        """Insert (expected_version 0) or conditionally replace; Conflict when someone
        else changed it first. Returns the stored document."""
        if expected_version == 0:
            try:
                self.db.setups.insert_one(setup)
            except DuplicateKeyError:
                raise changed_meanwhile("The scoring setup", "评分设置") from None
            return setup
        body = {k: v for k, v in setup.items() if k != "_id"}
        new = self.db.setups.find_one_and_replace({"_id": setup["_id"], "version": expected_version}, body,
                                                  return_document=ReturnDocument.AFTER)
        if new is None:
            raise changed_meanwhile("The scoring setup", "评分设置")
        return new

    # -- assignments --------------------------------------------------------
    def assignment_epoch(self, campaign_id, now):
        """The epoch to claim before changing the campaign's assignments; Conflict
        while another change holds the campaign (its lease not yet expired)."""
        doc = self.db.locks.find_one({"_id": campaign_id})
        if not doc:
            return 0
        if doc.get("busy") == 1 and doc.get("lease_until", 0) > now.timestamp():
            raise Conflict("Another change of the reviewer assignments is in progress; try again in a moment.",
                           "其他人正在调整评审分配，请稍后重试", field="assignments")
        return doc["epoch"]

    def begin_assignment_change(self, campaign_id, epoch, now, lease_seconds=60):
        """Claim the campaign's assignments: move the epoch from `epoch` to epoch + 1
        and mark it busy until the change ends (or its lease expires, if the process
        died). Conflict when another change claimed it first. Readers that see it
        busy are refused, so nobody plans on a half-written set of assignments."""
        lease = now.timestamp() + lease_seconds
        if epoch == 0:
            try:
                self.db.locks.insert_one({"_id": campaign_id, "epoch": 1, "busy": 1, "lease_until": lease})
                return 1
            except DuplicateKeyError:
                pass
        else:
            moved = self.db.locks.find_one_and_update({"_id": campaign_id, "epoch": epoch},
                                                      {"$inc": {"epoch": 1}, "$set": {"busy": 1, "lease_until": lease}})
            if moved is not None:
                return epoch + 1
        raise changed_meanwhile("The assignments", "评审分配")

    def end_assignment_change(self, campaign_id, epoch):
        self.db.locks.update_one({"_id": campaign_id, "epoch": epoch}, {"$set": {"busy": 0}})

    def insert_assignment(self, doc):
        """False when the pair is already assigned (unique _id)."""
        try:
            self.db.assignments.insert_one(doc)
            return True
        except DuplicateKeyError:
            return False

    def insert_assignments(self, docs):
        """Insert a batch in one round trip; the ids inserted (a pair already
        assigned is left as it is)."""
        return insert_new(self.db.assignments, docs)

    def assignments(self, campaign_id, reviewer_id=None, application_id=None):
        query = {"campaign_id": campaign_id} if campaign_id else {}
        if reviewer_id:
            query["reviewer_id"] = reviewer_id
        if application_id:
            query["application_id"] = application_id
        return list(self.db.assignments.find(query, {"outbox": 0, "outbox_ts": 0, "outbox_at": 0},
                                             sort=[("application_id", ASCENDING), ("reviewer_id", ASCENDING)]))

    def assignments_page(self, campaign_id, after=None, limit=50):
        """Up to `limit` + 1 of the campaign's assignments after the id `after`, in id
        order (application, then reviewer: `pair_id`); the extra one tells that more
        follow (`_assignments_after`).

        Read as the range of ids a campaign's assignments have (`pair_id`: the
        campaign's id and a colon first), which _id's index serves: by the campaign's
        equality nx-27017 sorted every assignment of the campaign for each page (25 ms
        at 25,000, against 3.5). Should the range hold another campaign's (a campaign
        id with a colon, which none has), the page is read by the equality instead."""
        low = f"{campaign_id}:"
        found = self._assignments_after({}, max(after or low, low), limit, before=f"{campaign_id};")
        if any(doc["campaign_id"] != campaign_id for doc in found):
            return self._assignments_after({"campaign_id": campaign_id}, after, limit)
        return found

    def reviewer_assignments_page(self, reviewer_id, campaign_id=None, after=None, limit=100):
        """Up to `limit` + 1 of a reviewer's assignments (in `campaign_id` only, if
        given) after the id `after`, in id order (campaign, then application); the
        extra one tells that more follow (`_assignments_after`)."""
        match = {"reviewer_id": reviewer_id, **({"campaign_id": campaign_id} if campaign_id else {})}
        return self._assignments_after(match, after, limit)

    def _assignments_after(self, match, after, limit, before=None):
        """Up to `limit` + 1 assignments matching `match` after the id `after` (and
        before the id `before`), in id order, without their outbox. An aggregation,
        not a find: nx-27017 scans for a range on _id in a find but serves it in a
        pipeline (MongoDB serves both from _id's index)."""
        ids = {**({"$gt": after} if after else {}), **({"$lt": before} if before else {})}
        if ids:
            match = dict(match, _id=ids)
        return list(self.db.assignments.aggregate([
            {"$match": match}, {"$sort": {"_id": ASCENDING}}, {"$limit": limit + 1},
            {"$project": {"outbox": 0, "outbox_ts": 0, "outbox_at": 0}}]))

    def reviewer_assignment_count(self, reviewer_id, campaign_id=None):
        """How many assignments the reviewer has (in `campaign_id` only, if given): an indexed count."""
        return count(self.db.assignments, {"reviewer_id": reviewer_id, **({"campaign_id": campaign_id}
                                                                          if campaign_id else {})})

    def reviewer_pairs(self, reviewer_id):
        """[(assignment id, campaign id, application id)] of every assignment of the
        reviewer, in id order (campaign, then application): one indexed read of
        three fields each."""
        found = self.db.assignments.find({"reviewer_id": reviewer_id}, {"campaign_id": 1, "application_id": 1})
        return sorted((d["_id"], d["campaign_id"], d["application_id"]) for d in found)

    def submitted_sheet_ids(self, reviewer_id):
        """The ids of the sheets the reviewer submitted: one indexed read of ids."""
        return {d["_id"] for d in self.db.sheets.find({"reviewer_id": reviewer_id, "state": "submitted"}, {"_id": 1})}

    def submitted_sheet_count(self, reviewer_id, campaign_id=None):
        """How many sheets the reviewer submitted (in `campaign_id` only, if given): an indexed count."""
        return count(self.db.sheets, {"reviewer_id": reviewer_id, "state": "submitted",
                                      **({"campaign_id": campaign_id} if campaign_id else {})})

    def assignment_loads(self, campaign_id):
        """[(reviewer_id, reviewer_name, assignments)] of the campaign, by reviewer id.

        Kept on the campaign's lock document with the epoch they were counted at:
        every change of the assignments moves the epoch first, so loads kept at the
        epoch the lock shows, while it is not busy, are the loads now (one read by _id;
        the campaign page asks on every view, and counting 25,000 assignments on each
        was most of its time). Otherwise they are counted and kept, tagged with the
        epoch read before counting, unless a change held the campaign then (its end
        leaves the epoch as it is, so a count in the middle of it must not carry it);
        the write also checks that no change began meanwhile, so a late count never
        replaces newer kept loads. A count overlapped by a change is tagged with an
        epoch that has passed, and is counted again on the next view."""
        lock = self.db.locks.find_one({"_id": campaign_id}) or {}
        epoch, idle = lock.get("epoch", 0), lock.get("busy", 0) != 1
        if idle and lock.get("loads_epoch") == epoch and "loads" in lock:
            return [tuple(row) for row in lock["loads"]]
        loads = self._count_loads(campaign_id)
        if idle and epoch:
            self.db.locks.update_one({"_id": campaign_id, "epoch": epoch, "busy": {"$ne": 1}},
                                     {"$set": {"loads": [list(row) for row in loads], "loads_epoch": epoch}})
        return loads

    def _count_loads(self, campaign_id):
        """The loads counted by a $group on the server, then each reviewer's name from
        one of their assignments (an indexed read per reviewer of the pool, however
        many applications). Not a `$first` in the $group: nx-27017 runs that in a
        temporary table (50 ms at 5,000 assignments, against 5 ms for the count alone)."""
        rows = self.db.assignments.aggregate([{"$match": {"campaign_id": campaign_id}},
                                              {"$group": {"_id": "$reviewer_id", "n": {"$sum": 1}}}])
        out = []
        for row in sorted(rows, key=lambda r: r["_id"]):
            one = self.db.assignments.find_one({"reviewer_id": row["_id"], "campaign_id": campaign_id},
                                               {"reviewer_name": 1})
            out.append((row["_id"], (one or {}).get("reviewer_name"), row["n"]))
        return out

    def sheets_by_ids(self, sheet_ids):
        """{sheet id: sheet} of these sheets (those that exist), in one read."""
        if not sheet_ids:
            return {}
        return {d["_id"]: d for d in self.db.sheets.find({"_id": {"$in": list(sheet_ids)}},
                                                       {"outbox": 0, "outbox_ts": 0, "outbox_at": 0})}

    def sheet_states(self, sheet_ids):
        """{sheet id: state} of these sheets (those that exist)."""
        if not sheet_ids:
            return {}
        return {d["_id"]: d.get("state") for d in self.db.sheets.find({"_id": {"$in": list(sheet_ids)}}, {"state": 1})}

    def get_assignment(self, campaign_id, application_id, reviewer_id):
        return self.db.assignments.find_one({"_id": pair_id(campaign_id, application_id, reviewer_id)})

    def unsubmitted_count(self, reviewer_id, cap=100):
        """How many of the reviewer's assignments have no submitted sheet (None when
        they have no assignment at all): two indexed counts. A submitted sheet
        cannot lose its assignment (unassigning refuses), so the difference holds."""
        assigned = count(self.db.assignments, {"reviewer_id": reviewer_id})
        if not assigned:
            return None
        submitted = count(self.db.sheets, {"reviewer_id": reviewer_id, "state": "submitted"})
        return min(cap, max(0, assigned - submitted))

    def delete_assignment(self, assignment_id):
        return self.db.assignments.delete_one({"_id": assignment_id}).deleted_count == 1

    def insert_declared_conflict(self, doc):
        try:
            self.db.declared_conflicts.insert_one(doc)
            return True
        except DuplicateKeyError:
            return False

    def declared_conflicts(self, campaign_id):
        return list(self.db.declared_conflicts.find({"campaign_id": campaign_id}, {"outbox": 0, "outbox_ts": 0, "outbox_at": 0}))

    # -- sheets -------------------------------------------------------------
    def get_sheet(self, sheet_id):
        return self.db.sheets.find_one({"_id": sheet_id})

    def campaign_sheets(self, campaign_id, application_id=None):
        query = {"campaign_id": campaign_id}
        if application_id:
            query["application_id"] = application_id
        return list(self.db.sheets.find(query, {"outbox": 0, "outbox_ts": 0, "outbox_at": 0},
                                        sort=[("application_id", ASCENDING), ("reviewer_id", ASCENDING)]))

    def reviewer_names(self, campaign_id):
        """{reviewer id: name} of everyone with a sheet in the campaign, as one of their
        sheets names them (each sheet is named when saved: sheets.py): the reviewers by
        a $group on the server, then one indexed read each (reading every sheet's name
        was 1.9 s at 25,000 sheets)."""
        rows = self.db.sheets.aggregate([{"$match": {"campaign_id": campaign_id}},
                                         {"$group": {"_id": "$reviewer_id"}}])
        names = {}
        for row in rows:
            one = self.db.sheets.find_one({"reviewer_id": row["_id"], "campaign_id": campaign_id},
                                          {"reviewer_name": 1})
            names[row["_id"]] = (one or {}).get("reviewer_name")
        return names

    def save_sheet(self, doc, expected_version):
        """Insert a first version (expected_version 0) or replace only if the stored
        sheet is still at `expected_version`; Conflict otherwise."""
        if expected_version == 0:
            try:
                self.db.sheets.insert_one(doc)
            except DuplicateKeyError:
                raise changed_meanwhile("The score sheet", "评分表") from None
            return doc
        body = {k: v for k, v in doc.items() if k != "_id"}
        new = self.db.sheets.find_one_and_replace({"_id": doc["_id"], "version": expected_version}, body,
                                                  return_document=ReturnDocument.AFTER)
        if new is None:
            raise changed_meanwhile("The score sheet", "评分表")
        return new

    def delete_draft_sheet(self, sheet_id):
        """Remove a sheet only while it is a draft; True when removed or absent."""
        self.db.sheets.delete_one({"_id": sheet_id, "state": "draft"})
        return self.db.sheets.find_one({"_id": sheet_id}) is None

    # -- vetoes -------------------------------------------------------------
    def get_vetoes(self, doc_id):
        return self.db.vetoes.find_one({"_id": doc_id})

    def campaign_vetoes(self, campaign_id):
        return list(self.db.vetoes.find({"campaign_id": campaign_id}, {"outbox": 0, "outbox_ts": 0, "outbox_at": 0},
                                        sort=[("application_id", ASCENDING)]))

    def save_vetoes(self, doc, expected_version):
        if expected_version == 0:
            try:
                self.db.vetoes.insert_one(doc)
            except DuplicateKeyError:
                raise changed_meanwhile("The vetoes of this application", "该申报的否决记录") from None
            return doc
        body = {k: v for k, v in doc.items() if k != "_id"}
        new = self.db.vetoes.find_one_and_replace({"_id": doc["_id"], "version": expected_version}, body,
                                                  return_document=ReturnDocument.AFTER)
        if new is None:
            raise changed_meanwhile("The vetoes of this application", "该申报的否决记录")
        return new

    # -- selections -----------------------------------------------------------
    def insert_selection(self, doc):
        """(stored document, created): the unique index keeps one per round."""
        try:
            self.db.selections.insert_one(doc)
            return doc, True
        except DuplicateKeyError:
            return self.db.selections.find_one({"_id": doc["_id"]}), False

    def insert_selection_scores(self, campaign_id, fingerprint, scores):
        """Keep a computation's scores ({application id: score}), one document each,
        SCORES_BATCH to a round trip; those already there are left as they are."""
        docs = [{"_id": f"{campaign_id}:{fingerprint}:{aid}", "campaign_id": campaign_id, "fingerprint": fingerprint,
                 "application_id": aid, "score": score} for aid, score in scores.items()]
        for start in range(0, len(docs), SCORES_BATCH):
            insert_new(self.db.selection_scores, docs[start:start + SCORES_BATCH])

    def selection_scores(self, campaign_id, fingerprint):
        """Every application's score in the computation with `fingerprint`:
        {application id: score}, one index-served query."""
        return {d["application_id"]: d["score"]
                for d in self.db.selection_scores.find({"fingerprint": fingerprint, "campaign_id": campaign_id})}

    def selection_score(self, campaign_id, fingerprint, application_id):
        """An application's score in the computation with `fingerprint`, or None."""
        doc = self.db.selection_scores.find_one({"_id": f"{campaign_id}:{fingerprint}:{application_id}"})
        return doc["score"] if doc else None

    def round_count(self, campaign_id):
        """How many rounds the campaign has published (an indexed count: reading the
        newest round's document, even projected, costs its whole size on nx-27017)."""
        return count(self.db.selections, {"campaign_id": campaign_id})

    def kept_spread(self, campaign_id):
        """The reviewer spread kept for the campaign's newest round that has one
        (reviewer_spread.py), or None."""
        return self.db.reviewer_spreads.find_one({"campaign_id": campaign_id}, sort=[("round", DESCENDING)])

    def keep_spread(self, doc):
        """Keep a round's reviewer spread (derived from the round: writing it again
        writes the same)."""
        self.db.reviewer_spreads.replace_one({"_id": doc["_id"]}, doc, upsert=True)

    def published_head(self, campaign_id):
        """The newest published round's head that is kept (its view without its ranking
        rows: results.published_window), or None."""
        return self.db.published_heads.find_one({"campaign_id": campaign_id}, sort=[("round", DESCENDING)])

    def keep_published_rows(self, head, rows):
        """Keep a published round's ranking rows, ROWS_CHUNK to a document
        (``<campaign>:<round>:<k>``), then its head (so a head found means its rows
        are there). A round's rows never change: those kept already are left as they are."""
        prefix = f"{head['campaign_id']}:{head['round']}"
        docs = [{"_id": f"{prefix}:{k}", "campaign_id": head["campaign_id"], "round": head["round"], "k": k,
                 "rows": rows[start:start + ROWS_CHUNK]} for k, start in enumerate(range(0, len(rows), ROWS_CHUNK))]
        insert_new(self.db.published_rows, docs)
        self.db.published_heads.replace_one({"_id": head["_id"]}, head, upsert=True)

    def published_rows(self, campaign_id, round_, offset, limit):
        """Rows `offset` to `offset + limit` of a published round's ranking (kept by
        keep_published_rows): the chunks that hold them, in one read by ids."""
        return _rows(self.db.published_rows, f"{campaign_id}:{round_}", offset, limit)

    def latest_selection(self, campaign_id, with_computed=True):
        """The newest round; without `with_computed` the whole computation (every score
        of every reviewer, megabytes for a large campaign) is left out."""
        fields = {"outbox": 0, "outbox_ts": 0, "outbox_at": 0} if with_computed else {"outbox": 0, "outbox_ts": 0, "outbox_at": 0, "computed": 0}
        return self.db.selections.find_one({"campaign_id": campaign_id}, fields, sort=[("round", DESCENDING)])

    # -- stored previews (results_cache.py) ----------------------------------------
    def get_preview(self, campaign_id):
        """The stored preview's head (its ranking rows apart: `preview_rows`), or None."""
        return self.db.result_previews.find_one({"_id": campaign_id})

    def put_preview(self, doc, rows=()):
        """Keep a preview: its ranking `rows`, ROWS_CHUNK to a document under a new
        generation (``<campaign>:<gen>:<k>``), then its head `doc` naming that
        generation (``rows_gen``), then the rows of the head it replaced deleted. So a
        head found has its rows, unless a newer preview replaced it since it was read
        (results_cache.view reads the head again then)."""
        gen = uuid.uuid4().hex
        docs = [{"_id": f"{doc['_id']}:{gen}:{k}", "campaign_id": doc["_id"], "gen": gen, "k": k,
                 "rows": rows[start:start + ROWS_CHUNK]} for k, start in enumerate(range(0, len(rows), ROWS_CHUNK))]
        if docs:
            self.db.preview_rows.insert_many(docs)
        old = self.db.result_previews.find_one_and_replace({"_id": doc["_id"]}, dict(doc, rows_gen=gen),
                                                           {"rows_gen": 1}, upsert=True)
        if old and old.get("rows_gen"):
            self.db.preview_rows.delete_many({"campaign_id": doc["_id"], "gen": old["rows_gen"]})

    def preview_rows(self, campaign_id, gen, offset, limit):
        """Rows `offset` to `offset + limit` of a stored preview's ranking (generation
        `gen`, put_preview), in one read by ids."""
        return _rows(self.db.preview_rows, f"{campaign_id}:{gen}", offset, limit)

    def latest_change(self, campaign_id):
        """(time, id) of the campaign's newest audited scoring change (setup, assignment,
        sheet, veto, ...), or None: one index-served read."""
        doc = self.db.audit.find_one({"campaign_id": campaign_id}, {"at": 1}, sort=[("at", DESCENDING)])
        return [doc["at"].isoformat() if hasattr(doc["at"], "isoformat") else doc["at"], doc["_id"]] if doc else None

    def count_selections(self, campaign_id):
        return count(self.db.selections, {"campaign_id": campaign_id})

    # -- audit and outbox -----------------------------------------------------
    def record_audit(self, entry):
        """Append-only; deterministic ids, so recording an entry twice keeps one."""
        self.outboxes.record([entry])

    def audit_trail(self, campaign_id, application_id=None):
        query = {"campaign_id": campaign_id}
        if application_id:
            query["application_id"] = application_id
        return list(self.db.audit.find(query, sort=[("at", ASCENDING), ("_id", ASCENDING)]))

    def metrics(self):
        """Changes whose audit entry and event are not out yet (cx_backlog, core/metrics.py)."""
        return {"outbox": sum(count(self.db[name], {"outbox_ts": {"$ne": None}}, limit=100_000)
                              for name in OUTBOX_COLLECTIONS)}

    def since(self, now, seconds):
        return now - timedelta(seconds=seconds)
