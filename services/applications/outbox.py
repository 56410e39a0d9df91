"""Finishing a change: its audit entry into the trail, its event onto the bus.

A change writes both into the application's `outbox` in the same atomic update as
the change itself; `finish` then records the audit entry (deterministic id, so once)
and dispatches the event, and clears the outbox. If the process dies in between,
the periodic sweep finishes it. Events are therefore published at least once, and a
subscriber de-duplicates on the envelope id, which is fixed when the change is made.
"""


def finish(store, dispatch, application):
    outbox = application.get("outbox")
    if not outbox:
        return
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
