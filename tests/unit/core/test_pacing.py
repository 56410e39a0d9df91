"""Idle timers back off and wake: core/pacing.py."""
from core.pacing import Pacer, sweep_pacer


def test_idle_waits_double_up_to_the_maximum_and_work_resets_them():
    pacer = Pacer(idle_min=1, idle_max=5)
    assert pacer.ready(0)
    waits = []
    now = 0.0
    for _ in range(5):
        pacer.idle(now)
        nxt = now
        while not pacer.ready(nxt):
            nxt += 0.25
        waits.append(nxt - now)
        now = nxt
    assert waits == [1, 2, 4, 5, 5]
    pacer.worked()
    assert pacer.ready(now)
    pacer.idle(now)
    assert not pacer.ready(now + 0.5) and pacer.ready(now + 1)


def test_a_known_due_time_shortens_the_wait_and_a_wake_ends_it():
    pacer = Pacer(idle_min=4, idle_max=8)
    pacer.idle(100, next_due=101.5)
    assert not pacer.ready(101) and pacer.ready(101.5)
    pacer.idle(200, next_due=150)          # already due: look at the next tick
    assert pacer.ready(200)
    pacer.idle(300)
    assert not pacer.ready(301)
    pacer.wake()
    assert pacer.ready(301)
    assert pacer.tick(3, 400) == 3 and pacer.ready(400)


def test_sweeps_wait_at_most_the_configured_time():
    pacer = sweep_pacer({"SWEEP_IDLE_MAX_SECONDS": 2})
    for step in range(6):
        pacer.idle(step * 10)
    assert pacer.ready(50 + 2) and not pacer.ready(50 + 1.9)
    assert sweep_pacer({}).idle_max == 30
