"""Turning stored documents into what callers get back."""
from core.envelope import iso_utc


def jsonable(value, hidden=()):
    """Plain JSON: times as ISO 8601 UTC; keys in `hidden` dropped at every level
    (a service's internals: outbox, revision counters, password hashes)."""
    if hasattr(value, "isoformat"):
        return iso_utc(value)
    if isinstance(value, dict):
        return {k: jsonable(v, hidden) for k, v in value.items() if k not in hidden}
    if isinstance(value, (list, tuple)):
        return [jsonable(v, hidden) for v in value]
    return value
