"""Finishing outcomes: their event onto ``funding.events``, at least once, never twice.

Every outcome is stored in the ``outbox`` collection before its first write (see
store.py). After it is applied, :func:`finish` publishes its event if this caller
wins the record (``pending`` → ``publishing``, one atomic update), then marks it
``done``; a concurrent identical retry, or the sweeper, loses that race and publishes
nothing. If the process dies in between, :func:`sweep` (a timer of the service)
re-applies the stored outcome, which is idempotent step by step, and publishes.
The envelope id is derived from the command's idempotency key, so even the one
duplicate a crash can cause (published, then died before ``done``) de-duplicates
downstream on the envelope id.
"""
import logging
from datetime import datetime

from core.errors import ChuangxianError
from services.funding.domain import events

log = logging.getLogger(__name__)


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


def finish(store, dispatch, outcome, key=None):
    """Publish the outcome's event (if any and if this caller wins it); mark done."""
    key = key or outcome.key
    if outcome.replay:
        return False
    if not outcome.event:
        store.mark_done(key)
        return False
    if not store.claim_for_publishing(key):
        return False
    try:
        envelope = events.envelope(outcome.event, occurred_at=_occurred_at(outcome))
        dispatch(envelope["type"], envelope)
    except Exception:  # the change stands; the sweeper publishes later
        log.exception("publishing %s failed; the outbox sweep will retry", outcome.event["type"])
        store.release_publishing(key)
        return False
    store.mark_done(key)
    return True


def sweep(store, dispatch, older_than_s):
    """Finish every outcome a crash cut short; returns how many were finished.
    One whose first write is refused by now (the request failed) is dropped."""
    finished = 0
    for key, outcome in store.unfinished(older_than_s):
        try:
            store.apply_steps(outcome)
        except ChuangxianError as exc:
            log.info("outbox %s refused on sweep (%s); dropped", key, exc)
            store.drop_pending(key)
            continue
        finish(store, dispatch, outcome, key)
        finished += 1
    return finished
