"""The sending loop against the real Mongo wire server, without the bus: competing
senders claim each delivery once, and a channel's rate limit spreads a bulk send."""
import eventlet
import pytest

from services.notifications import sender
from services.notifications.channels.base import Channel, DeliveryResult
from services.notifications.domain import deliveries as dl
from services.notifications.store import NotificationsStore


class Recording(Channel):
    """A person channel that records what it sends (and takes a little while)."""

    type_name = "recording"

    def __init__(self, config=None, name="email"):
        super().__init__(config, name)
        self.sent = []

    def send(self, message):
        eventlet.sleep(0.01)
        self.sent.append(message["delivery_id"])
        return DeliveryResult.success()


@pytest.fixture
def store(mongo, config):
    store = NotificationsStore(mongo("notifications"), config)
    store.ensure_indexes()
    return store


def planned(store, count, channel="email"):
    now = sender.utc_now()
    docs = [dl.new_delivery(f"evt-{i}", "notice.published", f"user:u{i}", channel, f"u{i}@example.edu.cn",
                            {"subject": "s", "body": "b", "lang": "zh"}, now) for i in range(count)]
    assert store.insert_deliveries(docs) == count
    assert store.insert_deliveries(docs) == 0          # the same ids again: nothing new
    return docs


def test_competing_senders_claim_each_delivery_once(store):
    planned(store, 30)
    channel = Recording()
    settings = {"batch": 50, "concurrency": 5, "lease_seconds": 30}
    pool = eventlet.GreenPool()
    runs = [pool.spawn(sender.run_once, store, {"email": channel}, settings) for _ in range(4)]
    outcomes = [run.wait() for run in runs]
    assert sorted(channel.sent) == sorted(set(channel.sent)) and len(channel.sent) == 30
    assert sum(o["sent"].get("delivered", 0) for o in outcomes) == 30
    assert store.count_deliveries(state="delivered") == 30


def test_a_rate_limit_spreads_a_bulk_send(store):
    planned(store, 6)
    channel = Recording({"rate_limit": {"per_second": 4, "burst": 2}})
    settings = {"batch": 50, "concurrency": 5, "lease_seconds": 30}
    first = sender.run_once(store, {"email": channel}, settings)
    second = sender.run_once(store, {"email": channel}, settings)
    assert first["sent"] == {"delivered": 2} and second["sent"] == {}     # the burst, then nothing left
    eventlet.sleep(0.55)                                                  # 4 a second: two more tokens
    assert sender.run_once(store, {"email": channel}, settings)["sent"] == {"delivered": 2}
    eventlet.sleep(0.55)
    assert sender.run_once(store, {"email": channel}, settings)["sent"] == {"delivered": 2}
    assert len(channel.sent) == 6 and store.count_deliveries(state="pending") == 0
