import hashlib
import json
from datetime import datetime, timedelta, timezone

import pytest

from core.errors import InvalidTransition
from services.notifications.channels import DeliveryResult
from services.notifications.domain import deliveries as dl
from services.notifications.domain import planning
from services.notifications.domain import rate_limit as rl
from services.notifications.domain import subscriptions as sb
from services.notifications.domain.templates import make_override

T0 = datetime(2024, 10, 8, 2, 30, tzinfo=timezone.utc)
OK = {"ok": True, "detail": "HTTP 200", "status": 200}
RETRY = {"ok": False, "retryable": True, "detail": "HTTP 503", "status": 503}
FATAL = {"ok": False, "retryable": False, "detail": "HTTP 404", "status": 404}


def new(policy=dl.DEFAULT_POLICY, **kw):
    return dl.new_delivery("evt-1", "grant.awarded", "user:u1", "email", "u1@example.edu.cn",
                           {"subject": "s", "body": "b"}, T0, policy, **kw)


def at(seconds):
    return T0 + timedelta(seconds=seconds)


# ------------------------------------------------------------------ ids

def test_delivery_id_is_sha256_of_the_triple_and_deterministic():
    expected = hashlib.sha256(json.dumps(["evt-1", "user:u1", "email"], separators=(",", ":")).encode()).hexdigest()
    assert dl.delivery_id("evt-1", "user:u1", "email") == expected
    assert dl.delivery_id("evt-1", "user:u1", "email") == new()["id"]
    assert dl.delivery_id("evt-1", "user:u1", "inbox") != expected
    assert dl.delivery_id("evt-1", "user:u2", "email") != expected
    # no ambiguity from separators inside the parts
    assert dl.delivery_id("a|b", "c", "d") != dl.delivery_id("a", "b|c", "d")


# ------------------------------------------------------------------ backoff

def test_backoff_schedule_exponential_capped():
    policy = dl.BackoffPolicy(base_seconds=30, factor=2, max_attempts=6, max_delay_seconds=300)
    assert policy.schedule() == [30, 60, 120, 240, 300]


def test_jitter_is_deterministic_and_bounded():
    policy = dl.BackoffPolicy(base_seconds=100, factor=3, max_attempts=5, jitter=0.2)
    first = policy.schedule("delivery-a")
    assert first == policy.schedule("delivery-a")
    assert first != policy.schedule("delivery-b")
    for delay, raw in zip(first, [100, 300, 900, 2700]):
        assert raw * 0.8 <= delay <= raw * 1.2


def test_policy_from_config():
    assert dl.BackoffPolicy.from_config({"base_seconds": 5, "max_attempts": 3}).schedule() == [5, 10]
    assert dl.BackoffPolicy.from_config(None) == dl.DEFAULT_POLICY
    with pytest.raises(ValueError):
        dl.BackoffPolicy.from_config({"max_attempts": 0})


# ------------------------------------------------------------------ states

def test_success_path():
    d = new()
    assert d["state"] == "pending" and dl.is_due(d, T0)
    d = dl.start_attempt(d, T0)
    assert d["state"] == "sending" and d["attempts"] == 1 and d["lease_until"] == at(120)
    d = dl.record_result(d, DeliveryResult.success("250 ok"), at(1))
    assert d["state"] == "delivered" and d["delivered_at"] == at(1) and d["next_attempt_at"] is None
    assert d["history"][-1]["outcome"] == "delivered"
    with pytest.raises(InvalidTransition):
        dl.start_attempt(d, at(2))


def test_fails_twice_then_succeeds_on_the_backoff_schedule():
    policy = dl.BackoffPolicy(base_seconds=10, factor=2, max_attempts=5)
    d = new(policy)
    d = dl.record_result(dl.start_attempt(d, T0), RETRY, T0, policy)
    assert d["state"] == "failed" and d["next_attempt_at"] == at(10) and d["last_error"] == "HTTP 503"
    assert not dl.is_due(d, at(9))
    with pytest.raises(InvalidTransition):
        dl.start_attempt(d, at(9))
    d = dl.record_result(dl.start_attempt(d, at(10)), RETRY, at(10), policy)
    assert d["next_attempt_at"] == at(30)
    d = dl.record_result(dl.start_attempt(d, at(30)), OK, at(30), policy)
    assert d["state"] == "delivered" and d["attempts"] == 3
    assert [h["outcome"] for h in d["history"]] == ["retry", "retry", "delivered"]


def test_dead_letter_after_the_last_try():
    policy = dl.BackoffPolicy(base_seconds=1, factor=2, max_attempts=3)
    d, now = new(policy), T0
    for _ in range(3):
        d = dl.record_result(dl.start_attempt(d, now), RETRY, now, policy)
        now = d["next_attempt_at"] or now
    assert d["state"] == "dead" and d["attempts"] == 3 and d["dead_at"] is not None
    assert d["last_error"] == "HTTP 503" and not dl.is_due(d, at(10_000))


def test_not_retryable_goes_dead_at_once():
    d = dl.record_result(dl.start_attempt(new(), T0), FATAL, T0)
    assert d["state"] == "dead" and d["attempts"] == 1


def test_retry_after_is_honoured():
    d = dl.record_result(dl.start_attempt(new(), T0), {**RETRY, "retry_after": 600}, T0)
    assert d["next_attempt_at"] == at(600)


def test_replay_of_a_dead_delivery():
    dead = dl.record_result(dl.start_attempt(new(), T0), FATAL, T0)
    again = dl.replay(dead, at(3600), actor_id="admin-1")
    assert again["state"] == "pending" and again["attempts"] == 0 and again["replays"] == 1
    assert again["id"] == dead["id"] and again["next_attempt_at"] == at(3600) and again["dead_at"] is None
    assert again["history"][-1] == {"at": at(3600), "attempt": 0, "outcome": "replayed",
                                    "detail": "replayed from the dead-letter list", "actor_id": "admin-1"}
    sent = dl.record_result(dl.start_attempt(again, at(3600)), OK, at(3601))
    assert sent["state"] == "delivered" and sent["attempts"] == 1
    with pytest.raises(InvalidTransition):
        dl.replay(sent, at(4000))


def test_restart_mid_send_expires_the_lease_and_retries():
    d = dl.start_attempt(new(), T0, lease_seconds=60)
    assert not dl.lease_expired(d, at(59))
    with pytest.raises(InvalidTransition):
        dl.expire_lease(d, at(59))
    d = dl.expire_lease(d, at(60))
    assert d["state"] == "failed" and "lease expired" in d["last_error"]
    assert dl.is_due(d, d["next_attempt_at"])


def test_defer_uses_no_try():
    d = dl.defer(new(), at(30), "rate limit", T0)
    assert d["attempts"] == 0 and d["next_attempt_at"] == at(30) and not dl.is_due(d, at(29))
    assert dl.defer(new(), T0 - timedelta(days=1), "past", T0)["next_attempt_at"] == T0


def test_record_needs_an_attempt_in_flight_and_naive_times_are_utc():
    with pytest.raises(InvalidTransition):
        dl.record_result(new(), OK, T0)
    d = dl.start_attempt(new(), T0.replace(tzinfo=None))
    assert d["lease_until"].tzinfo is not None


def test_outgoing_message_adds_ids_and_secret_only_at_send_time():
    d = dl.start_attempt(new(), T0)
    message = dl.outgoing(d, secret="s3cret")
    assert message["delivery_id"] == d["id"] and message["to"] == "u1@example.edu.cn" and message["attempt"] == 1
    assert message["secret"] == "s3cret" and "secret" not in d["message"]


# ------------------------------------------------------------------ planning

def prefs(**by_user):
    return by_user


def test_plan_for_a_returned_application(returned_event):
    contacts = {"u-sec": {"name": "李书记", "email": "sec@example.edu.cn"},
                "u-dep": {"name": "赵副书记", "email": None, "lang": "en"}}
    result = planning.plan(returned_event, {}, contacts, now=T0, program_name="对标争先",
                           link_for=lambda e, r: f"https://cx.example.edu.cn/applications/{e['data']['application_id']}")
    got = [(d["recipient"], d["channel"], d["address"]) for d in result["deliveries"]]
    assert got == [("user:u-sec", "inbox", "u-sec"), ("user:u-sec", "email", "sec@example.edu.cn"),
                   ("user:u-dep", "inbox", "u-dep")]
    assert result["skipped"] == [{"recipient": "user:u-dep", "channel": "email", "reason": "no email"}]
    first = result["deliveries"][0]["message"]
    assert first["subject"] == "【创先】申报被退回：机电学院学生第三党支部"
    assert "李书记您好" in first["body"] and "对标争先" in first["body"] and first["roles"] == ["applicant"]
    assert first["link"] == "https://cx.example.edu.cn/applications/app-0042"
    assert result["deliveries"][2]["message"]["lang"] == "en"
    assert all(d["state"] == "pending" and d["next_attempt_at"] == T0 for d in result["deliveries"])


def test_redelivered_event_maps_to_the_same_deliveries(returned_event):
    contacts = {"u-sec": {"name": "李书记", "email": "sec@example.edu.cn"}}
    once = planning.plan(returned_event, {}, contacts, now=T0)["deliveries"]
    twice = planning.plan(json.loads(json.dumps(returned_event)), {}, contacts, now=at(300))["deliveries"]
    assert [d["id"] for d in once] == [d["id"] for d in twice]
    assert len({d["id"] for d in once}) == len(once)


def test_plan_respects_preferences_and_installed_channels(returned_event):
    muted = {"u-sec": {"user_id": "u-sec", "channels": {"email": False}, "events": {}},
             "u-dep": {"user_id": "u-dep", "events": {"application.returned": {"email": False}}}}
    result = planning.plan(returned_event, muted, {"u-sec": {"email": "a@x"}, "u-dep": {"email": "b@x"}}, now=T0)
    assert [(d["recipient"], d["channel"]) for d in result["deliveries"]] == [("user:u-sec", "inbox"),
                                                                              ("user:u-dep", "inbox")]
    no_smtp = planning.plan(returned_event, {}, {"u-sec": {"email": "a@x"}}, now=T0, user_channels=("inbox",))
    assert {d["channel"] for d in no_smtp["deliveries"]} == {"inbox"}


def test_plan_for_subscribers_webhook_gets_envelope_without_routing_hints(make_grant_event):
    event = make_grant_event(lead_user_ids=["lead"], finance_user_ids=["fin"])
    hook = sb.make_subscription("财务系统", "webhook", "https://fin.example/h", ["grant.awarded"], subscription_id="s1")
    robot = sb.make_subscription("学院群", "dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=t",
                                 ["grant.awarded"], options={"msgtype": "text"}, subscription_id="s2")
    result = planning.plan(event, {}, {}, [hook, robot], now=T0, policies={"webhook": dl.BackoffPolicy(max_attempts=8)})
    by_channel = {d["channel"]: d for d in result["deliveries"] if d["recipient"].startswith("subscription:")}
    webhook = by_channel["webhook"]
    assert webhook["address"] == "https://fin.example/h" and webhook["max_attempts"] == 8
    assert webhook["message"]["payload"]["id"] == event["id"]
    assert "lead_user_ids" not in webhook["message"]["payload"]["data"]
    assert webhook["message"]["payload"]["data"]["amount_fen"] == 500000
    assert "secret" not in json.dumps(webhook, default=str)
    assert by_channel["dingtalk"]["message"]["options"] == {"msgtype": "text"}
    assert "5000.00" in by_channel["dingtalk"]["message"]["subject"]


def test_broken_override_falls_back_to_the_default(make_grant_event):
    # valid for grant.awarded, but this event lacks the tier, so the override cannot render
    override = make_override("grant.awarded", "zh", "等级 ${tier_label}", "x")
    event = make_grant_event()
    del event["data"]["tier"]
    result = planning.plan({**event, "data": {**event["data"], "lead_user_ids": ["lead"]}}, {},
                           {"lead": {"email": "l@x"}}, overrides=[override], now=T0)
    message = result["deliveries"][0]["message"]
    assert message["template_source"] == "plain" and "tier_label" in message["template_error"]
    assert "amount_fen: 500000" in message["body"]


def test_spread_bulk_with_the_rate_limit():
    limit = rl.RateLimit.per_minute(60, burst=2)
    batch = [dl.new_delivery(f"e{i}", "notice.published", f"user:u{i}", "email", f"u{i}@x", {}, T0) for i in range(5)]
    spread, state = planning.spread(batch, limit, None, T0)
    assert [d["next_attempt_at"] for d in spread] == [T0, T0, at(1), at(2), at(3)]
    assert state["tokens"] == -3
    same, unchanged = planning.spread(batch, None, {"x": 1}, T0)
    assert same == batch and unchanged == {"x": 1}
