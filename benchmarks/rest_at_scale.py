"""Rest is rest, with a history stored (issue 17): with 200,000 notification deliveries,
100,000 applications and their audit trails in the databases and nothing due, the whole
platform at rest uses < 2% of one core.

    .venv/bin/python benchmarks/rest_at_scale.py                     # 200,000 / 100,000, 60 s
    .venv/bin/python benchmarks/rest_at_scale.py --deliveries 20000 --applications 10000 --seconds 20

It starts a platform of its own (as school_scale.py does), makes a small real campaign
through the HTTP API (a few dorms create and submit: real applications, audit entries,
deliveries, in the shapes the services write), then seeds the history
in bulk by copying those documents with new ids (insert_many straight into each
service's database: a benchmark seed, not a test; every copy is finished work - no
outbox, nothing due, no lease). It then prints, over --seconds at rest:
  * the CPU of the platform's processes (gateway, services, programs, the Mongo server),
    as a share of one core, with the busiest processes;
  * the RabbitMQ broker's CPU over the same time, apart: the broker is shared with
    whatever else runs on this machine, so its figure is an upper bound;
  * a baseline measured in the same run: the same platform at rest before the seed.
"""
import argparse
import copy
import os
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))

import requests  # noqa: E402
from pymongo import MongoClient  # noqa: E402

from core.mongo import database_name  # noqa: E402
from school_scale import broker_pids, per_process, platform_pids, run_school, subprocess_stop  # noqa: E402
from tests.platform_up import PlatformUp  # noqa: E402

BATCH = 2000


def measure(run_dir, seconds, label):
    """Platform and broker CPU over the same `seconds` (the broker in a thread)."""
    broker = {}
    thread = threading.Thread(target=lambda: broker.update(rows=per_process(broker_pids(), seconds)))
    thread.start()
    rows = per_process(platform_pids(run_dir), seconds)
    thread.join()
    total = sum(share for _, share in rows)
    print(f"\n{label}: platform {total * 100:.2f}% of one core over {seconds} s ({len(rows)} processes); "
          f"RabbitMQ (shared) {sum(s for _, s in broker.get('rows', [])) * 100:.2f}%;  "
          f"load {open('/proc/loadavg').read().strip()}", flush=True)
    for name, share in rows[:5]:
        print(f"    {share * 100:6.2f}%  {name}")
    return total


def clones(templates, count, change):
    """`count` copies of `templates` (cycled), each passed through change(doc, i)."""
    for i in range(count):
        doc = copy.deepcopy(templates[i % len(templates)])
        yield change(doc, i)


def insert_all(collection, docs, total):
    started, batch, done = time.perf_counter(), [], 0
    for doc in docs:
        batch.append(doc)
        if len(batch) == BATCH:
            collection.insert_many(batch, ordered=False)
            done += len(batch)
            batch = []
    if batch:
        collection.insert_many(batch, ordered=False)
        done += len(batch)
    seconds = time.perf_counter() - started
    print(f"seeded {collection.database.name}.{collection.name:<12} {done:>8} documents  {seconds:6.1f} s "
          f"({done / seconds:,.0f}/s)", flush=True)
    return done


def seed(client, config, deliveries, applications):
    apps_db = client[database_name(config, "applications")]
    notes_db = client[database_name(config, "notifications")]
    finished = {"outbox_ts": None}
    app_templates = list(apps_db.applications.find({"state": {"$nin": ["draft"]}, **finished}).limit(50))
    audit_by_app = {}
    for entry in apps_db.audit.find({"application_id": {"$in": [a["_id"] for a in app_templates]}}):
        audit_by_app.setdefault(entry["application_id"], []).append(entry)
    delivery_templates = list(notes_db.deliveries.find({"state": "delivered"}).limit(50))
    if not app_templates or not delivery_templates:
        raise SystemExit(f"nothing to copy: {len(app_templates)} applications, {len(delivery_templates)} deliveries")

    def application(doc, i):
        old = doc["_id"]
        doc["_id"] = f"rest_app_{i:07d}"
        doc["applicant_id"] = f"rest_person_{i:07d}"
        doc["campaign_id"] = f"{doc['campaign_id']}_rest{i // 5000}"   # 5,000 a campaign, as a big school's
        doc["_audit"] = [dict(e, _id=f"{doc['_id']}:{k}", application_id=doc["_id"], subject_id=doc["_id"],
                              campaign_id=doc["campaign_id"])
                         for k, e in enumerate(audit_by_app.get(old, []))]
        return doc

    audit = []

    def strip_audit(docs):
        for doc in docs:
            audit.extend(doc.pop("_audit"))
            yield doc

    insert_all(apps_db.applications, strip_audit(clones(app_templates, applications, application)), applications)
    insert_all(apps_db.audit, iter(audit), len(audit))

    def delivery(doc, i):
        doc["_id"] = f"rest_delivery_{i:07d}"
        doc["event_id"] = f"rest_event_{i // 4:07d}"
        doc["recipient"] = f"rest_person_{i % applications:07d}"
        return doc

    insert_all(notes_db.deliveries, clones(delivery_templates, deliveries, delivery), deliveries)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deliveries", type=int, default=200_000)
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--dorms", type=int, default=40, help="the small real campaign the copies are made from")
    args = parser.parse_args()
    run_dir = tempfile.mkdtemp(prefix="cx-rest-scale-")
    platform = PlatformUp("rest", run_dir, timeout=600)
    print(f"starting a platform of its own ({platform.base_url}, run directory {run_dir}) ...", flush=True)
    config = {"AMQP_URI": f"amqp://guest:guest@127.0.0.1:5672/{platform.vhost}"}
    client = MongoClient(platform.mongo_uri, tz_aware=True)
    try:   # (from the start: stopped however the run ends, even while it starts)
        platform.start()
        threading.Thread(target=lambda: [None for _ in platform.process.stdout], daemon=True).start()
        requests.get(f"{platform.base_url}/healthz", timeout=30)
        run_school(platform, config, args.dorms, 6, 8, lambda line: print(line, flush=True))
        time.sleep(15)   # let the small campaign's deliveries go out
        before = measure(run_dir, args.seconds, "at rest before the seed (baseline)")
        seed(client, {}, args.deliveries, args.applications)
        time.sleep(15)   # the seed's own writes are over; the services have noticed nothing to do
        after = measure(run_dir, args.seconds,
                        f"at rest with {args.deliveries:,} deliveries and {args.applications:,} applications stored")
        print(f"\nratio stored / baseline: {after / before:.2f}x   target < 2% of a core: "
              f"{'met' if after < 0.02 else 'NOT met'}")
    finally:
        client.close()
        subprocess_stop(platform, run_dir)


if __name__ == "__main__":
    main()
