"""The records service (历史记录与事实): every award and title the platform grants, awards
from before it, and imported facts (scholarships, failed courses, disciplinary and
credit records, honours, dorm ratings…) about people, classes, dorms and branches —
what program plugins ask when a rule depends on history ("no failed course", "a
school-level commendation in the last 3 years", "won this type last year").

Run with: nameko run --config deploy/config.yml services.records.service

Guarantees:
  * Awards: every ``award.granted`` of the applications service is kept once per
    ``award_id`` however often it is delivered (the event's award_id is the record's
    id); its queue is durable and a message whose handling fails for a passing
    reason (database or directory down) is requeued, not lost; a malformed event
    is set aside in ``rejected_events`` with its problems. Awards from before the
    platform are imported.
  * Facts and award imports are all or nothing: every bad row is reported with its
    row number, column and reason in Chinese and English, and then nothing is
    stored. Every subject must exist in the directory, of the kind claimed, in the
    importing school admin's school.
  * No duplicates: a fact's id is a hash of (source, source_ref), or of its content
    when it has no source_ref, so re-importing a file, retrying a request or adding
    the same fact twice stores it once (a re-import with a corrected row updates it).
  * Reads for plugins (``facts``, ``awards``; internal, no actor) are oldest first
    and stable: the same window (core/periods.py, half-open [since, until)) over the
    same records always gives the same answer, with no import times in it, so a
    program's scoring input fingerprint only changes when the records do.
  * Lists for people are authorised on every call with the applications service's
    ``internal_actor`` (school admin: their school; college admin / counselor: their
    college's subjects; anyone: their own records and those of the class / dorm /
    branch they represent; a person's awards include those they share as a member).
"""
import logging

import eventlet

import core.rpc_errors  # noqa: F401  (typed errors cross RPC)
from core import probes
from core.bus import event_handler
from core.declaration import check_declaration
from core.entrypoints import rpc
from core.envelope import utc_now
from core.filestore import upload_bytes
from core.forms import decode_upload, load_or_raise
from core.job_service import JobsMixin
from core.mongo import Repository
from services.records import jobs, program_kinds, queries, recording
from services.records.directory import Directory
from services.records.domain import access
from services.records.domain import kinds as catalog
from services.records.schemas import AwardQuery, FactInput, FactQuery
from services.records.store import RecordsStore

log = logging.getLogger(__name__)


def _given(**filters):
    return {k: v for k, v in filters.items() if v is not None}


class RecordsService(JobsMixin, probes.Probed):
    name = "records"

    store = Repository(RecordsStore, "records")
    directory = Directory()

    def _actor(self, actor_id):
        return self.directory.actor(actor_id)

    # -- health --------------------------------------------------------------
    @rpc
    def ping(self):
        return "pong"

    @rpc
    def register_program(self, declaration):
        """Keep the fact kinds a program declares (as ``<program>:<code>``);
        idempotent. ValidationFailed naming the problem, nothing kept, when the
        declaration breaks the contract or a kind clashes with another."""
        check_declaration(declaration)
        return program_kinds.register_program(self.store, declaration, utc_now())

    @rpc
    def kinds(self):
        """The fact kinds with their labels, subjects and value fields (domain/kinds.py),
        the programs' own included."""
        program_kinds.refresh(self.store)
        return catalog.catalog()

    # -- for plugins (internal, no actor) ------------------------------------
    @rpc
    def facts(self, subject_ids, kinds=None, window=None):
        """[{"id", "subject_kind", "subject_id", "kind", "value", "date",
        "academic_year", "source", "source_ref", "note"}], oldest first."""
        program_kinds.refresh(self.store)
        return queries.facts(self.store, subject_ids, kinds, window)

    @rpc
    def awards(self, subject_ids=None, program=None, categories=None, window=None, academic_years=None):
        """[{"id", "subject_kind", "subject_id", "subject_name", "program", "code",
        "title", "category", "level", "academic_year", "date", "campaign_id",
        "application_id", "member_ids", "source"}], oldest first; `subject_ids`
        match the subject or a member."""
        return queries.awards(self.store, subject_ids, program, categories, window, academic_years)

    # -- for people ----------------------------------------------------------
    @rpc
    def add_fact(self, actor_id, payload):
        data = load_or_raise(FactInput, payload)
        program_kinds.refresh(self.store)
        return recording.add_fact(self.store, self.directory, self._actor(actor_id), data, utc_now())

    @rpc
    def import_facts(self, actor_id, filename, upload):
        """Start importing a file of facts (a background job; the same file while one
        runs is the same job). `upload`: the file store's {"file_id"} (content-
        addressed: the same bytes, the same id) or, from older callers, base64.
        Refused at once for anyone but a school admin. The job's result is the
        counts; a bad file fails it with every bad row."""
        access.require_school_admin(self._actor(actor_id))
        if not isinstance(upload, dict):
            upload = self.store.files.put(decode_upload(upload))
        return self.submit_job(jobs.IMPORT_FACTS, {"filename": filename, "file": {"file_id": upload["file_id"]}},
                               actor_id)

    def job_handlers(self):
        return jobs.HANDLERS

    @rpc
    def import_awards(self, actor_id, filename, upload):
        """Import awards from before the platform (all or nothing). `upload`: the file
        store's {"file_id"} (older callers: base64)."""
        actor = self._actor(actor_id)
        return recording.import_awards(self.store, self.directory, actor, filename,
                                       upload_bytes(upload, self.store.files), utc_now())

    @rpc
    def list_facts(self, actor_id, subject_id=None, kind=None):
        query = load_or_raise(FactQuery, _given(subject_id=subject_id, kind=kind))
        program_kinds.refresh(self.store)
        return queries.list_facts(self.store, self.directory, self._actor(actor_id), **query)

    @rpc
    def list_awards(self, actor_id, subject_id=None, program=None, campaign_id=None):
        query = load_or_raise(AwardQuery, _given(subject_id=subject_id, program=program, campaign_id=campaign_id))
        return queries.list_awards(self.store, self.directory, self._actor(actor_id), **query)

    # -- events in -----------------------------------------------------------
    @event_handler("applications", "award.granted", requeue_on_error=True)
    def on_award_granted(self, envelope):
        try:
            recording.receive_award(self.store, self.directory, envelope, utc_now())
        except Exception:
            # The database or the directory is unreachable: the message is requeued;
            # pause so an outage is no busy loop.
            log.exception("could not record award.granted %s; it is requeued", (envelope or {}).get("id"))
            eventlet.sleep(1)
            raise
