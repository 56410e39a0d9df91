"""The scoring service (评分): criteria, reviewers, score sheets, vetoes, results.

Run with: nameko run --config deploy/config.yml services.scoring.service

Entrypoints take the acting person's id first (the gateway passes the authenticated
id; the person and roles are read from the applications service on every call),
validate their input with a marshmallow schema, and delegate to one module each:
programs (registration), campaign_setup, reviewing (assignments, reviewer views),
sheets, vetoing, results (compute, publish, explain). The rules themselves are in
`services.scoring.domain`. What only a program knows (categories, facts, imported
marks, ...) comes from its ``scoring_inputs`` hook (`dependencies.ProgramInputs`).

Events: ``scoring.results_published`` on the exchange ``scoring.events`` (routing
key = type), at least once, with a deterministic envelope id per campaign and round.
"""
import logging

from nameko.events import EventDispatcher

import core.rpc_errors  # noqa: F401  (typed errors cross RPC)
from core import audit, probes
from core.declaration import check_declaration
from core.entrypoints import rpc
from core.paced_timer import paced_timer
from core.envelope import utc_now
from core.forms import load_or_raise
from core.job_service import JobsMixin
from core.mongo import Repository
from services.scoring import (
    campaign_setup, evidence, jobs, outbox, programs, results, results_cache, reviewer_pool, reviewer_spread, reviewing,
    sheets, vetoing,
)
from services.scoring.access import Person, require_campaign_admin
from services.scoring.dependencies import Applications, ProgramInputs
from services.scoring.schemas import (
    AssignInput, AssignmentsPage, ConflictInput, PublishInput, RankingRows, ReasonInput, SetupInput, SheetChangeInput,
    SheetInput, VetoInput,
)
from services.scoring.store import ScoringStore

log = logging.getLogger(__name__)


class ScoringService(probes.Probed, JobsMixin):
    name = "scoring"

    store = Repository(ScoringStore, "scoring")
    applications = Applications()
    program_inputs = ProgramInputs()   # each program's scoring_inputs hook (program_<name>)
    dispatch = EventDispatcher()

    def _person(self, actor_id):
        return Person.from_view(self.applications.actor(actor_id))

    # -- health and programs -------------------------------------------------
    @rpc
    def ping(self):
        return "pong"

    @rpc
    def register_program(self, declaration):
        """Keep a program version's criteria, quota rules and scoring policy.
        Idempotent (each version stored once); ValidationFailed naming the bad node
        or rule, and nothing stored, when the declaration breaks a rule."""
        check_declaration(declaration)   # the typed contract first, then the scoring rules
        if not programs.concerns_scoring(declaration):
            return {"created": False, "version": declaration.get("version"), "stored": False}
        definition = programs.definition_from_declaration(declaration)
        created = self.store.register_program(definition, utc_now())
        return {"created": created, "version": definition["version"], "stored": True}

    @rpc
    def get_criteria(self, program, version=None):
        """A registered program version's criteria tree, leaf shares, quota rules and policy."""
        return programs.load(self.store, program, version).criteria_view()

    @rpc
    def campaign_criteria(self, actor_id, campaign_id):
        """The criteria of the program version the campaign pinned."""
        self._person(actor_id)
        campaign = self.applications.campaign(campaign_id)
        return programs.load(self.store, campaign["program"], campaign["program_version"]).criteria_view()

    # -- setup ---------------------------------------------------------------
    @rpc
    def get_setup(self, actor_id, campaign_id):
        return campaign_setup.current(self.store, self.applications, self._person(actor_id), campaign_id)

    @rpc
    def configure(self, actor_id, campaign_id, payload):
        data = load_or_raise(SetupInput, payload)
        return campaign_setup.configure(self.store, self.applications, self.dispatch, self._person(actor_id),
                                        campaign_id, data, utc_now())

    # -- assignments ---------------------------------------------------------
    @rpc
    def pool_preview(self, actor_id, campaign_id):
        """The reviewer pool and, per application under review, its conflicts and
        conflict-free reviewers (reviewer_pool.py); read only."""
        return reviewer_pool.preview(self.store, self.applications, self._person(actor_id), campaign_id)

    @rpc
    def list_assignments(self, actor_id, campaign_id, page=None):
        """All of them, or with `page` ({"limit", "after"}) one page (reviewing.py)."""
        page = load_or_raise(AssignmentsPage, page) if page is not None else None
        return reviewing.list_assignments(self.store, self.applications, self._person(actor_id), campaign_id, page)

    @rpc
    def assign(self, actor_id, campaign_id, payload):
        data = load_or_raise(AssignInput, payload)
        return reviewing.assign(self.store, self.applications, self.dispatch, self._person(actor_id), campaign_id,
                                data, utc_now())

    @rpc
    def auto_assign(self, actor_id, campaign_id):
        """Start automatic assignment (a background job; one per campaign at a time).
        Refused at once without a setup or reviewers. The job's result is
        {"created": [...], "loads": {reviewer: n}}."""
        reviewing.check_auto_assign(self.store, self.applications, self._person(actor_id), campaign_id)
        return self.submit_job(jobs.AUTO_ASSIGN, {"campaign_id": campaign_id}, actor_id)

    def job_handlers(self):
        return jobs.HANDLERS

    def job_visible(self, actor_id, job):
        """The campaign's admins all follow its jobs (two admins may start the same one)."""
        campaign_id = job.get("campaign_id")
        if not campaign_id:
            return False
        require_campaign_admin(self._person(actor_id), self.applications.campaign(campaign_id))
        return True

    @rpc
    def unassign(self, actor_id, campaign_id, application_id, reviewer_id, payload):
        data = load_or_raise(ReasonInput, payload)
        return reviewing.unassign(self.store, self.applications, self._person(actor_id), campaign_id,
                                  application_id, reviewer_id, data["reason"], utc_now())

    @rpc
    def declare_conflict(self, actor_id, campaign_id, payload):
        data = load_or_raise(ConflictInput, payload)
        return reviewing.declare_conflict(self.store, self.applications, self.dispatch, self._person(actor_id),
                                          campaign_id, data, utc_now())

    @rpc
    def todo_counts(self, actor_id):
        """{"to_score": assignments without a submitted sheet} for a reviewer with
        assignments, else {} (the home page's to-do list; two indexed counts)."""
        waiting = self.store.unsubmitted_count(actor_id)
        return {} if waiting is None else {"to_score": waiting}

    @rpc
    def my_assignments(self, actor_id, campaign_id=None, page=None):
        """All of them, or with `page` ({"limit", "after"}) one page (reviewing.py)."""
        page = load_or_raise(AssignmentsPage, page) if page is not None else None
        return reviewing.my_assignments(self.store, self.applications, self._person(actor_id), campaign_id, page)

    @rpc
    def next_to_score(self, actor_id, campaign_id, application_id):
        """The reviewer's next assignment waiting for their scores after this one (reviewing.py)."""
        return reviewing.next_to_score(self.store, self._person(actor_id), campaign_id, application_id)

    @rpc
    def assigned_application(self, actor_id, campaign_id, application_id):
        campaign = self.applications.campaign(campaign_id)
        definition = programs.load(self.store, campaign["program"], campaign["program_version"])
        return reviewing.assigned_application(self.store, self.applications, self.program_inputs,
                                              self._person(actor_id), campaign, application_id, definition)

    @rpc
    def assigned_attachment(self, actor_id, campaign_id, application_id, attachment_id):
        """An attachment of an application assigned to you (evidence.py): metadata and
        where its bytes are; NotFound for anyone else."""
        return evidence.assigned_attachment(self.store, self.applications, self._person(actor_id), campaign_id,
                                            application_id, attachment_id)

    # -- score sheets --------------------------------------------------------
    @rpc
    def get_sheet(self, actor_id, campaign_id, application_id):
        return sheets.get_own(self.store, self.applications, self.program_inputs, self._person(actor_id), campaign_id,
                              application_id)

    @rpc
    def save_sheet(self, actor_id, campaign_id, application_id, payload):
        data = load_or_raise(SheetInput, payload)
        return sheets.save_draft(self.store, self.applications, self.program_inputs, self.dispatch,
                                 self._person(actor_id), campaign_id, application_id, data, utc_now())

    @rpc
    def submit_sheet(self, actor_id, campaign_id, application_id, payload=None):
        data = load_or_raise(SheetInput, payload or {})
        return sheets.submit(self.store, self.applications, self.program_inputs, self.dispatch,
                             self._person(actor_id), campaign_id, application_id, data, utc_now())

    @rpc
    def list_sheets(self, actor_id, campaign_id, application_id):
        return sheets.list_for_application(self.store, self.applications, self._person(actor_id), campaign_id,
                                           application_id)

    @rpc
    def change_sheet(self, actor_id, campaign_id, application_id, reviewer_id, payload):
        data = load_or_raise(SheetChangeInput, payload)
        return sheets.admin_change(self.store, self.applications, self.dispatch, self._person(actor_id),
                                   campaign_id, application_id, reviewer_id, data, utc_now())

    @rpc
    def reopen_sheet(self, actor_id, campaign_id, application_id, reviewer_id, payload):
        data = load_or_raise(ReasonInput, payload)
        return sheets.reopen(self.store, self.applications, self.dispatch, self._person(actor_id), campaign_id,
                             application_id, reviewer_id, data, utc_now())

    # -- vetoes --------------------------------------------------------------
    @rpc
    def veto(self, actor_id, campaign_id, application_id, payload):
        data = load_or_raise(VetoInput, payload)
        return vetoing.veto(self.store, self.applications, self.dispatch, self._person(actor_id), campaign_id,
                            application_id, data, utc_now())

    @rpc
    def revoke_veto(self, actor_id, campaign_id, application_id, payload):
        data = load_or_raise(ReasonInput, payload)
        return vetoing.revoke(self.store, self.applications, self.dispatch, self._person(actor_id), campaign_id,
                              application_id, data, utc_now())

    @rpc
    def list_vetoes(self, actor_id, campaign_id):
        return vetoing.list_vetoes(self.store, self.applications, self._person(actor_id), campaign_id)

    # -- results -------------------------------------------------------------
    @rpc
    def results(self, actor_id, campaign_id, rows=None):
        """The latest published round and the stored preview (results_cache.py); an
        outdated or missing preview starts the job computing it (`preview_job`).
        `rows` ({"offset", "limit"}): one window of each ranking."""
        rows = load_or_raise(RankingRows, rows) if rows is not None else None
        require_campaign_admin(self._person(actor_id), self.applications.campaign(campaign_id))
        return results_cache.view(self.store, self.applications, campaign_id, lambda: self.submit_job(
            jobs.COMPUTE_RESULTS, {"campaign_id": campaign_id}, actor_id, supersedes=True), rows)

    @rpc
    def compute_results(self, actor_id, campaign_id):
        """Start the job computing the stored preview afresh (e.g. after facts were
        imported, which the stored preview's key does not see); the running one if
        any."""
        require_campaign_admin(self._person(actor_id), self.applications.campaign(campaign_id))
        return self.submit_job(jobs.COMPUTE_RESULTS, {"campaign_id": campaign_id}, actor_id, supersedes=True)

    @rpc
    def export_ranking(self, actor_id, campaign_id):
        """Start the job building the 评审结果 workbook of the latest published round
        (campaign admin; Conflict at once when nothing is published); asking again
        while it runs returns the same job."""
        require_campaign_admin(self._person(actor_id), self.applications.campaign(campaign_id))
        results.require_published(self.store, campaign_id)
        return self.submit_job(jobs.EXPORT_RANKING, {"campaign_id": campaign_id}, actor_id)

    @rpc
    def published_results(self, actor_id, campaign_id):
        """The latest published round (campaign admin), or None; computes nothing."""
        require_campaign_admin(self._person(actor_id), self.applications.campaign(campaign_id))
        published = self.store.latest_selection(campaign_id, with_computed=False)
        return results.published_view(published) if published else None

    @rpc
    def publish_results(self, actor_id, campaign_id, payload=None):
        """Start the job computing and publishing a round (results.publish; refused at
        once for a non-admin or a skipped round). Asking again while it runs returns
        the same job; its result is the published round with ``created``."""
        data = load_or_raise(PublishInput, payload or {})
        results.check_publish(self.store, self.applications, self._person(actor_id), campaign_id, data)
        return self.submit_job(jobs.PUBLISH_RESULTS, {"campaign_id": campaign_id, "round": data.get("round")},
                               actor_id)

    @rpc
    def reviewer_spread(self, actor_id, campaign_id):
        """Each reviewer's totals before and after normalisation in the latest published
        round (campaign admin; reviewer_spread.py), or None before one is published."""
        return reviewer_spread.view(self.store, self.applications, self._person(actor_id), campaign_id)

    @rpc
    def explain(self, actor_id, campaign_id, application_id):
        return results.explain(self.store, self.applications, self.program_inputs, self._person(actor_id),
                               campaign_id, application_id)

    @rpc
    def audit_trail(self, actor_id, campaign_id, application_id=None):
        """Every audited scoring change of the campaign (campaign admin), oldest first."""
        require_campaign_admin(self._person(actor_id), self.applications.campaign(campaign_id))
        return [audit.view(e) for e in self.store.audit_trail(campaign_id, application_id)]

    # -- outbox --------------------------------------------------------------
    @paced_timer(interval=5, ready=lambda store: store.sweep_pacer.ready())
    def sweep_outbox(self):
        """Finish changes whose audit entry or event was interrupted (at least once)."""
        if not self.store.sweep_pacer.ready():
            return   # idle: see core/pacing.py
        seconds = float(self.store.config.get("OUTBOX_SWEEP_SECONDS", 5))
        finished = outbox.sweep(self.store, self.dispatch, self.store.since(utc_now(), seconds))
        if self.store.sweep_pacer.tick(finished):
            log.info("outbox sweep finished %d change(s)", finished)
