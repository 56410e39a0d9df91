"""A 20 s RabbitMQ outage during a burst of 100 submissions through the gateway.

The services run in this process on a broker node the test starts itself
(tests/rabbit_node.py); the node is stopped (gracefully, so durable queues keep
their persistent messages) while 100 branches create, attach and submit, and
started again 20 s later. A client does what a real one does: it re-sends a
request answered with 503 after the `Retry-After` it was given, with the same
Idempotency-Key. Bounded: about two minutes on a busy 2-core machine (the node's
boot, 20 s of outage, then the burst, gateway and services in this one process).
"""
import time

import eventlet
import pytest

from tests.integration.conftest import Http
from tests.integration.faults.conftest import every_service, good_form, seed_branches, upload, wait_registered

APPLICATIONS = 100
PER_SECRETARY = 20
OUTAGE_SECONDS = 20


class Client:
    """Re-sends on 503 (after Retry-After, capped at 1 s) until `deadline`; records
    every answer as (monotonic time, status, Retry-After)."""

    def __init__(self, http, deadline):
        self.http = http
        self.deadline = deadline
        self.answers = []

    def send(self, login, method, url, ok=(200, 201), **kwargs):
        while True:
            response = self.http.as_(login, method, url, **kwargs)
            self.answers.append((time.monotonic(), response.status_code, response.headers.get("Retry-After")))
            if response.status_code in ok or response.status_code != 503:
                return response
            assert time.monotonic() < self.deadline, f"{method} {url} still 503 at the deadline"
            eventlet.sleep(min(float(response.headers.get("Retry-After") or 1), 1.0))

    def submit(self, login, campaign_id, branch):
        created = self.send(login, "POST", f"/api/campaigns/{campaign_id}/applications",
                            json={"applicant_id": branch, "form": good_form(title=f"项目{branch[-6:]}")},
                            headers={"Idempotency-Key": f"c-{branch}"})
        assert created.status_code in (200, 201), created.json
        app_id = created.json["id"]
        url = f"/api/applications/{app_id}"
        first = True
        while True:  # an upload is re-sent only when the application does not have it
            if not first:
                current = self.send(login, "GET", url)
                assert current.status_code == 200, current.json
                if any(a["kind"] == "application_form" for a in current.json.get("attachments", [])):
                    break
            first = False
            sent = upload(self.http, login, app_id)
            self.answers.append((time.monotonic(), sent.status_code, sent.headers.get("Retry-After")))
            if sent.status_code == 201:
                break
            assert sent.status_code in (503, 409, 422), sent.json  # 409/422: an earlier try got through
            eventlet.sleep(min(float(sent.headers.get("Retry-After") or 1), 1.0))
        done = self.send(login, "POST", f"{url}/actions", json={"action": "submit"},
                         headers={"Idempotency-Key": f"s-{branch}"})
        assert done.status_code == 200, done.json
        return app_id


T0 = time.monotonic()


def say(what):
    print(f"[{time.monotonic() - T0:6.1f}s] {what}", flush=True)


@pytest.mark.timeout(240)
def test_a_broker_outage_during_a_burst_loses_nothing_duplicates_nothing_and_kills_nothing(
        broker_node, node_config, node_runner, mongo):
    say("node up")
    runner = node_runner(*every_service())
    wait_registered(node_config)
    campaign_id, owned = seed_branches(node_config, APPLICATIONS, PER_SECRETARY)
    say("seeded")

    from gateway.app import create_app
    app = create_app(node_config)
    http = Http(app.test_client())
    for login in owned:
        http.login(login)

    say("logged in")
    client = Client(http, deadline=time.monotonic() + 100)
    pool = eventlet.GreenPool(APPLICATIONS)
    jobs = [pool.spawn(client.submit, login, campaign_id, branch)
            for login, branches in owned.items() for branch in branches]

    def dead():
        return [c.service_name for c in runner.containers if c._died.ready()]

    try:
        eventlet.sleep(1.0)  # the burst is under way
        down_at = time.monotonic()
        broker_node.stop()
        say(f"broker stopped; {len(client.answers)} answers so far")
        while time.monotonic() - down_at < OUTAGE_SECONDS:
            assert dead() == [], f"services died in the outage: {dead()}"
            eventlet.sleep(0.5)
        broker_node.start()
        back_at = time.monotonic()
        say(f"broker back; {len(client.answers)} answers so far")
        healthy_at = None
        while time.monotonic() - back_at < 40:
            assert dead() == [], f"services died in the outage: {dead()}"
            if http.client.get("/healthz").status_code == 200:
                healthy_at = time.monotonic()
                break
            eventlet.sleep(0.25)
        say(f"healthy: {healthy_at is not None}")
        assert healthy_at is not None, "the services did not all answer /healthz within 40 s of the broker's return"
        app_ids = [job.wait() for job in jobs]
        finished_at = time.monotonic()
        say("burst done")
    finally:
        for job in jobs:
            job.kill()
        app.extensions["rpc_pool"].close()
    assert dead() == [], f"services died: {dead()}"

    statuses = {}
    for _at, status, _retry in client.answers:
        statuses[status] = statuses.get(status, 0) + 1
    first_ok_after = min((at for at, status, _r in client.answers if at > back_at and status < 300),
                         default=None)
    print(f"\nbroker outage: {OUTAGE_SECONDS} s; answers {dict(sorted(statuses.items()))}; "
          f"seconds-to-recover (broker back -> /healthz 200): {healthy_at - back_at:.1f} s; "
          f"first accepted request after the return: "
          f"{(first_ok_after - back_at) if first_ok_after else float('nan'):.1f} s; "
          f"burst finished {finished_at - back_at:.1f} s after the return", flush=True)
    bad = [(status, retry) for _at, status, retry in client.answers
           if status >= 500 and (status != 503 or not retry)]
    assert bad == [], f"answers other than 503 + Retry-After while a service was unreachable: {bad[:5]}"

    db = mongo("applications")
    stored = list(db.applications.find({"campaign_id": campaign_id}))
    assert len(stored) == APPLICATIONS, f"{len(stored)} applications stored for {APPLICATIONS} accepted"
    assert len({a["applicant_id"] for a in stored}) == APPLICATIONS
    assert sorted(a["_id"] for a in stored) == sorted(app_ids)
    assert {a["state"] for a in stored} == {"submitted"}
    for application in stored:
        trail = list(db.audit.find({"application_id": application["_id"]}))
        actions = [e.get("action") for e in trail]
        assert actions.count("submit") == 1, (application["_id"], actions)
        assert db.attachments.count_documents({"application_id": application["_id"]}) == 1

    events = mongo("notifications").events
    deadline = time.monotonic() + 30
    while events.count_documents({"type": "application.submitted",
                                  "envelope.data.campaign_id": campaign_id}) < APPLICATIONS:
        assert time.monotonic() < deadline, "not every application.submitted event reached notifications"
        eventlet.sleep(0.5)
    left = [a["_id"] for a in db.applications.find({"campaign_id": campaign_id}) if a.get("outbox")]
    assert left == [], f"outboxes never finished: {left[:5]}"

