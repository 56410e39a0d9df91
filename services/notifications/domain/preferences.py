"""Per-user preferences: which events reach a person, on which channels, in which language.

A preferences document (what the store keeps, one per user):

    {"user_id": str, "lang": "zh" | "en" | None,
     "channels": {"email": bool, "inbox": bool, ...},        # global switch per channel
     "events": {"notice.published": {"email": true}, ...},  # per event, per channel
     "updated_at": datetime | None}

Which channels a person gets for an event (``channels_for``), for each channel:
  1. an explicit per-event setting wins;
  2. otherwise a channel switched off globally is off, and one switched on globally is
     on for every event (how a person opts in to a university's extra channel, e.g. SMS);
  3. otherwise the default (``DEFAULT_EVENT_CHANNELS``): the inbox for every event,
     e-mail for events a person should not miss (not for the broad public-notice
     broadcast or for every submission in a counselor's college).
Events that need the person to act (catalog ``action_required``: a returned
application, a review assignment, a claim to approve) always reach the inbox; turning
that off is refused.
"""
from datetime import datetime, timezone

from core.errors import field_error, invalid

from .catalog import EVENTS, spec_for

USER_CHANNELS = ("inbox", "email")
MANDATORY_CHANNEL = "inbox"

DEFAULT_EVENT_CHANNELS = {
    "application.submitted": ("inbox",),
    "application.returned": ("inbox", "email"),
    "application.college_approved": ("inbox",),
    "application.decided": ("inbox", "email"),
    "application.withdrawn": ("inbox",),
    "review.assigned": ("inbox", "email"),
    "notice.published": ("inbox",),
    "notice.closed": ("inbox",),
    "award.granted": ("inbox", "email"),
    "stage.assessed": ("inbox", "email"),
    "grant.awarded": ("inbox", "email"),
    "claim.submitted": ("inbox", "email"),
    "claim.approved": ("inbox", "email"),
    "project.closed": ("inbox", "email"),
}


def default_preferences(user_id, lang=None):
    """No choices made yet; ``lang`` None means: the directory's language, else Chinese."""
    return {"user_id": user_id, "lang": lang, "channels": {}, "events": {}, "updated_at": None}


def channels_for(preferences, event_type, available=USER_CHANNELS):
    """The channels (subset of ``available``, in its order) this person gets this event on."""
    prefs = preferences or {}
    per_event = (prefs.get("events") or {}).get(event_type) or {}
    switches = prefs.get("channels") or {}
    defaults = DEFAULT_EVENT_CHANNELS.get(event_type, ("inbox",))
    spec = spec_for(event_type)
    chosen = []
    for channel in available:
        if channel in per_event:
            on = bool(per_event[channel])
        elif channel in switches:
            on = bool(switches[channel])
        else:
            on = channel in defaults
        if channel == MANDATORY_CHANNEL and spec is not None and spec.action_required:
            on = True
        if on:
            chosen.append(channel)
    return chosen


def update_preferences(current, patch, known_channels=USER_CHANNELS, now=None):
    """Apply a partial update ({"lang"?, "channels"?, "events"?}) and validate the result.

    Per-event settings merge channel by channel; ``null`` for a channel removes the
    explicit setting (back to the default). Raises ValidationFailed naming every bad entry.
    """
    doc = {
        "user_id": current["user_id"],
        "lang": current.get("lang"),
        "channels": dict(current.get("channels") or {}),
        "events": {k: dict(v) for k, v in (current.get("events") or {}).items()},
    }
    errors = []
    if "lang" in patch:
        if patch["lang"] not in ("zh", "en"):
            errors.append(field_error("lang", "must be zh or en", "语言必须是 zh 或 en"))
        else:
            doc["lang"] = patch["lang"]
    for channel, on in (patch.get("channels") or {}).items():
        where = f"channels.{channel}"
        if channel not in known_channels:
            errors.append(_unknown_channel(where, channel, known_channels))
        elif on is None:
            doc["channels"].pop(channel, None)
        elif not isinstance(on, bool):
            errors.append(field_error(where, "must be true or false", "必须是 true 或 false"))
        else:
            doc["channels"][channel] = on
    for event_type, settings in (patch.get("events") or {}).items():
        where = f"events.{event_type}"
        if event_type not in EVENTS:
            errors.append(field_error(where, f"unknown event type {event_type!r}", f"未知的事件类型 {event_type!r}"))
            continue
        if not isinstance(settings, dict):
            errors.append(field_error(where, "must map channels to true/false", "必须是渠道到 true/false 的映射"))
            continue
        target = doc["events"].setdefault(event_type, {})
        for channel, on in settings.items():
            at = f"{where}.{channel}"
            if channel not in known_channels:
                errors.append(_unknown_channel(at, channel, known_channels))
            elif on is None:
                target.pop(channel, None)
            elif not isinstance(on, bool):
                errors.append(field_error(at, "must be true or false", "必须是 true 或 false"))
            elif on is False and channel == MANDATORY_CHANNEL and EVENTS[event_type].action_required:
                errors.append(field_error(
                    at, f"the inbox cannot be turned off for {event_type}: it asks you to act",
                    f"事件 {event_type} 需要您处理，站内信不能关闭"))
            else:
                target[channel] = on
        if not target:
            doc["events"].pop(event_type)
    if errors:
        raise invalid(errors)
    doc["updated_at"] = now or datetime.now(timezone.utc)
    return doc


def _unknown_channel(where, channel, known):
    return field_error(where, f"unknown channel {channel!r}; known: {', '.join(known)}",
                       f"未知渠道 {channel!r}；可用：{'、'.join(known)}")
