"""A service keeps answering while one of its workers computes for seconds off the
hub (core/off_hub.py); on the hub the same computation would hold every RPC."""
import time

from nameko.rpc import rpc
from nameko.standalone.rpc import ClusterRpcProxy

from core.off_hub import off_hub


def crunch(seconds):
    """Pure CPU work for about `seconds` (no I/O: nothing lets the hub switch)."""
    until, n = time.monotonic() + seconds, 0
    while time.monotonic() < until:
        n += sum(i * i for i in range(2000))
    return n > 0


class Busy:
    name = "off_hub_probe"

    @rpc
    def compute(self, seconds, off):
        return off_hub(crunch, seconds) if off else crunch(seconds)

    @rpc
    def ping(self):
        return time.monotonic()


def test_rpcs_are_answered_while_a_job_computes_off_the_hub(container_factory, rabbit_config):
    container = container_factory(Busy, rabbit_config)
    container.start()
    for off in (True, False):
        with ClusterRpcProxy(rabbit_config, timeout=30) as cluster:
            long = cluster.off_hub_probe.compute.call_async(3, off)
            time.sleep(0.5)                  # the computation has started
            pong = cluster.off_hub_probe.ping()
            long.result()
            done = time.monotonic()
        if off:
            assert done - pong > 1.5         # answered well before the computation ended
        else:
            assert done - pong < 1.0         # on the hub: ping waited for the computation
