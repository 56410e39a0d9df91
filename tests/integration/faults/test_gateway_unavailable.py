"""The gateway answers 503 with Retry-After, and the usual bilingual JSON error body,
whenever a service cannot be reached: the broker is down, a service does not answer
in time, or no RPC connection is free. /healthz answers within its own short timeout."""
import copy
import time

import eventlet

from gateway.app import create_app
from gateway.auth import issue_token
from tests.rabbit_node import free_port


def assert_unavailable(response, code="service_unavailable"):
    assert response.status_code == 503, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.headers.get("Retry-After") == "5"
    body = response.json
    assert body["code"] == code
    assert body["message"] and body["message_zh"] and body["message"] != body["message_zh"]
    return body


def token_for(app, person_id):
    with app.test_request_context():
        return issue_token({"id": person_id, "name": "test"})[0]


def test_broker_down_is_503_with_retry_after(config):
    conf = dict(config, AMQP_URI=f"amqp://guest:guest@127.0.0.1:{free_port()}/")  # nothing listens there
    app = create_app(conf)
    client = app.test_client()
    assert_unavailable(client.post("/api/auth/login", json={"login": "admin", "password": "Demo@2026"}))
    token = token_for(app, "p_admin")
    assert_unavailable(client.get("/api/me", headers={"Authorization": f"Bearer {token}"}))
    started = time.monotonic()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["services"]["applications"] is False
    assert time.monotonic() - started < 5


def with_gateway(config, **settings):
    conf = copy.deepcopy(config)
    conf["GATEWAY"].update(settings)
    return create_app(conf)


def test_a_service_that_does_not_answer_is_503_and_healthz_does_not_wait_for_it(config, platform, http):
    token = http.login("admin")
    applications = next(c for c in platform.containers if c.service_name == "applications")
    applications.stop()                            # its queue stays; nobody consumes it
    app = with_gateway(config, RPC_TIMEOUT_SECONDS=1)
    started = time.monotonic()
    assert_unavailable(app.test_client().get("/api/me", headers={"Authorization": f"Bearer {token}"}))
    assert time.monotonic() - started < 5

    healthz_app = with_gateway(config)                # the RPC timeout of the test config: 20 s
    started = time.monotonic()
    health = healthz_app.test_client().get("/healthz")
    took = time.monotonic() - started
    assert health.status_code == 503
    assert health.json["services"]["applications"] is False
    assert health.json["services"]["program_pilot_branches"] is True
    assert took < 5, f"/healthz took {took:.1f} s with one service down"


def test_no_free_rpc_connection_is_503_with_retry_after(config, platform, http):
    token = http.login("admin")
    app = with_gateway(config, RPC_POOL_SIZE=1, RPC_TIMEOUT_SECONDS=1)
    client = app.test_client()
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    held = eventlet.event.Event()
    release = eventlet.event.Event()

    def hold():
        with app.extensions["rpc_pool"].cluster():
            held.send()
            release.wait()

    holder = eventlet.spawn(hold)
    held.wait()
    try:
        assert_unavailable(client.get("/api/me", headers={"Authorization": f"Bearer {token}"}))
    finally:
        release.send()
        holder.wait()
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
