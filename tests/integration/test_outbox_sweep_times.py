"""The outbox sweep ranges over epoch-second numbers (`core.outbox.stamp`), and an
outbox written before that (a datetime ``outbox_at``) is still found and finished."""
from datetime import datetime, timedelta, timezone

from pymongo import MongoClient, monitoring

from core.outbox import Outboxes, stamp


class Finds(monitoring.CommandListener):
    def __init__(self):
        self.filters = []

    def started(self, event):
        if event.command_name == "find":
            self.filters.append(event.command.get("filter"))

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def test_the_sweep_finds_new_and_pre_upgrade_outboxes_by_number(config):
    finds = Finds()
    client = MongoClient(config["MONGO_URI"], tz_aware=True, event_listeners=[finds])
    db = client[f"{config['MONGO_DB_PREFIX']}_sweeptimes"]
    now = datetime.now(timezone.utc)
    box = {"audit": {"_id": "a1#1", "action": "create"}, "event": None}
    db.things.insert_many(
        [{"_id": "new", "outbox": box, **stamp(now - timedelta(minutes=5))},
         {"_id": "old", "outbox": dict(box, audit={"_id": "a2#1"}), "outbox_at": now - timedelta(minutes=5)},
         {"_id": "recent", "outbox": dict(box, audit={"_id": "a3#1"}), **stamp(now)}]
        + [{"_id": f"done{i}"} for i in range(50)])
    outboxes = Outboxes(db)
    outboxes.ensure_sweep_index("things")
    outboxes.ensure_sweep_index("things")                 # twice: a restart changes nothing more
    assert isinstance(db.things.find_one({"_id": "new"})["outbox_ts"], float)
    assert abs(db.things.find_one({"_id": "old"})["outbox_ts"] - (now - timedelta(minutes=5)).timestamp()) < 0.002

    finds.filters.clear()
    stale = outboxes.stale("things", now - timedelta(minutes=1))
    assert sorted(d["_id"] for d in stale) == ["new", "old"]
    assert finds.filters == [{"outbox_ts": {"$lt": (now - timedelta(minutes=1)).timestamp()}}]
    assert isinstance(finds.filters[0]["outbox_ts"]["$lt"], float)   # a number: nx-27017 ranges it in the index

    outboxes.clear("things", "old", db.things.find_one({"_id": "old"})["outbox"])
    cleared = db.things.find_one({"_id": "old"})
    assert not {"outbox", "outbox_ts", "outbox_at"} & set(cleared)
    assert [d["_id"] for d in outboxes.stale("things", now - timedelta(minutes=1))] == ["new"]
    client.close()
