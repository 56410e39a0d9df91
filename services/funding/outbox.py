"""Finishing outcomes: their event onto ``funding.events``, at least once, never twice,
by the outcome log of core/outcome_log.py (claim, lease, release, sweep).

Every outcome is stored in the ``outbox`` collection before its first write (see
store.py). After it is applied, :func:`finish` publishes its event if this caller
wins the record's claim (``pending`` → ``publishing``, one atomic update), then marks
it ``done``; a concurrent identical retry, or the sweeper, loses that race and
publishes nothing. If the process dies in between, :func:`sweep` (a timer of the
service) re-applies the stored outcome, which is idempotent step by step, and
publishes; an outcome whose first write is refused by now is dropped. The envelope id
is derived from the command's idempotency key, so even the one duplicate a crash can
cause (published, then died before ``done``) de-duplicates downstream on the
envelope id.
"""
from datetime import datetime

from core import outcome_log
from services.funding.domain import events
from services.funding.domain.outcome import Outcome


def _occurred_at(outcome):
    """When the change happened (its audit time), so a late publish keeps the time."""
    for record in outcome.audit:
        at = record.get("at")
        if isinstance(at, str):
            try:
                return datetime.fromisoformat(at.replace("Z", "+00:00"))
            except ValueError:
                return None
    return None


def envelope(outcome):
    """The envelope of the outcome's event (None if it has none); its id is the event's,
    derived from the idempotency key."""
    return events.envelope(outcome.event, occurred_at=_occurred_at(outcome)) if outcome.event else None


def finish(store, dispatch, outcome):
    """Publish the outcome's event (if any and if this caller wins it); mark done.
    A replay (an identical earlier request) finished already: nothing to do.
    True if this call published."""
    if outcome.replay:
        return False
    return outcome_log.finish(store.outcomes, dispatch, outcome.key, envelope(outcome)) == outcome_log.FINISHED


def sweep(store, dispatch, older_than_s):
    """Finish every outcome a crash cut short; returns how many were taken up."""
    return outcome_log.sweep(store.outcomes, dispatch, older_than_s,
                             lambda data: store.apply_steps(Outcome.from_dict(data)),
                             lambda data: envelope(Outcome.from_dict(data)))
