"""What callers get back: plain JSON, times as ISO 8601 UTC, no secrets."""
from urllib.parse import urlsplit, urlunsplit

from core.views import jsonable as core_jsonable

from .domain.catalog import EVENTS
from .domain.preferences import channels_for


def jsonable(value):
    return core_jsonable(value, ("_id", "rev"))


def masked_url(url):
    """A robot URL carries its access token in the query: show only where it goes."""
    parts = urlsplit(url or "")
    if not parts.query:
        return url
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "…", ""))


def delivery_view(delivery):
    view = jsonable(delivery)
    message = view.pop("message", None) or {}
    if delivery["recipient"].startswith("subscription:"):
        view["address"] = masked_url(delivery["address"])
    view["subject"] = message.get("subject") or (message.get("payload") or {}).get("type")
    view["lang"] = message.get("lang")
    view["dead"] = delivery["state"] == "dead"
    return view


def subscription_view(subscription, with_secret=False):
    view = jsonable(subscription)
    secret = view.pop("secret", None)
    if subscription["channel"] != "webhook":
        view["url"] = masked_url(subscription["url"])
    view["has_secret"] = bool(secret)
    if with_secret:
        view["secret"] = secret
    view["active"] = bool(subscription.get("active"))
    return view


def inbox_view(item):
    view = jsonable(item)
    view["read"] = item.get("read_at") is not None
    return view


def preferences_view(preferences, user_channels):
    view = {k: jsonable(v) for k, v in preferences.items() if k not in ("rev",)}
    view["available_channels"] = list(user_channels)
    view["effective"] = {event_type: channels_for(preferences, event_type, user_channels)
                         for event_type in EVENTS}
    return view
