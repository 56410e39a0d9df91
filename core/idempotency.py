"""Idempotency: the one home of the platform's retry-safety rules.

- ``new_id(prefix)``: a fresh random id, for what has no key.
- ``keyed_id(prefix, actor, key)``: the id of what an actor creates with an
  Idempotency-Key: the same both times, so a retried create meets its first result
  (applications, campaigns, objections).
- ``derived_id`` / ``digest``: ids and request ids derived from the request's parts.
- ``run``: the request log for money-moving requests (funding), below.

A retried money-moving request gets the first answer and books nothing twice. Two
layers, so that neither alone has to be perfect:

1. The request log (``requests`` collection): the first successful request stores its
   answer under ``sha256(actor, operation, key)`` with a fingerprint of its input; a
   retry with the same input gets that answer back without running again, a reuse of
   the key for different input is refused (Conflict).
2. The domain's own ids, derived from the key: a claim's id is
   ``clm-<sha256(grant, actor, key)>``, a claim step's ``request_id`` likewise, and
   every ledger entry, guarded update and event id is derived from the command's
   idempotency key. So even two identical requests that run at the same moment (both
   missing the log) book once: the second one's updates are replays.

Guarantee: every money-moving RPC requires a key (ValidationFailed naming
``Idempotency-Key`` otherwise) and runs through :func:`run`.
"""
import hashlib
import json
import uuid

from core.envelope import iso_utc, utc_now
from core.errors import Conflict, field_error, invalid

HEADER = "Idempotency-Key"
MAX_KEY = 200


def require_key(key):
    if not isinstance(key, str) or not key.strip():
        raise invalid([field_error(HEADER, "an Idempotency-Key header is required for requests that move "
                                           "money, so that a retry never books twice",
                                   "涉及资金的请求必须提供 Idempotency-Key 请求头，以免重试时重复记账")])
    key = key.strip()
    if len(key) > MAX_KEY:
        raise invalid([field_error(HEADER, f"must be at most {MAX_KEY} characters",
                                   f"不能超过 {MAX_KEY} 个字符")])
    return key


def new_id(prefix):
    return f"{prefix}_{uuid.uuid4().hex[:20]}"


def keyed_id(prefix, actor_id, idempotency_key):
    """The id of what `actor_id` creates with `idempotency_key`: the same both times."""
    return f"{prefix}_{hashlib.sha256(f'{actor_id}|{idempotency_key}'.encode('utf-8')).hexdigest()[:20]}"


def digest(*parts, length=32):
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def derived_id(prefix, *parts):
    """A document id derived from the request (safe as a MongoDB key)."""
    return f"{prefix}-{digest(*parts, length=24)}"


def run(store, actor_id, operation, key, payload, command):
    """Run ``command()`` once per (actor, operation, key); see the module docstring."""
    key = require_key(key)
    record_id = digest(actor_id, operation, key, length=40)
    fingerprint = digest(payload, length=64)
    seen = store.find_request(record_id)
    if seen is not None:
        if seen["fingerprint"] != fingerprint:
            raise Conflict("this Idempotency-Key was already used for a different request; "
                           "use a new key for a new request",
                           "该 Idempotency-Key 已用于另一个不同的请求，新请求请使用新的键",
                           field=HEADER)
        return json.loads(seen["result"])
    result = command(key)
    store.save_request({"_id": record_id, "actor_id": actor_id, "operation": operation,
                        "fingerprint": fingerprint,
                        "result": json.dumps(result, ensure_ascii=False), "at": iso_utc(utc_now())})
    return result
