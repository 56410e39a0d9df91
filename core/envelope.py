"""The event envelope every published event carries (ARCHITECTURE.md, bus conventions).

Events are dispatched by Nameko's EventDispatcher of the publishing service, so they
go to the topic exchange ``<service>.events`` (e.g. ``applications.events``) with the
event type as routing key (e.g. ``application.submitted``). Delivery is at least once;
``id`` is unique per fact, so subscribers de-duplicate on it.
"""
import uuid
from datetime import datetime, timezone

ENVELOPE_FIELDS = ("id", "type", "version", "occurred_at", "source", "actor", "data")


def utc_now():
    return datetime.now(timezone.utc)


def iso_utc(moment):
    """ISO 8601 in UTC with a Z suffix, millisecond precision."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def make_event(event_type, data, source, actor=None, version=1, event_id=None, occurred_at=None):
    """Build an envelope.

    `event_type` is ``<noun>.<past-tense verb>``; `version` is the payload schema
    version (a breaking change to `data` needs a new one); `actor` is
    ``{"id": ..., "name": ...}`` of the acting user, or None for the system.
    Pass a deterministic `event_id` when the same fact may be built twice (retries),
    so that both copies de-duplicate to one.
    """
    if "." not in event_type:
        raise ValueError(f"event type must be <noun>.<verb>: {event_type!r}")
    return {
        "id": event_id or uuid.uuid4().hex,
        "type": event_type,
        "version": version,
        "occurred_at": iso_utc(occurred_at or utc_now()),
        "source": source,
        "actor": actor,
        "data": data,
    }
