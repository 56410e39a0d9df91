from datetime import datetime, timedelta, timezone

import pytest

from services.notifications.domain import rate_limit as rl

T0 = datetime(2024, 10, 8, 0, 0, tzinfo=timezone.utc)


def at(seconds):
    return T0 + timedelta(seconds=seconds)


def test_burst_then_refused_then_refilled():
    limit = rl.RateLimit.per_minute(60, burst=3)        # one a second, three at once
    state = None
    for _ in range(3):
        allowed, state, wait = rl.try_acquire(limit, state, T0)
        assert allowed and wait == 0
    allowed, state, wait = rl.try_acquire(limit, state, T0)
    assert not allowed and wait == pytest.approx(1.0)
    allowed, state, _ = rl.try_acquire(limit, state, at(1))
    assert allowed
    allowed, state, wait = rl.try_acquire(limit, state, at(1.5))
    assert not allowed and wait == pytest.approx(0.5)


def test_refill_never_exceeds_the_burst_and_clock_going_back_is_harmless():
    limit = rl.RateLimit.per_minute(60, burst=5)
    state = rl.refill(limit, {"tokens": 0, "updated_at": T0}, at(3600))
    assert state["tokens"] == 5
    back = rl.refill(limit, {"tokens": 2, "updated_at": at(10)}, at(5))
    assert back["tokens"] == 2 and back["updated_at"] == at(10)


def test_bulk_mail_is_spread_not_refused():
    limit = rl.RateLimit.per_minute(60, burst=10)       # 600 students at 60 a minute
    times, state = rl.reserve(limit, None, T0, 600)
    assert times[:10] == [T0] * 10
    assert times[10] == at(1) and times[11] == at(2)
    assert times[-1] == at(590)
    assert all(b >= a for a, b in zip(times, times[1:]))
    # in any 60 s window at most 60 + burst sends
    for start in range(0, 590, 37):
        window = [t for t in times if at(start) <= t < at(start + 60)]
        assert len(window) <= 70
    # a second bulk right after queues behind the first
    later, _ = rl.reserve(limit, state, at(1), 2)
    assert later == [at(591), at(592)]
    # try_acquire sees the debt too
    allowed, _, wait = rl.try_acquire(limit, state, at(10))
    assert not allowed and wait == pytest.approx(581)


def test_robot_limits_and_config():
    assert rl.RateLimit.from_config({"per_minute": 20}) == rl.RateLimit(rate=20 / 60, burst=20.0)
    assert rl.RateLimit.from_config({"count": 100, "seconds": 3600, "burst": 5}).burst == 5
    assert rl.RateLimit.from_config({"per_second": 2}).rate == 2
    assert rl.RateLimit.from_config(None) is None
    with pytest.raises(ValueError):
        rl.RateLimit.from_config({"often": 3})
    with pytest.raises(ValueError):
        rl.RateLimit(rate=0, burst=1)
    assert rl.bucket_key("email") == "email"
    assert rl.bucket_key("dingtalk", "https://a") != rl.bucket_key("dingtalk", "https://b")
