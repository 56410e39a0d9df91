"""Deliveries: one per (event id, recipient, channel), with retries and a dead-letter list.

The id is deterministic (``delivery_id``), so a redelivered event, a second copy of the
service or a restart maps to the same ids; the store's unique ``_id`` turns a second
insert into a no-op. That is how a person is never told twice.

States::

    pending ──start_attempt──▶ sending ──record_result(ok)──────────────▶ delivered
       ▲                         │  ├─ record_result(retryable), tries left ─▶ failed
       │                         │  └─ not retryable / last try ─────────────▶ dead
       │                         └─ expire_lease (worker died mid-send) = a retryable failure
    failed ──start_attempt (when next_attempt_at is due)──▶ sending
    dead ──replay (an admin)──▶ pending, attempts reset to 0, ``replays`` + 1

A delivery document (every function here takes one and returns a new one; times are
aware UTC datetimes, naive ones are read as UTC)::

    {"id": str,                      # sha256 hex of (event_id, recipient, channel)
     "event_id": str, "event_type": str,
     "recipient": "user:<id>" | "subscription:<id>", "channel": str, "address": str,
     "state": "pending" | "sending" | "delivered" | "failed" | "dead",
     "attempts": int,                # tries in the current cycle (reset by replay)
     "max_attempts": int, "replays": int,
     "next_attempt_at": datetime | None, "lease_until": datetime | None,
     "created_at": datetime, "updated_at": datetime,
     "delivered_at": datetime | None, "dead_at": datetime | None,
     "last_error": str | None,
     "history": [{"at", "attempt", "outcome": "delivered"|"retry"|"dead"|"deferred"|"replayed",
                  "detail", "status"?, "actor_id"?}, ...],   # newest last, at most HISTORY_LIMIT
     "message": {...}}               # the rendered message (see planning.py)

The store applies a transition with a conditional update on (id, state, attempts),
so two workers never send the same delivery at once.
"""
import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta, timezone

from core.errors import InvalidTransition

PENDING, SENDING, DELIVERED, FAILED, DEAD = "pending", "sending", "delivered", "failed", "dead"
STATES = (PENDING, SENDING, DELIVERED, FAILED, DEAD)
WAITING = (PENDING, FAILED)      # may be picked up when due
HISTORY_LIMIT = 30
DEFAULT_LEASE_SECONDS = 120


def utc(moment):
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def delivery_id(event_id, recipient, channel):
    """sha256 hex of the triple, unambiguously encoded (a JSON array)."""
    raw = json.dumps([str(event_id), str(recipient), str(channel)], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class BackoffPolicy:
    """Delay before try n+1 after try n failed: base * factor**(n-1), capped at max_delay.

    ``jitter`` (0..1) spreads retries of many deliveries that failed together by up to
    ±jitter of the delay; the spread is a hash of the delivery id and the try number,
    so it is the same in every process and in tests.
    """

    base_seconds: float = 30.0
    factor: float = 2.0
    max_attempts: int = 6
    max_delay_seconds: float = 3600.0
    jitter: float = 0.0

    @classmethod
    def from_config(cls, config=None):
        config = dict(config or {})
        policy = cls(**{k: config[k] for k in ("base_seconds", "factor", "max_attempts",
                                                "max_delay_seconds", "jitter") if k in config})
        if policy.max_attempts < 1 or policy.base_seconds < 0 or policy.factor < 1 or not 0 <= policy.jitter < 1:
            raise ValueError(f"bad retry policy: {policy}")
        return policy

    def delay(self, attempt, key=""):
        """Seconds to wait after failed try number ``attempt`` (1-based)."""
        raw = min(self.max_delay_seconds, self.base_seconds * self.factor ** (attempt - 1))
        if self.jitter:
            digest = hashlib.sha256(f"{key}:{attempt}".encode()).digest()
            unit = int.from_bytes(digest[:8], "big") / 2 ** 64          # [0, 1)
            raw *= 1 + self.jitter * (2 * unit - 1)
        return raw

    def schedule(self, key=""):
        """Delays between the tries: max_attempts - 1 numbers."""
        return [self.delay(n, key) for n in range(1, self.max_attempts)]


DEFAULT_POLICY = BackoffPolicy()


def new_delivery(event_id, event_type, recipient, channel, address, message, now,
                 policy=DEFAULT_POLICY, not_before=None):
    now = utc(now)
    return {
        "id": delivery_id(event_id, recipient, channel),
        "event_id": event_id,
        "event_type": event_type,
        "recipient": recipient,
        "channel": channel,
        "address": address,
        "state": PENDING,
        "attempts": 0,
        "max_attempts": policy.max_attempts,
        "replays": 0,
        "next_attempt_at": utc(not_before) or now,
        "lease_until": None,
        "created_at": now,
        "updated_at": now,
        "delivered_at": None,
        "dead_at": None,
        "last_error": None,
        "history": [],
        "message": message,
    }


def is_due(delivery, now):
    return delivery["state"] in WAITING and (
        delivery.get("next_attempt_at") is None or utc(delivery["next_attempt_at"]) <= utc(now))


def _refuse(delivery, action):
    return InvalidTransition(
        f"cannot {action} a delivery in state {delivery['state']}",
        f"投递处于“{delivery['state']}”状态，不能执行“{action}”",
        field="state", details={"delivery_id": delivery.get("id"), "state": delivery["state"]})


def _log(delivery, entry):
    history = list(delivery.get("history") or []) + [entry]
    return history[-HISTORY_LIMIT:]


def start_attempt(delivery, now, lease_seconds=DEFAULT_LEASE_SECONDS):
    """Claim a due delivery for sending: state sending, attempts + 1, a lease."""
    now = utc(now)
    if delivery["state"] not in WAITING:
        raise _refuse(delivery, "start an attempt on")
    if not is_due(delivery, now):
        raise InvalidTransition(
            f"delivery is not due before {utc(delivery['next_attempt_at']).isoformat()}",
            f"投递在 {utc(delivery['next_attempt_at']).isoformat()} 之前不应重试",
            field="next_attempt_at")
    return {**delivery, "state": SENDING, "attempts": delivery["attempts"] + 1,
            "lease_until": now + timedelta(seconds=lease_seconds), "updated_at": now}


def record_result(delivery, result, now, policy=DEFAULT_POLICY):
    """Apply the outcome of the try in flight.

    ``result`` is a channels.DeliveryResult or a dict with ``ok``, ``retryable``,
    ``detail`` (and optionally ``status``, ``retry_after`` seconds). Returns the new document: delivered, failed
    with ``next_attempt_at`` set by the backoff policy, or dead after the last try or a
    failure that retrying cannot fix.
    """
    now = utc(now)
    if delivery["state"] != SENDING:
        raise _refuse(delivery, "record a result for")
    ok, retryable, detail, status, retry_after = _unpack(result)
    attempt = delivery["attempts"]
    entry = {"at": now, "attempt": attempt, "detail": detail}
    if status is not None:
        entry["status"] = status
    base = {**delivery, "lease_until": None, "updated_at": now}
    if ok:
        entry["outcome"] = "delivered"
        return {**base, "state": DELIVERED, "delivered_at": now, "next_attempt_at": None,
                "last_error": None, "history": _log(delivery, entry)}
    max_attempts = delivery.get("max_attempts") or policy.max_attempts
    if retryable and attempt < max_attempts:
        entry["outcome"] = "retry"
        wait = policy.delay(attempt, delivery["id"])
        if retry_after:  # the receiver asked for a pause (Retry-After); at most a day
            wait = max(wait, min(float(retry_after), 86400.0))
        return {**base, "state": FAILED, "next_attempt_at": now + timedelta(seconds=wait),
                "last_error": detail, "history": _log(delivery, entry)}
    entry["outcome"] = "dead"
    return {**base, "state": DEAD, "dead_at": now, "next_attempt_at": None,
            "last_error": detail, "history": _log(delivery, entry)}


def _unpack(result):
    if isinstance(result, dict):
        get = result.get
    else:
        def get(name, default=None):
            return getattr(result, name, default)
    return (bool(get("ok")), bool(get("retryable")), str(get("detail") or ""), get("status"),
            get("retry_after"))


def lease_expired(delivery, now):
    return delivery["state"] == SENDING and delivery.get("lease_until") is not None \
        and utc(delivery["lease_until"]) <= utc(now)


def expire_lease(delivery, now, policy=DEFAULT_POLICY):
    """A worker took the delivery and vanished (restart mid-send): count the try as a
    retryable failure. The message may or may not have gone out; at-least-once means
    we send again (the inbox and webhook subscribers de-duplicate on the ids)."""
    if not lease_expired(delivery, now):
        raise _refuse(delivery, "expire the lease of")
    return record_result(delivery, {"ok": False, "retryable": True,
                                    "detail": "lease expired: the sender stopped mid-send"}, now, policy)


def defer(delivery, until, reason, now):
    """Push a waiting delivery later without using a try (rate limit, quiet hours)."""
    now = utc(now)
    if delivery["state"] not in WAITING:
        raise _refuse(delivery, "defer")
    until = max(utc(until), now)
    return {**delivery, "next_attempt_at": until, "updated_at": now,
            "history": _log(delivery, {"at": now, "attempt": delivery["attempts"], "outcome": "deferred",
                                       "detail": reason})}


def replay(delivery, now, actor_id=None, policy=None):
    """An admin sends a dead delivery again: pending now, tries counted from zero."""
    now = utc(now)
    if delivery["state"] != DEAD:
        raise _refuse(delivery, "replay")
    max_attempts = policy.max_attempts if policy else delivery.get("max_attempts") or DEFAULT_POLICY.max_attempts
    entry = {"at": now, "attempt": 0, "outcome": "replayed", "detail": "replayed from the dead-letter list",
             "actor_id": actor_id}
    return {**delivery, "state": PENDING, "attempts": 0, "max_attempts": max_attempts,
            "replays": delivery.get("replays", 0) + 1, "next_attempt_at": now, "lease_until": None,
            "dead_at": None, "updated_at": now, "history": _log(delivery, entry)}


def outgoing(delivery, secret=None):
    """The message handed to ``Channel.send``: the stored message plus ids and address.

    ``secret`` (webhook signing, DingTalk sign) is added here at send time and is
    never stored with the delivery.
    """
    message = dict(delivery.get("message") or {})
    message.update({
        "delivery_id": delivery["id"],
        "event_id": delivery["event_id"],
        "event_type": delivery["event_type"],
        "recipient": delivery["recipient"],
        "to": delivery["address"],
        "attempt": delivery["attempts"],
    })
    if secret is not None:
        message["secret"] = secret
    return message


__all__ = [
    "PENDING", "SENDING", "DELIVERED", "FAILED", "DEAD", "STATES", "BackoffPolicy", "DEFAULT_POLICY",
    "delivery_id", "new_delivery", "is_due", "start_attempt", "record_result", "lease_expired",
    "expire_lease", "defer", "replay", "outgoing",
]
