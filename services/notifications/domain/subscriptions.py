"""Subscriptions of systems: webhooks of other campus systems and group robots.

A subscription document (what the store keeps, built by ``make_subscription``):

    {"id": str, "name": str, "channel": "webhook" | "dingtalk" | "wecom" | <custom>,
     "url": str, "secret": str | None, "event_types": [str, ...],
     "programs": [str, ...] | None,   # None = every program
     "lang": "zh" | "en", "active": bool, "created_at": datetime, "created_by": str | None,
     "options": {...}}                # channel options, e.g. {"msgtype": "text"}

Webhook subscribers ("channel": "webhook") get the event envelope itself, so they may
only subscribe to events of the public contract (``catalog.PUBLIC_EVENTS``); a group
robot gets a rendered text and may follow any known event.
The ``secret`` is shown once to the subscriber and is needed at send time; the store
should keep it out of listings.
"""
import secrets as _secrets
import uuid
from datetime import datetime, timezone
from urllib.parse import urlsplit

from core.errors import field_error, invalid

from .catalog import EVENTS, PUBLIC_EVENTS

SYSTEM_CHANNELS = ("webhook", "dingtalk", "wecom")


def new_secret():
    """A random webhook secret (256 bits, URL-safe)."""
    return "whsec_" + _secrets.token_urlsafe(32)


def make_subscription(name, channel, url, event_types, secret=None, programs=None, lang="zh",
                      options=None, created_by=None, now=None, subscription_id=None,
                      known_channels=SYSTEM_CHANNELS):
    """Validate and build a subscription document; a webhook gets a fresh secret if none given."""
    errors = []
    if not isinstance(name, str) or not name.strip():
        errors.append(field_error("name", "must not be empty", "名称不能为空"))
    if channel not in known_channels:
        errors.append(field_error("channel", f"unknown channel {channel!r}; known: {', '.join(known_channels)}",
                                  f"未知渠道 {channel!r}；可用：{'、'.join(known_channels)}"))
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        errors.append(field_error("url", "must be an absolute http(s) URL", "必须是完整的 http(s) 地址"))
    if not event_types or not isinstance(event_types, (list, tuple)):
        errors.append(field_error("event_types", "name at least one event type", "至少选择一个事件类型"))
    else:
        allowed = PUBLIC_EVENTS if channel == "webhook" else tuple(EVENTS)
        unknown = [t for t in event_types if t not in allowed]
        if unknown:
            errors.append(field_error(
                "event_types",
                f"not available for {channel}: {', '.join(map(str, unknown))}; allowed: {', '.join(allowed)}",
                f"以下事件不可订阅（{channel}）：{'、'.join(map(str, unknown))}；可订阅：{'、'.join(allowed)}"))
    if lang not in ("zh", "en"):
        errors.append(field_error("lang", "must be zh or en", "语言必须是 zh 或 en"))
    if programs is not None and not all(isinstance(p, str) and p for p in programs):
        errors.append(field_error("programs", "must be a list of program names", "必须是项目名称列表"))
    if errors:
        raise invalid(errors)
    if channel == "webhook" and not secret:
        secret = new_secret()
    return {
        "id": subscription_id or uuid.uuid4().hex,
        "name": name.strip(),
        "channel": channel,
        "url": url,
        "secret": secret,
        "event_types": list(dict.fromkeys(event_types)),
        "programs": list(programs) if programs else None,
        "lang": lang,
        "active": True,
        "options": dict(options or {}),
        "created_at": now or datetime.now(timezone.utc),
        "created_by": created_by,
    }


def matches(subscription, envelope, program=None):
    """Does this subscription want this event? ``program`` stands in for ``data.program``
    on events that carry none (funding events: the service knows the campaign's program)."""
    if not subscription.get("active", True):
        return False
    if envelope["type"] not in subscription.get("event_types", ()):
        return False
    programs = subscription.get("programs")
    if programs:
        return ((envelope.get("data") or {}).get("program") or program) in programs
    return True


def matching(subscriptions, envelope, program=None):
    """The subscriptions that get this event, in the given order."""
    return [s for s in subscriptions if matches(s, envelope, program)]


def recipient_key(subscription):
    """The recipient part of a delivery id for a subscription."""
    return f"subscription:{subscription['id']}"
