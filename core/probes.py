"""Liveness and readiness of a service or program process.

Every service and every program mixes in `Probed`, which gives it two cheap RPCs:

* ``live()`` → ``"alive"``: no I/O at all; an answer means the process runs, is
  connected to the broker and has a free worker.
* ``ready()`` → ``{"ready": bool, "checks": {...}}`` with, each answered within
  `CHECK_TIMEOUT` seconds:
    - ``broker``: the request reached us through it, so it is connected;
    - ``database`` (a service with a Repository): its MongoDB answers ``ping``;
    - ``registered`` (a program): its declaration was accepted by the
      applications service.

The same dependency refuses to start the process with insecure settings outside
demo mode (core/security.py), so every service and program checks them in one
place. When ``PROBE_PORT`` is set (environment or config), it also serves HTTP for
orchestrators that cannot speak AMQP (Kubernetes probes, Prometheus) on
``PROBE_HOST:PROBE_PORT``: ``/livez``, ``/readyz`` (200 or 503 with the checks)
and ``/metrics`` (core/metrics.py).
"""
import json
import logging
import os
import time

from nameko.extensions import DependencyProvider
import pymongo

from core import metrics
from core.entrypoints import rpc  # the same RPC entrypoint as the service's own: one consumer per queue
from core.security import check_settings

log = logging.getLogger(__name__)

CHECK_TIMEOUT = 1.5  # seconds a readiness check may take


def queue_depths(amqp_uri, queues, timeout=CHECK_TIMEOUT):
    """{queue: (messages, consumers)} as the broker counts them (a passive declare,
    which never creates a queue); a queue that does not exist is left out. Raises
    when the broker is out of reach (the metrics then report nothing)."""
    from amqp.exceptions import NotFound
    from kombu import Connection

    found = {}
    with Connection(amqp_uri, connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=1, timeout=timeout)
        for queue in queues:
            channel = conn.channel()
            try:
                _name, messages, consumers = channel.queue_declare(queue=queue, passive=True)
                found[queue] = (messages, consumers)
            except NotFound:
                pass   # the channel is closed by the broker; the next queue takes a new one
            finally:
                try:
                    channel.close()
                except Exception:  # noqa: BLE001 - already closed by the broker
                    pass
    return found


def probe_port(config):
    """The HTTP probe port of this process, or None: PROBE_PORT (environment or config),
    else PROBE_PORT_BASE + CX_COPY - 1 (the process manager gives each process a base
    and each copy its number, deploy/supervision.py)."""
    value = os.environ.get("PROBE_PORT") or config.get("PROBE_PORT")
    if value not in (None, "", 0, "0"):
        return int(value)
    base = os.environ.get("PROBE_PORT_BASE")
    if base:
        return int(base) + int(os.environ.get("CX_COPY") or 1) - 1
    return None


class Health(DependencyProvider):
    """Gives the worker a `readiness()` callable; see the module docstring."""

    def __init__(self):
        self.server = None
        self.backlog = None
        self.queues = None
        self.started = {}

    def setup(self):
        config = self.container.config
        check_settings(config)

    def start(self):
        stores = [d.store for d in self._repositories() if hasattr(d.store, "metrics")]
        if stores:
            self.backlog = metrics.register_backlog(
                self.container.service_name, lambda: {k: v for s in stores for k, v in s.metrics().items()})
        name, uri = self.container.service_name, self.container.config.get("AMQP_URI")
        if uri:
            # nameko's RPC queue of this service: requests waiting for a free worker (any copy)
            self.queues = metrics.register_queues(name, lambda: queue_depths(uri, [f"rpc-{name}"]))
        port = probe_port(self.container.config)
        if port is not None:
            try:
                self._serve(port)
            except OSError as exc:  # the RPC probes still work; a taken port must not stop the service
                log.error("cannot serve probes and metrics on port %s (%s): RPC live/ready only", port, exc)

    # -- metrics: each entrypoint's time ------------------------------------------
    def worker_setup(self, worker_ctx):
        self.started[worker_ctx.call_id] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        began = self.started.pop(worker_ctx.call_id, None)
        if began is not None:
            outcome = "ok" if exc_info is None else exc_info[0].__name__
            metrics.RPC_SECONDS.labels(self.container.service_name, worker_ctx.entrypoint.method_name,
                                       outcome).observe(time.perf_counter() - began)

    def stop(self):
        if self.backlog is not None:
            metrics.unregister(self.backlog)
            self.backlog = None
        if self.queues is not None:
            metrics.unregister(self.queues)
            self.queues = None
        if self.server is not None:
            self.server.kill()
            self.server = None

    def kill(self):
        self.stop()

    def _repositories(self):
        from core.mongo import Repository
        return [d for d in self.container.dependencies if isinstance(d, Repository)]

    def _registrar(self):
        from core.program_service import Registrar
        return next((d for d in self.container.dependencies if isinstance(d, Registrar)), None)

    def readiness(self, broker=True):
        checks = {"broker": bool(broker)}
        client = next((r.client for r in self._repositories() if r.client is not None), None)
        if client is not None:
            try:
                # the services' own client (core.mongo.shared_client), bounded: within
                # pymongo.timeout even choosing a server gives up after CHECK_TIMEOUT
                with pymongo.timeout(CHECK_TIMEOUT):
                    client.admin.command("ping")
                checks["database"] = True
            except Exception as exc:  # any failure to reach the database is "not ready"
                log.warning("readiness: database unreachable (%s)", exc)
                checks["database"] = False
        registrar = self._registrar()
        if registrar is not None:
            checks["registered"] = registrar.registered.ready()
        return {"ready": all(checks.values()), "checks": checks}

    def get_dependency(self, worker_ctx):
        return self.readiness

    # -- HTTP probes (eventlet's WSGI server inside the service's own hub) ------
    def _serve(self, port):
        import eventlet
        from eventlet import wsgi

        from core.security import broker_reachable

        host = os.environ.get("PROBE_HOST") or self.container.config.get("PROBE_HOST") or "127.0.0.1"
        metrics_wsgi = metrics.metrics_app()
        amqp_uri = self.container.config.get("AMQP_URI")

        def app(environ, start_response):
            path = environ.get("PATH_INFO", "")
            if path == "/metrics":
                return metrics_wsgi(environ, start_response)
            if path == "/livez":
                body, ok = {"status": "alive"}, True
            elif path == "/readyz":
                body = self.readiness(broker=broker_reachable(amqp_uri, CHECK_TIMEOUT))
                ok = body["ready"]
            else:
                start_response("404 Not Found", [("Content-Type", "text/plain")])
                return [b"not found"]
            start_response("200 OK" if ok else "503 Service Unavailable", [("Content-Type", "application/json")])
            return [json.dumps(body).encode()]

        sock = eventlet.listen((host, port))
        self.server = self.container.spawn_managed_thread(
            lambda: wsgi.server(sock, app, log_output=False), identifier="probe-http")
        log.info("probes and metrics on http://%s:%s/ (livez, readyz, metrics)", host, port)


class Probed:
    """Mix into a Nameko service class: `class ScoringService(Probed): ...`."""

    probes = Health()

    @rpc
    def live(self):
        return "alive"

    @rpc
    def ready(self):
        return self.probes()
