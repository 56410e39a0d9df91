"""What callers get back: plain JSON, times as ISO 8601 UTC, no internals."""
from datetime import datetime, timezone

from core import roles as role_rules
from core.views import jsonable as core_jsonable

_HIDDEN = ("outbox", "outbox_ts", "outbox_at", "outbox_claim_ts", "step_keys", "created_key", "password_hash", "role_keys",
           "role_names")


def jsonable(value):
    return core_jsonable(value, _HIDDEN)


def application_view(application, attachments=None):
    view = jsonable(application)
    view["id"] = view.pop("_id")
    if attachments is not None:
        view["attachments"] = [attachment_view(a) for a in attachments]
    return view


def attachment_view(attachment):
    view = jsonable({k: v for k, v in attachment.items() if k != "data"})
    view["id"] = view.pop("_id")
    return view


def with_id(doc):
    view = jsonable(doc)
    view["id"] = view.pop("_id")
    return view


def person_view(person, now=None):
    """A person as other services and pages see them: roles only those in force now
    (core.roles.current), never the password hash or the role history."""
    view = with_id({k: v for k, v in person.items() if k not in ("password_hash", "role_history")})
    view["roles"] = role_rules.current(view.get("roles"), now or datetime.now(timezone.utc))
    return view
