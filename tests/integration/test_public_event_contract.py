"""The public event contract, consumed as an outside campus system would.

A plain kombu consumer (no Nameko) binds its own durable queue to the
``applications.events`` topic exchange exactly as docs/asyncapi.yaml tells campus
systems to (exchange declared as the platform declares it, one binding per routing
key, manual acks, a prefetch), a real application goes through the gateway, and
every payload received is validated against the documented schema with
services/notifications/domain/contract.py.
"""
import io
import time

from kombu import Connection, Exchange, Queue

from services.notifications.domain import contract as contract_module
from tests.integration.helpers import campaign_payload, docx_bytes, good_form

SECRETARY, COUNSELOR, ADMIN = "2023010101", "counselor_me", "admin"
EXCHANGE = "applications.events"


def _documented_bindings(contract):
    """(exchange, routing keys) for this exchange, read from the AsyncAPI document."""
    channels = [c for c in contract.channels() if c["exchange"] == EXCHANGE]
    assert channels, "the contract names no event on applications.events"
    return [c["routing_key"] for c in channels]


def _drive_application(http, finish):
    """Create, fill, attach, submit, approve at the college, then `finish` (approve/reject)."""
    campaign = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload()).json
    app_id = http.as_(SECRETARY, "POST", f"/api/campaigns/{campaign['id']}/applications",
                      json={"form": good_form()}).json["id"]
    upload = http.as_(SECRETARY, "POST", f"/api/applications/{app_id}/attachments",
                      data={"kind": "application_form", "file": (io.BytesIO(docx_bytes()), "申请表.docx")},
                      content_type="multipart/form-data")
    assert upload.status_code == 201, upload.json
    steps = [(SECRETARY, {"action": "submit"}), (COUNSELOR, {"action": "college_approve"}),
             (ADMIN, {"action": finish, "reason": "名额已满" if finish == "reject" else None})]
    for login, action in steps:
        response = http.as_(login, "POST", f"/api/applications/{app_id}/actions", json=action)
        assert response.status_code == 200, response.json
    return app_id


def test_campus_system_consumes_and_validates_the_public_events(config, http):
    contract = contract_module.load()
    routing_keys = _documented_bindings(contract)
    assert {"application.submitted", "application.decided"} <= set(routing_keys)

    # As the AsyncAPI document says: our own durable queue, bound per routing key, declared
    # with the exchange exactly as the platform declares it.
    exchange = Exchange(EXCHANGE, type="topic", durable=True, auto_delete=False)
    queue = Queue("campus-archive.application-events", exchange=exchange, routing_key=routing_keys[0],
                  durable=True, auto_delete=False, exclusive=False)
    everything = Queue("campus-archive.all-application-events", exchange=exchange, routing_key="#",
                       durable=True, auto_delete=False)
    received, seen_all = [], []
    with Connection(config["AMQP_URI"]) as conn:
        channel = conn.channel()
        exchange(channel).declare()
        bound = queue(channel)
        bound.declare()
        for key in routing_keys[1:]:
            bound.bind_to(exchange, routing_key=key)
        everything(channel).declare()

        approved_id = _drive_application(http, "approve")
        rejected_id = _drive_application(http, "reject")

        def handle(body, message):
            received.append((body, message.delivery_info["routing_key"], message.properties,
                             message.content_type))
            message.ack()

        def handle_all(body, message):
            seen_all.append(body)
            message.ack()

        with conn.Consumer(bound, callbacks=[handle], accept=["json"], prefetch_count=20), \
                conn.Consumer(everything(channel), callbacks=[handle_all], accept=["json"], prefetch_count=20):
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and (len(received) < 4 or len(seen_all) < 6):
                try:
                    conn.drain_events(timeout=1)
                except TimeoutError:
                    pass
        # the queue outlives its consumer (durable): a system may stop and come back
        assert bound.queue_declare(passive=True).queue == "campus-archive.application-events"

    by_type = {}
    for body, routing_key, properties, content_type in received:
        assert contract.validate(body) == [], (routing_key, contract.validate(body))
        assert body["type"] == routing_key and contract.exchange(body["type"]) == EXCHANGE
        assert content_type == "application/json" and properties.get("delivery_mode") == 2
        by_type.setdefault(body["type"], []).append(body)
    mine = {t: [b for b in bodies if b["data"]["application_id"] in (approved_id, rejected_id)]
            for t, bodies in by_type.items()}
    assert sorted(b["data"]["application_id"] for b in mine["application.submitted"]) == sorted(
        [approved_id, rejected_id])
    decided = {b["data"]["application_id"]: b for b in mine["application.decided"]}
    assert decided[approved_id]["data"]["state"] == "approved"
    assert decided[rejected_id]["data"]["state"] == "rejected" and decided[rejected_id]["data"]["reason"] == "名额已满"
    assert all(b["version"] == 1 and b["source"] == "applications" for b in decided.values())
    assert len({b["id"] for bodies in by_type.values() for b in bodies}) == len(received)   # ids unique per fact

    # Everything else published on the exchange today is internal: not in the contract,
    # and the public ones seen there validate too.
    types = {b["type"] for b in seen_all}
    assert {"application.submitted", "application.college_approved", "application.decided"} <= types
    for body in seen_all:
        if body["type"] in contract.event_types():
            assert contract.validate(body) == []
        else:
            assert contract.validate(body) == [f"$.type: {body['type']!r} is not an event of the public contract"]
    # a payload that breaks the schema is caught (the validation can fail)
    broken = dict(decided[approved_id], data=dict(decided[approved_id]["data"], state="maybe"))
    assert contract.validate(broken)
