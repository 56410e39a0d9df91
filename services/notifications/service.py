"""The notifications service: platform events → messages for people and systems.

Run with: nameko run --config deploy/config.yml services.notifications.service

Events in: one Nameko ``event_handler`` per event type of ``domain/catalog.py``, on
the publishing service's topic exchange (``applications.events``, ``scoring.events``,
``funding.events``). Each is a SERVICE_POOL handler, so there is one durable queue per
event type for this service (``evt-<source>-<type>--notifications.<method>``) and the
copies of a scaled service compete on it. A message is acked only after the event is
stored (``intake.receive_many``: the events a process's workers take at the same time
are stored and planned together, `dependencies.IntakeBatches`); deliveries have
deterministic ids, so redeliveries and concurrent copies never tell a person twice.

Out: a timer in every copy sends due deliveries (``sender.run_while_more``): leases,
backoff, per-channel rate limits, dead letters. Another re-plans events whose planning
failed.

RPC (the gateway's ``/api/notifications``): the caller's inbox and preferences; for
school admins, subscriptions, deliveries, the dead-letter list with replay, and
template overrides.
"""
import logging
import time

import eventlet

import core.rpc_errors  # noqa: F401  (typed errors cross RPC)
from core import probes
from core.declaration import check_declaration
from core.bus import RpcProxy, event_handler
from core.entrypoints import rpc
from core.paced_timer import paced_timer
from core.envelope import utc_now
from core.errors import field_error, invalid
from core.forms import load_or_raise
from services.notifications import intake, manage, sender
from services.notifications.channels.registry import person_channels
from services.notifications.dependencies import Channels, IntakeBatches, NotificationsRepository
from services.notifications.domain import preferences as pf
from services.notifications.domain.catalog import EVENTS
from services.notifications.domain.subscriptions import SYSTEM_CHANNELS
from services.notifications.domain.templates import parse_time
from services.notifications.schemas import (
    DeliveryQuery, InboxQuery, MarkRead, PreferencesPatch, SubscriptionInput, TemplateInput, TemplateQuery,
)
from services.notifications.settings import settings
from services.notifications.views import inbox_view, preferences_view, subscription_view

log = logging.getLogger(__name__)


def on(source, event_type):
    """An event handler for one event type (see the module docstring for the queue)."""
    return event_handler(source, event_type, requeue_on_error=True)


class NotificationsService(probes.Probed):
    name = "notifications"

    store = NotificationsRepository()
    channels = Channels()
    applications = RpcProxy("applications")
    intake_batches = IntakeBatches()

    # -- helpers (not entrypoints) -------------------------------------------
    @property
    def _settings(self):
        return settings(self.store.config)

    def _channels(self):
        return self.channels.with_inbox(self.store)

    def _admin(self, actor_id):
        return manage.require_admin(self.applications.internal_actor(actor_id))

    def _receive(self, envelope):
        try:
            return self.intake_batches.submit(envelope, self._receive_many)
        except Exception:
            # Only storing the event can fail here (planning failures are kept for the
            # sweep): the message is requeued; pause so a database outage is no busy loop.
            log.exception("could not store an event; it is requeued")
            eventlet.sleep(1)
            raise

    def _receive_many(self, envelopes):
        """A batch of events (see `_receive`), planned with this worker's proxies."""
        return intake.receive_many(self.store, self.applications, self._channels(), self._settings, envelopes,
                                   utc_now())

    # -- events in -----------------------------------------------------------
    @on("applications", "application.submitted")
    def on_application_submitted(self, envelope):
        self._receive(envelope)

    @on("applications", "application.returned")
    def on_application_returned(self, envelope):
        self._receive(envelope)

    @on("applications", "application.college_approved")
    def on_application_college_approved(self, envelope):
        self._receive(envelope)

    @on("applications", "application.decided")
    def on_application_decided(self, envelope):
        self._receive(envelope)

    @on("applications", "application.withdrawn")
    def on_application_withdrawn(self, envelope):
        self._receive(envelope)

    @on("applications", "notice.published")
    def on_notice_published(self, envelope):
        self._receive(envelope)

    @on("applications", "notice.closed")
    def on_notice_closed(self, envelope):
        self._receive(envelope)

    @on("applications", "award.granted")
    def on_award_granted(self, envelope):
        self._receive(envelope)

    @on("applications", "stage.assessed")
    def on_stage_assessed(self, envelope):
        self._receive(envelope)

    @on("scoring", "review.assigned")
    def on_review_assigned(self, envelope):
        self._receive(envelope)

    @on("funding", "grant.awarded")
    def on_grant_awarded(self, envelope):
        self._receive(envelope)

    @on("funding", "claim.submitted")
    def on_claim_submitted(self, envelope):
        self._receive(envelope)

    @on("funding", "claim.approved")
    def on_claim_approved(self, envelope):
        self._receive(envelope)

    @on("funding", "project.closed")
    def on_project_closed(self, envelope):
        self._receive(envelope)

    # -- out -----------------------------------------------------------------
    @paced_timer(interval=1, ready=lambda store: store.sender_pacer.ready(time.time()))
    def send_due(self):
        """Send what is due (every copy of the service; claims never overlap). Idle,
        it asks the database only when something falls due or a few seconds have
        passed (`store.sender_pacer`), not every second."""
        pacer = self.store.sender_pacer
        now = time.time()
        if not self.channels.sender.get("enabled", True) or not pacer.ready(now):
            return
        outcome = sender.run_while_more(self.store, self._channels(), self.channels.sender)
        if outcome["sent"] or outcome["expired"]:
            log.info("sender: %s", outcome)
        busy = bool(outcome["sent"] or outcome["expired"])
        pacer.tick(busy, now, None if busy else self.store.next_due_ts())

    @paced_timer(interval=10, ready=lambda store: store.replan_pacer.ready())
    def replan_events(self):
        """Plan again the events whose planning failed (the directory was down, say)."""
        if not self.store.replan_pacer.ready():
            return
        done = intake.sweep(self.store, self.applications, self._channels(), self._settings, utc_now())
        if self.store.replan_pacer.tick(done):
            log.info("re-planned %d event(s)", done)

    # -- health and programs -------------------------------------------------
    @rpc
    def ping(self):
        return "pong"

    @rpc
    def register_program(self, declaration):
        """Idempotent; keeps the program's display names for message texts."""
        check_declaration(declaration)
        return {"created": self.store.register_program(declaration, utc_now()), "version": declaration["version"]}

    @rpc
    def event_types(self):
        """The events this service turns into messages: type, titles, whether public,
        whether the person must act (the inbox cannot be muted then)."""
        return [{"type": s.type, "title_zh": s.title_zh, "title_en": s.title_en, "public": s.public,
                 "action_required": s.action_required, "exchange": s.exchange} for s in EVENTS.values()]

    # -- the caller's inbox ---------------------------------------------------
    @rpc
    def inbox(self, actor_id, query=None):
        """{"items": newest first, "unread": count} of the caller's own inbox."""
        data = load_or_raise(InboxQuery, query or {})
        before = None
        if data["before"]:
            try:
                before = parse_time(data["before"])
            except ValueError:
                raise invalid([field_error("before", "Not an ISO 8601 time.", "不是有效的 ISO 8601 时间")]) from None
        items = self.store.inbox.list(actor_id, data["unread"], data["limit"], before, data["before_id"])
        return {"items": [inbox_view(i) for i in items], "unread": self.store.inbox.unread_count(actor_id)}

    @rpc
    def unread_count(self, actor_id):
        return {"unread": self.store.inbox.unread_count(actor_id)}

    @rpc
    def mark_read(self, actor_id, payload=None):
        """Mark the caller's items read (all unread ones when no ids are given); others'
        ids change nothing."""
        data = load_or_raise(MarkRead, payload or {})
        changed = self.store.inbox.mark_read(actor_id, data["ids"], utc_now())
        return {"changed": changed, "unread": self.store.inbox.unread_count(actor_id)}

    # -- the caller's preferences ----------------------------------------------
    @rpc
    def get_preferences(self, actor_id):
        user_channels, _ = person_channels(self._channels())
        return preferences_view(self.store.preferences(actor_id), user_channels)

    @rpc
    def update_preferences(self, actor_id, patch):
        data = load_or_raise(PreferencesPatch, patch)
        user_channels, _ = person_channels(self._channels())
        current = self.store.preferences(actor_id)
        new = pf.update_preferences(current, data, known_channels=tuple(user_channels), now=utc_now())
        return preferences_view(self.store.save_preferences(current, new), user_channels)

    # -- admin: subscriptions ----------------------------------------------------
    @rpc
    def list_subscriptions(self, actor_id):
        self._admin(actor_id)
        return [subscription_view(s) for s in self.store.list_subscriptions()]

    @rpc
    def create_subscription(self, actor_id, payload):
        data = load_or_raise(SubscriptionInput, payload)
        known = [n for n, c in self._channels().items() if getattr(c, "audience", "") == "system"] or SYSTEM_CHANNELS
        return manage.create_subscription(self.store, self._admin(actor_id), data, known)

    @rpc
    def set_subscription_active(self, actor_id, subscription_id, active):
        return manage.set_subscription_active(self.store, self._admin(actor_id), subscription_id, active)

    @rpc
    def rotate_subscription_secret(self, actor_id, subscription_id):
        return manage.rotate_secret(self.store, self._admin(actor_id), subscription_id)

    # -- admin: deliveries and dead letters --------------------------------------
    @rpc
    def list_deliveries(self, actor_id, query=None):
        data = load_or_raise(DeliveryQuery, query or {})
        return manage.list_deliveries(self.store, self._admin(actor_id), data)

    @rpc
    def get_delivery(self, actor_id, delivery_id):
        return manage.get_delivery(self.store, self._admin(actor_id), delivery_id)

    @rpc
    def dead_letters(self, actor_id, query=None):
        data = load_or_raise(DeliveryQuery, dict(query or {}, state="dead"))
        return manage.list_deliveries(self.store, self._admin(actor_id), data)

    @rpc
    def replay(self, actor_id, delivery_id):
        policies = {name: channel.retry for name, channel in self._channels().items()}
        return manage.replay(self.store, self._admin(actor_id), delivery_id, policies)

    # -- admin: templates ------------------------------------------------------
    @rpc
    def templates(self, actor_id, query=None):
        data = load_or_raise(TemplateQuery, query or {})
        return manage.templates(self.store, self._admin(actor_id), data["event_type"], data["program"])

    @rpc
    def set_template(self, actor_id, payload):
        return manage.set_template(self.store, self._admin(actor_id), load_or_raise(TemplateInput, payload))

    @rpc
    def delete_template(self, actor_id, event_type, lang, program=None):
        return manage.delete_template(self.store, self._admin(actor_id), event_type, lang, program)

    # -- for the accounts service (internal RPC, never exposed over HTTP) -------
    @rpc
    def send_private_email(self, to, subject, body):
        """Sends one e-mail now through the configured e-mail channel and stores
        nothing (it carries a secret: a one-time password-reset link). Returns
        {"sent": bool, "detail"}; e-mail not configured → sent False."""
        channel = self.channels.channels.get("email")
        if channel is None:
            return {"sent": False, "detail": "e-mail is not configured"}
        result = channel.send({"to": to, "subject": subject, "body": body, "event_type": "account.reset"})
        return {"sent": bool(result.ok), "detail": result.detail}
