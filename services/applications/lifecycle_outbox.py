"""Finishing a change to a notice, objection, final list, stage report or award.

Same pattern as outbox.py for applications: a change writes its audit entries, its
events and what must follow it (`then`, e.g. a re-notice or the awards of a passed
final evaluation) into the document's `outbox` in the same insert or replace.
`finish` claims the outbox (one finisher at a time; a claim older than
LEASE_SECONDS is taken over), records the audit entries (deterministic ids, so
once), runs the follow-up (idempotent), dispatches the events and clears the
outbox. Events are therefore published at least once, with ids fixed when the change
was made, so subscribers de-duplicate them. When the broker is out of reach the change
stands: the claim is released and the outbox left for the sweep, which publishes the
events within seconds of the broker's return.
"""
import logging
import time

log = logging.getLogger(__name__)

LEASE_SECONDS = 30


def outbox(token, audit=(), events=(), then=None):
    """The outbox of one change; `token` is unique per change (e.g. `<_id>:<revision>`)."""
    return {"token": token, "audit": list(audit), "events": list(events), "then": then}


def audit_entry(subject_kind, subject_id, seq, action, actor, at, campaign_id, application_id=None, **details):
    """One line of the append-only trail `lifecycle_audit`: who, what, when, why.
    Its id is `<subject_id>:<seq>`, so recording it twice keeps one."""
    return {"_id": f"{subject_id}:{seq}", "subject_kind": subject_kind, "subject_id": subject_id,
            "campaign_id": campaign_id, "application_id": application_id, "action": action,
            "by": actor, "at": at, **details}


def audit_view(entry):
    """An audit entry as callers see it: its id as `id`, times as ISO 8601 UTC."""
    from services.applications.views import jsonable
    return jsonable(dict({k: v for k, v in entry.items() if k != "_id"}, id=entry["_id"]))


def finish(store, dispatch, collection, doc, follow_up=None):
    """Finish `doc`'s outbox if it has one and no one else is finishing it.
    `follow_up(doc, then)` runs before the events go out. Returns True if it finished."""
    box = (doc or {}).get("outbox")
    if not box:
        return False
    if not store.claim(collection, doc["_id"], box["token"], time.time(), LEASE_SECONDS):
        return False
    store.record_audit(box.get("audit") or [])
    if box.get("then") and follow_up is not None:
        follow_up(doc, box["then"])
    try:
        for event in box.get("events") or []:
            dispatch(event["type"], event)
    except Exception as exc:  # noqa: BLE001 - the broker is out of reach: the sweep publishes them later
        log.warning("events of %s %s not published (%s); the sweep publishes them", collection, doc["_id"], exc)
        store.release(collection, doc["_id"], box["token"])
        return False
    store.clear(collection, doc["_id"], box["token"])
    return True

