"""Benchmark of the notifications service's intake: a burst of events (finalising a
school's campaign publishes one `application.decided` per application) stored and
planned one by one, as each handler did before, against planned together as the
handlers do now (core/group_commit.py, intake.receive_many), in the same run.

Both ways run the service's own code (`intake`, the store) on the given Mongo server,
with W threads taking events at once (the service's `max_workers`: 10). The
applications service's answers (the recipients' contacts) come from a table in this
process: its calls are counted, not made. Each way gets a fresh database; every
event has its applicant and counselor (2 inbox deliveries), as finalising does.

    .venv/bin/python benchmarks/event_intake.py --mongo mongodb://127.0.0.1:27230 [--events 2000]

Prints for each way: events/s, database commands and directory calls per event,
CPU ms per event of this process and of the Mongo server (found by its port), and
the ratios of the batched way to one by one.
"""
import argparse
import os
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from urllib.parse import urlparse

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from pymongo import MongoClient  # noqa: E402

from core.envelope import make_event  # noqa: E402
from core.group_commit import GroupCommit  # noqa: E402
from services.notifications import intake  # noqa: E402
from services.notifications.channels.base import InboxChannel  # noqa: E402
from services.notifications.settings import settings as notification_settings  # noqa: E402
from services.notifications.store import NotificationsStore  # noqa: E402
from tests.integration.command_log import Commands  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from school_scale import HZ, cpu_ticks  # noqa: E402

class Directory:
    """The applications service's answers from a table (calls counted)."""

    def __init__(self):
        self.calls, self.lock = 0, threading.Lock()

    def _called(self):
        with self.lock:
            self.calls += 1

    def internal_actors(self, ids):
        self._called()
        return {u: {"id": u, "name": f"同学{u[-4:]}", "email": None} for u in ids}

    def internal_people(self, unit_ids):
        self._called()
        return []

    def internal_campaign(self, campaign_id):
        self._called()
        return {"id": campaign_id, "program": "civilized_dorms"}

    def get_program(self, name):
        self._called()
        return {"title_zh": "文明寝室", "title_en": "Civilized dorms"}


def decided(i, run):
    app_id = f"app_{run}_{i:06d}"
    return make_event("application.decided", {
        "application_id": app_id, "campaign_id": f"camp_{run}", "program": "civilized_dorms",
        "applicant_id": f"dorm_{i}", "applicant_name": f"{i}号寝室", "unit_id": f"dorm_{i}",
        "college_id": f"college_{i % 20}", "state": "approved", "from_state": "college_approved",
        "reason": "入选", "applicant_user_ids": [f"p_{run}_{i:06d}"], "counselor_ids": [f"p_counselor_{i % 40}"],
    }, "applications", actor={"id": "p_admin", "name": "校学工部管理员"}, event_id=f"{app_id}.9")


def mongo_pid(uri):
    """The pid of the process listening on the Mongo URI's port on this machine, or None."""
    port = urlparse(uri).port or 27017
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            for line in open(table).read().splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":   # LISTEN
                    inodes.add(fields[9])
        except OSError:
            pass
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return int(pid)
        except OSError:
            continue
    return None


def ticks(pid):
    return cpu_ticks([pid]).get(pid, 0) if pid is not None else 0


def run(uri, events, workers, batched, server_pid):
    listener = Commands()
    client = MongoClient(uri, tz_aware=True, event_listeners=[listener])
    db_name = f"bench_intake_{uuid.uuid4().hex[:8]}"
    store = NotificationsStore(client[db_name], {})
    store.ensure_indexes()
    settings = notification_settings({"NOTIFICATIONS": {"CHANNELS": {}}})
    channels = {"inbox": InboxChannel(store.inbox, {})}
    directory, group = Directory(), GroupCommit(max_batch=settings["INTAKE_BATCH"])
    tag = uuid.uuid4().hex[:6]
    envelopes = [decided(i, tag) for i in range(events)]
    now = datetime.now(timezone.utc)

    def one_by_one(envelope):
        return intake.receive(store, directory, channels, settings, envelope, now)

    def together(envelope):
        return group.submit(envelope, lambda batch: intake.receive_many(store, directory, channels, settings,
                                                                        batch, now))

    listener.seen.clear()
    cpu, server = time.process_time(), ticks(server_pid)
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(together if batched else one_by_one, envelopes))
    seconds = time.perf_counter() - started
    cpu, server = time.process_time() - cpu, (ticks(server_pid) - server) / HZ
    planned = sum(1 for r in results if r["planned"])
    deliveries = sum(r["deliveries"] for r in results)
    assert planned == events and deliveries == 2 * events, (planned, deliveries)
    client.drop_database(db_name)
    client.close()
    return {"seconds": seconds, "rate": events / seconds, "commands": len(listener.seen) / events,
            "directory": directory.calls / events, "cpu_ms": cpu * 1000 / events,
            "server_ms": server * 1000 / events if server_pid else None}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mongo", required=True)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=10)
    args = parser.parse_args()
    pid = mongo_pid(args.mongo)
    print(f"{args.events:,} application.decided events, {args.workers} workers, Mongo server pid {pid}; "
          f"load {open('/proc/loadavg').read().split()[:3]}")
    rows = [("one by one (each handler on its own)", run(args.mongo, args.events, args.workers, False, pid)),
            ("together (group commit)", run(args.mongo, args.events, args.workers, True, pid))]
    print(f"  {'':<38} {'events/s':>9} {'commands':>9} {'directory':>10} {'CPU ms':>7} {'server ms':>10}")
    for name, r in rows:
        server = f"{r['server_ms']:10.2f}" if r["server_ms"] is not None else f"{'-':>10}"
        print(f"  {name:<38} {r['rate']:9.0f} {r['commands']:9.2f} {r['directory']:10.2f} {r['cpu_ms']:7.2f} "
              f"{server}   (per event)")
    (_, a), (_, b) = rows
    print(f"  together / one by one: {b['rate'] / a['rate']:.1f}x the events/s, "
          f"{b['commands'] / a['commands']:.2f}x the commands, {b['cpu_ms'] / a['cpu_ms']:.2f}x this process's CPU"
          + (f", {b['server_ms'] / a['server_ms']:.2f}x the server's CPU" if a["server_ms"] else ""))


if __name__ == "__main__":
    main()
