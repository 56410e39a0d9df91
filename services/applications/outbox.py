"""Finishing a change: its audit entry into the trail, its event onto the bus.

A change writes both into the application's `outbox` in the same atomic update as
the change itself; `finish` then claims the outbox (one finisher at a time), records
the audit entry (deterministic id, so once), dispatches the event and clears the
outbox. If the process dies in between, the periodic sweep takes over once the claim
is older than LEASE_SECONDS. Events are therefore published at least once (twice
only when a finisher died after publishing and before clearing), and a subscriber
de-duplicates on the envelope id, which is fixed when the change is made.

When the event cannot be published (the broker is down), the change stands and its
caller is answered: the claim is released and the outbox left for the sweep, which
publishes the event within seconds of the broker's return.
"""
import logging
import time

log = logging.getLogger(__name__)

LEASE_SECONDS = 30
PUBLISH_FAILED = "publish_failed"  # what `finish` returns when the event could not go out


def finish(store, dispatch, application):
    outbox = application.get("outbox")
    if not outbox:
        return
    if not store.claim_outbox(application["_id"], outbox["audit"]["_id"], time.time(), LEASE_SECONDS):
        return  # another worker is finishing it
    store.record_audit(outbox["audit"])
    event = outbox.get("event")
    if event:
        try:
            dispatch(event["type"], event)
        except Exception as exc:  # noqa: BLE001 - the broker is out of reach: the sweep publishes it later
            log.warning("event %s not published (%s); the outbox sweep publishes it", event.get("id"), exc)
            store.release_outbox(application["_id"], outbox["audit"]["_id"])
            return PUBLISH_FAILED
    store.clear_outbox(application["_id"], outbox["audit"]["_id"])


def finish_many(store, dispatch, applications):
    """`finish` for applications this worker has just changed (a bulk decision):
    their audit entries in one insert, their events, their outboxes cleared in one
    update. No claim: a fresh outbox is the sweep's only after OUTBOX_SWEEP_SECONDS,
    and if it does take one over, the entry is still recorded once (its id) and the
    event at least once (subscribers de-duplicate on its id)."""
    boxed = [app for app in applications if app.get("outbox")]
    if not boxed:
        return
    store.record_audits([app["outbox"]["audit"] for app in boxed])
    for app in boxed:
        event = app["outbox"].get("event")
        if event:
            dispatch(event["type"], event)
    store.clear_outboxes([app["_id"] for app in boxed])


def sweep(store, dispatch, older_than):
    """Finish every outbox older than `older_than`; returns how many."""
    stale = store.stale_outboxes(older_than)
    for application in stale:
        if finish(store, dispatch, application) == PUBLISH_FAILED:
            break  # the broker is out of reach: the next sweep tries again, not each one in turn
    return len(stale)
