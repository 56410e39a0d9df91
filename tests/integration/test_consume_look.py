"""A running service's consuming loop looks up from the broker socket every
core.bus.CONSUME_LOOK_SECONDS (what an idle process costs, docs/OPERATIONS.md); it still
answers a call, and it still stops."""
import time

import eventlet
from kombu import Connection

from core import bus
from core.bus import ClusterRpcProxy
from core.entrypoints import rpc


class LookProbe:
    name = "consume_look_probe"

    @rpc
    def ping(self):
        return "pong"


def the_queue_consumer(container):
    consumers = {type(e.rpc_consumer.queue_consumer) for e in container.entrypoints}
    assert consumers == {bus.ResilientQueueConsumer}
    return next(iter(container.entrypoints)).rpc_consumer.queue_consumer


def test_the_consuming_loop_looks_every_two_seconds(container_factory, config, monkeypatch):
    waits = []
    drain_events = Connection.drain_events

    def recording(self, **kwargs):
        waits.append((eventlet.getcurrent(), kwargs.get("timeout")))
        return drain_events(self, **kwargs)

    monkeypatch.setattr(Connection, "drain_events", recording)
    container = container_factory(LookProbe, config)
    container.start()
    consumer = the_queue_consumer(container)
    eventlet.sleep(bus.CONSUME_LOOK_SECONDS * 2 + 0.5)
    looks = [timeout for thread, timeout in waits if thread is consumer._gt]
    assert looks and set(looks) == {2} == {bus.CONSUME_LOOK_SECONDS}
    with ClusterRpcProxy(config, timeout=10) as cluster:
        assert cluster.consume_look_probe.ping() == "pong"
    stopping = time.monotonic()
    container.stop()
    # a stop cancels the consumers at the next look (within the processes' stop grace)
    assert time.monotonic() - stopping < bus.CONSUME_LOOK_SECONDS + 5
