"""Slow database commands are logged with the shape of their filter, never its values."""
import logging

from pymongo import MongoClient

from core.mongo import make_client
from core.mongo_slow import SlowCommands, listeners


def test_a_slow_command_is_logged_by_shape_without_values(config, caplog):
    listener = SlowCommands(threshold_ms=0)          # every command counts as slow here
    client = MongoClient(config["MONGO_URI"], event_listeners=[listener])
    db = client[f"{config['MONGO_DB_PREFIX']}_slowlog"]
    db.people.insert_one({"name": "张三", "college": "me"})
    with caplog.at_level(logging.WARNING, logger="chuangxian.mongo.slow"):
        assert db.people.find_one({"name": "张三", "age": {"$gt": 20}}, sort=[("college", 1)]) is None
    lines = [r.getMessage() for r in caplog.records if "find" in r.getMessage()]
    assert lines, caplog.text
    assert "slowlog.people" in lines[0]
    assert "'name': '?'" in lines[0] and "'age': {'$gt': '?'}" in lines[0] and "'college': '?'" in lines[0]
    assert "张三" not in caplog.text and "20" not in lines[0].split("filter=")[1]
    assert not listener.started_commands           # nothing kept once answered
    client.close()


def test_quick_commands_and_a_zero_threshold_log_nothing(config, caplog):
    client = make_client(dict(config, MONGO_SLOW_MS=60_000))
    with caplog.at_level(logging.WARNING, logger="chuangxian.mongo.slow"):
        client[f"{config['MONGO_DB_PREFIX']}_slowlog"].people.find_one({"name": "x"})
    assert not [r for r in caplog.records if r.name == "chuangxian.mongo.slow"]
    assert listeners({"MONGO_SLOW_MS": 0}) == [] and len(listeners({})) == 1   # default 500 ms
    client.close()
