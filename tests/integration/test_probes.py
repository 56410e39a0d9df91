"""Probes on the real services, broker and gateway: each service's `live` and `ready`
RPCs (database reachable, program registered), the gateway's /livez and /readyz that
never wait on services, /api/status and /healthz asking everyone in parallel with a
short timeout, the admin's status page, and a service's HTTP probes and metrics."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import eventlet
import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy

from tests.integration.web.test_admin_and_notice_pages import client_of, text

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STARTED = {"applications", "accounts", "program_pilot_branches"}   # by the `platform` fixture


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_services_answer_live_and_ready_and_the_gateway_reports_each_in_parallel(config, rpc, gateway_app):
    from core.topology import rpc_names
    others = sorted(set(rpc_names(config)) - STARTED)
    assert {"funding", "notifications", "records", "scoring"} <= set(others)
    assert rpc.applications.live() == "alive"
    assert rpc.applications.ready() == {"ready": True, "checks": {"broker": True, "database": True}}
    assert rpc.program_pilot_branches.ready() == {"ready": True, "checks": {"broker": True, "registered": True}}

    # the outbox backlog as a gauge, read from the database when scraped
    from prometheus_client import generate_latest
    assert 'cx_backlog{kind="outbox",service="applications"} 0.0' in generate_latest().decode()
    # the depth of each service's RPC queue and its consumers, as the broker counts them
    import re
    scraped = generate_latest().decode()
    waiting = re.search(r'cx_queue_messages\{queue="rpc-applications",service="applications"\} (\S+)', scraped)
    consuming = re.search(r'cx_queue_consumers\{queue="rpc-applications",service="applications"\} (\S+)', scraped)
    assert waiting and float(waiting.group(1)) >= 0 and consuming and float(consuming.group(1)) >= 1, scraped[-3000:]
    from core.probes import queue_depths
    assert queue_depths(config["AMQP_URI"], ["no-such-queue", "rpc-applications"]).keys() == {"rpc-applications"}

    client = gateway_app.test_client()
    assert client.get("/livez").status_code == 200
    assert 'cx_http_seconds_count{endpoint="/livez",method="GET",status="200"}' in client.get("/metrics").text
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"] == {"broker": True}

    # Several services are not running in this platform: each is reported, and all of
    # them together cost one short timeout, not n x 2 s (or the 30 s RPC timeout).
    began = time.monotonic()
    status = client.get("/api/status")
    took = time.monotonic() - began
    assert status.status_code == 503 and status.json["status"] == "degraded"
    services = status.json["services"]
    assert services["applications"]["ready"] and services["program_pilot_branches"]["ready"]
    for name in others:
        assert services[name] == {"ready": False, "error": "timeout", "ms": 2000}, services[name]
    assert took < 3.5, took

    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json["services"] == {name: name in STARTED for name in rpc_names(config)}

    # /livez and /readyz do not ask the services at all: fast even now.
    began = time.monotonic()
    assert client.get("/readyz").status_code == 200 and client.get("/livez").status_code == 200
    assert time.monotonic() - began < 1.0

    # The admin's page says the same in words; others are refused.
    admin, _ = client_of(gateway_app, "admin")
    page = admin.get("/status")
    assert page.status_code == 200
    body = text(page)
    assert "运行状态" in body and "部分服务不可用" in body and "无应答（超时）" in body
    assert "经费服务" in body and "评选项目：" in body and 'href="/status"' in body
    assert "program_pilot_branches" not in body and "funding" not in body
    secretary, _ = client_of(gateway_app, "2023010101")
    assert secretary.get("/status").status_code == 403
    assert 'href="/status"' not in text(secretary.get("/"))


def test_healthz_is_200_when_every_service_and_program_is_ready(config, gateway_app, container_factory):
    from tests.integration.conftest import all_other_services
    for service in all_other_services():
        container_factory(service, config).start()
    client = gateway_app.test_client()
    deadline = time.monotonic() + 20
    while True:
        health = client.get("/healthz")
        if health.status_code == 200 or time.monotonic() > deadline:
            break
        eventlet.sleep(0.3)
    assert health.status_code == 200, health.json
    assert health.json["status"] == "ok" and all(health.json["services"].values())
    from core.topology import rpc_names
    assert set(health.json["services"]) == set(rpc_names(config))


@pytest.fixture
def private_mongo():
    """A Mongo wire server of our own, so the test can stop it: (uri, stop)."""
    port = _free_port()
    data = tempfile.mkdtemp(prefix="cx-probe-mongo-")
    proc = subprocess.Popen([os.path.join(ROOT, ".tools/nx-27017/bin/nx-27017"), "--data-dir", data,
                             "--host", "127.0.0.1", "-p", str(port), "--log-file", os.path.join(data, "log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            eventlet.sleep(0.1)

    def stop():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    yield f"mongodb://127.0.0.1:{port}", stop
    stop()
    shutil.rmtree(data, ignore_errors=True)


def test_ready_reports_the_database_and_http_probes_serve_metrics(config, container_factory, private_mongo):
    from services.records.service import RecordsService

    uri, stop_mongo = private_mongo
    port = _free_port()
    conf = dict(config, MONGO_URI=uri, PROBE_PORT=port)
    container = container_factory(RecordsService, conf)
    container.start()
    base = f"http://127.0.0.1:{port}"
    with ClusterRpcProxy(conf, timeout=10) as cluster:
        assert cluster.records.ready()["ready"] is True
        assert requests.get(f"{base}/livez", timeout=5).json() == {"status": "alive"}
        ready = requests.get(f"{base}/readyz", timeout=5)
        assert ready.status_code == 200 and ready.json()["checks"] == {"broker": True, "database": True}
        metrics = requests.get(f"{base}/metrics", timeout=5).text
        assert 'cx_rpc_seconds_count{method="ready",outcome="ok",service="records"}' in metrics

        stop_mongo()
        began = time.monotonic()
        answer = cluster.records.ready()
        assert answer == {"ready": False, "checks": {"broker": True, "database": False}}
        assert time.monotonic() - began < 5
        assert cluster.records.live() == "alive"
        assert requests.get(f"{base}/readyz", timeout=10).status_code == 503
        assert requests.get(f"{base}/livez", timeout=5).status_code == 200
