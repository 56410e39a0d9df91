"""WebhookChannel against a real local HTTP receiver on 127.0.0.1."""
import json
import time
from datetime import datetime, timedelta, timezone

from services.notifications.channels import WebhookChannel
from services.notifications.domain import contract, deliveries as dl, planning, subscriptions as sb
from services.notifications.domain import signing

SECRET = "whsec_subscriber_secret"


def subscriber_check(request):
    """What a campus system does with each POST: raw body, signature, freshness, contract."""
    try:
        signing.verify(SECRET, request["body"], request["headers"].get("X-Chuangxian-Signature"))
    except signing.SignatureInvalid as error:
        return 401, {"error": error.message_en}
    envelope = json.loads(request["body"])
    if contract.validate(envelope):
        return 422, {"error": "payload does not match the contract"}
    return None


def planned_webhook(make_grant_event, url, now):
    sub = sb.make_subscription("财务系统", "webhook", url, ["grant.awarded"], secret=SECRET, subscription_id="fin")
    event = make_grant_event(lead_user_ids=["lead"])
    result = planning.plan(event, {}, {}, [sub], now=now)
    delivery = next(d for d in result["deliveries"] if d["channel"] == "webhook")
    return event, delivery


def test_signed_post_verified_as_a_subscriber_would(http_receiver, make_grant_event):
    http_receiver.check = subscriber_check
    now = datetime.now(timezone.utc)
    event, delivery = planned_webhook(make_grant_event, http_receiver.url + "/hooks/chuangxian", now)
    channel = WebhookChannel({"timeout": 2})
    result = channel.send(dl.outgoing(dl.start_attempt(delivery, now), secret=SECRET))
    assert result.ok and result.status == 200, result
    request = http_receiver.requests[0]
    assert request["path"] == "/hooks/chuangxian"
    headers = request["headers"]
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["X-Chuangxian-Event"] == "grant.awarded"
    assert headers["X-Chuangxian-Event-Id"] == event["id"]
    assert headers["X-Chuangxian-Delivery"] == delivery["id"]
    body = json.loads(request["body"].decode("utf-8"))
    assert body["id"] == event["id"] and body["data"]["amount_fen"] == 500000
    assert "lead_user_ids" not in body["data"]


def test_wrong_secret_is_refused_by_the_subscriber_and_not_retried(http_receiver, make_grant_event):
    http_receiver.check = subscriber_check
    now = datetime.now(timezone.utc)
    _, delivery = planned_webhook(make_grant_event, http_receiver.url, now)
    result = WebhookChannel({"timeout": 2}).send(dl.outgoing(dl.start_attempt(delivery, now), secret="leaked-old"))
    assert not result.ok and not result.retryable and result.status == 401


def test_a_replayed_capture_is_stale_for_the_subscriber(http_receiver, make_grant_event):
    http_receiver.check = subscriber_check
    now = datetime.now(timezone.utc)
    _, delivery = planned_webhook(make_grant_event, http_receiver.url, now)
    old = WebhookChannel({"timeout": 2}, clock=lambda: time.time() - 301)
    result = old.send(dl.outgoing(dl.start_attempt(delivery, now), secret=SECRET))
    assert result.status == 401 and "tolerance" in result.detail


def test_fails_twice_then_succeeds_with_backoff(http_receiver, make_grant_event):
    http_receiver.script = [(500, {"error": "db down"}), (503, {"error": "busy"}), (200, {"ok": True})]
    policy = dl.BackoffPolicy(base_seconds=10, factor=2, max_attempts=5)
    now = datetime.now(timezone.utc)
    _, delivery = planned_webhook(make_grant_event, http_receiver.url, now)
    channel = WebhookChannel({"timeout": 2})
    clock = now
    outcomes = []
    while delivery["state"] not in ("delivered", "dead"):
        delivery = dl.start_attempt(delivery, clock)
        result = channel.send(dl.outgoing(delivery, secret=SECRET))
        outcomes.append((result.status, result.retryable))
        delivery = dl.record_result(delivery, result, clock, policy)
        clock = delivery["next_attempt_at"] or clock
    assert outcomes == [(500, True), (503, True), (200, False)]
    assert delivery["state"] == "delivered" and delivery["attempts"] == 3
    assert clock == now + timedelta(seconds=10 + 20)
    ids = {r["headers"]["X-Chuangxian-Delivery"] for r in http_receiver.requests}
    assert ids == {delivery["id"]}          # the subscriber can de-duplicate retries


def test_status_classes(http_receiver):
    channel = WebhookChannel({"timeout": 2})
    msg = {"delivery_id": "d", "event_id": "e", "event_type": "award.granted", "to": http_receiver.url,
           "payload": {"id": "e"}, "secret": SECRET}
    cases = {404: (False, False), 400: (False, False), 408: (False, True), 429: (False, True),
             500: (False, True), 502: (False, True), 204: (True, False), 301: (False, False)}
    for status, expected in cases.items():
        http_receiver.script = [(status, {})]
        result = channel.send(msg)
        assert (result.ok, result.retryable) == expected, status
    http_receiver.script = [(429, {}, {"Retry-After": "120"})]
    assert channel.send(msg).retry_after == 120


def test_a_receiver_that_never_answers_times_out_retryable(silent_port):
    channel = WebhookChannel({"timeout": {"connect": 0.5, "read": 0.3}})
    started = time.monotonic()
    result = channel.send({"delivery_id": "d", "event_id": "e", "event_type": "award.granted",
                           "to": f"http://127.0.0.1:{silent_port}/hook", "payload": {}, "secret": SECRET})
    assert time.monotonic() - started < 3
    assert not result.ok and result.retryable and "timeout" in result.detail


def test_connection_refused_is_retryable_and_dead_letters_at_the_end(closed_port):
    channel = WebhookChannel({"timeout": 1})
    policy = dl.BackoffPolicy(base_seconds=1, factor=2, max_attempts=2)
    now = datetime(2024, 1, 1, tzinfo=timezone.utc)
    delivery = dl.new_delivery("e", "award.granted", "subscription:s", "webhook",
                               f"http://127.0.0.1:{closed_port}/", {"payload": {"id": "e"}}, now, policy)
    for _ in range(2):
        delivery = dl.start_attempt(delivery, delivery["next_attempt_at"])
        result = channel.send(dl.outgoing(delivery, secret=SECRET))
        assert result.retryable and "connection failed" in result.detail
        delivery = dl.record_result(delivery, result, delivery["updated_at"], policy)
    assert delivery["state"] == "dead"
    replayed = dl.replay(delivery, now + timedelta(hours=1), actor_id="admin")
    assert replayed["state"] == "pending" and replayed["attempts"] == 0


def test_missing_secret_or_bad_url_is_not_retryable():
    channel = WebhookChannel()
    assert not channel.send({"delivery_id": "d", "event_id": "e", "event_type": "t", "to": "http://127.0.0.1:1/",
                             "payload": {}}).retryable
    bad = channel.send({"delivery_id": "d", "event_id": "e", "event_type": "t", "to": "not a url",
                        "payload": {}, "secret": "s"})
    assert not bad.ok and not bad.retryable
