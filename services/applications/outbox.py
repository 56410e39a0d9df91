"""Finishing a change to an application: its audit entry into the trail, its event
onto the bus, by the one outbox protocol of core/outbox.py (claim, record once,
publish at least once, release at once when the broker is out of reach).

A change writes ``{"audit": entry, "event": envelope}`` into the application's
`outbox` in the same atomic update as the change itself; `finish` runs right after,
the periodic sweep takes over what a dead process left behind."""
from core import outbox as core_outbox

COLLECTION = "applications"
PUBLISH_FAILED = core_outbox.PUBLISH_FAILED


def finish(store, dispatch, application):
    return core_outbox.finish(store.outboxes, dispatch, COLLECTION, application)


def finish_written(store, dispatch, application):
    """`finish` for an application as this worker has just written it, its outbox
    claimed in that write (store: `insert_application`, `apply_change`)."""
    return core_outbox.finish(store.outboxes, dispatch, COLLECTION, application, claimed=True)


def finish_many(store, dispatch, applications):
    """`finish` for applications this worker has just changed (a bulk decision)."""
    return core_outbox.finish_many(store.outboxes, dispatch, COLLECTION, applications)


def sweep(store, dispatch, older_than):
    """Finish every outbox older than `older_than`; returns how many."""
    return core_outbox.sweep(store.outboxes, dispatch, (COLLECTION,), older_than)
