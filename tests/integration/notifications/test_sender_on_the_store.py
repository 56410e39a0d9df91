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


def test_the_inbox_takes_a_tick_in_a_few_writes_and_each_item_once(store, mongo, config):
    """A batching channel (the inbox): competing senders store each item once, an
    item already in the inbox (a resend after a crash) counts as delivered, and a
    tick costs the same few commands for 40 items as for one: claim, items and
    outcomes each in one write."""
    from pymongo import MongoClient

    from tests.integration.command_log import Commands
    from services.notifications.channels.base import InboxChannel

    docs = planned(store, 40, channel="inbox")
    store.inbox.put({"id": docs[0]["id"], "user_id": "u0", "subject": "s", "body": "b",
                     "created_at": sender.utc_now(), "read_at": None})      # sent before a crash
    listener = Commands()
    counted = NotificationsStore(MongoClient(config["MONGO_URI"], tz_aware=True, event_listeners=[listener])[
        f"{config['MONGO_DB_PREFIX']}_notifications"], config)
    channel = InboxChannel(counted.inbox)
    settings = {"batch": 50, "concurrency": 5, "lease_seconds": 30}
    pool = eventlet.GreenPool()
    outcomes = [run.wait() for run in [pool.spawn(sender.run_once, counted, {"inbox": channel}, settings)
                                       for _ in range(3)]]
    assert sum(o["sent"].get("delivered", 0) for o in outcomes) == 40
    assert store.count_deliveries(state="delivered") == 40
    items = list(mongo("notifications").inbox.find({}, {"_id": 1, "user_id": 1}))
    assert len(items) == 40 and {i["_id"] for i in items} == {d["id"] for d in docs}
    stored = store.get_delivery(docs[0]["id"])
    assert stored["history"][-1]["detail"] == "already in the inbox" and "swap_token" not in stored
    assert isinstance(stored["delivered_at"], type(sender.utc_now()))      # a datetime, as replaced whole
    # three ticks competing: each reads what is due, writes its claims, and the winner
    # writes the items and their outcomes; none writes per delivery
    writes = [c for c in listener.seen if c.split()[0] in ("insert", "update", "findAndModify")]
    assert len(listener.seen) <= 3 * 5 and len(writes) <= 3 * 3, listener.seen


def test_a_channel_reads_its_own_due_deliveries_only(store, mongo, config):
    """The sender asks each channel for what is due; another channel's backlog (held
    back by its rate limit) is not read, and a waiting delivery stored before the due
    key existed gets one when the store starts."""
    from datetime import timedelta
    backlog = planned(store, 40, channel="sms")
    mine = [dl.new_delivery(f"mine-{i}", "notice.published", f"user:m{i}", "email", f"m{i}@example.edu.cn",
                            {"subject": "s", "body": "b", "lang": "zh"}, sender.utc_now() - timedelta(seconds=i))
            for i in range(3)]
    store.insert_deliveries(mine)
    now = sender.utc_now()
    assert [d["id"] for d in store.due("email", now)] == [d["id"] for d in reversed(mine)]   # earliest first
    assert len(store.due("sms", now, limit=100)) == len(backlog)
    assert store.due("wecom", now) == []
    assert store.due("email", now - timedelta(days=1)) == []                                  # not due yet
    db = mongo("notifications")
    db.deliveries.update_one({"_id": mine[0]["id"]}, {"$unset": {"due_key": ""}})          # as stored before
    assert [d["id"] for d in store.due("email", now)] == [mine[2]["id"], mine[1]["id"]]
    NotificationsStore(db, config).ensure_indexes()
    assert [d["id"] for d in store.due("email", now)] == [d["id"] for d in reversed(mine)]


def test_a_tick_claims_again_while_a_channel_has_whole_batches_waiting(store):
    """Telling thousands of a decision: a tick goes on while a channel claims whole
    batches (230 inbox items, batches of 50: five runs in one tick, not five ticks),
    and stops once a batch is not whole; a rate-limited channel never spins."""
    from services.notifications.channels.base import InboxChannel

    planned(store, 230, channel="inbox")
    settings = {"batch": 50, "concurrency": 5, "lease_seconds": 30}
    outcome = sender.run_while_more(store, {"inbox": InboxChannel(store.inbox)}, settings)
    assert outcome["sent"] == {"delivered": 230} and outcome["runs"] == 5 and not outcome["more"]
    assert store.count_deliveries(state="delivered") == 230

    planned_more = [dl.new_delivery(f"bulk-{i}", "notice.published", f"user:b{i}", "inbox", f"b{i}",
                                    {"subject": "s", "body": "b", "lang": "zh"}, sender.utc_now()) for i in range(120)]
    store.insert_deliveries(planned_more)
    clock = iter([0.0, 0.0, 9.0])                  # the budget (5 s) is spent after the first run
    capped = sender.run_while_more(store, {"inbox": InboxChannel(store.inbox)}, settings,
                                   monotonic=lambda: next(clock))
    assert capped["runs"] == 2 and capped["more"] and capped["sent"] == {"delivered": 100}

    planned_mail = [dl.new_delivery(f"mail-{i}", "notice.published", f"user:m{i}", "email", f"m{i}@example.edu.cn",
                                    {"subject": "s", "body": "b", "lang": "zh"}, sender.utc_now()) for i in range(60)]
    store.insert_deliveries(planned_mail)
    limited = Recording({"rate_limit": {"per_second": 1, "burst": 3}})
    slow = sender.run_while_more(store, {"email": limited}, settings)
    assert slow["runs"] == 1 and slow["sent"] == {"delivered": 3} and not slow["more"]
