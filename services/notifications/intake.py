"""From an event off the bus to stored deliveries (``domain/planning.py`` does the rules).

``receive`` is what every event handler calls. Guarantees:

* The envelope is stored first (``events``, ``_id`` = envelope id); only when that
  write fails does the handler raise, and the message is requeued (the handlers use
  ``requeue_on_error``), so an event is never acked before it is on disk.
* Planning writes each delivery with its deterministic id; a redelivered event, a
  second service copy planning the same event at the same moment, or the sweep
  re-planning it all map to the same ids, and the unique ``_id`` makes the second
  write a no-op. So each (event, recipient, channel) is delivered at most once.
* When planning fails (the directory did not answer, a bug), the event stays
  ``planned: 0`` and ``sweep`` plans it again later; nothing is lost.
"""
import logging
from datetime import timedelta

from .channels.registry import person_channels
from .directory import Directory
from .domain import planning
from .domain import recipients as rc
from .domain.catalog import spec_for
from .links import link_builder

log = logging.getLogger(__name__)

REQUIRED = ("id", "type", "occurred_at", "data")


def well_formed(envelope):
    return isinstance(envelope, dict) and all(envelope.get(k) is not None for k in REQUIRED) \
        and isinstance(envelope.get("data"), dict) and isinstance(envelope["id"], str)


def receive(store, applications, channels, settings, envelope, now):
    """Store and plan one event. Returns {"event_id", "duplicate", "planned", "deliveries"}."""
    if not well_formed(envelope):
        log.error("dropping a malformed event: %r", envelope if isinstance(envelope, dict) else type(envelope))
        return {"event_id": None, "duplicate": False, "planned": False, "deliveries": 0}
    event, first = store.receive_event(envelope, now)
    if event.get("planned"):
        return {"event_id": envelope["id"], "duplicate": True, "planned": True, "deliveries": 0}
    created = plan_stored(store, applications, channels, settings, event, now)
    return {"event_id": envelope["id"], "duplicate": not first, "planned": created is not None,
            "deliveries": created or 0}


def plan_stored(store, applications, channels, settings, event, now):
    """Plan a stored event; the number of new deliveries, or None when planning failed."""
    try:
        created = plan_event(store, Directory(applications, store), channels, settings, event["envelope"], now)
    except Exception as error:  # noqa: BLE001 - any failure: keep the event for the sweep
        log.exception("planning event %s failed; the sweep retries it", event["_id"])
        store.finish_event(event, planned=False, error=f"{type(error).__name__}: {error}"[:500], now=now)
        return None
    store.finish_event(event, planned=True, deliveries=created, now=now)
    return created


def plan_event(store, directory, channels, settings, envelope, now):
    """Write the deliveries of one event; returns how many were new."""
    data = envelope.get("data") or {}
    event_type = envelope["type"]
    if spec_for(event_type) is None:
        log.warning("no notifications for unknown event type %s", event_type)
        return 0
    program = data.get("program") or directory.campaign_program(data.get("campaign_id"))
    user_ids = rc.user_ids(envelope, directory.expand_units)
    user_channels, address_fields = person_channels(channels)
    subscriptions = [s for s in store.subscriptions_for(event_type) if s["channel"] in channels]
    plan = planning.plan(
        envelope,
        store.preferences_for(user_ids),
        directory.contacts(user_ids),
        subscriptions,
        store.overrides(event_type=event_type),
        now,
        user_channels=user_channels,
        address_fields=address_fields,
        policies={name: channel.retry for name, channel in channels.items()},
        program=program,
        program_name=directory.program_title(program),
        link_for=link_builder(settings.get("PUBLIC_URL")),
        expand_units=directory.expand_units,
    )
    for skipped in plan["skipped"]:
        log.debug("event %s: %s", envelope["id"], skipped)
    return store.insert_deliveries(plan["deliveries"])


def sweep(store, applications, channels, settings, now):
    """Plan again the events whose planning failed; returns how many were planned now."""
    older = now - timedelta(seconds=float(settings.get("REPLAN_AFTER_SECONDS", 30)))
    done = 0
    for event in store.unplanned_events(older):
        if plan_stored(store, applications, channels, settings, event, now) is not None:
            done += 1
    return done
