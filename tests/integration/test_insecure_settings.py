"""Outside demo mode the processes refuse RabbitMQ's guest user and the default (or a
short) gateway secret key, naming the setting; with a broker user of its own and a
long secret the same processes start. Real service processes (the platform's
command) and gateway processes, run as an IT team would start them (CX_DEMO unset);
a refused service exits with the code supervision leaves stopped."""
import os
import subprocess
import sys
import time
import uuid
from urllib.parse import urlparse

import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy

from deploy.supervision import REFUSED_EXIT

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STRONG = "x" * 40


def _env(config, **extra):
    env = {k: v for k, v in os.environ.items() if k != "CX_DEMO"}
    env.update(AMQP_URI=config["AMQP_URI"], MONGO_URI=config["MONGO_URI"], MONGO_DB_PREFIX=config["MONGO_DB_PREFIX"],
               PROGRAMS="[pilot_branches]", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


# The command the platform runs a service with (deploy/processes.py).
NAMEKO = [os.path.join(ROOT, ".venv/bin/python"), "-m", "deploy.nameko_process", "run", "--config", "deploy/config.yml",
          "services.records.service:RecordsService"]


def _nameko(env, timeout=60):
    return subprocess.run(NAMEKO, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def _gateway(env):
    return subprocess.run([sys.executable, "-c", "from gateway.app import create_app; create_app(); print('started')"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
def broker_user(request, config):
    """A RabbitMQ user of the platform's own, with rights on this test's vhost only."""
    mgmt = urlparse(request.config.getoption("RABBIT_API_URI"))
    base = f"{mgmt.scheme}://{mgmt.hostname}:{mgmt.port}/api"
    auth = (mgmt.username, mgmt.password)
    amqp = urlparse(config["AMQP_URI"])
    vhost = amqp.path.lstrip("/")
    user, password = f"cx_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    requests.put(f"{base}/users/{user}", json={"password": password, "tags": ""}, auth=auth,
                 timeout=10).raise_for_status()
    requests.put(f"{base}/permissions/{vhost}/{user}", json={"configure": ".*", "write": ".*", "read": ".*"},
                 auth=auth, timeout=10).raise_for_status()
    yield f"amqp://{user}:{password}@{amqp.hostname}:{amqp.port}/{vhost}"
    requests.delete(f"{base}/users/{user}", auth=auth, timeout=10)


def test_refuses_the_guest_user_and_the_default_secret_outside_demo_mode(config, broker_user):
    service = _nameko(_env(config))
    assert service.returncode == REFUSED_EXIT   # final: supervision does not restart it (deploy/nameko_process.py)
    assert "AMQP_URI" in service.stderr and "guest" in service.stderr, service.stderr[-2000:]

    gateway = _gateway(_env(config, AMQP_URI=broker_user))   # the shipped default secret key
    assert gateway.returncode != 0 and "started" not in gateway.stdout
    assert "GATEWAY_SECRET_KEY" in gateway.stderr and "AMQP_URI" not in gateway.stderr.split("Refusing")[-1]

    short = _gateway(_env(config, AMQP_URI=broker_user, GATEWAY_SECRET_KEY="short-secret"))
    assert short.returncode != 0 and "GATEWAY_SECRET_KEY" in short.stderr

    both = _gateway(_env(config))
    assert both.returncode != 0 and "GATEWAY_SECRET_KEY" in both.stderr and "AMQP_URI" in both.stderr

    # demo mode (what `deploy/platform up` sets) accepts both
    demo = _gateway(_env(config, CX_DEMO="1"))
    assert demo.returncode == 0 and "started" in demo.stdout, demo.stderr[-2000:]


def test_starts_with_its_own_broker_user_and_a_long_secret(config, broker_user):
    env = _env(config, AMQP_URI=broker_user, GATEWAY_SECRET_KEY=STRONG)
    gateway = _gateway(env)
    assert gateway.returncode == 0 and "started" in gateway.stdout, gateway.stderr[-2000:]

    proc = subprocess.Popen(NAMEKO, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        answer = None
        with ClusterRpcProxy(dict(config, AMQP_URI=broker_user), timeout=5) as cluster:
            deadline = time.monotonic() + 60
            while answer is None and time.monotonic() < deadline:
                try:
                    answer = cluster.records.ready()
                except Exception:  # not consuming yet
                    time.sleep(0.5)
        assert answer == {"ready": True, "checks": {"broker": True, "database": True}}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
