"""The sending loop: due deliveries out through their channels, with leases,
backoff, rate limits and the dead-letter list (``domain/deliveries.py`` has the rules).

One ``run_once`` per timer tick, in every copy of the service:

1. Deliveries whose sender vanished mid-send (``sending`` past ``lease_until``: the
   process was killed) count that try as a retryable failure (``expire_lease``).
2. For each configured channel, due deliveries (``pending``/``failed`` with
   ``next_attempt_at`` reached) are claimed one by one with a conditional replace
   (``start_attempt``: ``sending``, a lease). Of several copies of the service exactly
   one wins each claim. Before a claim a token is taken from the channel's shared
   rate-limit bucket (one per channel for person channels such as the SMTP relay, one
   per robot/webhook URL for system channels); with none left the channel (or that
   URL) waits for the next tick, so a bulk mailing is spread out at the configured pace.
3. The claimed deliveries are sent concurrently (``SENDER.concurrency``), each result
   recorded with ``record_result``: delivered; or failed with ``next_attempt_at`` from
   the channel's backoff policy; or dead after the last try or a failure retrying
   cannot fix — the dead-letter list, which an admin replays.

A delivery is claimed by one worker at a time and marked delivered right after the
channel accepted it; only a crash between those two moments sends it again (at least
once; the inbox de-duplicates on the delivery id, mails carry it as Message-ID and
webhooks as ``X-Chuangxian-Delivery``).
"""
import logging
from datetime import datetime, timezone

import eventlet

from .channels.base import DeliveryResult
from .domain import deliveries as dl
from .domain.rate_limit import bucket_key
from .domain.subscriptions import SYSTEM_CHANNELS

log = logging.getLogger(__name__)


def utc_now():
    return datetime.now(timezone.utc)


def _bucket(channel, delivery):
    if getattr(channel, "audience", "person") == "system" or channel.name in SYSTEM_CHANNELS:
        return bucket_key(channel.name, delivery["address"]), True
    return bucket_key(channel.name), False


def expire_leases(store, channels, now):
    expired = 0
    for delivery in store.expired_leases(now):
        channel = channels.get(delivery["channel"])
        policy = channel.retry if channel is not None else dl.DEFAULT_POLICY
        if store.swap(delivery, dl.expire_lease(delivery, now, policy)) is not None:
            expired += 1
            log.warning("delivery %s: lease expired (sender died mid-send); will retry", delivery["id"])
    return expired


def claim(store, channels, now, batch=50, lease_seconds=dl.DEFAULT_LEASE_SECONDS):
    """[(channel, claimed delivery)] for this tick, within the rate limits."""
    claimed = []
    for name, channel in channels.items():
        blocked = set()   # robot/webhook URLs whose bucket is empty this tick
        for delivery in store.due(name, now, limit=batch):
            if delivery["address"] in blocked:
                continue
            if channel.rate_limit is not None:
                key, per_address = _bucket(channel, delivery)
                taken, _wait = store.take_token(key, channel.rate_limit, now)
                if not taken:
                    if not per_address:
                        break
                    blocked.add(delivery["address"])
                    continue
            try:
                started = dl.start_attempt(delivery, now, lease_seconds)
            except Exception:  # noqa: BLE001 - changed since it was read (e.g. replayed): skip it
                continue
            mine = store.swap(delivery, started)
            if mine is not None:
                claimed.append((channel, mine))
    return claimed


def secret_for(store, delivery):
    """The subscription's secret for a system delivery (never stored with it), or None.
    Raises LookupError when the subscription is gone or switched off."""
    recipient = delivery["recipient"]
    if not recipient.startswith("subscription:"):
        return None
    try:
        subscription = store.get_subscription(recipient.split(":", 1)[1])
    except Exception as error:  # NotFound
        raise LookupError("the subscription was removed") from error
    if not subscription.get("active"):
        raise LookupError("the subscription is switched off")
    return subscription.get("secret")


def send_one(store, channel, delivery, clock=utc_now):
    """Send one claimed delivery and record the outcome; the stored document or None."""
    try:
        message = dl.outgoing(delivery, secret_for(store, delivery))
    except LookupError as error:
        result = DeliveryResult.permanent(str(error))
    else:
        try:
            result = channel.send(message)
        except Exception as error:  # noqa: BLE001 - a channel bug must not kill the loop
            log.exception("channel %s raised", channel.name)
            result = DeliveryResult.retry(f"{channel.name}: {type(error).__name__}: {error}")
    new = dl.record_result(delivery, result, clock(), channel.retry)
    stored = store.swap(delivery, new)
    if stored is None:
        log.warning("delivery %s changed while it was being sent (lease expired?)", delivery["id"])
    elif stored["state"] == dl.DEAD:
        log.warning("delivery %s is dead after %d tries: %s", delivery["id"], delivery["attempts"],
                    stored["last_error"])
    return stored


def run_once(store, channels, sender_settings, clock=utc_now):
    """One tick; returns {"expired", "sent": {state: count}}."""
    now = clock()
    expired = expire_leases(store, channels, now)
    claimed = claim(store, channels, now, int(sender_settings.get("batch", 50)),
                    float(sender_settings.get("lease_seconds", dl.DEFAULT_LEASE_SECONDS)))
    outcome = {}
    if claimed:
        pool = eventlet.GreenPool(max(1, int(sender_settings.get("concurrency", 10))))
        for stored in pool.imap(lambda pair: send_one(store, pair[0], pair[1], clock), claimed):
            state = stored["state"] if stored else "lost"
            outcome[state] = outcome.get(state, 0) + 1
    return {"expired": expired, "sent": outcome}
