"""Benchmark seeds: copies of documents the services really wrote, with new ids,
inserted in bulk straight into the owning service's database (insert_many). A seed
for a benchmark, never a test: it skips the service's rules, so every copy is of
finished work (no outbox, nothing due, no lease).

school_scale.py uses it when only part of a school's dorms submit over HTTP
(--http-dorms, to keep a 5,000-dorm run within minutes on a loaded machine): the
other dorms' applications are copies of the submitted ones, then moved on by the same
step the counselors took over HTTP. After assignment, the reviewers' score sheets
are the same kind of stand-in: a few are scored over HTTP as reviewers do, the rest
are copies of one of them (`copy_scored`) with marks of their own."""
import copy
import random

from pymongo import UpdateOne

from core.mongo import database_name

BATCH = 2000


def _insert(collection, docs):
    for start in range(0, len(docs), BATCH):
        collection.insert_many(docs[start:start + BATCH], ordered=False)


def copy_submitted(db, campaign_id, templates, leaders, first_ts):
    """Applications of the dorms in `leaders` (number, college key, dorm id, dorm name),
    submitted: copies of `templates` (real submitted applications of this campaign,
    one per college id) with their audit trails. Their times run up from
    `first_ts` (epoch seconds) by 10 ms, all older than the real ones; returns their
    ids in that order (oldest first)."""
    audit = {}
    for entry in db.audit.find({"application_id": {"$in": [t["_id"] for t in templates.values()]}}):
        audit.setdefault(entry["application_id"], []).append(entry)
    apps, entries, ids = [], [], []
    for n, (number, college_id, dorm_id, dorm_name) in enumerate(leaders):
        template = templates[college_id]
        doc = copy.deepcopy(template)
        ts = first_ts + n * 0.01
        doc.update(_id=f"app_seed_{campaign_id[-8:]}_{n:06d}", applicant_id=dorm_id, applicant_name=dorm_name,
                   college_id=college_id, unit_path=template["unit_path"][:-1] + [dorm_id],
                   created_by={"id": f"p_{number}", "name": f"寝室长{number}"},
                   created_key=f"seed-{campaign_id}-{n}", updated_ts=ts)
        for entry in audit.get(template["_id"], []):
            entries.append(dict(entry, _id=f"{doc['_id']}:{entry['seq']:06d}", application_id=doc["_id"],
                                subject_id=doc["_id"], by=doc["created_by"], details=None))
        apps.append(doc)
        ids.append(doc["_id"])
    _insert(db.applications, apps)
    _insert(db.audit, entries)
    return ids


def audit_seqs(db, application_id):
    return {e["seq"] for e in db.audit.find({"application_id": application_id}, {"seq": 1})}


def copy_step(db, before, seen, after, ids):
    """Move the applications `ids` on as `after` (a real application once `before`,
    whose audit entries then were `seen`: audit_seqs) was moved: the fields that
    changed, set alike (but updated_ts, see below); its new audit entries copied."""
    moving = {"_id", "updated_ts", "updated_at", "version", "outbox", "outbox_ts"}   # copies are finished work
    changed = {k: v for k, v in after.items() if k not in moving and before.get(k) != v}
    gone = [k for k in before if k not in after and k not in moving]
    new_entries = [e for e in db.audit.find({"application_id": after["_id"]}) if e["seq"] not in seen]
    # Each its own updated_ts, 1 ms apart just before the real one's, in `ids`' order (as
    # counselors approving one by one leave them): one shared time would make every list
    # page by key read the whole tie (store.list_applications), which no real step does.
    step = {"$set": dict(changed, updated_at=after["updated_at"]),
            "$inc": {"version": after["version"] - before["version"]}}
    if gone:
        step["$unset"] = {k: "" for k in gone}

    def moved(n):
        return dict(step, **{"$set": dict(step["$set"], updated_ts=after["updated_ts"] - (len(ids) - n) * 0.001)})

    for start in range(0, len(ids), BATCH):
        db.applications.bulk_write([UpdateOne({"_id": i}, moved(start + k)) for k, i in enumerate(ids[start:start + BATCH])],
                                   ordered=False)
    _insert(db.audit, [dict(e, _id=f"{i}:{e['seq']:06d}", application_id=i, subject_id=i)
                       for i in ids for e in new_entries])


def copy_scored(db, template, assignments, reviewer_names, marks):
    """Submitted score sheets for `assignments` (the scoring service's assignment
    documents, none scored yet), standing in for the reviewers who would each score
    theirs over HTTP: copies of `template` (a sheet a reviewer really submitted, in
    the scoring database `db`) with the assignment's application, reviewer and role
    (its category kept: the benchmark's applications all apply for the same type), the
    scores `marks(sheet_id)` gives (keys as the template's), and the template's
    audit entries (the sheet's own trail and the ``audit`` collection's) renamed to
    the copy and its reviewer. Returns how many sheets were written."""
    trail = list(db.audit.find({"subject_kind": "score_sheet", "subject_id": template["_id"]}))
    sheets, entries = [], []
    for assignment in assignments:
        sheet_id, reviewer_id = assignment["_id"], assignment["reviewer_id"]
        by = {"id": reviewer_id, "name": reviewer_names.get(reviewer_id, reviewer_id)}
        doc = copy.deepcopy(template)
        doc.update(_id=sheet_id, id=sheet_id, application_id=assignment["application_id"], reviewer_id=reviewer_id,
                   role=assignment.get("role", template["role"]), reviewer_name=by["name"], scores=marks(sheet_id),
                   audit=[dict(e, by=reviewer_id) for e in template["audit"]])
        for key in ("outbox", "outbox_ts", "outbox_at", "outbox_claim_ts"):
            doc.pop(key, None)
        sheets.append(doc)
        for entry in trail:
            details = dict(entry.get("details") or {}, reviewer_id=reviewer_id)
            entries.append(dict(entry, _id=f"score_sheet:{sheet_id}:{entry['seq']}", subject_id=sheet_id,
                                application_id=assignment["application_id"], by=by, details=details))
    _insert(db.sheets, sheets)
    _insert(db.audit, entries)
    return len(sheets)


def varied_marks(leaves, low=5.0, high=10.0):
    """marks(sheet_id) for copy_scored and the reviewers over HTTP: each leaf in
    `leaves` a mark in [low, high] to two decimals, the same for the same sheet id
    (seeded by it), so totals differ and the ranking is not all ties."""
    def marks(sheet_id):
        pick = random.Random(sheet_id)
        return {leaf: round(pick.uniform(low, high), 2) for leaf in leaves}
    return marks


def applications_db(client):
    return client[database_name({}, "applications")]


def scoring_db(client):
    return client[database_name({}, "scoring")]
