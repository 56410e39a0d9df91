import sys
import types
from datetime import datetime, timezone

import pytest

from services.notifications import channels as ch
from services.notifications.domain import deliveries as dl


def test_build_from_configuration():
    built = ch.build_channels({
        "email": {"type": "smtp", "host": "127.0.0.1", "port": 2525, "sender": "noreply@example.edu.cn",
                  "rate_limit": {"per_minute": 60, "burst": 10}},
        "webhook": {"type": "webhook", "retry": {"base_seconds": 60, "factor": 3, "max_attempts": 8}},
        "dingtalk": {"type": "dingtalk", "rate_limit": {"per_minute": 20}},
        "wecom": {},                                  # type defaults to the name
        "old_mail": {"type": "smtp", "enabled": False},
    }, extra={"inbox": ch.InboxChannel(ch.MemoryInboxStore())})
    assert list(built) == ["email", "webhook", "dingtalk", "wecom", "inbox"]
    assert isinstance(built["email"], ch.SmtpChannel) and built["email"].name == "email"
    assert built["email"].rate_limit.burst == 10
    assert built["webhook"].retry == dl.BackoffPolicy(base_seconds=60, factor=3, max_attempts=8)
    assert isinstance(built["wecom"], ch.WeComChannel)
    assert ch.person_channels(built) == (["email", "inbox"], {"email": "email"})
    ch.close_all(built)


def test_unknown_type_and_bad_config_name_the_channel():
    with pytest.raises(ch.ChannelConfigError) as caught:
        ch.build_channel("fax", {"type": "fax"})
    assert "unknown channel type 'fax'" in str(caught.value) and "smtp" in str(caught.value)
    with pytest.raises(ch.ChannelConfigError) as caught:
        ch.build_channel("email", {"type": "smtp", "sender": "a@b"})
    assert "channel 'email' (smtp)" in str(caught.value)
    with pytest.raises(ch.ChannelConfigError):
        ch.build_channel("x", {"type": "no_such_module_xyz:Thing"})


class _Sms(ch.Channel):
    """What a university writes: a person channel addressed by the contact's mobile."""
    type_name = "sms"
    audience = "person"
    address_field = "mobile"
    sent = []

    def send(self, message):
        self.sent.append((message["to"], message["subject"]))
        return ch.DeliveryResult.success()


def test_a_university_adds_its_own_channel_by_dotted_path_or_registration(monkeypatch):
    module = types.ModuleType("campus_sms_demo")
    module.SmsChannel = _Sms
    monkeypatch.setitem(sys.modules, "campus_sms_demo", module)
    sms = ch.build_channel("sms", {"type": "campus_sms_demo:SmsChannel", "gateway": "https://sms.example"})
    assert isinstance(sms, _Sms) and sms.config == {"gateway": "https://sms.example"} and sms.name == "sms"
    assert sms.send({"to": "13800000000", "subject": "s"}).ok
    monkeypatch.setitem(ch.CHANNEL_TYPES, "sms", _Sms)
    assert isinstance(ch.build_channel("campus_sms", {"type": "sms"}), _Sms)
    assert ch.person_channels({"sms": sms}) == (["sms"], {"sms": "mobile"})
    with pytest.raises(TypeError):
        ch.register_channel_type("x", "not callable")


def test_inbox_channel_is_idempotent_and_counts_unread():
    store = ch.MemoryInboxStore()
    inbox = ch.InboxChannel(store)
    now = datetime(2024, 1, 1, tzinfo=timezone.utc)
    delivery = dl.start_attempt(dl.new_delivery("e1", "application.returned", "user:u1", "inbox", "u1",
                                                {"subject": "退回", "body": "请修改", "link": "/a/1"}, now), now)
    first = inbox.send(dl.outgoing(delivery))
    again = inbox.send(dl.outgoing(delivery))             # resent after a restart mid-send
    assert first.ok and first.detail == "stored" and again.ok and again.detail == "already in the inbox"
    other = dl.new_delivery("e2", "review.assigned", "user:u1", "inbox", "u1", {"subject": "评审", "body": "b"}, now)
    inbox.send(dl.outgoing(other))
    assert store.unread_count("u1") == 2 and store.unread_count("u2") == 0
    items = store.list("u1")
    assert [i["subject"] for i in items] in (["评审", "退回"], ["退回", "评审"]) and items[0]["user_id"] == "u1"
    assert store.mark_read("u2", [delivery["id"]]) == 0          # not someone else's
    assert store.mark_read("u1", [delivery["id"]]) == 1 and store.unread_count("u1") == 1
    assert store.mark_read("u1") == 1 and store.unread_count("u1") == 0
    assert store.list("u1", unread_only=True) == []


def test_inbox_store_down_is_retryable():
    class Down(ch.MemoryInboxStore):
        def put(self, item):
            raise ConnectionError("mongo unreachable")
    result = ch.InboxChannel(Down()).send({"delivery_id": "d", "to": "u1"})
    assert not result.ok and result.retryable and "mongo unreachable" in result.detail


def test_domain_core_is_plain_python():
    import ast
    import pathlib

    import services.notifications.domain as domain

    forbidden = {"nameko", "pymongo", "flask", "kombu", "eventlet", "requests", "bson"}
    for path in pathlib.Path(domain.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert not roots & forbidden, f"{path.name} imports {roots & forbidden}"
