"""Prometheus metrics of every process (prometheus-client), served at /metrics.

Services and programs (through core/probes.py's `Health`, which every one mixes in):
  * ``cx_rpc_seconds{service,method,outcome}``: histogram of each entrypoint's time
    (RPC, event handler, timer), outcome ``ok`` or the error's class name;
  * ``cx_backlog{service,kind}``: gauges a store reports from its own `metrics()`
    when scraped, e.g. the outbox backlog (changes whose event is not yet out) and
    notification deliveries ``pending`` / ``dead``;
  * ``cx_queue_messages{service,queue}`` and ``cx_queue_consumers{service,queue}``: the
    depth of the service's RPC queue and how many consume it, as the broker says when
    scraped (core/probes.py `queue_depths`): requests waiting for a free worker.
The gateway (gateway/observability.py):
  * ``cx_http_seconds{method,endpoint,status}``: histogram of each request's time.

Under gunicorn's several workers set PROMETHEUS_MULTIPROC_DIR (deploy/gunicorn.conf.py
does) and every worker's numbers are summed on any worker's /metrics.
"""
import os

from prometheus_client import CollectorRegistry, Histogram, make_wsgi_app, multiprocess
from prometheus_client.core import REGISTRY, GaugeMetricFamily

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

RPC_SECONDS = Histogram("cx_rpc_seconds", "Time of each service entrypoint (RPC, event handler, timer)",
                        ["service", "method", "outcome"], buckets=BUCKETS)
HTTP_SECONDS = Histogram("cx_http_seconds", "Time of each gateway request",
                         ["method", "endpoint", "status"], buckets=BUCKETS)


class BacklogCollector:
    """Asks each source `() -> {kind: number}` at scrape time (so nothing is stale).
    One collector for the process: several containers may run in one (tests)."""

    def __init__(self):
        self.sources = {}

    def collect(self):
        family = GaugeMetricFamily("cx_backlog", "Work waiting in a service's database",
                                   labels=["service", "kind"])
        for (service, _), source in list(self.sources.items()):
            try:
                values = source() or {}
            except Exception:  # a scrape during a database outage reports nothing rather than failing
                values = {}
            for kind, value in sorted(values.items()):
                family.add_metric([service, kind], float(value))
        yield family


class QueueCollector:
    """Asks each source `() -> {queue: (messages, consumers)}` at scrape time."""

    def __init__(self):
        self.sources = {}

    def collect(self):
        messages = GaugeMetricFamily("cx_queue_messages", "Messages waiting in a service's queue (broker's count)",
                                     labels=["service", "queue"])
        consumers = GaugeMetricFamily("cx_queue_consumers", "Consumers of a service's queue (broker's count)",
                                      labels=["service", "queue"])
        for (service, _), source in list(self.sources.items()):
            try:
                depths = source() or {}
            except Exception:  # the broker out of reach: report nothing rather than fail the scrape
                depths = {}
            for queue, (waiting, consuming) in sorted(depths.items()):
                messages.add_metric([service, queue], float(waiting))
                consumers.add_metric([service, queue], float(consuming))
        yield messages
        yield consumers


_BACKLOG = BacklogCollector()
REGISTRY.register(_BACKLOG)
_QUEUES = QueueCollector()
REGISTRY.register(_QUEUES)


def register_queues(service, source):
    """Report `source()`'s {queue: (messages, consumers)} as cx_queue_*{service=service}."""
    key = (service, id(source))
    _QUEUES.sources[key] = source
    return key


def register_backlog(service, source):
    """Report `source()`'s numbers as cx_backlog{service=service}; returns a handle."""
    key = (service, id(source))
    _BACKLOG.sources[key] = source
    return key


def unregister(handle):
    _BACKLOG.sources.pop(handle, None)
    _QUEUES.sources.pop(handle, None)


def metrics_app():
    """The WSGI app serving /metrics (all gunicorn workers' numbers in multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return make_wsgi_app(registry)
    return make_wsgi_app()
