"""Finishing a change: its audit entry into the trail, its event onto the bus.

A change writes ``outbox = {"audit": entry, "event": envelope or None}`` into the
document it changes, in the same insert or conditional replace as the change itself;
the one outbox protocol of core/outbox.py finishes it (claim, record once, publish at
least once, release at once when the broker is out of reach, sweep what a dead
process left).
"""
from core import outbox as core_outbox
from core.envelope import iso_utc
from services.scoring.store import OUTBOX_COLLECTIONS


def audit_entry(campaign_id, subject, subject_id, seq, action, by, at, reason=None, application_id=None,
                **details):
    """One append-only audit entry; `by` is {"id", "name"}, `at` a datetime."""
    return {"_id": f"{subject}:{subject_id}:{seq}", "campaign_id": campaign_id, "application_id": application_id,
            "subject": subject, "subject_id": subject_id, "action": action, "by": by, "at": iso_utc(at),
            "reason": reason, "details": details or None}


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
