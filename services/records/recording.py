"""Writing records: one fact, a file of facts, a file of awards, an award event.

Each function checks everything first (input, then every subject against the
directory) and writes only when all of it is good, so bad input changes nothing.
Writes are idempotent by deterministic ids (store.py): if a large import is
interrupted half-way, importing the same file again completes it without
duplicating what was already stored.
"""
import logging

from core.errors import ValidationFailed, field_error, invalid
from services.records.domain import access, awards, awards_import, facts, facts_import, subjects
from services.records.domain.table import read_table
from services.records.views import fact_view

log = logging.getLogger(__name__)


def add_fact(store, directory, actor, data, now):
    """One fact (already loaded by schemas.FactInput); {"status": created | updated
    | unchanged, "fact"}."""
    schools = access.require_school_admin(actor)
    record, problems = facts.check(data)
    if problems:
        facts.raise_problems(problems)
    pair = (record["subject_kind"], record["subject_id"])
    subject = directory.subjects([pair]).get(pair)
    reason = subjects.problem_of(*pair, subject, schools)
    if reason:
        raise invalid([field_error("subject_id", *reason)])
    doc = facts.make(record, subject, actor["id"], now)
    counts = store.put_facts([doc], facts.same_content)
    status = next(k for k, n in counts.items() if n)
    return {"status": status, "fact": fact_view(store.get_fact(doc["_id"]))}


def import_facts(store, directory, actor, filename, data, now, progress=None):
    """A CSV/XLSX of facts (domain/facts_import.py; the IMPORT_FACTS job); all or
    nothing. Raises ValidationFailed (field ``file``) whose details are every problem
    {row, column, message, message_zh}; returns the counts. Written in chunks
    (store.put_facts), `progress(done, total)` after each."""
    schools = access.require_school_admin(actor)
    header, rows = read_table(filename, data)
    found = {}
    records, problems = facts_import.parse_rows(header, rows, _subject_check(directory, schools, found))
    _raise_if(problems)
    docs = [facts.make({k: v for k, v in r.items() if k != "row"}, found[(r["subject_kind"], r["subject_id"])],
                       actor["id"], now) for r in records]
    return dict(store.put_facts(docs, facts.same_content, progress), imported=len(docs))


def import_awards(store, directory, actor, filename, data, now):
    """A CSV/XLSX of awards from before the platform (domain/awards_import.py); all
    or nothing, as import_facts."""
    schools = access.require_school_admin(actor)
    header, rows = read_table(filename, data)
    found = {}
    records, problems = awards_import.parse_rows(header, rows, _subject_check(directory, schools, found))
    _raise_if(problems)
    docs = [dict(awards.with_subject({k: v for k, v in r.items() if k != "row"},
                                     found[(r["subject_kind"], r["subject_id"])]),
                 event_id=None, recorded_by=actor["id"], recorded_at=now) for r in records]
    return dict(store.put_awards(docs, awards.same_content), imported=len(docs))


def receive_award(store, directory, envelope, now):
    """Keep an ``award.granted`` event's award, once per award_id. A malformed event
    is set aside in ``rejected_events`` with its problems (a redelivery cannot mend
    it); a directory that cannot be reached raises, so the event is redelivered."""
    record, problems = awards.from_event(envelope)
    if problems:
        log.error("award.granted %s rejected: %s", (envelope or {}).get("id"), "; ".join(problems))
        store.reject_event(envelope, problems, now)
        return None
    if store.find_awards({"_id": record["_id"]}):
        return False  # a redelivery: nothing to look up or write
    pair = (record["subject_kind"], record["subject_id"])
    subject = directory.subjects([pair]).get(pair)
    doc = dict(awards.with_subject(record, subject), recorded_by=None, recorded_at=now)
    created = store.add_award(doc)
    if created:
        log.info("award %s recorded for %s %s", doc["_id"], doc["subject_kind"], doc["subject_id"])
    return created


def _subject_check(directory, schools, found):
    """The directory check of an import's good rows; fills `found` for the caller."""
    def check(records):
        found.update(directory.subjects({(r["subject_kind"], r["subject_id"]) for r in records}))
        return subjects.row_problems(records, found, schools)
    return check


def _raise_if(problems):
    if problems:
        raise ValidationFailed(f"{len(problems)} problem(s) in the file; nothing was imported.",
                               f"文件中有 {len(problems)} 处错误，未导入任何数据", field="file", details=problems)
