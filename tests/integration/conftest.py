"""Integration tests: real RabbitMQ (a fresh vhost per test, from Nameko's pytest
plugin) and the real Mongo wire server (fresh databases per test).

Run in their own pytest process (see deploy/platform test): the services need
eventlet's monkey patch, which must come before anything else is imported.
"""
import eventlet

eventlet.monkey_patch()  # noqa: E402

import os  # noqa: E402
import uuid  # noqa: E402

import pytest  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402
from nameko.testing.waiting import wait_for_call  # noqa: E402,F401
from pymongo import MongoClient  # noqa: E402

from deploy import demo_data  # noqa: E402
from tests.integration.green_timeout import (  # noqa: E402,F401  (hooks of this suite)
    pytest_runtest_call, pytest_runtest_setup, pytest_runtest_teardown, unregister_pytest_timeout)

MONGO_URI = os.environ.get("TEST_MONGO_URI", "mongodb://127.0.0.1:27018")


def pytest_configure(config):
    unregister_pytest_timeout(config)


def pytest_addoption(parser):
    # Nameko's plugin reads the broker from options; CI passes them through env.
    pass


@pytest.fixture
def config(rabbit_config):
    prefix = f"t{uuid.uuid4().hex[:10]}"
    conf = dict(rabbit_config)
    conf.update({
        "MONGO_URI": MONGO_URI,
        "MONGO_DB_PREFIX": prefix,
        "PROGRAMS": ["pilot_branches"],
        "MAX_WORKERS": 20,
        "OUTBOX_SWEEP_SECONDS": 1,
        "SWEEP_IDLE_MAX_SECONDS": 2,   # crash-recovery sweeps look at least every 2 s in tests
        "ATTACHMENTS": {"MAX_BYTES": 200_000, "MAX_PER_APPLICATION": 10},
        "LOGIN": {"MAX_FAILURES": 5, "WINDOW_MINUTES": 15},
        "GATEWAY": {"SECRET_KEY": "test-secret-" + prefix, "TOKEN_TTL_MINUTES": 30, "RPC_POOL_SIZE": 4,
                    "RPC_TIMEOUT_SECONDS": 20},
    })
    yield conf
    client = MongoClient(MONGO_URI)
    for name in client.list_database_names():
        if name.startswith(prefix):
            client.drop_database(name)
    client.close()


@pytest.fixture
def mongo(config):
    client = MongoClient(config["MONGO_URI"], tz_aware=True)
    yield lambda service: client[f"{config['MONGO_DB_PREFIX']}_{service}"]
    client.close()


def all_other_services():
    """The Nameko class of every service with a service.py besides applications."""
    import importlib

    from core.topology import service_names

    found = []
    for name in service_names():
        if name == "applications":
            continue
        module = importlib.import_module(f"services.{name}.service")
        found.extend(v for v in vars(module).values()
                     if isinstance(v, type) and getattr(v, "name", None) == name and hasattr(v, "ping"))
    return found


@pytest.fixture
def extra_services():
    """Service classes a test package adds to the platform: override this fixture in
    its conftest.py (e.g. return [FundingService])."""
    return []


@pytest.fixture
def platform(config, runner_factory, extra_services):
    """The applications and accounts services, the pilot-branch plugin
    and `extra_services`, started, the program registered, and the demo directory seeded."""
    from plugins.pilot_branches.service import PilotBranchesService
    from services.accounts.service import AccountsService
    from services.applications.service import ApplicationsService

    base = [ApplicationsService, AccountsService, PilotBranchesService]
    runner = runner_factory(config, *base, *[s for s in extra_services if s not in base])
    runner.start()
    with ClusterRpcProxy(config, timeout=20) as cluster:
        for _ in range(100):
            if cluster.applications.list_programs():
                break
            eventlet.sleep(0.1)
        else:
            raise AssertionError("the pilot_branches program never registered")
        cluster.applications.seed_directory(*demo_data.directory())
    yield runner


@pytest.fixture
def rpc(config, platform):
    with ClusterRpcProxy(config, timeout=20) as cluster:
        yield cluster


class Http:
    """A Flask test client of the real gateway with log-in helpers."""

    def __init__(self, client):
        self.client = client
        self.tokens = {}

    def login(self, login, password=None):
        from deploy.demo_data import DEMO_PASSWORD
        response = self.client.post("/api/auth/login", json={"login": login, "password": password or DEMO_PASSWORD})
        assert response.status_code == 200, response.json
        self.tokens[login] = response.json["token"]
        return response.json["token"]

    def as_(self, login, method, url, **kwargs):
        if login not in self.tokens:
            self.login(login)
        headers = dict(kwargs.pop("headers", {}), Authorization=f"Bearer {self.tokens[login]}")
        return self.client.open(url, method=method, headers=headers, **kwargs)


@pytest.fixture
def gateway_app(config, platform):
    from gateway.app import create_app
    app = create_app(config)
    yield app
    for pool in ("rpc_pool", "sign_in_rpc_pool", "revocations_rpc_pool"):
        if pool in app.extensions:
            app.extensions[pool].close()


@pytest.fixture
def http(gateway_app):
    return Http(gateway_app.test_client())


@pytest.fixture
def events(config, platform, container_factory):
    """Every application event published during the test, as received by a
    subscriber (a list, appended in arrival order)."""
    from nameko.events import event_handler

    received = []

    class Recorder:
        name = "test_recorder"

        @event_handler("applications", "application.submitted")
        def submitted(self, payload):
            received.append(payload)

        @event_handler("applications", "application.returned")
        def returned(self, payload):
            received.append(payload)

        @event_handler("applications", "application.college_approved")
        def college_approved(self, payload):
            received.append(payload)

        @event_handler("applications", "application.decided")
        def decided(self, payload):
            received.append(payload)

    container = container_factory(Recorder, config)
    container.start()
    return received
