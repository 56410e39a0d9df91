"""The one interface every delivery channel implements, and the in-app inbox's interface.

``Channel.send(message) -> DeliveryResult`` never raises for a delivery problem: it
reports ``ok``, whether a later try can help (``retryable``), a ``detail`` for the
admin's dead-letter view, and optionally the remote ``status`` and a ``retry_after``
the remote asked for. ``deliveries.record_result`` turns that into the next state.

The message (``deliveries.outgoing`` builds it from a stored delivery)::

    {"delivery_id": str, "event_id": str, "event_type": str, "recipient": str,
     "to": str,                 # e-mail address | URL | user id, per channel
     "attempt": int,
     "subject": str, "body": str, "lang": "zh" | "en",        # person channels, robots
     "payload": dict,           # webhook: the envelope to POST
     "options": dict,           # robots: msgtype, at_mobiles, keyword …
     "secret": str | None,      # webhook / DingTalk sign, added at send time only
     "link": str, "reader_name": str, "roles": [str]}         # person channels
"""
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from ..domain.deliveries import BackoffPolicy
from ..domain.rate_limit import RateLimit


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    retryable: bool = False
    detail: str = ""
    status: int | None = None
    retry_after: float | None = None

    @classmethod
    def success(cls, detail="ok", status=None):
        return cls(True, False, detail, status)

    @classmethod
    def retry(cls, detail, status=None, retry_after=None):
        return cls(False, True, detail, status, retry_after)

    @classmethod
    def permanent(cls, detail, status=None):
        return cls(False, False, detail, status)

    def to_dict(self):
        return asdict(self)


class Channel(ABC):
    """A way to reach a person or a system.

    ``name``: the configured name (a delivery's ``channel``); ``audience``: "person"
    (planned per user from preferences: inbox, email, a university's SMS) or "system"
    (planned per subscription: webhook, dingtalk, wecom); ``address_field``: for person
    channels, the contact field holding the address ("email"), None = the user id.
    ``rate_limit`` and ``retry`` come from the ``rate_limit`` / ``retry`` keys of the
    channel's configuration.
    """

    type_name = "channel"
    audience = "person"
    address_field = None

    def __init__(self, config=None, name=None):
        self.config = dict(config or {})
        self.name = name or self.config.get("name") or self.type_name
        self.rate_limit = RateLimit.from_config(self.config.get("rate_limit"))
        self.retry = BackoffPolicy.from_config(self.config.get("retry"))

    @abstractmethod
    def send(self, message) -> DeliveryResult:
        """Deliver one message; report, do not raise, delivery failures."""

    def send_batch(self, messages) -> list:
        """[DeliveryResult] for `messages`, in order. By default each is sent on its
        own (``send``); a channel that can hand many to its receiver at once (the
        inbox: one insert for a tick's items) overrides this."""
        return [self.send(message) for message in messages]

    #: whether ``send_batch`` does better than one ``send`` per message: the sender
    #: then hands it a tick's claimed messages at once instead of sending them
    #: concurrently one by one
    batches = False

    def close(self):
        """Release connections (called when the service stops)."""

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}>"


# ------------------------------------------------------------------ in-app inbox

class InboxStore(ABC):
    """Per-user inbox, store-backed (the Mongo implementation lives in the service's store).

    An item::

        {"id": <delivery id>, "user_id": str, "event_id": str, "event_type": str,
         "subject": str, "body": str, "link": str, "lang": str,
         "created_at": datetime, "read_at": datetime | None}

    ``put`` is idempotent on ``id`` (insert with the delivery id as ``_id``; a duplicate
    key means "already there"), so a resent delivery never shows twice.
    """

    @abstractmethod
    def put(self, item) -> bool:
        """Store an item; True if new, False if an item with this id was already there."""

    def put_many(self, items) -> list:
        """``put`` for each item, in order ([bool]); a store that can write many at
        once overrides this with one round trip."""
        return [self.put(item) for item in items]

    @abstractmethod
    def list(self, user_id, unread_only=False, limit=50, before=None) -> list:
        """Newest first; ``before``: a created_at to page from."""

    @abstractmethod
    def unread_count(self, user_id) -> int:
        ...

    @abstractmethod
    def mark_read(self, user_id, item_ids=None, now=None) -> int:
        """Mark the user's items (all unread when ``item_ids`` is None) read; return how many changed.
        Only the owner's items: an id of another user's item changes nothing."""


def inbox_item(message, now=None):
    return {
        "id": message["delivery_id"],
        "user_id": message["to"],
        "event_id": message.get("event_id"),
        "event_type": message.get("event_type"),
        "subject": message.get("subject", ""),
        "body": message.get("body", ""),
        "link": message.get("link", ""),
        "lang": message.get("lang", "zh"),
        "created_at": now or datetime.now(timezone.utc),
        "read_at": None,
    }


class InboxChannel(Channel):
    type_name = "inbox"

    def __init__(self, store, config=None, name="inbox"):
        super().__init__(config, name)
        self.store = store

    batches = True

    def send(self, message):
        return self.send_batch([message])[0]

    def send_batch(self, messages):
        """One write for a tick's items (``InboxStore.put_many``); when the store is
        down every one of them is kept for a later try."""
        now = datetime.now(timezone.utc)
        try:
            created = self.store.put_many([inbox_item(message, now) for message in messages])
        except Exception as error:  # the store is down: keep the deliveries and try later
            failed = DeliveryResult.retry(f"inbox store: {type(error).__name__}: {error}")
            return [failed] * len(messages)
        return [DeliveryResult.success("stored" if new else "already in the inbox") for new in created]


class MemoryInboxStore(InboxStore):
    """Reference semantics of ``InboxStore`` for tests and a single-process demo."""

    def __init__(self):
        self.items = {}

    def put(self, item):
        if item["id"] in self.items:
            return False
        self.items[item["id"]] = dict(item)
        return True

    def list(self, user_id, unread_only=False, limit=50, before=None):
        items = [i for i in self.items.values() if i["user_id"] == user_id
                 and (not unread_only or i["read_at"] is None)
                 and (before is None or i["created_at"] < before)]
        return sorted(items, key=lambda i: (i["created_at"], i["id"]), reverse=True)[:limit]

    def unread_count(self, user_id):
        return sum(1 for i in self.items.values() if i["user_id"] == user_id and i["read_at"] is None)

    def mark_read(self, user_id, item_ids=None, now=None):
        now = now or datetime.now(timezone.utc)
        changed = 0
        for item in self.items.values():
            if item["user_id"] != user_id or item["read_at"] is not None:
                continue
            if item_ids is None or item["id"] in item_ids:
                item["read_at"] = now
                changed += 1
        return changed
