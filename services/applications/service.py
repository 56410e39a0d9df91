"""The applications service: programs, directory, campaigns, applications.

Run with: nameko run --config deploy/config.yml services.applications.service
Events (exchange ``applications.events``, routing key = type) are published at
least once with a unique envelope id: application.submitted, .college_approved,
.returned, .decided, .withdrawn, .reopened; after the decision notice.published,
notice.closed and award.granted. It consumes scoring.results_published.
"""
import logging

from nameko.events import EventDispatcher

import core.rpc_errors  # noqa: F401  (typed errors cross RPC)
from core import audit, probes
from core.bus import RpcProxy, event_handler
from core.declaration import check_declaration
from core.entrypoints import rpc
from core.paced_timer import paced_timer
from core.envelope import utc_now
from core.forms import load_or_raise
from core.job_service import JobsMixin
from core.mongo import Repository
from core.programs import check_enabled
from services.applications import attachments, campaign_edits, campaigns, directory, eligibility, outbox, shortlist
from services.applications import campaign_dashboard, campaign_status, workflow
from services.applications import jobs, nominations, people, program_roles, public_board, todo
from services.applications.campaign_rpcs import CampaignManagementRpcs
from services.applications.people_schemas import PeopleQuery, PersonInput, RoleGrantInput, RoleRevokeInput
from services.applications import awards, final_list, lifecycle_sweep, notices, stage_board, stage_files, stages
from services.applications.lifecycle import Deps
from services.applications.notice_schemas import (
    AssessInput, NoticeOpen, ObjectionFiled, ResolveInput, StageReportInput,
)
from services.applications.notice_store import NoticeStore
from services.applications.dependencies import ProgramHooks
from services.applications.domain import permissions, resubmission, visibility
from services.applications.domain.actors import Actor
from services.applications.schemas import (
    ActionInput, ApplicationCreate, ApplicationUpdate, CampaignInput, CampaignUpdate, CampaignWithdraw, ListFilter,
)
from services.applications.nomination_store import NominationStore
from services.applications.schemas import NominationInput
from services.applications.store import ApplicationsStore
from services.applications.views import application_view, attachment_view, jsonable, person_view, with_id

log = logging.getLogger(__name__)


class ApplicationsService(CampaignManagementRpcs, JobsMixin, probes.Probed):
    name = "applications"

    store = Repository(ApplicationsStore, "applications")
    nomination_store = Repository(NominationStore, "applications")  # same database; nominations only
    notice_store = Repository(NoticeStore, "applications")  # same database; notices, stages, awards
    accounts = RpcProxy("accounts")  # passwords given to seed_directory go there
    hooks = ProgramHooks()
    dispatch = EventDispatcher()

    # -- helpers (not entrypoints) -------------------------------------------
    def _actor(self, actor_id):
        return Actor.from_person(self.store.get_person(actor_id))

    @property
    def _config(self):
        return self.store.config

    # -- health and programs -------------------------------------------------
    @rpc
    def ping(self):
        return "pong"

    @rpc
    def register_program(self, declaration):
        """Idempotent; stores each version once. Called by plugin services at start.
        ValidationFailed naming every bad path (core.declaration), nothing stored."""
        check_declaration(declaration)
        now = utc_now()
        created = self.store.register_program(declaration, now)
        roles = program_roles.register_program(self.store, declaration, now)
        return {"created": created, "version": declaration["version"], **roles}

    @rpc
    def list_programs(self):
        enabled = set(check_enabled(self._config))
        return [with_id(p) for p in self.store.list_programs() if p["_id"] in enabled]

    @rpc
    def get_program(self, name, version=None):
        return self.store.get_program(name, version)

    # -- directory (log-in and accounts: the `accounts` service, account_service.py) --
    @rpc
    def whoami(self, actor_id):
        return person_view(self.store.get_person(actor_id))

    @rpc
    def seed_directory(self, units, people):
        """Bulk upsert for installers and demo data (not exposed over HTTP).
        People may carry `password`: it goes to the accounts service, which keeps only
        its argon2 hash in its own database (never in the person's record)."""
        program_roles.refresh(self.store)   # people may hold the rater roles programs declare
        for unit in units:
            self.store.upsert_unit(unit)
        passwords = {}
        for person in people:
            password = person.pop("password", None)
            if password:
                passwords[person["_id"]] = password
            self.store.upsert_person(directory.with_roles(person, person.get("roles", [])))
        if passwords:
            self.accounts.seed_passwords({"passwords": passwords})
        return {"units": len(units), "people": len(people)}

    @rpc
    def list_units(self, actor_id, kind=None, parent_id=None):
        self._actor(actor_id)
        query = {k: v for k, v in (("kind", kind), ("parent_id", parent_id)) if v}
        return [with_id(u) for u in self.store.find_units(query, limit=50000)]

    @rpc
    def import_students(self, actor_id, school_id, filename, file_ref):
        """Start importing students (a background job; the same file for the same
        school while one runs is the same job). `file_ref`: ``{"file_id"}`` of the
        spreadsheet in the file store (core/filestore.py), so neither the message nor
        the job carries the bytes. The job's result is {"imported", "units_touched"}; a
        bad file fails it with every bad row in its error details."""
        directory.check_import_allowed(self.store, self._actor(actor_id), school_id)
        if not isinstance(file_ref, dict) or not file_ref.get("file_id"):
            from core.errors import field_error, invalid
            raise invalid([field_error("file", "A file is required.", "请选择文件")])
        return self.submit_job(jobs.IMPORT_STUDENTS, {"school_id": school_id, "filename": filename,
                                                      "file": {"file_id": file_ref["file_id"]}}, actor_id)

    def job_handlers(self):
        return jobs.HANDLERS

    def job_visible(self, actor_id, job):
        """The campaign's admins all follow its jobs (two admins may start the same one)."""
        if not job.get("campaign_id") or job.get("kind") not in (jobs.FINALISE, jobs.NOMINATE, jobs.DASHBOARD_COUNTS):
            return False
        permissions.require_campaign_admin(self._actor(actor_id), self.store.get_campaign(job["campaign_id"]))
        return True

    # -- people directory and role grants (people.py) -------------------------
    # Each refreshes the rater roles programs declared (program_roles.py) first.
    @rpc
    def search_people(self, actor_id, filters=None):
        """A page of the people the actor may see: {"items", "next", "total", "total_capped"}."""
        data = load_or_raise(PeopleQuery, filters or {})
        program_roles.refresh(self.store)
        return people.search(self.store, self.store.get_person(actor_id), data)

    @rpc
    def get_person(self, actor_id, person_id):
        """A person's units, roles (in force or ended) with their history, and applications."""
        program_roles.refresh(self.store)
        return people.person_page(self.store, self.store.get_person(actor_id), person_id)

    @rpc
    def role_catalogue(self, actor_id):
        """Every role a person can hold — the platform's and those programs declare —
        with its labels, the kinds of unit it is held at, who grants it and whether
        the actor may grant it (core.roles.catalogue)."""
        program_roles.refresh(self.store)
        return people.role_catalogue(self.store.get_person(actor_id))

    @rpc
    def grant_role(self, actor_id, person_id, payload):
        data = load_or_raise(RoleGrantInput, payload)
        program_roles.refresh(self.store)
        return people.grant(self.store, self.store.get_person(actor_id), person_id, data)

    @rpc
    def revoke_role(self, actor_id, person_id, grant_id, payload):
        data = load_or_raise(RoleRevokeInput, payload)
        program_roles.refresh(self.store)
        return people.revoke(self.store, self.store.get_person(actor_id), person_id, grant_id, data["reason"])

    @rpc
    def role_grants_log(self, actor_id, mine_only=True):
        program_roles.refresh(self.store)
        return people.grants_log(self.store, self.store.get_person(actor_id), mine_only)

    @rpc
    def add_person(self, actor_id, payload):
        data = load_or_raise(PersonInput, payload)
        return people.add_person(self.store, self.store.get_person(actor_id), data)

    @rpc
    def export_summary(self, actor_id, campaign_id):
        """Start building the campaign's 申报汇总表 (a background job): the rows the
        caller may see; the job's result links to the file."""
        self._actor(actor_id)
        self.store.get_campaign(campaign_id)
        # `for`: the rows depend on who asks, so two people's exports are two jobs
        # (an identical running job is shared only with the same person).
        return self.submit_job(jobs.EXPORT_SUMMARY, {"campaign_id": campaign_id, "for": actor_id}, actor_id)

    # -- campaigns -----------------------------------------------------------
    @rpc
    def open_campaign(self, actor_id, payload, idempotency_key=None):
        data = load_or_raise(CampaignInput, payload)
        return campaigns.open_campaign(self.store, self._actor(actor_id), data, check_enabled(self._config),
                                       utc_now(), idempotency_key)

    @rpc
    def edit_campaign(self, actor_id, campaign_id, payload):
        data = load_or_raise(CampaignUpdate, payload)
        actor = self._actor(actor_id)
        campaign = self.store.get_campaign(campaign_id)
        program = self.store.get_program(campaign["program"], campaign.get("program_version"))
        campaign_edits.edit_campaign(self.store, actor, campaign_id, data, program, utc_now())
        # read back with `final_listed`: extending the window never reopens a campaign whose list is final
        return campaign_status.view(self.store, self.notice_store, workflow.campaign_of(self.store, campaign_id),
                                    utc_now())

    @rpc
    def withdraw_campaign(self, actor_id, campaign_id, payload):
        data = load_or_raise(CampaignWithdraw, payload)
        return campaign_edits.withdraw_campaign(self.store, self._actor(actor_id), campaign_id, data["reason"],
                                                utc_now())

    @rpc
    def campaign_history(self, actor_id, campaign_id):
        return campaign_edits.campaign_history(self.store, self._actor(actor_id), campaign_id)

    @rpc
    def list_campaigns(self, actor_id, open_only=False):
        """Each with its `phase` (core/campaign_phase.py); `open_only`: accepting applications now."""
        now = utc_now()
        found = campaigns.visible_campaigns(self.store, self._actor(actor_id), self.store.get_person(actor_id),
                                            open_only, now)
        views = campaign_status.views(self.store, self.notice_store, found, now)
        return [v for v in views if v["application_open"]] if open_only else views

    @rpc
    def get_campaign(self, actor_id, campaign_id):
        self._actor(actor_id)
        return campaign_status.view(self.store, self.notice_store, workflow.campaign_of(self.store, campaign_id),
                                    utc_now())

    @rpc
    def applicant_choices(self, actor_id, campaign_id):
        """Everyone the caller may apply for in the campaign (the units they represent,
        the classes of their college for a counselor, or themself), each with whether
        it may apply and why not, judged by the program in one call before the form
        is filled (eligibility.py): {"applicant_kind", "accepting", "candidates"}."""
        actor = self._actor(actor_id)
        campaign = workflow.campaign_of(self.store, campaign_id)
        program = self.store.get_program(campaign["program"], campaign.get("program_version"))
        found = eligibility.choices(self.store, self.hooks, actor, campaign, program,
                                    lambda app: permissions.can_view(actor, app))
        found["accepting"] = campaign_status.view(self.store, self.notice_store, campaign,
                                                  utc_now())["application_open"]
        return found

    # -- applications --------------------------------------------------------
    @rpc
    def create_application(self, actor_id, campaign_id, payload, idempotency_key=None):
        data = load_or_raise(ApplicationCreate, payload)
        campaign = workflow.campaign_of(self.store, campaign_id)
        program = self.store.get_program(campaign["program"], campaign.get("program_version"))
        return workflow.create(self.store, self.hooks, self.dispatch, self._actor(actor_id), campaign, program,
                               data["applicant_id"], data["form"], idempotency_key, utc_now())

    @rpc
    def update_application(self, actor_id, application_id, payload):
        data = load_or_raise(ApplicationUpdate, payload)
        return workflow.update_form(self.store, self.hooks, self.dispatch, self._actor(actor_id), application_id,
                                    data["form"], utc_now())

    @rpc
    def act(self, actor_id, application_id, payload, idempotency_key=None):
        data = load_or_raise(ActionInput, payload)
        return workflow.act(self.store, self.hooks, self.dispatch, actor_id, application_id,
                            data["action"], data["reason"], idempotency_key, utc_now())

    @rpc
    def get_application(self, actor_id, application_id):
        """The application with its attachments and, once it was returned, `since_return`:
        what changed since (domain/resubmission.py), else None."""
        app = workflow.visible_application(self.store, self._actor(actor_id), application_id)
        attachments = self.store.list_attachments(application_id)
        view = application_view(app, attachments)
        view["since_return"] = jsonable(resubmission.changes_of(app, attachments))
        return view

    def _readable(self, actor_id, campaign_id=None):
        """What the person may list (domain/visibility.py); the campaign's scope is read
        only for a school admin asking for one campaign."""
        actor = self._actor(actor_id)
        campaign = self.store.campaign_scope(campaign_id) if campaign_id and actor.units_with("school_admin") else None
        return visibility.readable(actor, campaign)

    @rpc
    def list_applications(self, actor_id, filters=None):
        data = load_or_raise(ListFilter, filters or {})
        visible = self._readable(actor_id, data["campaign_id"])
        return [application_view(a) for a in self.store.list_applications(visible, **data)]

    @rpc
    def count_applications(self, actor_id, filters=None):
        """How many applications `list_applications` with these filters lists over all
        its pages (`limit`, `skip` and `after` are ignored)."""
        data = load_or_raise(ListFilter, filters or {})
        visible = self._readable(actor_id, data["campaign_id"])
        return self.store.count_visible(visible, data["campaign_id"], data["state"], data["college_id"])

    @rpc
    def queue_place(self, actor_id, filters, application_id):
        """Where an application stands in the list these filters describe (a review
        queue): {"position" (1 = the newest; None when it is not in it), "total",
        "following": up to three ids after it, wrapping round to the top}. A few
        indexed reads, however long the queue."""
        data = load_or_raise(ListFilter, filters or {})
        visible = self._readable(actor_id, data["campaign_id"])
        keys = {k: data[k] for k in ("campaign_id", "state", "college_id")}
        position = self.store.position_of(visible, application_id, **keys)
        after = self.store.list_applications(visible, limit=3, after=application_id, **keys) if position else []
        top = self.store.list_applications(visible, limit=4, **keys) if len(after) < 3 else []
        following = [a["_id"] for a in after]
        following += [a["_id"] for a in top if a["_id"] != application_id and a["_id"] not in following]
        return {"position": position, "total": self.store.count_visible(visible, **keys),
                "following": following[:3]}

    @rpc
    def campaign_dashboard(self, actor_id, campaign_id):
        """The dashboard's applications per college and state and states per day, over
        the whole campaign in a few reads (campaign_dashboard.py; its admin only)."""
        return campaign_dashboard.view(self.store, self._actor(actor_id), campaign_id, utc_now(), lambda: self.submit_job(
            jobs.DASHBOARD_COUNTS, {"campaign_id": campaign_id}, actor_id, supersedes=True))

    @rpc
    def audit_trail(self, actor_id, application_id):
        workflow.visible_application(self.store, self._actor(actor_id), application_id)
        return [jsonable(audit.view(e)) for e in self.store.audit_trail(application_id)]

    # -- attachments (attachments.py) -------------------------------------------
    def _max_bytes(self):
        return int(self._config.get("ATTACHMENTS", {}).get("MAX_BYTES", 10 * 1024 * 1024))

    @rpc
    def add_attachment(self, actor_id, application_id, kind, filename, data_b64, idempotency_key=None):
        stored = attachments.add(self.store, self._actor(actor_id), application_id, kind, filename, data_b64,
                                 self._max_bytes(), utc_now(), idempotency_key)
        return attachment_view(stored)

    @rpc
    def replace_attachment(self, actor_id, application_id, attachment_id, filename, data_b64):
        """Put a new file in an attachment's place (same kind) while the application
        is a draft or returned; Conflict (409) after it was submitted."""
        stored = attachments.replace(self.store, self._actor(actor_id), application_id, attachment_id, filename,
                                     data_b64, self._max_bytes(), utc_now())
        return attachment_view(stored)

    @rpc
    def get_attachment(self, actor_id, application_id, attachment_id):
        """Metadata plus where the bytes are: `file_id` in the file store (core/filestore.py),
        or `data_b64` for an attachment stored inside its document before the file store."""
        workflow.visible_application(self.store, self._actor(actor_id), application_id)
        return self._attachment_with_bytes(application_id, attachment_id)

    @rpc
    def delete_attachment(self, actor_id, application_id, attachment_id):
        """Delete an attachment while the application is a draft or returned;
        Conflict (409) after it was submitted."""
        return attachments.delete(self.store, self._actor(actor_id), application_id, attachment_id, utc_now())

    # -- review results ------------------------------------------------------
    @event_handler("scoring", "scoring.results_published")
    def on_results_published(self, envelope):
        """Record a round's shortlist and each application's result (idempotent)."""
        shortlist.record(self.store, envelope, utc_now())

    @rpc
    def get_shortlist(self, actor_id, campaign_id):
        return shortlist.latest(self.store, self._actor(actor_id), campaign_id)

    # -- nominations ---------------------------------------------------------
    @rpc
    def nominate(self, actor_id, campaign_id, payload):
        """Nominate applications of a college campaign's final list to its parent
        campaign (推荐上报), as a background job (refusals that need no copying are
        the answer at once); see nominations.py for the guarantees. The job's
        result is nominations.nominate's."""
        data = load_or_raise(NominationInput, payload)
        nominations.check(self.store, self.nomination_store, self._actor(actor_id), campaign_id,
                          data["application_ids"])
        return self.submit_job(jobs.NOMINATE, {"campaign_id": campaign_id,
                                               "application_ids": sorted(set(data["application_ids"]))}, actor_id)

    @rpc
    def list_nominations(self, actor_id, campaign_id):
        """A school campaign's nominations by college (with used/quota), or a
        college campaign's own nominations to its parent."""
        return nominations.listing(self.store, self.nomination_store, self._actor(actor_id), campaign_id)

    # -- the home page's to-do list and the public notice board ---------------
    @rpc
    def todo_counts(self, actor_id):
        """{item: count} of what waits for the person here (services/applications/todo.py)."""
        return todo.todo_counts(self.store, self.notice_store, self._actor(actor_id))

    @rpc
    def public_board(self):
        """The current public notices and final lists as anyone may read them (no
        actor: the gateway decides who may open the board; public_board.py)."""
        return public_board.board(self.store, self.notice_store, utc_now())

    # -- notices, stages, awards --------------------------------------------
    # 公示, 异议, 正式名单, 中期检查/评估考核, 荣誉称号: docs/PROGRAM_LIFECYCLE.md; the
    # guarantees are in notices.py, final_list.py, stages.py and awards.py.
    def _deps(self):
        return Deps(self.store, self.notice_store, self.hooks, self.dispatch, self._config)

    @rpc
    def open_notice(self, actor_id, campaign_id, payload=None):
        data = load_or_raise(NoticeOpen, payload or {})
        return notices.open_notice(self._deps(), actor_id, campaign_id, data, utc_now())

    @rpc
    def get_notice(self, actor_id, campaign_id):
        return notices.get_notice(self._deps(), actor_id, campaign_id, utc_now())

    @rpc
    def file_objection(self, actor_id, notice_id, payload, idempotency_key=None):
        data = load_or_raise(ObjectionFiled, payload)
        return notices.file_objection(self._deps(), actor_id, notice_id, data, idempotency_key, utc_now())

    @rpc
    def list_objections(self, actor_id, notice_id):
        return notices.list_objections(self._deps(), actor_id, notice_id)

    @rpc
    def get_objection_evidence(self, actor_id, notice_id, objection_id):
        return notices.objection_evidence(self._deps(), actor_id, notice_id, objection_id)

    @rpc
    def resolve_objection(self, actor_id, notice_id, objection_id, payload, idempotency_key=None):
        data = load_or_raise(ResolveInput, payload)
        return notices.resolve(self._deps(), actor_id, notice_id, objection_id, data, idempotency_key, utc_now())

    @rpc
    def finalise_notice(self, actor_id, notice_id):
        """Store the final list (refused at once before the period is over or with
        an objection pending) and start the job deciding the applications; asking
        again while it runs returns the same job. Its result is the final list with
        ``decided``."""
        campaign_id = final_list.finalise(self._deps(), actor_id, notice_id, utc_now())
        return self.submit_job(jobs.FINALISE, {"campaign_id": campaign_id}, actor_id)

    @rpc
    def get_final_list(self, actor_id, campaign_id):
        return final_list.get_final_list(self._deps(), actor_id, campaign_id)

    @rpc
    def put_stage_report(self, actor_id, application_id, stage, payload):
        data = load_or_raise(StageReportInput, payload)
        return stages.put_report(self._deps(), actor_id, application_id, stage, data, utc_now())

    @rpc
    def assess_stage(self, actor_id, application_id, stage, payload, idempotency_key=None):
        data = load_or_raise(AssessInput, payload)
        return stages.assess(self._deps(), actor_id, application_id, stage, data, idempotency_key, utc_now())

    @rpc
    def get_stages(self, actor_id, application_id):
        return stages.get_stages(self._deps(), actor_id, application_id)

    @rpc
    def add_stage_file(self, actor_id, application_id, stage, filename, data_ref):
        """Attach a file (a file store reference {"file_id"}) to an open stage's report."""
        max_bytes = int(self._config.get("ATTACHMENTS", {}).get("MAX_BYTES", 10 * 1024 * 1024))
        return stage_files.add_file(self._deps(), actor_id, application_id, stage, filename, data_ref, max_bytes,
                                    utc_now())

    @rpc
    def remove_stage_file(self, actor_id, application_id, stage, file_id):
        return stage_files.remove_file(self._deps(), actor_id, application_id, stage, file_id, utc_now())

    @rpc
    def get_stage_file(self, actor_id, application_id, stage, file_id):
        return stage_files.get_file(self._deps(), actor_id, application_id, stage, file_id)

    @rpc
    def campaign_stages(self, actor_id, campaign_id):
        return stage_board.campaign_stages(self._deps(), actor_id, campaign_id)

    @rpc
    def stages_overview(self, actor_id):
        """The campaigns with stages the person administers, with their waiting reports."""
        return stage_board.overview(self._deps(), actor_id)

    @rpc
    def pass_stage_reports(self, actor_id, campaign_id, stage):
        """Start passing every report of `stage` waiting for an assessment (a
        background job; the same request while one runs is the same job)."""
        stage_board.require_bulk_pass(self._deps(), actor_id, campaign_id, stage)
        return self.submit_job(jobs.PASS_STAGE_REPORTS, {"campaign_id": campaign_id, "stage": stage}, actor_id)

    @rpc
    def list_awards(self, actor_id, campaign_id):
        return awards.list_awards(self._deps(), actor_id, campaign_id)

    @paced_timer(interval=5, ready=lambda store: store.sweep_pacer.ready(), store="notice_store")
    def sweep_lifecycle(self):
        """Finish notices, objections, final lists, stage changes and awards that a
        crash interrupted (at least once; every step is idempotent)."""
        if not self.notice_store.sweep_pacer.ready():
            return   # idle: see core/pacing.py
        now = utc_now()
        seconds = float(self._config.get("OUTBOX_SWEEP_SECONDS", 5))
        finished = lifecycle_sweep.sweep(self._deps(), now, self.store.since(now, seconds))
        if self.notice_store.sweep_pacer.tick(finished):
            log.info("lifecycle sweep took up %d document(s)", finished)

    # -- for other services (internal RPC, never exposed over HTTP) -----------
    @rpc
    def internal_actor(self, actor_id):
        """{"id", "name", "roles": [{"role", "unit_id"}], "school_id", "college_id",
        "class_id", "dorm_id", "branch_id"} of a person; raises NotFound. Other services
        authorise with this, so a role revoked here takes effect there at once."""
        return person_view(self.store.get_person(actor_id))

    @rpc
    def internal_actors(self, actor_ids):
        """{id: internal_actor(id)} for the ids the directory knows (the others are
        left out), in one database read: for a service that needs many people at
        once (a notification's recipients) instead of one call per person."""
        ids = [i for i in dict.fromkeys(actor_ids or []) if isinstance(i, str)]
        return {pid: person_view(p) for pid, p in self.store.people_by_ids(ids).items()} if ids else {}

    @rpc
    def internal_person_by_login(self, login):
        """The person with this login, or None (the accounts service signs them in)."""
        person = self.store.person_by_login(login)
        return person_view(person) if person else None

    @rpc
    def internal_person_by_number(self, number):
        """The person whose login, 学号 or 工号 is `number`, or None (campus sign-in)."""
        person = self.store.person_by_number(number)
        return person_view(person) if person else None

    @rpc
    def internal_people(self, role_keys=None, unit_ids=None):
        """People holding any of `role_keys` ("role@unit_id"), or belonging to any of
        `unit_ids` (their class, dorm, branch or college) — for notifications."""
        found = {p["_id"]: p for p in self.store.people_holding(role_keys or [])}
        if unit_ids:
            query = {"$or": [{field: {"$in": list(unit_ids)}}
                             for field in ("class_id", "dorm_id", "branch_id", "college_id")]}
            for p in self.store.find_people(query, limit=20000):
                found.setdefault(p["_id"], p)
        return [person_view(p) for p in sorted(found.values(), key=lambda p: p["_id"])]

    @rpc
    def internal_units(self, kind=None, within=None):
        """Units of `kind` inside the unit `within` (on their path) — e.g. the
        classes of a school, for a percentage of a population."""
        query = {}
        if kind:
            query["kind"] = kind
        if within:
            query["path"] = within
        return [with_id(u) for u in self.store.find_units(query, limit=50000)]

    @rpc
    def internal_application(self, application_id):
        """An application as stored (no permission check); raises NotFound."""
        return application_view(self.store.get_application(application_id))

    @rpc
    def internal_attachments(self, application_id):
        """An application's attachments (metadata, no bytes; no permission check)."""
        return [attachment_view(a) for a in self.store.list_attachments(application_id)]

    @rpc
    def internal_attachment(self, application_id, attachment_id):
        """One attachment with where its bytes are (`file_id`, or `data_b64` for an old
        one), for a service that checked the caller may see it; raises NotFound."""
        return self._attachment_with_bytes(application_id, attachment_id)

    def _attachment_with_bytes(self, application_id, attachment_id):
        import base64
        doc = self.store.get_attachment(application_id, attachment_id, with_data=True)
        view = attachment_view(doc)
        if doc.get("file_id"):
            view["file_id"] = doc["file_id"]
        else:
            view["data_b64"] = base64.b64encode(bytes(doc["data"])).decode("ascii")
        return view

    @rpc
    def internal_applications(self, campaign_id, states=None, ids=None):
        """A campaign's applications, optionally only those in `states` and only those
        of the ids `ids` (a page of another service's list)."""
        return [application_view(a) for a in self.store.campaign_applications(campaign_id, states, ids)]

    @rpc
    def internal_campaign_revision(self, campaign_id):
        """{"count", "updated_ts"} of a campaign's applications: any creation or change
        changes it (a cheap key for what was computed from them)."""
        return self.store.campaign_revision(campaign_id)

    @rpc
    def internal_campaign(self, campaign_id):
        """The campaign's view with its `phase` and `application_open` (core/campaign_phase.py)."""
        return campaign_status.view(self.store, self.notice_store, workflow.campaign_of(self.store, campaign_id),
                                    utc_now())

    @rpc
    def internal_unit(self, unit_id):
        return with_id(self.store.get_unit(unit_id))

    # -- outbox --------------------------------------------------------------
    @paced_timer(interval=5, ready=lambda store: store.sweep_pacer.ready())
    def sweep_outbox(self):
        """Re-publish events whose publishing was interrupted (at least once)."""
        if not self.store.sweep_pacer.ready():
            return   # idle: see core/pacing.py
        seconds = float(self._config.get("OUTBOX_SWEEP_SECONDS", 5))
        finished = outbox.sweep(self.store, self.dispatch, self.store.since(utc_now(), seconds))
        if self.store.sweep_pacer.tick(finished):
            log.info("outbox sweep finished %d change(s)", finished)
