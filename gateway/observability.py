"""The gateway's probes, status, metrics and structured access log.

* ``GET /livez``: 200 while the process serves requests; no I/O.
* ``GET /readyz``: 200 when the broker accepts a connection (checked within 1.5 s,
  cached 5 s), else 503. It never waits on other services, so one service down
  does not take every gateway out of its load balancer.
* ``GET /api/status``: each service and program asked ``ready`` in parallel with
  STATUS_TIMEOUT (2 s) for the lot: ``{"status": "ok"|"degraded", "services": {...}}``,
  200 or 503. The web page ``/status`` (admin menu) shows the same in words.
* ``GET /healthz``: the same answer as /api/status in the old shape
  (``{"status", "services": {name: bool}}``), kept for `deploy/platform up` and tests.
* ``GET /metrics``: Prometheus text (core/metrics.py), unless GATEWAY.METRICS is false.
* Access log: one JSON object per request on the ``cx.access`` logger (stderr),
  when GATEWAY.ACCESS_LOG is true: time, method, path, endpoint, status, ms, bytes,
  remote address (after ProxyFix), user agent.
"""
import json
import logging
import sys
import time
from datetime import datetime, timezone

from flask import Response, g, jsonify, request

from core import metrics
from core.security import broker_reachable
from core.topology import rpc_names
from gateway.status import ask_ready

STATUS_TIMEOUT = 2.0

access_log = logging.getLogger("cx.access")


def service_status(cx, timeout=STATUS_TIMEOUT):
    """(all ready?, {name: answer}) for every service and enabled program."""
    answers = ask_ready(cx, rpc_names(cx), timeout=timeout)
    return all(a["ready"] for a in answers.values()), answers


def _truthy(value, default=True):
    if value is None:
        return default
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def register(app):
    cx = app.config["CX"]
    settings = cx.get("GATEWAY", {})

    @app.route("/livez")
    def livez():
        return jsonify({"status": "alive"})

    @app.route("/readyz")
    def readyz():
        ok = broker_reachable(cx["AMQP_URI"], 1.5)
        return jsonify({"status": "ready" if ok else "not_ready", "checks": {"broker": ok}}), 200 if ok else 503

    @app.route("/api/status")
    def api_status():
        healthy, answers = service_status(cx)
        return jsonify({"status": "ok" if healthy else "degraded", "services": answers}), 200 if healthy else 503

    @app.route("/healthz")
    def healthz():
        """200 when every service and program is ready, 503 naming those that are not."""
        healthy, answers = service_status(cx)
        return (jsonify({"status": "ok" if healthy else "degraded",
                         "services": {name: a["ready"] for name, a in answers.items()}}),
                200 if healthy else 503)

    if _truthy(settings.get("METRICS")):
        wsgi_metrics = metrics.metrics_app()

        @app.route("/metrics")
        def prometheus_metrics():
            captured = {}

            def start_response(status, headers, exc_info=None):
                captured.update(status=status, headers=headers)

            body = b"".join(wsgi_metrics(request.environ, start_response))
            return Response(body, status=int(captured["status"].split()[0]), headers=captured["headers"])

    log_requests = _truthy(settings.get("ACCESS_LOG"), default=False)
    if log_requests and not access_log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False

    @app.before_request
    def _started():
        g.cx_started = time.perf_counter()

    @app.after_request
    def _finished(response):
        began = g.pop("cx_started", None)
        if began is None:
            return response
        seconds = time.perf_counter() - began
        endpoint = request.url_rule.rule if request.url_rule is not None else "(unmatched)"
        metrics.HTTP_SECONDS.labels(request.method, endpoint, str(response.status_code)).observe(seconds)
        if log_requests:
            access_log.info(json.dumps({
                "ts": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
                "method": request.method, "path": request.path, "endpoint": endpoint,
                "status": response.status_code, "ms": round(seconds * 1000, 1),
                "bytes": response.calculate_content_length(), "remote": request.remote_addr,
                "ua": request.user_agent.string, "actor": g.get("actor_id"),
            }, ensure_ascii=False))
        return response
