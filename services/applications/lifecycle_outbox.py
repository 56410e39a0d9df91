"""Finishing a change to a notice, objection, final list, stage report or award, by
the one outbox protocol of core/outbox.py.

A change writes its audit entries, its events and what must follow it (`then`, e.g.
a re-notice or the awards of a passed final evaluation) into the document's `outbox`
in the same insert or replace. `finish` claims it, records the entries (once), runs
the follow-up (idempotent), dispatches the events and clears it; when the broker is
out of reach the change stands and the sweep publishes the events later.
"""
from core import audit
from core import outbox as core_outbox


def outbox(token, audit=(), events=(), then=None):
    """The outbox of one change; `token` is unique per change (e.g. `<_id>:<revision>`)."""
    return {"token": token, "audit": list(audit), "events": list(events), "then": then}


def audit_entry(subject_kind, subject_id, seq, action, actor, at, campaign_id, application_id=None, reason=None,
                **details):
    """One line of the append-only trail `lifecycle_audit` (core/audit.py's shape):
    who, what, when, why. Its id is `<subject_id>:<seq>`, so recording it twice keeps one."""
    return audit.entry(f"{subject_id}:{seq}", subject_kind, subject_id, action, actor, at, campaign_id=campaign_id,
                       application_id=application_id, seq=seq, reason=reason, **details)


def audit_view(entry):
    """An audit entry as callers see it (core/audit.py's shape, older entries too):
    its id as `id`, its time as ISO 8601 UTC text."""
    from services.applications.views import jsonable
    return jsonable(audit.view(entry))


def finish(store, dispatch, collection, doc, follow_up=None):
    """Finish `doc`'s outbox if it has one and no one else is finishing it.
    `follow_up(doc, then)` runs before the events go out. Returns True if it finished."""
    return core_outbox.finish(store.outboxes, dispatch, collection, doc, follow_up) == core_outbox.FINISHED
