"""Rate limits per channel: a token bucket, as pure functions over (state, now).

A bucket holds up to ``burst`` tokens and refills at ``rate`` tokens a second. A send
takes a token. ``reserve`` also hands out tokens that do not exist yet: the balance
goes negative and each message gets the moment its token will have been refilled, so
a bulk mailing to 600 students at 60 a minute is spread over ten minutes instead of
being refused (the planner sets each delivery's ``next_attempt_at`` to that moment).

State (what the store keeps per bucket key, updated with compare-and-set on
``updated_at`` when several workers share a bucket)::

    {"tokens": float, "updated_at": datetime}

Typical configuration, per channel (``rate_limit`` in a channel's config)::

    email:    {per_minute: 60, burst: 10}
    dingtalk: {per_minute: 20, burst: 20}     # DingTalk: 20 messages a minute per robot
    wecom:    {per_minute: 20, burst: 20}     # WeCom: 20 messages a minute per robot

Bucket keys: ``bucket_key(channel)`` for a whole channel (one SMTP relay), or
``bucket_key(channel, address)`` per robot URL / per webhook subscriber.
"""
import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta

from .deliveries import utc


@dataclass(frozen=True)
class RateLimit:
    rate: float            # tokens per second
    burst: float           # bucket size

    def __post_init__(self):
        if not self.rate > 0 or not self.burst >= 1:
            raise ValueError(f"a rate limit needs rate > 0 and burst >= 1: {self}")

    @classmethod
    def per_minute(cls, count, burst=None):
        return cls(rate=count / 60.0, burst=float(burst if burst is not None else count))

    @classmethod
    def from_config(cls, config):
        """{"per_minute": n} | {"per_second": n} | {"count": n, "seconds": s}; optional "burst".
        None or {} means no limit (returns None)."""
        if not config:
            return None
        burst = config.get("burst")
        if "per_minute" in config:
            return cls.per_minute(config["per_minute"], burst)
        if "per_second" in config:
            rate = float(config["per_second"])
            return cls(rate=rate, burst=float(burst if burst is not None else max(1.0, rate)))
        if "count" in config and "seconds" in config:
            rate = float(config["count"]) / float(config["seconds"])
            return cls(rate=rate, burst=float(burst if burst is not None else config["count"]))
        raise ValueError(f"rate_limit needs per_minute, per_second or count+seconds: {config!r}")


def bucket_key(channel, address=None):
    if address is None:
        return channel
    return f"{channel}:{hashlib.sha256(str(address).encode()).hexdigest()[:16]}"


def initial_state(limit, now):
    return {"tokens": float(limit.burst), "updated_at": utc(now)}


def refill(limit, state, now):
    """The state at ``now``: tokens added for the time passed, never above ``burst``."""
    if state is None:
        return initial_state(limit, now)
    now = utc(now)
    last = utc(state["updated_at"])
    elapsed = max(0.0, (now - last).total_seconds())
    tokens = min(float(limit.burst), float(state["tokens"]) + elapsed * limit.rate)
    return {"tokens": tokens, "updated_at": max(now, last)}


def try_acquire(limit, state, now, count=1):
    """(allowed, new_state, retry_after_seconds). Refused: state unchanged except refill,
    ``retry_after_seconds`` is when ``count`` tokens will be there."""
    current = refill(limit, state, now)
    if current["tokens"] >= count:
        return True, {**current, "tokens": current["tokens"] - count}, 0.0
    wait = (count - current["tokens"]) / limit.rate
    return False, current, wait


def reserve(limit, state, now, count):
    """Spread ``count`` sends: (list of send times, new_state).

    The first ones go now while there are tokens; each later one gets the time its
    token is refilled (1 / rate apart). The returned state carries the debt, so a
    second bulk reserved right after queues behind the first.
    """
    now = utc(now)
    current = refill(limit, state, now)
    tokens = current["tokens"]
    times = []
    for _ in range(count):
        tokens -= 1
        if tokens >= 0:
            times.append(now)
        else:
            # time until the balance climbs back to zero for this token
            wait = -tokens / limit.rate
            times.append(now + timedelta(seconds=math.ceil(wait * 1000) / 1000))
    return times, {"tokens": tokens, "updated_at": now}
