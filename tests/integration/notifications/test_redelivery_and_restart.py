"""No duplicates and nothing lost: the same event delivered several times to two
competing copies of the service, and a restart with deliveries pending.

The notifications containers are started by the tests themselves (this module's
``extra_services`` is empty), so they can be stopped and started again."""
import copy
import json
import uuid

import pytest
from nameko.standalone.events import event_dispatcher

from core.envelope import make_event
from services.notifications.service import NotificationsService
from tests.integration.notifications.conftest import COUNSELOR, SECRETARY, seed_emails, wait_for

SECRETARY_ID, COUNSELOR_ID = "p_2023010101", "p_counselor_me"
MAILS = {SECRETARY: "liming@stu.cx.example.edu.cn", COUNSELOR: "sun.fdy@cx.example.edu.cn"}
PER_EVENT = 5      # inbox + e-mail for the applicant and the counselor, and one webhook


@pytest.fixture
def extra_services():
    return []


def decided_event(app_id=None):
    app_id = app_id or f"app_{uuid.uuid4().hex[:12]}"
    return make_event("application.decided", {
        "application_id": app_id, "campaign_id": "camp_test", "program": "pilot_branches",
        "applicant_id": "branch_me1", "applicant_name": "机电学院学生第一党支部", "unit_id": "branch_me1",
        "college_id": "college_me", "state": "approved", "from_state": "college_approved", "reason": "立项",
        "applicant_user_ids": [SECRETARY_ID], "counselor_ids": [COUNSELOR_ID],
    }, "applications", actor={"id": "p_admin", "name": "校学工部管理员"}, event_id=f"{app_id}.9")


def start_notifications(container_factory, config, **sender):
    conf = copy.deepcopy(config)
    conf["NOTIFICATIONS"]["SENDER"].update(sender)
    container = container_factory(NotificationsService, conf)
    container.start()
    return container


def subscribe(config, receiver, path="/hook"):
    from nameko.standalone.rpc import ClusterRpcProxy
    with ClusterRpcProxy(config, timeout=20) as cluster:
        return cluster.notifications.create_subscription("p_admin", {
            "name": "campus archive", "url": receiver.url + path, "event_types": ["application.decided"]})


def delivered_mails(smtp_sink, ids):
    return [m for m in smtp_sink.messages() if str(m["X-Chuangxian-Delivery"]).strip() in ids]


def test_the_same_event_many_times_to_two_copies_is_delivered_once(
        config, rpc, mongo, container_factory, receiver, smtp_sink):
    seed_emails(rpc, MAILS)
    start_notifications(container_factory, config)
    start_notifications(container_factory, config)          # competing consumers on the same queues
    subscribe(config, receiver)
    dispatch = event_dispatcher(config)
    event = decided_event()
    for _ in range(4):                                      # the broker or the publisher repeats itself
        dispatch("applications", "application.decided", event)

    db = mongo("notifications")
    wait_for(lambda: db.deliveries.count_documents({"event_id": event["id"], "state": "delivered"}) == PER_EVENT)
    dispatch("applications", "application.decided", event)   # again, after everything was sent
    eventlet_sleep(2)

    docs = list(db.deliveries.find({"event_id": event["id"]}))
    assert len(docs) == PER_EVENT and {d["state"] for d in docs} == {"delivered"}
    assert {d["attempts"] for d in docs} == {1}
    assert sorted((d["recipient"], d["channel"]) for d in docs if d["recipient"].startswith("user:")) == sorted([
        (f"user:{COUNSELOR_ID}", "email"), (f"user:{COUNSELOR_ID}", "inbox"),
        (f"user:{SECRETARY_ID}", "email"), (f"user:{SECRETARY_ID}", "inbox")])
    assert db.events.count_documents({"_id": event["id"]}) == 1
    assert db.inbox.count_documents({"event_id": event["id"]}) == 2
    ids = {d["_id"] for d in docs}
    mails = delivered_mails(smtp_sink, ids)
    assert len(mails) == 2 and {str(m["To"]) for m in mails} == set(MAILS.values())
    hooks = [r for r in receiver.seen("/hook") if json.loads(r["body"])["id"] == event["id"]]
    assert len(hooks) == 1


def test_pending_deliveries_survive_a_restart_and_are_sent_once(
        config, rpc, mongo, container_factory, receiver, smtp_sink):
    seed_emails(rpc, MAILS)
    first = start_notifications(container_factory, config, enabled=False)   # takes events in, sends nothing
    subscribe(config, receiver)
    dispatch = event_dispatcher(config)
    events = [decided_event() for _ in range(3)]
    for event in events:
        dispatch("applications", "application.decided", event)
    db = mongo("notifications")
    wait_for(lambda: db.deliveries.count_documents({"state": "pending"}) == 3 * PER_EVENT)
    first.stop()

    late = decided_event()      # published while no copy of the service runs: kept by its durable queue
    dispatch("applications", "application.decided", late)
    events.append(late)
    eventlet_sleep(0.5)
    assert db.deliveries.count_documents({}) == 3 * PER_EVENT and db.inbox.count_documents({}) == 0

    start_notifications(container_factory, config)
    wait_for(lambda: db.deliveries.count_documents({"state": "delivered"}) == 4 * PER_EVENT, seconds=20)
    eventlet_sleep(1.5)         # a second send would show up now

    docs = list(db.deliveries.find({}))
    assert len(docs) == 4 * PER_EVENT and {d["attempts"] for d in docs} == {1}
    assert db.inbox.count_documents({"user_id": SECRETARY_ID}) == 4
    assert db.inbox.count_documents({"user_id": COUNSELOR_ID}) == 4
    mails = delivered_mails(smtp_sink, {d["_id"] for d in docs})
    assert len(mails) == 8 and len({str(m["X-Chuangxian-Delivery"]).strip() for m in mails}) == 8
    hooks = receiver.seen("/hook")
    assert sorted(json.loads(r["body"])["id"] for r in hooks) == sorted(e["id"] for e in events)


def test_a_sender_killed_mid_send_is_replaced_and_the_delivery_keeps_its_id(
        config, rpc, mongo, container_factory, receiver):
    """At least once: a copy killed while a webhook POST is in flight leaves the
    delivery ``sending`` under a lease; when the lease runs out another copy sends it
    again with the same X-Chuangxian-Delivery id, which the subscriber de-duplicates on."""
    config["NOTIFICATIONS"]["CHANNELS"]["webhook"]["timeout"] = {"connect": 1, "read": 10}
    receiver.behaviour["/hook"] = ["hang", 200]
    receiver.hang_seconds = 3
    doomed = start_notifications(container_factory, config, lease_seconds=2)
    subscribe(config, receiver)
    event = decided_event()
    event_dispatcher(config)("applications", "application.decided", event)
    db = mongo("notifications")
    wait_for(lambda: receiver.seen("/hook"))                 # the POST is in flight, unanswered
    sending = db.deliveries.find_one({"recipient": {"$regex": "^subscription:"}})
    assert sending["state"] == "sending"
    doomed.kill()

    start_notifications(container_factory, config, lease_seconds=2)
    done = wait_for(lambda: db.deliveries.find_one({"_id": sending["_id"], "state": "delivered"}), seconds=20)
    assert [h["outcome"] for h in done["history"]] == ["retry", "delivered"]
    assert "lease expired" in done["history"][0]["detail"]
    posts = receiver.seen("/hook")
    assert len(posts) == 2 and {p["headers"]["X-Chuangxian-Delivery"] for p in posts} == {sending["_id"]}
    assert db.inbox.count_documents({"event_id": event["id"]}) == 2      # people: once each


def eventlet_sleep(seconds):
    import eventlet
    eventlet.sleep(seconds)
