"""When a timer should next ask the database: work proportional to what is due.

A Nameko timer ticks every second or few, in every copy of a service. `Pacer` lets a
tick cost nothing (no database command) while there is no reason to look:
  * after a tick that found work, the next tick looks again (more may be waiting);
  * after a tick that found nothing, the wait doubles from `idle_min` up to
    `idle_max` seconds, or ends earlier at the moment the next item is known to fall
    due (`idle(now, next_due)`);
  * `wake()` (called where this process just created due work) makes the next tick
    look at once.
Work created by another copy of the service is therefore found within `idle_max`
seconds at the latest. One Pacer per process and timer (kept by the store, which is
one per service container); under eventlet a tick and a wake never run in parallel.
"""
import time


class Pacer:
    def __init__(self, idle_min=1.0, idle_max=5.0):
        self.idle_min = idle_min
        self.idle_max = idle_max
        self._wait = idle_min
        self._next = 0.0

    def ready(self, now=None):
        """Whether this tick should look for work."""
        return (now if now is not None else time.time()) >= self._next

    def worked(self):
        self._wait = self.idle_min
        self._next = 0.0

    def idle(self, now=None, next_due=None):
        """Nothing found: wait longer before the next look (never past `next_due`)."""
        now = now if now is not None else time.time()
        until = now + self._wait
        if next_due is not None:
            until = min(until, max(next_due, now))
        self._next = until
        self._wait = min(self._wait * 2, self.idle_max)

    def wake(self):
        self._next = 0.0

    def tick(self, found, now=None, next_due=None):
        """`worked()` or `idle()` according to `found`; returns `found`."""
        if found:
            self.worked()
        else:
            self.idle(now, next_due)
        return found


def sweep_pacer(config):
    """The pacer of a crash-recovery sweep (outboxes, lifecycle steps): these find
    work only after a process died mid-change, so idle they look every
    ``SWEEP_IDLE_MAX_SECONDS`` (30) at the most, and again at once after finding some."""
    return Pacer(idle_min=1.0, idle_max=float(config.get("SWEEP_IDLE_MAX_SECONDS", 30)))
