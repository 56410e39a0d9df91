"""The whole platform for this program's campaigns: every service, the program's two
processes, the demo directory. The platform's integration fixtures are reused
(tests/integration/conftest.py monkey-patches eventlet when imported, so first)."""
from tests.integration.conftest import Http, all_other_services  # noqa: I001  (eventlet first)

import eventlet
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from tests.integration.conftest import config, mongo  # noqa: F401  (fixtures: fresh vhost and databases)

PROGRAMS = ["merit_students", "outstanding_cadres"]


@pytest.fixture
def platform(config, runner_factory):  # noqa: F811
    from core.program_service import make_program_service
    from core.programs import installed_programs
    from deploy import demo_data
    from services.applications.service import ApplicationsService

    config["PROGRAMS"] = PROGRAMS
    services = [make_program_service(installed_programs()[name].load()) for name in PROGRAMS]
    runner = runner_factory(config, ApplicationsService, *all_other_services(), *services)
    runner.start()
    with ClusterRpcProxy(config, timeout=20) as cluster:
        for _ in range(300):
            registered = {p["id"] for p in cluster.applications.list_programs()}
            try:
                scored = all(cluster.scoring.get_criteria(name) for name in PROGRAMS)
            except Exception:  # not registered with scoring yet: the registrar retries
                scored = False
            if set(PROGRAMS) <= registered and scored:
                break
            eventlet.sleep(0.1)
        else:
            raise AssertionError(f"{PROGRAMS} never registered")
        cluster.applications.seed_directory(*demo_data.directory())
    yield runner


@pytest.fixture
def rpc(config, platform):
    with ClusterRpcProxy(config, timeout=20) as cluster:
        yield cluster


@pytest.fixture
def gateway_app(config, platform):
    from gateway.app import create_app
    app = create_app(config)
    yield app
    app.extensions["rpc_pool"].close()


@pytest.fixture
def http(gateway_app):
    return Http(gateway_app.test_client())
