"""What a school admin manages: webhook and robot subscriptions, the dead-letter
list and its replay, template overrides per program and event type.

Every function takes the actor as the applications service describes them
(``internal_actor``) and refuses anyone who is not a school admin, so a role
revoked in the directory takes effect at once.
"""
from datetime import datetime, timezone

from core.errors import Conflict, PermissionDenied, field_error, invalid

from .domain import deliveries as dl
from .domain import templates as tp
from .domain.catalog import EVENTS
from .domain.subscriptions import make_subscription
from .views import delivery_view, jsonable, subscription_view


def utc_now():
    return datetime.now(timezone.utc)


def require_admin(actor):
    if not any(r.get("role") == "school_admin" for r in actor.get("roles") or ()):
        raise PermissionDenied("Only a school admin may manage notifications.", "只有学校管理员可以管理通知设置",
                               field="actor")
    return actor


# -- subscriptions --------------------------------------------------------------

def create_subscription(store, actor, data, known_channels):
    """A new subscription; the answer carries its secret, the only time it is shown."""
    require_admin(actor)
    subscription = make_subscription(
        data["name"], data["channel"], data["url"], data["event_types"], secret=data.get("secret"),
        programs=data.get("programs"), lang=data.get("lang", "zh"), options=data.get("options"),
        created_by=actor["id"], now=utc_now(), known_channels=tuple(known_channels))
    subscription["origin"] = "api"
    store.put_subscription(subscription)
    return subscription_view(subscription, with_secret=True)


def set_subscription_active(store, actor, subscription_id, active):
    require_admin(actor)
    subscription = store.get_subscription(subscription_id)
    if subscription.get("origin") == "config":
        raise invalid([field_error("subscription_id", "This robot comes from the configuration file; change it there.",
                                   "该机器人来自配置文件，请在配置文件中修改")])
    subscription["active"] = bool(active)
    store.put_subscription(subscription)
    return subscription_view(subscription)


def rotate_secret(store, actor, subscription_id):
    """A new webhook secret, shown once; the old one stops working at once."""
    from .domain.subscriptions import new_secret
    require_admin(actor)
    subscription = store.get_subscription(subscription_id)
    if subscription["channel"] != "webhook":
        raise invalid([field_error("subscription_id", "Only webhooks have a generated secret.",
                                   "只有 Webhook 订阅有系统生成的密钥")])
    subscription["secret"] = new_secret()
    store.put_subscription(subscription)
    return subscription_view(subscription, with_secret=True)


# -- deliveries and the dead-letter list -----------------------------------------

def list_deliveries(store, actor, query):
    require_admin(actor)
    return [delivery_view(d) for d in store.find_deliveries(**query)]


def get_delivery(store, actor, delivery_id):
    """One delivery with its history and message (admins only; the message of a
    webhook is the envelope, never a secret)."""
    require_admin(actor)
    delivery = store.get_delivery(delivery_id)
    view = delivery_view(delivery)
    view["message"] = jsonable(delivery.get("message"))
    return view


def replay(store, actor, delivery_id, policies):
    """Send a dead delivery again: pending now, tries counted from zero. Raises
    InvalidTransition when it is not dead (e.g. replayed already)."""
    require_admin(actor)
    delivery = store.get_delivery(delivery_id)
    new = dl.replay(delivery, utc_now(), actor_id=actor["id"], policy=policies.get(delivery["channel"]))
    stored = store.swap(delivery, new)
    if stored is None:  # another admin replayed it at the same moment
        raise Conflict("The delivery changed meanwhile; reload and try again.", "投递记录已变化，请刷新后重试",
                       field="delivery_id")
    return delivery_view(stored)


# -- templates ---------------------------------------------------------------------

def templates(store, actor, event_type=None, program=None):
    """Per event type: the defaults, the overrides and the placeholders a template may use."""
    require_admin(actor)
    if event_type and event_type not in EVENTS:
        raise invalid([field_error("event_type", f"unknown event type {event_type!r}",
                                   f"未知的事件类型 {event_type!r}")])
    overrides = store.overrides(event_type=event_type, program=program)
    out = []
    for name in [event_type] if event_type else sorted(EVENTS):
        spec = EVENTS[name]
        out.append({
            "event_type": name, "title_zh": spec.title_zh, "title_en": spec.title_en,
            "placeholders": sorted(spec.placeholders),
            "defaults": {lang: {"subject": s, "body": b} for lang, (s, b) in tp.DEFAULTS.get(name, {}).items()},
            "overrides": [jsonable(o) for o in overrides if o["event_type"] == name],
        })
    return out


def set_template(store, actor, data):
    """Validate (unknown placeholders, stray $, lengths) and store an override."""
    require_admin(actor)
    override = tp.make_override(data["event_type"], data["lang"], data["subject"], data["body"],
                                program=data.get("program"), actor_id=actor["id"], now=utc_now())
    store.put_override(override)
    return jsonable(override)


def delete_template(store, actor, event_type, lang, program=None):
    require_admin(actor)
    return {"deleted": store.delete_override(tp.override_key(program, event_type, lang))}
