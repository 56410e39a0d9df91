"""The scoring service on the shared integration platform (real RabbitMQ and Mongo
server): applications + the pilot-branch plugin + scoring, the demo directory, plus
two more pilot branches with their secretaries, reviewers at school and college level
and a second school admin (`seed`)."""
import eventlet
import pytest
from pymongo import MongoClient

from core.mongo import database_name
from tests.integration.command_log import Started
from tests.integration.scoring import world


@pytest.fixture
def extra_services():
    from services.scoring.service import ScoringService
    return [ScoringService]


@pytest.fixture
def scoring(rpc):
    """The RPC proxy once the plugin has registered its criteria with scoring and the
    extra directory entries are seeded."""
    from core.errors import NotFound
    for _ in range(150):
        try:
            rpc.scoring.get_criteria("pilot_branches")
            break
        except NotFound:
            eventlet.sleep(0.1)
    else:
        raise AssertionError("pilot_branches never registered with the scoring service")
    rpc.applications.seed_directory(*world.extra_directory())
    return rpc


@pytest.fixture
def scoring_store(config):
    """(ScoringStore on the test's own scoring database, its aggregations as sent):
    the store alone, no service."""
    from services.scoring.store import ScoringStore
    sent = Started("aggregate")
    client = MongoClient(config["MONGO_URI"], tz_aware=True, event_listeners=[sent])
    store = ScoringStore(client[database_name(config, "scoring")], config)
    store.ensure_indexes()
    yield store, sent
    client.close()
