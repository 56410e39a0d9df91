"""A paced timer spawns no worker while its pacer says nothing can be due, and runs
its method as nameko's timer would once it is ready (core/paced_timer.py)."""
import time

import eventlet
from nameko.extensions import DependencyProvider

from core.paced_timer import paced_timer


class Gate:
    def __init__(self):
        self.open = False
        self.broken = False

    def ready(self):
        if self.broken:
            raise RuntimeError("pacer broken")
        return self.open


class StoreWithPacer(DependencyProvider):
    """Like core.mongo.Repository: the store is the provider's `.store`; counts the
    workers the container spawns (every worker passes worker_setup)."""

    def setup(self):
        self.store = Gate()
        self.workers = 0

    def worker_setup(self, worker_ctx):
        self.workers += 1

    def get_dependency(self, worker_ctx):
        return self.store


RUNS = []


class Ticking:
    name = "paced_timer_probe"
    store = StoreWithPacer()

    @paced_timer(interval=0.05, ready=lambda store: store.ready())
    def tick(self):
        RUNS.append(time.time())


def provider(container):
    return next(d for d in container.dependencies if d.attr_name == "store")


def test_no_worker_until_ready_then_the_method_runs(container_factory, rabbit_config):
    RUNS.clear()
    container = container_factory(Ticking, rabbit_config)
    container.start()
    deps = provider(container)
    eventlet.sleep(0.6)                          # about 12 ticks, none ready
    assert deps.workers == 0 and RUNS == []
    deps.store.open = True
    eventlet.sleep(0.3)
    assert len(RUNS) >= 2 and deps.workers == len(RUNS)
    deps.store.open = False
    eventlet.sleep(0.1)
    before = len(RUNS)
    eventlet.sleep(0.4)
    assert len(RUNS) == before                   # closed again: no more workers
    deps.store.broken = True                     # a pacer that fails lets the method run and report
    eventlet.sleep(0.3)
    assert len(RUNS) > before
    container.stop()
