"""The one shape of an audit entry, the line of an append-only trail: who did what to
what, when, from which state to which, and why. Every service builds its entries with
:func:`entry` and shows stored ones through :func:`read`.

    {"_id":            deterministic (fixed when the change is made), so recording an
                       entry twice keeps one,
     "subject_kind":   what was changed: "application", "notice", "assignment", …,
     "subject_id":     its id,
     "campaign_id":    the campaign it belongs to, or None,
     "application_id": the application it concerns, or None (an application's trail
                       across notices, objections, stages and scores),
     "seq":            its place in its subject's trail, or None,
     "action":         what was done ("submit", "resolve", "assigned", …),
     "by":             {"id", "name"} of who did it; None for the system,
     "at":             when: ISO 8601 UTC text with milliseconds and a Z
                       ("2026-12-06T10:00:00.000Z"),
     "reason":         why, as its actor gave it, or None,
     "from", "to":     the subject's state before and after, or None when the action
                       changes no state,
     "details":        anything else the action carries (a dict), or None}

One time type: ``at`` is text, as envelopes carry it and every view shows it; it is
fixed-width, so ordering and ranges on it (``{"at": {"$gte": …}}``) are time order on
every Mongo server, and it does not depend on how a server stores datetimes (nx-27017
stores a top-level datetime written with $set as text; core/mongo.py).

Entries stored before this shape are read as it by :func:`read`: a datetime or epoch
``at`` becomes text, ``actor`` (funding) is ``by``, a ``by`` that is only an id
(accounts) is ``{"id", "name": None}``, ``subject`` is the kind beside a
``subject_id`` (scoring) or else the id (funding), an application's trail without a
``subject_kind`` is the application's, and every other key goes into ``details``.
Nothing stored is rewritten: a running university's old trails read as new ones.
"""
from datetime import datetime, timezone

from core.envelope import iso_utc

FIELDS = ("_id", "subject_kind", "subject_id", "campaign_id", "application_id", "seq", "action", "by", "at",
          "reason", "from", "to", "details")
# Which id names the subject of an old entry without a kind, most specific first (a
# role's entry names its grant_id too; a claim's record its grant_id and campaign_id).
_OLD_SUBJECT_IDS = (("person_id", "person"), ("claim_id", "claim"), ("grant_id", "grant"),
                    ("campaign_id", "campaign"))


def at_text(moment):
    """`moment` (a datetime, naive read as UTC; epoch seconds, as accounts stored them
    before this shape; or text already) as the trail's time."""
    if isinstance(moment, (int, float)) and not isinstance(moment, bool):
        moment = datetime.fromtimestamp(moment, timezone.utc)
    return iso_utc(moment) if isinstance(moment, datetime) else moment


def entry(entry_id, subject_kind, subject_id, action, by, at, *, campaign_id=None, application_id=None, seq=None,
          reason=None, from_state=None, to_state=None, **details):
    """One audit entry (the module's shape). `by` is {"id", "name"} (None: the
    system), `at` a datetime or the trail's text; `from_state` and `to_state` are the
    subject's states before and after; any other keyword is a detail."""
    return {"_id": entry_id, "subject_kind": subject_kind, "subject_id": subject_id, "campaign_id": campaign_id,
            "application_id": application_id, "seq": seq, "action": action, "by": by, "at": at_text(at),
            "reason": reason, "from": from_state, "to": to_state, "details": details or None}


def read(stored):
    """A stored entry, of this shape or of an older one, as this shape (see the
    module's docstring); ``_id`` is kept. Reading an entry of this shape changes
    nothing."""
    old = dict(stored)
    shaped = {name: old.pop(name, None) for name in FIELDS}
    details = dict(shaped["details"] or {})
    if shaped["by"] is None and isinstance(old.get("actor"), dict):
        shaped["by"] = old.pop("actor")
    subject = old.pop("subject", None)
    if subject is not None and shaped["subject_id"] is not None:
        shaped["subject_kind"] = shaped["subject_kind"] or subject        # scoring: the kind
    elif subject is not None:
        shaped["subject_id"] = subject                                    # funding: the id
    if shaped["subject_kind"] is None:
        shaped["subject_kind"], shaped["subject_id"] = _old_subject(shaped, old)
    shaped["at"] = at_text(shaped["at"])
    if isinstance(shaped["by"], str):
        shaped["by"] = {"id": shaped["by"], "name": None}
    details.update(old)
    shaped["details"] = details or None
    return shaped


def _old_subject(shaped, old):
    """(kind, id) of an entry stored without a kind."""
    if shaped["application_id"] is not None and shaped["subject_id"] in (None, shaped["application_id"]):
        return "application", shaped["application_id"]
    for key, kind in _OLD_SUBJECT_IDS:
        ident = old.get(key) if key in old else shaped.get(key)
        if ident is not None and (shaped["subject_id"] is None or shaped["subject_id"] == ident):
            return kind, ident
    return None, shaped["subject_id"]


def in_order(stored):
    """Stored entries oldest first (then by id), of whatever shape: a trail written
    partly before this shape mixes datetime and text times, which a server orders as
    two types, so this orders them as one."""
    return sorted(stored, key=lambda e: (at_text(e.get("at")) or "", str(e.get("_id"))))


def view(stored):
    """An entry as callers see it: this shape with its id as ``id``."""
    shaped = read(stored)
    return dict({k: v for k, v in shaped.items() if k != "_id"}, id=shaped["_id"])
