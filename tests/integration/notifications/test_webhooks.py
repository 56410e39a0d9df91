"""Signed webhooks to a local HTTP receiver: verified as a subscriber would, retried
with backoff, dead-lettered after the last try, replayed by an admin."""
import hashlib
import hmac
import json
import time

from services.notifications.domain import contract, signing
from tests.integration.notifications.conftest import ADMIN, SECRETARY, submitted_application, wait_for

HOOK_EVENTS = ["application.submitted", "application.decided"]


def subscriber_verify(secret, raw_body, header, tolerance=300):
    """What a campus system does with a delivery, from the AsyncAPI document's text
    alone: t and v1 from the header, refuse stale timestamps, HMAC-SHA256 over
    "<t>." + raw body, constant-time compare."""
    parts = dict(p.split("=", 1) for p in header.split(","))
    timestamp = int(parts["t"])
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def register(http, receiver, path, events=HOOK_EVENTS, name=None):
    response = http.as_(ADMIN, "POST", "/api/notifications/subscriptions",
                        json={"name": name or f"campus system {path}", "url": receiver.url + path,
                              "event_types": events})
    assert response.status_code == 201, response.json
    assert response.json["secret"].startswith("whsec_") and response.json["has_secret"] is True
    return response.json


def test_webhooks_signed_retried_dead_lettered_and_replayed(http, mongo, receiver):
    # -- registration: admins only, public events only, secret shown once
    assert http.as_(SECRETARY, "POST", "/api/notifications/subscriptions",
                    json={"name": "x", "url": receiver.url + "/ok", "event_types": HOOK_EVENTS}).status_code == 403
    bad = http.as_(ADMIN, "POST", "/api/notifications/subscriptions",
                   json={"name": "x", "url": "ftp://nowhere", "event_types": ["application.returned"]})
    assert bad.status_code == 422 and {d["field"] for d in bad.json["details"]} == {"url", "event_types"}
    ok = register(http, receiver, "/ok")
    flaky = register(http, receiver, "/flaky", ["application.submitted"])
    hang = register(http, receiver, "/hang", ["application.submitted"])
    listed = http.as_(ADMIN, "GET", "/api/notifications/subscriptions").json
    assert {s["id"] for s in listed} == {ok["id"], flaky["id"], hang["id"]}
    assert all("secret" not in s and s["has_secret"] for s in listed)
    assert mongo("notifications").subscriptions.count_documents({}) == 3

    receiver.behaviour["/flaky"] = [503, 500, 200]
    receiver.behaviour["/hang"] = ["hang"]            # never answers within the 0.5 s read timeout

    app_id = submitted_application(http)

    # -- a signed delivery, verified the way a subscriber does it
    [request] = wait_for(lambda: receiver.seen("/ok"))
    headers = request["headers"]
    assert subscriber_verify(ok["secret"], request["body"], headers["X-Chuangxian-Signature"])
    assert not subscriber_verify(ok["secret"], request["body"] + b" ", headers["X-Chuangxian-Signature"])
    assert not subscriber_verify(flaky["secret"], request["body"], headers["X-Chuangxian-Signature"])
    assert signing.verify(ok["secret"], request["body"], headers["X-Chuangxian-Signature"])
    envelope = json.loads(request["body"])
    assert envelope["type"] == headers["X-Chuangxian-Event"] == "application.submitted"
    assert envelope["id"] == headers["X-Chuangxian-Event-Id"] and envelope["data"]["application_id"] == app_id
    assert "applicant_user_ids" not in envelope["data"] and "counselor_ids" not in envelope["data"]
    assert contract.validate(envelope) == []
    assert headers["Content-Type"].startswith("application/json")

    # -- fails twice, then succeeds: three tries of one delivery, spaced by the backoff
    tries = wait_for(lambda: len(receiver.seen("/flaky")) == 3 and receiver.seen("/flaky"))
    assert len({t["headers"]["X-Chuangxian-Delivery"] for t in tries}) == 1
    assert all(subscriber_verify(flaky["secret"], t["body"], t["headers"]["X-Chuangxian-Signature"]) for t in tries)
    gaps = [b["at"] - a["at"] for a, b in zip(tries, tries[1:])]
    assert gaps[0] >= 0.3 and gaps[1] >= 0.6, gaps           # base 0.3 s, factor 2 (see conftest FAST_RETRY)
    flaky_delivery = wait_for(lambda: mongo("notifications").deliveries.find_one(
        {"recipient": f"subscription:{flaky['id']}", "state": "delivered"}))
    assert flaky_delivery["attempts"] == 3
    assert [h["outcome"] for h in flaky_delivery["history"]] == ["retry", "retry", "delivered"]
    assert [h.get("status") for h in flaky_delivery["history"]] == [503, 500, 200]

    # -- never answers: three timeouts, then the dead-letter list
    assert http.as_(SECRETARY, "GET", "/api/notifications/dead-letters").status_code == 403
    dead = wait_for(lambda: http.as_(ADMIN, "GET", "/api/notifications/dead-letters").json, seconds=20)
    [letter] = dead
    assert letter["recipient"] == f"subscription:{hang['id']}" and letter["state"] == "dead"
    assert letter["attempts"] == 3 and "timeout" in letter["last_error"]
    assert letter["event_type"] == "application.submitted" and letter["address"] == receiver.url + "/hang"
    assert len(receiver.seen("/hang")) == 3
    detail = http.as_(ADMIN, "GET", f"/api/notifications/deliveries/{letter['id']}").json
    assert detail["message"]["payload"]["id"] == envelope["id"] and "secret" not in json.dumps(detail)

    # -- the receiver is fixed; an admin replays the dead letter; delivered once more
    receiver.behaviour["/hang"] = [200]
    replayed = http.as_(ADMIN, "POST", f"/api/notifications/dead-letters/{letter['id']}/replay")
    assert replayed.status_code == 200, replayed.json
    assert replayed.json["state"] == "pending" and replayed.json["replays"] == 1 and replayed.json["attempts"] == 0
    assert wait_for(lambda: mongo("notifications").deliveries.find_one(
        {"_id": letter["id"], "state": "delivered"}))
    fourth = receiver.seen("/hang")[-1]
    assert len(receiver.seen("/hang")) == 4
    assert fourth["headers"]["X-Chuangxian-Delivery"] == letter["id"]
    assert subscriber_verify(hang["secret"], fourth["body"], fourth["headers"]["X-Chuangxian-Signature"])
    assert http.as_(ADMIN, "GET", "/api/notifications/dead-letters").json == []
    again = http.as_(ADMIN, "POST", f"/api/notifications/dead-letters/{letter['id']}/replay")
    assert again.status_code == 409 and again.json["message_zh"]

    # -- the decision goes to the subscriber of application.decided only
    http.as_("counselor_me", "POST", f"/api/applications/{app_id}/actions", json={"action": "college_approve"})
    http.as_(ADMIN, "POST", f"/api/applications/{app_id}/actions", json={"action": "approve"})
    decided = wait_for(lambda: [r for r in receiver.seen("/ok")
                                if json.loads(r["body"])["type"] == "application.decided"])
    body = json.loads(decided[0]["body"])
    assert body["data"]["state"] == "approved" and contract.validate(body) == []
    assert len(receiver.seen("/flaky")) == 3 and len(receiver.seen("/hang")) == 4
    assert not [r for r in receiver.seen("/ok") if json.loads(r["body"])["type"] == "application.college_approved"]
