"""Finishing a change: its audit entry into the trail, its event onto the bus.

A change writes both into the application's `outbox` in the same atomic update as
the change itself; `finish` then claims the outbox (one finisher at a time), records
the audit entry (deterministic id, so once), dispatches the event and clears the
outbox. If the process dies in between, the periodic sweep takes over once the claim
is older than LEASE_SECONDS. Events are therefore published at least once (twice
only when a finisher died after publishing and before clearing), and a subscriber
de-duplicates on the envelope id, which is fixed when the change is made.
"""
import time

LEASE_SECONDS = 30


def finish(store, dispatch, application):
    outbox = application.get("outbox")
    if not outbox:
        return
    if not store.claim_outbox(application["_id"], outbox["audit"]["_id"], time.time(), LEASE_SECONDS):
        return  # another worker is finishing it
    store.record_audit(outbox["audit"])
    event = outbox.get("event")
    if event:
        dispatch(event["type"], event)
    store.clear_outbox(application["_id"], outbox["audit"]["_id"])


def sweep(store, dispatch, older_than):
    """Finish every outbox older than `older_than`; returns how many."""
    stale = store.stale_outboxes(older_than)
    for application in stale:
        finish(store, dispatch, application)
    return len(stale)
