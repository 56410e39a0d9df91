"""Audit entries (留痕): who did what, when and why, as plain dicts.

Times are ISO 8601 UTC strings (``2023-10-18T09:00:00.000Z``); the domain never reads
the clock unless no time is given.
"""
from datetime import datetime

from core.envelope import iso_utc, utc_now
from core.errors import field_error, invalid


def timestamp(at=None):
    """ISO 8601 UTC string for `at` (datetime or ISO string); now when None."""
    if at is None:
        return iso_utc(utc_now())
    if isinstance(at, datetime):
        return iso_utc(at)
    return str(at)


def actor_id(actor):
    """The id of an actor given as {"id": ..., "roles": [...]} or a plain id."""
    return actor["id"] if isinstance(actor, dict) else str(actor)


def actor_roles(actor):
    return set(actor.get("roles", ())) if isinstance(actor, dict) else set()


def require_reason(reason, field="reason"):
    """The stripped reason; ValidationFailed when it is empty."""
    if not isinstance(reason, str) or not reason.strip():
        raise invalid([field_error(field, "a reason is required", "须填写理由")])
    return reason.strip()


def entry(action, actor, at=None, reason=None, **details):
    """One append-only audit entry."""
    body = {"action": action, "by": actor_id(actor), "at": timestamp(at), "reason": reason}
    body.update(details)
    return body
