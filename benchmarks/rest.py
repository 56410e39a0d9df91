"""Rest is rest: the whole platform's CPU while nothing happens, empty and then with a
university's history stored (issue 17: 200,000 notification deliveries, 100,000
applications and their audit trails).

    .venv/bin/python benchmarks/rest.py                      # 200,000 / 100,000, 60 s each
    .venv/bin/python benchmarks/rest.py --deliveries 20000 --applications 10000 --seconds 30

A platform of its own (`deploy/platform up` on a fresh vhost, Mongo port, gateway port
and run directory) is started and left alone; its processes' CPU (gateway, services,
programs, supervisord, the Mongo server) is read from /proc over the window, as a
share of one core — first empty (the baseline, same run), then after the history is
written straight into each service's database in the shapes the services store
(insert_many, batches of 5,000; a benchmark seed, not a test) and the services have
had a minute to notice. Timers must do work proportional to what is due, not to what
is stored: the ratio loaded / empty shows whether history costs anything at rest.
"""
import argparse
import os
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import requests  # noqa: E402
from pymongo import MongoClient  # noqa: E402

from school_scale import cpu_at_rest, subprocess_stop  # noqa: E402
from tests.platform_up import PlatformUp  # noqa: E402

BATCH = 5000


def seed(mongo_uri, deliveries, applications, audit_per_application=4):
    """History as the services store it: delivered (or dead) deliveries with nothing
    due, decided applications with their audit trails, outboxes finished."""
    client = MongoClient(mongo_uri)
    now = datetime.now(timezone.utc)
    notes, apps = client["cx_notifications"], client["cx_applications"]
    for start in range(0, deliveries, BATCH):
        notes.deliveries.insert_many([
            {"_id": f"hist-d{i}", "event_id": f"hist-e{i // 3}", "event_type": "application.submitted",
             "recipient": f"p_hist{i % 3000}", "channel": ("inbox", "email", "robot")[i % 3],
             "address": f"p_hist{i % 3000}", "state": "delivered" if i % 50 else "dead", "attempts": 1, "rev": 1,
             "created_at": now - timedelta(days=1 + i % 700), "next_attempt_at": None, "lease_until": None,
             "due_ts": None, "lease_ts": None}
            for i in range(start, min(deliveries, start + BATCH))], ordered=False)
    for start in range(0, applications, BATCH):
        batch = range(start, min(applications, start + BATCH))
        at = now - timedelta(days=30)
        apps.applications.insert_many([
            {"_id": f"hist-a{i}", "campaign_id": f"hist-c{i // 1000}", "program": "civilized_dorms",
             "program_version": "hist", "applicant_kind": "dorm", "applicant_id": f"hist-u{i}",
             "applicant_name": f"历史寝室{i}", "unit_path": ["school_demo", "college_me", f"hist-u{i}"],
             "college_id": "college_me", "state": ("approved", "rejected", "submitted")[i % 3], "form": {},
             "version": audit_per_application, "created_at": at, "updated_at": at, "updated_ts": at.timestamp(),
             "submitted_at": at, "first_submitted_at": at, "attachment_counts": {}, "outbox": None,
             "outbox_at": None}
            for i in batch], ordered=False)
        apps.audit.insert_many([
            {"_id": f"hist-a{i}:{seq:06d}", "application_id": f"hist-a{i}", "seq": seq,
             "action": ("create", "submit", "college_approve", "approve")[seq - 1], "at": at,
             "by": {"id": "p_admin", "name": "管理员"}}
            for i in batch for seq in range(1, audit_per_application + 1)], ordered=False)
    counts = (notes.deliveries.count_documents({}), apps.applications.count_documents({}),
              apps.audit.count_documents({}))
    client.close()
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deliveries", type=int, default=200_000)
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--settle", type=int, default=60, help="seconds between seeding and measuring")
    args = parser.parse_args()
    run_dir = tempfile.mkdtemp(prefix="cx-rest-")
    platform = PlatformUp("rest", run_dir, timeout=600)
    print(f"starting a platform of its own ({platform.base_url}, run directory {run_dir}) ...", flush=True)
    platform.start()
    threading.Thread(target=lambda: [None for _ in platform.process.stdout], daemon=True).start()
    try:
        requests.get(f"{platform.base_url}/healthz", timeout=30)
        time.sleep(args.settle)                       # start-up work (indexes, registrations) done
        print(f"load: {open('/proc/loadavg').read().strip()}", flush=True)
        empty, count = cpu_at_rest(run_dir, args.seconds)
        print(f"empty:  {empty * 100:6.2f}% of one core over {args.seconds} s ({count} platform processes)",
              flush=True)
        started = time.perf_counter()
        deliveries, applications, audit = seed(platform.mongo_uri, args.deliveries, args.applications)
        print(f"stored: {deliveries:,} deliveries, {applications:,} applications, {audit:,} audit entries "
              f"(written in {time.perf_counter() - started:.0f} s)", flush=True)
        time.sleep(args.settle)
        print(f"load: {open('/proc/loadavg').read().strip()}", flush=True)
        loaded, count = cpu_at_rest(run_dir, args.seconds)
        print(f"loaded: {loaded * 100:6.2f}% of one core over {args.seconds} s ({count} platform processes)")
        print(f"loaded / empty: {loaded / empty if empty else float('nan'):.2f}x   "
              f"(target: under 2% of one core with this history)")
    finally:
        subprocess_stop(platform, run_dir)


if __name__ == "__main__":
    main()
