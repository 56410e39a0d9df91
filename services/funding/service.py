"""The funding service: tiers and caps, campaign budgets, grants, reimbursement
claims against an append-only ledger, closing (结项), reports.

Run with: nameko run --config deploy/config.yml services.funding.service

Events (exchange ``funding.events``, routing key = type), published at least once
through the outbox, with an envelope id derived from the command's idempotency key:
``grant.awarded``, ``claim.approved``, ``project.closed``. Awarding a final list's
projects at once is a background job (``award_grants``, awards.py).

Every RPC that moves money takes an ``idempotency_key`` (the gateway's
Idempotency-Key header) and requires it; a retry returns the first answer and books
nothing twice (idempotency.py). The acting person is re-read from the applications
service on every call (``internal_actor``).
"""
import logging

from nameko.events import EventDispatcher

import core.rpc_errors  # noqa: F401  (typed errors cross RPC)
from core import probes
from core.bus import RpcProxy
from core.entrypoints import rpc
from core.paced_timer import paced_timer
from core.job_service import JobsMixin
from core.envelope import utc_now
from core.forms import load_or_raise
from core.mongo import Repository
from core import idempotency
from services.funding import awards, closing_flow, directory, exports, outbox, report_flow, todo, workflow
from services.funding.domain import actors
from services.funding.schemas import (
    AwardInput, AwardsInput, BudgetInput, ClaimActionInput, ClaimInput, CloseInput, FundingCampaignInput,
    MaterialInput, MaterialsReviewInput,
)
from services.funding.store import FundingStore

log = logging.getLogger(__name__)


class FundingService(probes.Probed, JobsMixin):
    name = "funding"

    store = Repository(FundingStore, "funding")
    applications = RpcProxy("applications")
    dispatch = EventDispatcher()

    # -- helpers (not entrypoints) -------------------------------------------
    @property
    def _ctx(self):
        return workflow.Ctx(self.store, self.applications, self.dispatch, self.store.config)

    def _actor(self, actor_id):
        return directory.actor(self.applications, actor_id)

    def _once(self, actor, operation, key, payload, command):
        """Run a money-moving command under its Idempotency-Key."""
        return idempotency.run(self.store, actor["id"], operation, key, payload, command)

    # -- health and programs -------------------------------------------------
    @rpc
    def ping(self):
        return "pong"

    @rpc
    def register_program(self, declaration):
        """Keep the program version's funding rules (``declaration["funding"]``);
        idempotent. Called by every program plugin when it starts."""
        return workflow.register_program(self.store, declaration, utc_now())

    @rpc
    def get_rules(self, program, version=None):
        """The funding rules (tiers with caps, materials, steps) of a program version;
        the newest registered one when ``version`` is None."""
        return workflow.get_rules(self._ctx, program, version, utc_now())

    # -- campaigns -----------------------------------------------------------
    @rpc
    def open_campaign(self, actor_id, payload, idempotency_key=None):
        data = load_or_raise(FundingCampaignInput, payload)
        actor = self._actor(actor_id)
        return self._once(actor, "open_campaign", idempotency_key, data,
                          lambda key: workflow.open_campaign(self._ctx, actor, data, utc_now()))

    @rpc
    def get_campaign(self, actor_id, campaign_id):
        return workflow.get_campaign(self._ctx, self._actor(actor_id), campaign_id, utc_now())

    @rpc
    def set_budget(self, actor_id, campaign_id, payload, idempotency_key=None):
        data = load_or_raise(BudgetInput, payload)
        actor = self._actor(actor_id)
        return self._once(actor, "set_budget", idempotency_key, [campaign_id, data],
                          lambda key: workflow.set_budget(self._ctx, actor, campaign_id, data, utc_now()))

    @rpc
    def campaign_ledger(self, actor_id, campaign_id):
        return workflow.campaign_ledger(self._ctx, self._actor(actor_id), campaign_id)

    @rpc
    def report(self, actor_id, campaign_id, level="campaign"):
        """Granted, claimed, approved, paid, returned, remaining: ``level`` campaign
        (a row), college or project (rows the person may see)."""
        return report_flow.report(self._ctx, self._actor(actor_id), campaign_id, level)

    # -- grants --------------------------------------------------------------
    @rpc
    def award_grant(self, actor_id, campaign_id, payload, idempotency_key=None):
        data = load_or_raise(AwardInput, payload)
        actor = self._actor(actor_id)
        return self._once(actor, "award_grant", idempotency_key, [campaign_id, data],
                          lambda key: workflow.award_grant(self._ctx, actor, campaign_id, data, utc_now()))

    @rpc
    def award_grants(self, actor_id, campaign_id, payload):
        """Award many grants of the campaign as one background job (awards.py): every
        row is checked first (problems named per row, nothing awarded), then the job
        awards them; its result lists any row refused meanwhile."""
        data = load_or_raise(AwardsInput, payload)
        rows = awards.check(self._ctx, self._actor(actor_id), campaign_id, data["awards"], utc_now())
        return self.submit_job(awards.AWARD_GRANTS, {"campaign_id": campaign_id, "awards": rows}, actor_id,
                               total=len(rows))

    @rpc
    def export_grants(self, actor_id, campaign_id):
        """Start the job building the campaign's 立项经费与报销 workbook: the grants and
        claims the caller may see (NotFound at once for an unknown campaign)."""
        workflow.get_campaign(self._ctx, self._actor(actor_id), campaign_id, utc_now())
        # `for`: the rows depend on who asks; an identical job is shared only with the same person.
        return self.submit_job(exports.EXPORT_GRANTS, {"campaign_id": campaign_id, "for": actor_id}, actor_id)

    def job_handlers(self):
        return {**awards.HANDLERS, **exports.HANDLERS}

    def job_visible(self, actor_id, job):
        """Whoever may award (school admins, finance) follows the awarding jobs."""
        return actors.is_school_admin(self._actor(actor_id)) or actors.is_finance(self._actor(actor_id))

    @rpc
    def list_grants(self, actor_id, campaign_id=None):
        return workflow.list_grants(self._ctx, self._actor(actor_id), campaign_id)

    @rpc
    def get_grant(self, actor_id, grant_id):
        return workflow.get_grant(self._ctx, self._actor(actor_id), grant_id, utc_now())

    @rpc
    def grant_ledger(self, actor_id, grant_id):
        return workflow.grant_ledger(self._ctx, self._actor(actor_id), grant_id)

    @rpc
    def add_attachment(self, actor_id, grant_id, kind, filename, data_b64, idempotency_key=None):
        """A receipt (kind ``receipt``) or a closing material file; bytes as base64. A
        retry (same key, or the same bytes for the same kind) returns the first."""
        max_bytes = int(self.store.config.get("ATTACHMENTS", {}).get("MAX_BYTES", 10 * 1024 * 1024))
        return workflow.add_attachment(self._ctx, self._actor(actor_id), grant_id, kind, filename, data_b64,
                                       max_bytes, utc_now(), idempotency_key)

    @rpc
    def get_attachment(self, actor_id, grant_id, attachment_id):
        """Metadata plus the content as base64 (``data_b64``)."""
        return workflow.get_attachment(self._ctx, self._actor(actor_id), grant_id, attachment_id)

    @rpc
    def submit_material(self, actor_id, grant_id, payload):
        data = load_or_raise(MaterialInput, payload)
        return closing_flow.submit_material(self._ctx, self._actor(actor_id), grant_id, data, utc_now())

    @rpc
    def review_materials(self, actor_id, grant_id, payload, idempotency_key=None):
        """The campaign admin passes the closing materials or returns them (reason)."""
        data = load_or_raise(MaterialsReviewInput, payload)
        actor = self._actor(actor_id)
        return self._once(actor, "review_materials", idempotency_key, [grant_id, data],
                          lambda key: closing_flow.review_materials(self._ctx, actor, grant_id, data, utc_now()))

    @rpc
    def close_project(self, actor_id, grant_id, payload=None, idempotency_key=None):
        data = load_or_raise(CloseInput, payload or {})
        actor = self._actor(actor_id)
        return self._once(actor, "close_project", idempotency_key, [grant_id, data],
                          lambda key: closing_flow.close_project(self._ctx, actor, grant_id, data, utc_now()))

    # -- claims --------------------------------------------------------------
    @rpc
    def file_claim(self, actor_id, grant_id, payload, idempotency_key=None):
        data = load_or_raise(ClaimInput, payload)
        actor = self._actor(actor_id)
        return self._once(actor, "file_claim", idempotency_key, [grant_id, data],
                          lambda key: workflow.file_claim(self._ctx, actor, grant_id, data, key, utc_now()))

    @rpc
    def resubmit_claim(self, actor_id, claim_id, payload, idempotency_key=None):
        data = load_or_raise(ClaimInput, payload)
        actor = self._actor(actor_id)
        return self._once(actor, "resubmit_claim", idempotency_key, [claim_id, data],
                          lambda key: workflow.resubmit_claim(self._ctx, actor, claim_id, data, key, utc_now()))

    @rpc
    def act_on_claim(self, actor_id, claim_id, payload, idempotency_key=None):
        data = load_or_raise(ClaimActionInput, payload)
        actor = self._actor(actor_id)
        return self._once(actor, "act_on_claim", idempotency_key, [claim_id, data],
                          lambda key: workflow.act_on_claim(self._ctx, actor, claim_id, data, key, utc_now()))

    @rpc
    def get_claim(self, actor_id, claim_id):
        return workflow.get_claim(self._ctx, self._actor(actor_id), claim_id)

    @rpc
    def list_claims(self, actor_id, grant_id):
        return workflow.list_claims(self._ctx, self._actor(actor_id), grant_id)

    @rpc
    def todo_counts(self, actor_id):
        """{"claims_to_approve": n} for approvers and finance, else {} (services/funding/todo.py)."""
        return todo.todo_counts(self.store, self._actor(actor_id))

    @rpc
    def campaign_claims(self, actor_id, campaign_id):
        """Every claim of the campaign the person may see (one query), oldest first."""
        return workflow.campaign_claims(self._ctx, self._actor(actor_id), campaign_id)

    @rpc
    def pending_approvals(self, actor_id):
        return workflow.pending_approvals(self._ctx, self._actor(actor_id))

    # -- outbox --------------------------------------------------------------
    @paced_timer(interval=2, ready=lambda store: store.sweep_pacer.ready())
    def sweep_outbox(self):
        """Finish outcomes a crash cut short (apply what is missing, publish)."""
        if not self.store.sweep_pacer.ready():
            return   # idle: see core/pacing.py
        seconds = float(self.store.config.get("OUTBOX_SWEEP_SECONDS", 5))
        finished = outbox.sweep(self.store, self.dispatch, seconds)
        if self.store.sweep_pacer.tick(finished):
            log.info("funding outbox sweep finished %d outcome(s)", finished)
