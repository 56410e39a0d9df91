"""Fault tests: the platform on a RabbitMQ node the test starts and stops itself
(tests/rabbit_node.py), and program processes that die under load."""
import io
import time
import uuid
from datetime import datetime, timedelta, timezone

import eventlet
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from deploy.demo_data import COLLEGES, DEMO_PASSWORD
from services.applications.directory import make_unit
from tests.integration.conftest import MONGO_URI, all_other_services
from tests.integration.helpers import PDF, good_form
from tests.rabbit_node import RabbitNode


@pytest.fixture
def broker_node():
    """A RabbitMQ node of this test's own (never the shared one on 5672)."""
    node = RabbitNode.temporary("faults")
    node.start()
    yield node
    node.close()


@pytest.fixture
def node_config(config, broker_node):
    """The usual test configuration, on the test's own broker node."""
    return dict(config, AMQP_URI=broker_node.amqp_uri)


@pytest.fixture
def node_runner(node_config, broker_node):
    """`node_runner(*service_classes)` -> a started ServiceRunner on the test's node.
    The runners are killed before the node is closed (and the node started again
    first if a test left it stopped): consumers that lose their broker at teardown
    would block in kombu's reconnect loop."""
    from nameko.runners import ServiceRunner

    runners = []

    def make(*service_classes):
        runner = ServiceRunner(node_config)
        for cls in service_classes:
            runner.add_service(cls)
        runners.append(runner)
        runner.start()
        return runner

    yield make
    if not broker_node.running:
        broker_node.start()
    for runner in runners:
        runner.kill()


def every_service():
    from plugins.pilot_branches.service import PilotBranchesService
    from services.applications.service import ApplicationsService
    return [ApplicationsService, PilotBranchesService, *all_other_services()]


def wait_registered(config, timeout=60):
    deadline = time.monotonic() + timeout
    with ClusterRpcProxy(config, timeout=20) as cluster:
        while not cluster.applications.list_programs():
            assert time.monotonic() < deadline, "the pilot_branches program never registered"
            eventlet.sleep(0.1)


def seed_branches(config, count, per_secretary=5):
    """`count` branches of college_me, `per_secretary` to a secretary; an open campaign.
    Returns (campaign_id, {login: [branch_id, ...]})."""
    from deploy import demo_data
    run = uuid.uuid4().hex[:6]
    college = COLLEGES["me"]
    units, people, owned = [], [], {}
    for s in range(count // per_secretary):
        login = f"fault_{run}_{s}"
        roles = []
        for k in range(per_secretary):
            branch = make_unit("branch", f"故障测试支部 {run}-{s}-{k}", college, unit_id_=f"fb_{run}_{s}_{k}")
            units.append(branch)
            roles.append({"role": "branch_secretary", "unit_id": branch["_id"]})
        owned[login] = [r["unit_id"] for r in roles]
        people.append({"_id": login, "login": login, "name": f"书记{s}", "school_id": "school_demo",
                       "password": DEMO_PASSWORD, "roles": roles})
    now = datetime.now(timezone.utc)
    with ClusterRpcProxy(config, timeout=60) as cluster:
        cluster.applications.seed_directory(*demo_data.directory())
        cluster.applications.seed_directory(units, people)
        campaign = cluster.applications.open_campaign("p_admin", {
            "program": "pilot_branches", "title": f"故障测试 {run}", "academic_year": "2026-2027",
            "unit_id": "school_demo", "application_opens_at": (now - timedelta(minutes=1)).isoformat(),
            "application_closes_at": (now + timedelta(hours=2)).isoformat()})
    return campaign["id"], owned


def upload(http, login, app_id):
    return http.as_(login, "POST", f"/api/applications/{app_id}/attachments",
                    data={"kind": "application_form", "file": (io.BytesIO(PDF), "申请表.pdf")},
                    content_type="multipart/form-data")


__all__ = ["MONGO_URI", "every_service", "good_form", "seed_branches", "upload", "wait_registered"]
