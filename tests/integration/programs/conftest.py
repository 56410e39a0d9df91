"""Whole campaigns of each program through the gateway, on the whole platform.

A test module names the programs it runs by overriding `program_names`; every
service under services/ runs, plus one program service per name (built from the
installed entry point with `make_program_service`, exactly as `nameko run` would).
"""
import eventlet
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from tests.integration.conftest import all_other_services


@pytest.fixture
def program_names():
    return ["civilized_dorms", "class_collectives", "class_leading_selection", "class_leading_assessment",
            "class_leading_cases", "benchmark_branches"]


@pytest.fixture
def config(config, program_names):
    config["PROGRAMS"] = ["pilot_branches", *program_names]
    return config


@pytest.fixture
def extra_services(program_names):
    from core.program_service import make_program_service
    from core.programs import installed_programs

    installed = installed_programs()
    return [*all_other_services(), *(make_program_service(installed[n].load()) for n in program_names)]


@pytest.fixture
def platform(platform, config, program_names):
    """The parent platform, once every program named has registered with the
    applications service (scoring and funding registrations retry on their own;
    `wait_registered` waits for those when a test needs them)."""
    with ClusterRpcProxy(config, timeout=20) as cluster:
        for _ in range(200):
            if set(program_names) <= {p["id"] for p in cluster.applications.list_programs()}:
                break
            eventlet.sleep(0.1)
        else:
            raise AssertionError(f"programs {program_names} never registered")
        for name in program_names:
            wait_registered(cluster, name)
    return platform


def wait_registered(cluster, name, attempts=200):
    """Until the scoring service has the program's criteria (when it declares any)."""
    from core.programs import installed_programs

    program = installed_programs()[name].load()
    if not (program.criteria or program.quota_rules):
        return
    for _ in range(attempts):
        try:
            cluster.scoring.get_criteria(name)
            return
        except Exception:  # not registered yet: the registrar retries with backoff
            eventlet.sleep(0.1)
    raise AssertionError(f"{name} never registered with scoring")
