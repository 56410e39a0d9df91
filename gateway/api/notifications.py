"""REST endpoints of the notifications service: the caller's inbox and preferences,
and for school admins webhook/robot subscriptions, deliveries, the dead-letter list
with replay, and message templates. Request bodies reuse the service's own schemas
(services/notifications/schemas.py); the service authorises every call."""
from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from gateway.api import rpc
from gateway.auth import login_required
from services.notifications.schemas import (
    DeliveryQuery, InboxQuery, MarkRead, PreferencesPatch, SubscriptionInput, TemplateInput, TemplateQuery,
)

blp = Blueprint("notifications", __name__, url_prefix="/api/notifications",
                description="Notifications (通知): inbox, preferences, webhooks, dead letters, templates")


class InboxItemOut(Schema):
    id = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    subject = fields.String()
    body = fields.String()
    link = fields.String()
    lang = fields.String()
    created_at = fields.String()
    read_at = fields.String(allow_none=True)
    read = fields.Boolean()


class InboxOut(Schema):
    items = fields.List(fields.Nested(InboxItemOut))
    unread = fields.Integer()


class UnreadOut(Schema):
    unread = fields.Integer()


class MarkReadOut(Schema):
    changed = fields.Integer()
    unread = fields.Integer()


class PreferencesOut(Schema):
    user_id = fields.String()
    lang = fields.String(allow_none=True)
    channels = fields.Dict(metadata={"description": "Global switch per channel"})
    events = fields.Dict(metadata={"description": "Per event, per channel"})
    updated_at = fields.String(allow_none=True)
    available_channels = fields.List(fields.String())
    effective = fields.Dict(metadata={"description": "Channels each event reaches you on now"})


class EventTypeOut(Schema):
    type = fields.String()
    title_zh = fields.String()
    title_en = fields.String()
    public = fields.Boolean()
    action_required = fields.Boolean()
    exchange = fields.String()


class SubscriptionOut(Schema):
    id = fields.String()
    name = fields.String()
    channel = fields.String()
    url = fields.String()
    event_types = fields.List(fields.String())
    programs = fields.List(fields.String(), allow_none=True)
    lang = fields.String()
    active = fields.Boolean()
    options = fields.Dict()
    origin = fields.String()
    has_secret = fields.Boolean()
    secret = fields.String(metadata={"description": "Only in the answer that created or rotated it"})
    created_at = fields.String()
    created_by = fields.String(allow_none=True)


class ActiveInput(Schema):
    active = fields.Boolean(required=True)


class DeliveryOut(Schema):
    id = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    recipient = fields.String()
    channel = fields.String()
    address = fields.String()
    state = fields.String()
    attempts = fields.Integer()
    max_attempts = fields.Integer()
    replays = fields.Integer()
    subject = fields.String(allow_none=True)
    lang = fields.String(allow_none=True)
    dead = fields.Boolean()
    next_attempt_at = fields.String(allow_none=True)
    created_at = fields.String()
    updated_at = fields.String()
    delivered_at = fields.String(allow_none=True)
    dead_at = fields.String(allow_none=True)
    last_error = fields.String(allow_none=True)
    history = fields.List(fields.Dict())
    message = fields.Dict(metadata={"description": "Only for one delivery"})


class TemplateOut(Schema):
    event_type = fields.String()
    title_zh = fields.String()
    title_en = fields.String()
    placeholders = fields.List(fields.String())
    defaults = fields.Dict()
    overrides = fields.List(fields.Dict())


class OverrideOut(Schema):
    key = fields.String()
    program = fields.String(allow_none=True)
    event_type = fields.String()
    lang = fields.String()
    subject = fields.String()
    body = fields.String()
    updated_at = fields.String()
    updated_by = fields.String(allow_none=True)


class DeletedOut(Schema):
    deleted = fields.Integer()


class ProgramQuery(Schema):
    program = fields.String(load_default=None)


# -- everyone: my inbox and my preferences --------------------------------------

@blp.route("/inbox")
@blp.arguments(InboxQuery, location="query")
@blp.response(200, InboxOut)
@login_required
def inbox(query):
    """Your in-app messages, newest first, and how many are unread."""
    with rpc() as cluster:
        return cluster.notifications.inbox(g.actor_id, query)


@blp.route("/inbox/unread-count")
@blp.response(200, UnreadOut)
@login_required
def unread_count():
    with rpc() as cluster:
        return cluster.notifications.unread_count(g.actor_id)


@blp.route("/inbox/read", methods=["POST"])
@blp.arguments(MarkRead, required=False)
@blp.response(200, MarkReadOut)
@login_required
def mark_read(payload):
    """Mark messages read: the given `ids`, or every unread one when `ids` is omitted."""
    with rpc() as cluster:
        return cluster.notifications.mark_read(g.actor_id, payload)


@blp.route("/preferences")
@blp.response(200, PreferencesOut)
@login_required
def get_preferences():
    """Which events reach you on which channels, and in which language."""
    with rpc() as cluster:
        return cluster.notifications.get_preferences(g.actor_id)


@blp.route("/preferences", methods=["PATCH"])
@blp.arguments(PreferencesPatch)
@blp.response(200, PreferencesOut)
@blp.alt_response(422, description="Unknown event or channel, or muting the inbox of an event you must act on")
@login_required
def update_preferences(patch):
    """Change some preferences; per-event settings merge channel by channel (null = default)."""
    with rpc() as cluster:
        return cluster.notifications.update_preferences(g.actor_id, patch)


@blp.route("/event-types")
@blp.response(200, EventTypeOut(many=True))
@login_required
def event_types():
    with rpc() as cluster:
        return cluster.notifications.event_types()


# -- school admins: subscriptions -----------------------------------------------

@blp.route("/subscriptions")
@blp.response(200, SubscriptionOut(many=True))
@login_required
def list_subscriptions():
    """Webhooks of campus systems and group robots (secrets are never listed)."""
    with rpc() as cluster:
        return cluster.notifications.list_subscriptions(g.actor_id)


@blp.route("/subscriptions", methods=["POST"])
@blp.arguments(SubscriptionInput)
@blp.response(201, SubscriptionOut)
@login_required
def create_subscription(payload):
    """Register a webhook (URL + public event types) or a DingTalk/WeCom robot. A
    webhook's signing secret is in this answer only: store it now."""
    with rpc() as cluster:
        return cluster.notifications.create_subscription(g.actor_id, payload)


@blp.route("/subscriptions/<subscription_id>", methods=["PATCH"])
@blp.arguments(ActiveInput)
@blp.response(200, SubscriptionOut)
@login_required
def set_subscription_active(payload, subscription_id):
    """Switch a subscription off (pending deliveries to it go to the dead letters) or on."""
    with rpc() as cluster:
        return cluster.notifications.set_subscription_active(g.actor_id, subscription_id, payload["active"])


@blp.route("/subscriptions/<subscription_id>/secret", methods=["POST"])
@blp.response(200, SubscriptionOut)
@login_required
def rotate_secret(subscription_id):
    """A new webhook secret, shown once; the old one stops working at once."""
    with rpc() as cluster:
        return cluster.notifications.rotate_subscription_secret(g.actor_id, subscription_id)


# -- school admins: deliveries and dead letters ------------------------------------

@blp.route("/deliveries")
@blp.arguments(DeliveryQuery, location="query")
@blp.response(200, DeliveryOut(many=True))
@login_required
def list_deliveries(query):
    with rpc() as cluster:
        return cluster.notifications.list_deliveries(g.actor_id, query)


@blp.route("/deliveries/<delivery_id>")
@blp.response(200, DeliveryOut)
@login_required
def get_delivery(delivery_id):
    with rpc() as cluster:
        return cluster.notifications.get_delivery(g.actor_id, delivery_id)


@blp.route("/dead-letters")
@blp.arguments(DeliveryQuery, location="query")
@blp.response(200, DeliveryOut(many=True))
@login_required
def dead_letters(query):
    """Deliveries that failed their last try, newest first, with each try's error."""
    with rpc() as cluster:
        return cluster.notifications.dead_letters(g.actor_id, query)


@blp.route("/dead-letters/<delivery_id>/replay", methods=["POST"])
@blp.response(200, DeliveryOut)
@blp.alt_response(409, description="The delivery is not dead (delivered, or replayed already)")
@login_required
def replay(delivery_id):
    """Send a dead delivery again, with a fresh round of tries."""
    with rpc() as cluster:
        return cluster.notifications.replay(g.actor_id, delivery_id)


# -- school admins: templates -----------------------------------------------------

@blp.route("/templates")
@blp.arguments(TemplateQuery, location="query")
@blp.response(200, TemplateOut(many=True))
@login_required
def templates(query):
    """Default texts, overrides and allowed placeholders per event type."""
    with rpc() as cluster:
        return cluster.notifications.templates(g.actor_id, query)


@blp.route("/templates", methods=["PUT"])
@blp.arguments(TemplateInput)
@blp.response(200, OverrideOut)
@blp.alt_response(422, description="Unknown placeholder, stray $, empty or too long text")
@login_required
def set_template(payload):
    """Override the text of an event type (for one program when `program` is given)."""
    with rpc() as cluster:
        return cluster.notifications.set_template(g.actor_id, payload)


@blp.route("/templates/<event_type>/<lang>", methods=["DELETE"])
@blp.arguments(ProgramQuery, location="query")
@blp.response(200, DeletedOut)
@login_required
def delete_template(query, event_type, lang):
    """Back to the default text."""
    with rpc() as cluster:
        return cluster.notifications.delete_template(g.actor_id, event_type, lang, query["program"])
