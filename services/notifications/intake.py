"""From an event off the bus to stored deliveries (``domain/planning.py`` does the rules).

``receive_many`` is what the event handlers call, for the events that arrive together
(``receive`` for one). Guarantees:

* The envelope is stored first (``events``, ``_id`` = envelope id); only when that
  write fails does the handler raise, and the message is requeued (the handlers use
  ``requeue_on_error``), so an event is never acked before it is on disk.
* Planning writes each delivery with its deterministic id; a redelivered event, a
  second service copy planning the same event at the same moment, or the sweep
  re-planning it all map to the same ids, and the unique ``_id`` makes the second
  write a no-op. So each (event, recipient, channel) is delivered at most once.
* When planning fails (the directory did not answer, a bug), the event stays
  ``planned: 0`` and ``sweep`` plans it again later; nothing is lost.

A batch costs what one event does (the service's handlers go through a
`core.group_commit.GroupCommit`, so the events of a burst arrive together): one
insert of the events, one read each of the subscriptions, template overrides and
preferences, one directory call for all the recipients' contacts, one insert of
every delivery and one write of the events' outcomes, whatever the batch's size.
An event whose own planning fails (a broken template, an unknown campaign) is kept
for the sweep without holding up the others.
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
    return receive_many(store, applications, channels, settings, [envelope], now)[0]


def receive_many(store, applications, channels, settings, envelopes, now):
    """`receive` of each of `envelopes`, together (see the module docstring): one
    result per envelope, in order. Raises only when storing the events (or recording
    that planning failed) does, for the whole batch, whose messages are then requeued."""
    results = [None] * len(envelopes)
    good = []
    for i, envelope in enumerate(envelopes):
        if well_formed(envelope):
            good.append(i)
        else:
            log.error("dropping a malformed event: %r", envelope if isinstance(envelope, dict) else type(envelope))
            results[i] = {"event_id": None, "duplicate": False, "planned": False, "deliveries": 0}
    to_plan, copies = {}, []                       # {event id: (index, event, first)}
    for i, (event, first) in zip(good, store.receive_events([envelopes[i] for i in good], now)):
        if event.get("planned"):
            results[i] = {"event_id": event["_id"], "duplicate": True, "planned": True, "deliveries": 0}
        elif event["_id"] in to_plan:              # twice in this batch: planned once
            copies.append((i, event["_id"]))
        else:
            to_plan[event["_id"]] = (i, event, first)
    created = plan_stored_many(store, applications, channels, settings, [e for _, e, _ in to_plan.values()], now)
    for (i, event, first), n in zip(to_plan.values(), created):
        results[i] = {"event_id": event["_id"], "duplicate": not first, "planned": n is not None,
                      "deliveries": n or 0}
    for i, event_id in copies:
        results[i] = dict(results[to_plan[event_id][0]], duplicate=True, deliveries=0)
    return results


def plan_stored_many(store, applications, channels, settings, events, now):
    """Plan stored events together and record each one's outcome (one write): the
    number of new deliveries of each, or None where its planning failed (it stays
    unplanned, for the sweep)."""
    if not events:
        return []
    shared = None
    try:
        planned = plan_events(store, Directory(applications, store), channels, settings,
                              [e["envelope"] for e in events], now)
        new_ids = store.insert_new_deliveries([d for p in planned if isinstance(p, list) for d in p])
    except Exception as error:  # noqa: BLE001 - what the batch shares failed: all wait for the sweep
        log.exception("planning events %s failed; the sweep retries them", ", ".join(e["_id"] for e in events))
        planned, new_ids, shared = [error] * len(events), set(), error
    outcomes, created = [], []
    for event, plan in zip(events, planned):
        if isinstance(plan, list):
            n = sum(1 for d in plan if d["id"] in new_ids)
            outcomes.append((event, True, n, None))
            created.append(n)
            continue
        if plan is not shared:                     # its own failure (a shared one is logged above)
            log.error("planning event %s failed; the sweep retries it", event["_id"], exc_info=plan)
        outcomes.append((event, False, 0, f"{type(plan).__name__}: {plan}"[:500]))
        created.append(None)
    store.finish_events(outcomes, now=now)
    return created


def plan_events(store, directory, channels, settings, envelopes, now):
    """The delivery documents of each event, planned together (the reads they share
    made once): [deliveries, or the exception that stopped that event's planning].
    Raises when a shared read fails (the database, the directory's contacts)."""
    recipients, programs, failed = {}, {}, {}
    for k, envelope in enumerate(envelopes):
        if spec_for(envelope["type"]) is None:
            log.warning("no notifications for unknown event type %s", envelope["type"])
            continue
        data = envelope.get("data") or {}
        try:
            programs[k] = data.get("program") or directory.campaign_program(data.get("campaign_id"))
            recipients[k] = rc.user_ids(envelope, directory.expand_units)
        except Exception as error:  # noqa: BLE001 - this event waits for the sweep, the others go on
            failed[k] = error
    everyone = list(dict.fromkeys(u for ids in recipients.values() for u in ids))
    directory.contacts(everyone)                                  # one call, kept by the directory
    preferences = store.preferences_for(everyone) if everyone else {}
    types = sorted({envelopes[k]["type"] for k in recipients})
    subscriptions = {t: [s for s in subs if s["channel"] in channels]
                     for t, subs in store.subscriptions_for_types(types).items()} if types else {}
    overrides = store.overrides_for_types(types) if types else {}
    user_channels, address_fields = person_channels(channels)
    policies = {name: channel.retry for name, channel in channels.items()}
    link_for = link_builder(settings.get("PUBLIC_URL"))
    out = []
    for k, envelope in enumerate(envelopes):
        if k in failed or k not in recipients:
            out.append(failed.get(k, []))
            continue
        ids = recipients[k]
        try:
            plan = planning.plan(
                envelope, {u: preferences[u] for u in ids if u in preferences}, directory.contacts(ids),
                subscriptions[envelope["type"]], overrides[envelope["type"]], now,
                user_channels=user_channels, address_fields=address_fields, policies=policies,
                program=programs[k], program_name=directory.program_title(programs[k]), link_for=link_for,
                expand_units=directory.expand_units)
        except Exception as error:  # noqa: BLE001
            out.append(error)
            continue
        for skipped in plan["skipped"]:
            log.debug("event %s: %s", envelope["id"], skipped)
        out.append(plan["deliveries"])
    return out


def sweep(store, applications, channels, settings, now):
    """Plan again the events whose planning failed; returns how many were planned now."""
    older = now - timedelta(seconds=float(settings.get("REPLAN_AFTER_SECONDS", 30)))
    created = plan_stored_many(store, applications, channels, settings, store.unplanned_events(older), now)
    return sum(1 for n in created if n is not None)
