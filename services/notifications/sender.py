"""The sending loop: due deliveries out through their channels, with leases,
backoff, rate limits and the dead-letter list (``domain/deliveries.py`` has the rules).

One ``run_while_more`` per timer tick, in every copy of the service: ``run_once``
again at once while a channel claimed a whole batch (more may be waiting: telling
5,000 applicants of a decision is 45,000 inbox items, 15 minutes at one batch of 50
a second), for at most ``SENDER.burst_seconds``. A channel held back by its rate
limit never claims a whole batch, so it does not spin. ``run_once``:

1. Deliveries whose sender vanished mid-send (``sending`` past ``lease_until``: the
   process was killed) count that try as a retryable failure (``expire_lease``).
2. For each configured channel, due deliveries (``pending``/``failed`` with
   ``next_attempt_at`` reached) are claimed with conditional replaces sent in one
   write (``start_attempt``: ``sending``, a lease; ``store.swap_many``). Of several
   copies of the service exactly one wins each claim. Before a claim a token is
   taken from the channel's shared rate-limit bucket (one per channel for person
   channels such as the SMTP relay, one per robot/webhook URL for system channels);
   with none left the channel (or that URL) waits for the next tick, so a bulk
   mailing is spread out at the configured pace.
3. The claimed deliveries are sent: a batching channel's (the inbox) with one
   ``send_batch`` and their outcomes recorded in one write; the others concurrently
   (``SENDER.concurrency``), each outcome recorded as soon as it is known. Outcomes
   come from ``record_result``: delivered; or failed with ``next_attempt_at`` from
   the channel's backoff policy; or dead after the last try or a failure retrying
   cannot fix — the dead-letter list, which an admin replays.

A delivery is claimed by one worker at a time and marked delivered right after the
channel accepted it; only a crash between those two moments sends it again (at least
once; the inbox de-duplicates on the delivery id, mails carry it as Message-ID and
webhooks as ``X-Chuangxian-Delivery``).
"""
import logging
import time
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
    wanted = []
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
                wanted.append((channel, delivery, dl.start_attempt(delivery, now, lease_seconds)))
            except Exception:  # noqa: BLE001 - changed since it was read (e.g. replayed): skip it
                continue
    # one conditional replace for all of them; of several workers one wins each
    stored = store.swap_many([(delivery, started) for _channel, delivery, started in wanted])
    return [(channel, mine) for (channel, _d, _s), mine in zip(wanted, stored) if mine is not None]


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


def _message(store, delivery):
    """The outgoing message of a claimed delivery, or the permanent failure that
    stops it (its subscription is gone or switched off)."""
    try:
        return dl.outgoing(delivery, secret_for(store, delivery)), None
    except LookupError as error:
        return None, DeliveryResult.permanent(str(error))


def _guarded(channel, send, *args):
    try:
        return send(*args)
    except Exception as error:  # noqa: BLE001 - a channel bug must not kill the loop
        log.exception("channel %s raised", channel.name)
        return DeliveryResult.retry(f"{channel.name}: {type(error).__name__}: {error}")


def send_batch(store, channel, deliveries):
    """Send claimed deliveries of one batching channel with one ``send_batch`` and
    record their outcomes in one write: [(delivery, result)]."""
    results, messages, sendable = {}, [], []
    for delivery in deliveries:
        message, refused = _message(store, delivery)
        if refused is not None:
            results[delivery["id"]] = refused
        else:
            messages.append(message)
            sendable.append(delivery)
    if messages:
        sent = _guarded(channel, channel.send_batch, messages)
        if isinstance(sent, DeliveryResult):   # the guard's retry, for the whole batch
            sent = [sent] * len(messages)
        results.update((d["id"], r) for d, r in zip(sendable, sent))
    return [(d, results[d["id"]]) for d in deliveries]


def send_one(store, channel, delivery, clock=utc_now):
    """Send one claimed delivery and record its outcome at once (a mail that went out
    is never sent again because a later one was slow); the stored document or None."""
    message, refused = _message(store, delivery)
    result = refused if refused is not None else _guarded(channel, channel.send, message)
    return record(store, {channel.name: channel}, [(delivery, result)], clock)[0]


def record(store, channels, outcomes, clock=utc_now):
    """Record [(delivery, result)] in one write; the stored documents (None where
    another worker changed one meanwhile), in order."""
    now = clock()
    pairs = [(d, dl.record_result(d, r, now, channels[d["channel"]].retry)) for d, r in outcomes]
    stored = store.swap_many(pairs)
    for (delivery, _new), doc in zip(pairs, stored):
        if doc is None:
            log.warning("delivery %s changed while it was being sent (lease expired?)", delivery["id"])
        elif doc["state"] == dl.DEAD:
            log.warning("delivery %s is dead after %d tries: %s", delivery["id"], delivery["attempts"],
                        doc["last_error"])
    return stored


def run_while_more(store, channels, sender_settings, clock=utc_now, monotonic=None):
    """`run_once` while it says there is more (see the module docstring), for at most
    ``burst_seconds`` (default 5); the outcomes added up, ``more`` of the last one."""
    monotonic = monotonic or time.monotonic
    started, budget = monotonic(), float(sender_settings.get("burst_seconds", 5))
    total = {"expired": 0, "sent": {}, "more": False, "runs": 0}
    while True:
        outcome = run_once(store, channels, sender_settings, clock)
        total["expired"] += outcome["expired"]
        for state, n in outcome["sent"].items():
            total["sent"][state] = total["sent"].get(state, 0) + n
        total["more"], total["runs"] = outcome["more"], total["runs"] + 1
        if not outcome["more"] or monotonic() - started >= budget:
            return total


def run_once(store, channels, sender_settings, clock=utc_now):
    """One tick; returns {"expired", "sent": {state: count}, "more"}: ``more`` when a
    channel claimed a whole batch (more may be due)."""
    now = clock()
    batch = int(sender_settings.get("batch", 50))
    expired = expire_leases(store, channels, now)
    claimed = claim(store, channels, now, batch,
                    float(sender_settings.get("lease_seconds", dl.DEFAULT_LEASE_SECONDS)))
    outcome, more = {}, False
    if claimed:
        by_channel = {}
        for channel, delivery in claimed:
            by_channel.setdefault(channel.name, (channel, []))[1].append(delivery)
        more = any(len(deliveries) >= batch for _channel, deliveries in by_channel.values())
        batched, one_by_one, stored = [], [], []
        for channel, deliveries in by_channel.values():
            if channel.batches:
                batched.extend(send_batch(store, channel, deliveries))
            else:
                one_by_one.extend((channel, d) for d in deliveries)
        if batched:   # the inbox: one write for the items, one for their outcomes
            stored.extend(record(store, {c.name: c for c, _d in by_channel.values()}, batched, clock))
        if one_by_one:   # mail, robots, webhooks: each waits on its receiver, so concurrently
            pool = eventlet.GreenPool(max(1, int(sender_settings.get("concurrency", 10))))
            stored.extend(pool.imap(lambda pair: send_one(store, pair[0], pair[1], clock), one_by_one))
        for doc in stored:
            state = doc["state"] if doc else "lost"
            outcome[state] = outcome.get(state, 0) + 1
    return {"expired": expired, "sent": outcome, "more": more}
