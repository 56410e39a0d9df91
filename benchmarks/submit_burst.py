"""Submit burst: N concurrent clients create, attach and submit applications through
the gateway; then the same clients hit the cheapest authenticated RPC round trip
(GET /api/ping) as the baseline of what the bus and gateway can do on this machine.

Needs a running platform (`./deploy/platform up` in another terminal):

    .venv/bin/python benchmarks/submit_burst.py [--clients 50] [--per-client 4]

It adds its own college-less test branches and secretaries (ids starting `bench_`)
to the directory over RPC and opens a fresh campaign per run, so runs do not
interfere. Prints throughput and p50/p95/p99 latencies, and the ratios to the ping.
"""
import argparse
import os
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the repo root, for deploy/

import requests  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402

import core.rpc_errors  # noqa: E402,F401
from core.config import load_config  # noqa: E402
from deploy.demo_data import COLLEGES  # noqa: E402
from services.applications.directory import make_unit  # noqa: E402

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PASSWORD = "Bench@2026"
FORM = {
    "theme": "学思践悟·固本强基", "title": "压测项目", "lead_role": "secretary",
    "goals": "用于压力测试的项目目标说明。", "measures": "用于压力测试的主要举措说明。",
    "expected_outcomes": "用于压力测试的预期成果说明。", "planned_budget_yuan": "1000",
    "faculty_advisor": {"name": "测试老师"},
}


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))] * 1000


def summary(name, latencies, seconds, unit):
    return (f"{name:<22} {len(latencies):>6} {unit:<6} {len(latencies) / seconds:>9.1f}/s   "
            f"p50 {percentile(latencies, 50):7.1f} ms  p95 {percentile(latencies, 95):7.1f} ms  "
            f"p99 {percentile(latencies, 99):7.1f} ms")


def seed(config, clients, per_client):
    run = uuid.uuid4().hex[:6]
    college = COLLEGES["me"]
    units, people = [], []
    for c in range(clients):
        roles = []
        for k in range(per_client):
            branch = make_unit("branch", f"压测支部 {run}-{c}-{k}", college, unit_id_=f"bench_{run}_{c}_{k}")
            units.append(branch)
            roles.append({"role": "branch_secretary", "unit_id": branch["_id"]})
        people.append({"_id": f"bench_{run}_{c}", "login": f"bench_{run}_{c}", "name": f"压测{c}",
                       "school_id": "school_demo", "password": PASSWORD, "roles": roles})
    now = datetime.now(timezone.utc)
    with ClusterRpcProxy(config, timeout=60) as cluster:
        cluster.applications.seed_directory(units, people)
        campaign = cluster.applications.open_campaign("p_admin", {
            "program": "pilot_branches", "title": f"压测 {run}", "academic_year": "2026-2027",
            "unit_id": "school_demo", "application_opens_at": (now - timedelta(minutes=1)).isoformat(),
            "application_closes_at": (now + timedelta(hours=2)).isoformat()})
    return campaign["id"], people, units


def login(base, login_name):
    response = requests.post(f"{base}/api/auth/login", json={"login": login_name, "password": PASSWORD}, timeout=30)
    response.raise_for_status()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {response.json()['token']}"
    return session


def client_work(base, session, campaign_id, branch_ids, latencies, lock):
    for branch in branch_ids:
        timings = {}
        start = time.perf_counter()
        created = session.post(f"{base}/api/campaigns/{campaign_id}/applications",
                               json={"applicant_id": branch, "form": FORM},
                               headers={"Idempotency-Key": f"c-{branch}"}, timeout=60)
        created.raise_for_status()
        timings["create"] = time.perf_counter() - start
        app_id = created.json()["id"]
        start = time.perf_counter()
        session.post(f"{base}/api/applications/{app_id}/attachments", data={"kind": "application_form"},
                     files={"file": ("申请表.pdf", PDF, "application/pdf")}, timeout=60).raise_for_status()
        timings["upload"] = time.perf_counter() - start
        start = time.perf_counter()
        submitted = session.post(f"{base}/api/applications/{app_id}/actions", json={"action": "submit"},
                                 headers={"Idempotency-Key": f"s-{branch}"}, timeout=60)
        submitted.raise_for_status()
        timings["submit"] = time.perf_counter() - start
        with lock:
            for key, value in timings.items():
                latencies[key].append(value)
            latencies["application"].append(sum(timings.values()))


def ping_work(base, session, count, latencies, lock):
    for _ in range(count):
        start = time.perf_counter()
        session.get(f"{base}/api/ping", timeout=60).raise_for_status()
        with lock:
            latencies.append(time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--config", default=None)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--per-client", type=int, default=4)
    args = parser.parse_args()
    try:
        requests.get(f"{args.url}/healthz", timeout=5).raise_for_status()
    except requests.RequestException as exc:
        raise SystemExit(f"The platform does not answer at {args.url} ({exc}); start it with ./deploy/platform up")
    config = load_config(args.config)
    campaign_id, people, units = seed(config, args.clients, args.per_client)
    with ThreadPoolExecutor(args.clients) as pool:
        sessions = list(pool.map(lambda p: login(args.url, p["login"]), people))
    lock = threading.Lock()

    latencies = {"create": [], "upload": [], "submit": [], "application": []}
    branches = [[r["unit_id"] for r in p["roles"]] for p in people]
    started = time.perf_counter()
    with ThreadPoolExecutor(args.clients) as pool:
        for future in [pool.submit(client_work, args.url, s, campaign_id, b, latencies, lock)
                       for s, b in zip(sessions, branches)]:
            future.result()
    burst_seconds = time.perf_counter() - started

    pings = []
    requests_per_client = 3 * args.per_client  # the same number of HTTP requests as the burst
    started = time.perf_counter()
    with ThreadPoolExecutor(args.clients) as pool:
        for future in [pool.submit(ping_work, args.url, s, requests_per_client, pings, lock) for s in sessions]:
            future.result()
    ping_seconds = time.perf_counter() - started

    requests_total = 3 * len(latencies["application"])
    print(f"submit burst: {args.clients} clients x {args.per_client} applications "
          f"(create + attach + submit = 3 requests each) against {args.url}")
    print(summary("application (3 req)", latencies["application"], burst_seconds, "apps"))
    for key in ("create", "upload", "submit"):
        print(summary(f"  {key}", latencies[key], burst_seconds, "req"))
    print(summary("ping baseline", pings, ping_seconds, "req"))
    burst_rps = requests_total / burst_seconds
    ping_rps = len(pings) / ping_seconds
    print(f"ratio: burst requests/s over ping requests/s = {burst_rps / ping_rps:.2f} "
          f"({burst_rps:.1f} vs {ping_rps:.1f}); median submit latency / median ping = "
          f"{statistics.median(latencies['submit']) / statistics.median(pings):.1f}x")


if __name__ == "__main__":
    main()
