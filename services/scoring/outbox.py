"""Finishing a change: its audit entry into the trail, its event onto the bus.

A change writes ``outbox = {"audit": entry, "event": envelope or None}`` into the
document it changes, in the same insert or conditional replace as the change itself.
`finish` then records the entry (deterministic id, so once however often it runs),
dispatches the event and clears the outbox; if the process dies in between, the
periodic sweep finishes it. Events are therefore published at least once, and a
subscriber de-duplicates on the envelope id, which is fixed when the change is made.
"""
from core.envelope import iso_utc


def audit_entry(campaign_id, subject, subject_id, seq, action, by, at, reason=None, application_id=None,
                **details):
    """One append-only audit entry; `by` is {"id", "name"}, `at` a datetime."""
    return {"_id": f"{subject}:{subject_id}:{seq}", "campaign_id": campaign_id, "application_id": application_id,
            "subject": subject, "subject_id": subject_id, "action": action, "by": by, "at": iso_utc(at),
            "reason": reason, "details": details or None}


def box(entry, event=None):
    return {"audit": entry, "event": event}


def finish(store, dispatch, collection, doc):
    outbox = (doc or {}).get("outbox")
    if not outbox:
        return
    store.record_audit(outbox["audit"])
    event = outbox.get("event")
    if event:
        dispatch(event["type"], event)
    store.clear_outbox(collection, doc["_id"], outbox["audit"]["_id"])


def finish_many(store, dispatch, collection, docs):
    """`finish` for a batch: one insert of the audit entries, the events, one update
    clearing the outboxes."""
    boxed = [doc for doc in docs if doc.get("outbox")]
    if not boxed:
        return
    store.record_audits([doc["outbox"]["audit"] for doc in boxed])
    for doc in boxed:
        event = doc["outbox"].get("event")
        if event:
            dispatch(event["type"], event)
    store.clear_outboxes(collection, [doc["_id"] for doc in boxed])


def sweep(store, dispatch, older_than):
    """Finish every outbox older than `older_than`; returns how many."""
    stale = store.stale_outboxes(older_than)
    for collection, doc in stale:
        finish(store, dispatch, collection, doc)
    return len(stale)
