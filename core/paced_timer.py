"""A Nameko timer that asks its pacer before it spawns a worker.

nameko's ``timer`` spawns a worker every tick: a worker context, every dependency of
the service injected, the probes' timing recorded, even when the method then returns
at once because its pacer (core/pacing.py) says nothing can be due yet. With the
jobs' and the sender's one-second ticks in every service that was most of what an
idle service cost. ``paced_timer(interval, ready=fn, store="store")`` calls
``fn(the service's store)`` first (the ``.store`` of the dependency named `store`, a
`core.mongo.Repository`); a tick that is not ready costs that one call and no worker.

Guarantees: a ready tick runs the method exactly as nameko's timer would (one worker
at a time, the next tick after it ends); a `ready` that raises counts as ready, so
the method runs and its own error handling reports; the method keeps its own check
of the pacer (the pacer stays the one place that decides).
"""
from nameko.timer import Timer


class PacedTimer(Timer):
    def __init__(self, interval, ready, store="store", **kwargs):
        self.ready = ready
        self.store_name = store
        super().__init__(interval, **kwargs)

    def _store(self):
        """The store of the dependency named `store_name` (found once; the store is made
        in the dependency's setup, before any tick)."""
        if getattr(self, "_provider", None) is None:
            self._provider = next((d for d in self.container.dependencies
                                   if getattr(d, "attr_name", None) == self.store_name), False)
        return getattr(self._provider, "store", None) if self._provider else None

    def _is_ready(self):
        store = self._store()
        if store is None:
            return True
        try:
            return bool(self.ready(store))
        except Exception:   # the method's own run reports what is wrong
            return True

    def handle_timer_tick(self):
        if self._is_ready():
            super().handle_timer_tick()
        else:
            self.worker_complete.send()   # the timer loop waits for this before its next tick


paced_timer = PacedTimer.decorator
