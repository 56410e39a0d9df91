"""Finishing a change: its audit entry into the trail, its event onto the bus.

A change writes ``outbox = {"audit": entry, "event": envelope or None}`` into the
document it changes, in the same insert or conditional replace as the change itself;
the one outbox protocol of core/outbox.py finishes it (claim, record once, publish at
least once, release at once when the broker is out of reach, sweep what a dead
process left).
"""
from core import audit
from core import outbox as core_outbox
from services.scoring.store import OUTBOX_COLLECTIONS


def audit_entry(campaign_id, subject, subject_id, seq, action, by, at, reason=None, application_id=None,
                **details):
    """One append-only audit entry (core/audit.py's shape); `by` is {"id", "name"},
    `at` a datetime. Its id is `<subject>:<subject_id>:<seq>`, so recording it twice
    keeps one."""
    return audit.entry(f"{subject}:{subject_id}:{seq}", subject, subject_id, action, by, at,
                       campaign_id=campaign_id, application_id=application_id, seq=seq, reason=reason, **details)


def box(entry, event=None):
    return {"audit": entry, "event": event}


def finish(store, dispatch, collection, doc):
    return core_outbox.finish(store.outboxes, dispatch, collection, doc)


def finish_many(store, dispatch, collection, docs):
    """`finish` for a batch: one insert of the audit entries, the events, one update
    clearing the outboxes."""
    return core_outbox.finish_many(store.outboxes, dispatch, collection, docs)


def sweep(store, dispatch, older_than):
    """Finish every outbox older than `older_than`; returns how many."""
    return core_outbox.sweep(store.outboxes, dispatch, OUTBOX_COLLECTIONS, older_than)
