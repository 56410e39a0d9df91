"""One program's process dies under load: its own requests get a quick 503 naming
it, while /api/me, /api/programs, /api/campaigns and another program's requests
keep their latency (hook calls have a timeout and a bounded share of the
applications service's workers: core/program_calls.py).

Bounded: about 40 s. The latency comparison is of medians with a generous bound,
since other tests share this 2-core machine."""
import copy
import statistics
import time
from datetime import datetime, timedelta, timezone

import eventlet
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from tests.integration.helpers import campaign_payload, good_form

ADMIN, PILOT_SECRETARY, OTHER_SECRETARY = "admin", "2023010101", "2023020101"   # branch_me1, branch_em1
TIMEOUT = 2.0


@pytest.fixture
def config(config):
    conf = copy.deepcopy(config)
    conf["PROGRAMS"] = ["pilot_branches", "benchmark_branches"]
    conf["PROGRAM_CALLS"] = {"TIMEOUT_SECONDS": TIMEOUT, "COOLDOWN_SECONDS": 5, "MAX_SHARE": 0.3}
    # a gateway of several threads (gunicorn's); a stalled service shows as 503/504 after 10 s
    conf["GATEWAY"].update(RPC_POOL_SIZE=24, RPC_TIMEOUT_SECONDS=10)
    return conf


@pytest.fixture
def extra_services():
    from core.program_service import make_program_service
    from core.programs import installed_programs
    return [make_program_service(installed_programs()["benchmark_branches"].load())]


def benchmark_campaign():
    now = datetime.now(timezone.utc)
    return {"program": "benchmark_branches", "title": "2026-2027 学年对标争先·样板支部", "academic_year": "2026-2027",
            "unit_id": "school_demo", "application_opens_at": (now - timedelta(days=1)).isoformat(),
            "application_closes_at": (now + timedelta(days=7)).isoformat(),
            "review_opens_at": (now + timedelta(days=7, minutes=1)).isoformat(),
            "review_closes_at": (now + timedelta(days=17)).isoformat()}


def timed(http, login, method, url, **kwargs):
    started = time.monotonic()
    response = http.as_(login, method, url, **kwargs)
    return time.monotonic() - started, response


def test_a_dead_program_fails_its_own_requests_quickly_and_slows_nothing_else(config, platform, http):
    with ClusterRpcProxy(config, timeout=20) as cluster:
        for _ in range(200):
            if {"pilot_branches", "benchmark_branches"} <= {p["id"] for p in cluster.applications.list_programs()}:
                break
            eventlet.sleep(0.1)
    pilot = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload())
    other = http.as_(ADMIN, "POST", "/api/campaigns", json=benchmark_campaign())
    assert pilot.status_code == 201 and other.status_code == 201, (pilot.json, other.json)
    pilot_draft = http.as_(PILOT_SECRETARY, "POST", f"/api/campaigns/{pilot.json['id']}/applications",
                           json={"applicant_id": "branch_me1", "form": good_form()})
    other_draft = http.as_(OTHER_SECRETARY, "POST", f"/api/campaigns/{other.json['id']}/applications",
                           json={"applicant_id": "branch_em1", "form": {}})
    assert pilot_draft.status_code == 201 and other_draft.status_code == 201, (pilot_draft.json, other_draft.json)
    http.login(PILOT_SECRETARY)

    unaffected = {
        "me": (ADMIN, "GET", "/api/me", {}),
        "programs": (ADMIN, "GET", "/api/programs", {}),
        "campaigns": (OTHER_SECRETARY, "GET", "/api/campaigns", {}),
        "other program": (OTHER_SECRETARY, "PATCH", f"/api/applications/{other_draft.json['id']}",
                          {"json": {"form": {}}}),
    }
    dead_request = (PILOT_SECRETARY, "PATCH", f"/api/applications/{pilot_draft.json['id']}",
                    {"json": {"form": good_form()}})

    def measure(rounds, with_dead_program_load):
        seen = {name: [] for name in unaffected}
        dead_answers = []
        stop = [False]

        def hammer_dead_program():
            while not stop[0]:
                login, method, url, kwargs = dead_request
                dead_answers.append(timed(http, login, method, url, **kwargs))
                eventlet.sleep(0.3)  # eight users clicking again and again: load, not a CPU spin

        hammers = [eventlet.spawn(hammer_dead_program) for _ in range(8 if with_dead_program_load else 0)]
        pool = eventlet.GreenPool(len(unaffected))
        for _ in range(rounds):
            for name, took in pool.imap(lambda item: (item[0], timed(http, *item[1][:3], **item[1][3])),
                                        unaffected.items()):
                assert took[1].status_code == 200, (name, took[1].status_code, took[1].json)
                seen[name].append(took[0])
        stop[0] = True
        for hammer in hammers:
            hammer.wait()
        return {name: statistics.median(values) for name, values in seen.items()}, dead_answers

    before, _ = measure(rounds=8, with_dead_program_load=False)
    program = next(c for c in platform.containers if c.service_name == "program_pilot_branches")
    program.kill()                                   # its queue stays; nothing answers
    started = time.monotonic()
    after, dead_answers = measure(rounds=12, with_dead_program_load=True)
    load_seconds = time.monotonic() - started

    print(f"\ndead program: medians before {fmt(before)}; with the dead program under load {fmt(after)}; "
          f"{len(dead_answers)} requests to it in {load_seconds:.1f} s, slowest {max(t for t, _ in dead_answers):.2f} s, "
          f"median {statistics.median(t for t, _ in dead_answers):.3f} s", flush=True)
    assert dead_answers, "no request reached the dead program"
    for took, response in dead_answers:
        assert response.status_code == 503, (response.status_code, response.json)
        assert response.headers.get("Retry-After")
        assert response.json["code"] == "program_not_answering"
        assert "对标争先建设项目" in response.json["message_zh"]
        assert "Pilot branch projects" in response.json["message"]
        assert response.json["details"] == {"program": "pilot_branches"}
        assert took < TIMEOUT + 2.0, f"a request to the dead program took {took:.1f} s"
    for name, median in after.items():
        assert median < 3 * before[name] + 0.3, f"{name}: median {median:.3f} s, was {before[name]:.3f} s"


def fmt(medians):
    return ", ".join(f"{name} {value * 1000:.0f} ms" for name, value in medians.items())
