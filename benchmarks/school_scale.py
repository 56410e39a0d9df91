"""School scale: a school-level 文明寝室 campaign of N dorms with its roster, through the
HTTP API, on a platform of its own (`deploy/platform up` on a fresh vhost, Mongo port,
gateway port and run directory; nothing else running here is touched).

    .venv/bin/python benchmarks/school_scale.py --quick          # N = 1,000 (a few minutes)
    .venv/bin/python benchmarks/school_scale.py --dorms 500 1000 5000 --students-per-dorm 6
    .venv/bin/python benchmarks/school_scale.py --dorms 10000 --http-dorms 500 --lists-only

For each N it prints, measured in the same run (ratios matter more than seconds on a
shared machine):
  * roster import: rows/s of the registrar file (N dorms x students per dorm) as a job;
  * submit: dorm leaders create and submit their applications with C clients; the
    throughput as a ratio to GET /api/ping throughput by the same clients, and each
    part's CPU milliseconds per request beside the ping's (database server, broker,
    gateway, each service);
  * list pages p50/p95 (first page and a deep page by key, school admin and counselor),
    the counselor's review queue (submitted, first page); with --lists-only a size
    stops here;
  * automatic assignment (5 reviewers each); then every sheet scored (a few by
    reviewers over HTTP, the rest copies of one with marks of their own:
    scale_seed.copy_scored; not timed); computing the results (the preview, a job;
    then reading the stored preview whole, as the API gives it, and the
    window the campaign page reads); the 申报汇总表 export;
    publishing (close applications, the publish job, then the notice, as the admin
    does); finalising (the job deciding every application), and the export again
    once every application is decided, each in seconds. The
    notice period is the one thing not waited for: it is moved into the past in the
    database, as the integration tests' `end_period` does (benchmark-only);
  * the pages people open, rendered, p50/p95: the campaign page (one page of its
    assignments, one window of its ranking, the newest applications) and a deep
    ranking window, the review queue and one review page, the dashboard, a reviewer's
    list, a people search by 学号;
  * CPU at rest afterwards, once the platform's queues are empty (the events of the
    last steps consumed): the platform's processes (gateway, services, programs, the
    Mongo server, `up` itself, each with the children it started and reaped meanwhile)
    over REST_SECONDS, from /proc, as a share of one core.
"""
import argparse
import csv
import io
import os
import re
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import requests  # noqa: E402
from pymongo import MongoClient  # noqa: E402
from urllib3.util.retry import Retry  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402

import core.rpc_errors  # noqa: E402,F401
from core.mongo import count  # noqa: E402
from deploy.demo_data import DEMO_PASSWORD  # noqa: E402
from gateway.web.pages_admin import RANKING_PAGE  # noqa: E402
from services.applications.directory import unit_id  # noqa: E402
from services.scoring.store import pair_id  # noqa: E402
from tests.platform_up import PlatformUp  # noqa: E402

sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
import scale_seed  # noqa: E402

COLLEGES = {"me": ("college_me", "机电与信息工程学院", "counselor_me"),
            "em": ("college_em", "经济管理学院", "counselor_em")}
REVIEWERS = 10
# Sheets scored over HTTP by reviewers (one each); the others are copies (scale_seed).
SCORED_OVER_HTTP = 3
# What a reviewer scores for an 环境优美型 dorm (FORM's type): plugins/civilized_dorms/program.py.
REVIEWED_LEAVES = ("convention", "env_beautification", "env_culture", "env_aesthetics")
REST_SECONDS = 60
FORM = {"types": ["environment"], "culture_theme": "寝室文化", "convention": "按时作息，互帮互助，保持整洁，节约水电。",
        "work_basis": "寝室坚持理论学习，成员团结，积极参加学院活动。", "goals": "建设文明、和谐的示范寝室。",
        "measures": "每周大扫除，每月一次寝室主题活动。",
        "expected_outputs": [{"id": "o1", "description": "寝室文化墙一面"}]}


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))] * 1000


class Client:
    def __init__(self, base, login, password=DEMO_PASSWORD):
        self.base = base
        self.session = requests.Session()
        # A GET sent on a keep-alive connection the gateway is closing as idle (gunicorn's
        # keepalive; clients wait their turn on a loaded machine) is reset: sent again.
        self.session.mount("http://", requests.adapters.HTTPAdapter(max_retries=Retry(
            total=2, connect=2, read=2, status=0, allowed_methods=frozenset({"GET"}), raise_on_status=False)))
        token = requests.post(f"{base}/api/auth/login", json={"login": login, "password": password},
                              timeout=60).json()["token"]
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method, path, **kwargs):
        response = self.session.request(method, self.base + path, timeout=300, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response

    def job(self, method, path, **kwargs):
        """Start a job and wait for it; (job, seconds from the request to its end)."""
        started = time.perf_counter()
        job = self.call(method, path, **kwargs).json()
        while job["state"] in ("queued", "running"):
            time.sleep(0.2)
            job = self.call("GET", f"/api/jobs/{job['id']}").json()
        if job["state"] != "succeeded":
            raise RuntimeError(f"job {job['kind']} failed: {job.get('error')}")
        return job, time.perf_counter() - started


def roster_csv(run, dorms, per_dorm, grade):
    """The registrar's file: per_dorm students in each dorm, dorms split over two colleges."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["学号", "姓名", "学院", "班级", "年级", "宿舍", "政治面貌", "党支部", "退伍军人"])
    leaders = []
    for d in range(dorms):
        key = "me" if d % 2 == 0 else "em"
        college_name = COLLEGES[key][1]
        dorm = f"压测{run}苑{d // 300 + 1}号楼{d % 300 + 1:03d}"
        klass = f"压测{run}{key}{d // 30:03d}班"
        for k in range(per_dorm):
            number = f"9{run}{d:05d}{k}"
            writer.writerow([number, f"学生{d}-{k}", college_name, klass, grade, dorm, "共青团员", "", "否"])
            if k == 0:
                leaders.append((number, key, dorm, klass))
    return out.getvalue().encode("utf-8"), leaders


def timed(fn, repeat):
    values = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        values.append(time.perf_counter() - started)
    return values


def platform_pids(run_dir):
    """The processes `up` started for this platform (its pid files) and all their
    descendants (supervisord's programs, and the gateway's gunicorn workers below them)."""
    pids = set()
    for folder, _dirs, files in os.walk(run_dir):
        for name in files:
            if name.endswith(".pid"):
                try:
                    pids.add(int(open(os.path.join(folder, name)).read().strip()))
                except (OSError, ValueError):
                    pass
    parents = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                parents[int(pid)] = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    grown = True
    while grown:
        more = {pid for pid, ppid in parents.items() if ppid in pids} - pids
        pids |= more
        grown = bool(more)
    return pids


def broker_pids():
    """The RabbitMQ node's Erlang VM (beam.smp), if it runs on this machine."""
    found = set()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if "beam" in open(f"/proc/{pid}/comm").read():
                    found.add(int(pid))
            except OSError:
                pass
    return found


HZ = os.sysconf(os.sysconf_names["SC_CLK_TCK"])


def cpu_ticks(pids):
    """{pid: CPU clock ticks so far}: its own time and its waited-for children's (a
    process it starts and reaps between two looks, e.g. `up`'s watcher asking
    supervisorctl)."""
    out = {}
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            out[pid] = sum(int(f) for f in fields[11:15])
        except (OSError, IndexError, ValueError):
            pass
    return out


def process_name(pid, limit=90):
    try:
        return open(f"/proc/{pid}/cmdline").read().replace("\0", " ").strip()[:limit]
    except OSError:
        return str(pid)


def per_process(pids, seconds):
    """CPU share of one core of each pid over `seconds` (name, share), busiest first;
    a pid's share includes the children it started and reaped meanwhile."""
    before, started = cpu_ticks(pids), time.time()
    time.sleep(seconds)
    after, elapsed = cpu_ticks(pids), time.time() - started
    rows = [(process_name(pid), (value - before.get(pid, value)) / HZ / elapsed) for pid, value in after.items()]
    return sorted(rows, key=lambda r: -r[1])


def role_of(name):
    """A platform process's part, for the CPU-per-request table."""
    for needle, role in (("nx-27017", "database server (nx-27017)"), ("beam", "broker (RabbitMQ)"),
                         ("gunicorn", "gateway (gunicorn)"), ("plugins.", "program services")):
        if needle in name:
            return role
    found = re.search(r"services\.(\w+)\.service", name)
    return f"{found.group(1)} service" if found else "other"


class CpuPerRequest:
    """CPU milliseconds per request of each part of the platform (database server,
    broker, gateway, each service) over a phase: what a request costs the machine,
    which is what bounds throughput on a busy 2-core machine."""

    def __init__(self, run_dir):
        self.pids = platform_pids(run_dir) | broker_pids()
        self.names = {pid: process_name(pid, None) for pid in self.pids}

    def __enter__(self):
        self.before = cpu_ticks(self.pids)
        return self

    def __exit__(self, *exc):
        self.after = cpu_ticks(self.pids)

    def per_request(self, requests):
        parts = {}
        for pid, value in self.after.items():
            role = role_of(self.names[pid])
            parts[role] = parts.get(role, 0.0) + (value - self.before.get(pid, value)) / HZ * 1000 / requests
        return parts


def cpu_line(cpu, seconds):
    """Where a bulk job's wall time went: each part's CPU seconds over the job (those
    above 0.1 s), so a job waiting on one busy process shows as that process near the
    job's seconds, and the machine's two cores as their sum near twice them."""
    parts = sorted(((ms / 1000, role) for role, ms in cpu.per_request(1).items() if ms >= 100), reverse=True)
    return (f"    CPU over the job's {seconds:.1f} s: " + ", ".join(f"{role} {sec:.1f} s" for sec, role in parts)
            + f" (all {sum(sec for sec, _ in parts):.1f} s)")


def cpu_at_rest(run_dir, seconds=REST_SECONDS):
    """(platform share of one core, its process count, the shared broker's share, the
    platform's (name, share) busiest first) over the same `seconds`."""
    broker = {}
    thread = threading.Thread(target=lambda: broker.update(rows=per_process(broker_pids(), seconds)))
    thread.start()
    rows = per_process(platform_pids(run_dir), seconds)
    thread.join()
    return sum(s for _, s in rows), len(rows), sum(s for _, s in broker.get("rows", [])), rows


def run_school(platform, config, dorms, per_dorm, clients, report, http_dorms=None, lists_only=False):
    """The campaign of `dorms` dorms, step by step, each step's figures `report`ed; a
    function timing the pages afterwards, or None with `lists_only` (it stops after
    the list pages: the issue's 10,000-application list target without the rest)."""
    base = platform.base_url
    run = uuid.uuid4().hex[:3]
    run = str(int(run, 16) % 1000).zfill(3)
    admin = Client(base, "admin")
    now = datetime.now(timezone.utc)
    year = f"{now.year}-{now.year + 1}"
    grade = now.year - 1

    # -- roster import (a job) -----------------------------------------------------
    data, leaders = roster_csv(run, dorms, per_dorm, grade)
    job, seconds = admin.job("POST", "/api/directory/students", data={"school_id": "school_demo"},
                             files={"file": ("学生名单.csv", data, "text/csv")})
    rows = job["result"]["imported"]
    report(f"roster import           {rows:>7} rows  {seconds:7.1f} s  {rows / seconds:8.0f} rows/s")

    # -- leaders and reviewers (over RPC: the registrar's file has no roles) ------------
    people = []
    for number, key, dorm_name, class_name in leaders:
        college = COLLEGES[key][0]
        dorm, klass = unit_id("dorm", college, dorm_name), unit_id("class", college, class_name)
        people.append({"_id": f"p_{number}", "login": number, "name": f"寝室长{number}", "student_no": number,
                       "school_id": "school_demo", "college_id": college, "class_id": klass, "dorm_id": dorm,
                       "branch_id": None, "grade": grade, "political_status": "league_member", "veteran": False,
                       "password": DEMO_PASSWORD,
                       "roles": [{"role": "student", "unit_id": klass}, {"role": "dorm_leader", "unit_id": dorm}]})
    with ClusterRpcProxy(config, timeout=600) as cluster:
        reviewers = [{"_id": f"p_bench_rev_{run}_{i}", "login": f"bench_rev_{run}_{i}", "name": f"专家{i}",
                      "school_id": "school_demo", "password": DEMO_PASSWORD,
                      "roles": [{"role": "reviewer", "unit_id": "school_demo"}]} for i in range(REVIEWERS)]
        for start in range(0, len(people), 500):
            cluster.applications.seed_directory([], people[start:start + 500])
        cluster.applications.seed_directory([], reviewers)

    campaign = admin.call("POST", "/api/campaigns", json={
        "program": "civilized_dorms", "title": f"{year} 学年文明寝室（压测 {run}）", "academic_year": year,
        "unit_id": "school_demo", "application_opens_at": (now - timedelta(minutes=5)).isoformat(),
        "application_closes_at": (now + timedelta(hours=6)).isoformat(),
        "review_opens_at": (now + timedelta(hours=6, minutes=1)).isoformat(),
        "review_closes_at": (now + timedelta(days=30)).isoformat()}).json()
    cid = campaign["id"]

    # -- submit burst vs ping --------------------------------------------------------
    over_http = leaders[:http_dorms] if http_dorms else leaders
    with ThreadPoolExecutor(clients) as pool:
        sessions = list(pool.map(lambda leader: Client(base, leader[0]), over_http))
    lock, submit_lat, app_ids, done_order = threading.Lock(), [], {}, []

    def submit(i):
        me = sessions[i]
        started = time.perf_counter()
        app = me.call("POST", f"/api/campaigns/{cid}/applications", json={"form": FORM},
                      headers={"Idempotency-Key": f"bench-{cid}-{i}"}).json()
        me.call("POST", f"/api/applications/{app['id']}/actions", json={"action": "submit"})
        with lock:
            submit_lat.append(time.perf_counter() - started)
            app_ids[i] = app["id"]
            done_order.append(i)

    started = time.perf_counter()
    with CpuPerRequest(platform.run_dir) as submit_cpu, ThreadPoolExecutor(clients) as pool:
        list(pool.map(submit, range(len(sessions))))
    submit_seconds = time.perf_counter() - started
    ping_lat = []

    def ping(i):
        t = time.perf_counter()
        sessions[i].call("GET", "/api/ping")
        with lock:
            ping_lat.append(time.perf_counter() - t)

    started = time.perf_counter()
    with CpuPerRequest(platform.run_dir) as ping_cpu, ThreadPoolExecutor(clients) as pool:
        list(pool.map(ping, [i % len(sessions) for i in range(2 * len(sessions))]))   # as many requests
    ping_seconds = time.perf_counter() - started
    submit_rps, ping_rps = 2 * len(sessions) / submit_seconds, len(ping_lat) / ping_seconds
    report(f"submit (create+submit)  {len(sessions):>7} apps  {submit_rps:7.1f} req/s vs ping {ping_rps:6.1f} req/s"
           f" = {submit_rps / ping_rps:.2f}x   p50 {percentile(submit_lat, 50):.0f} ms"
           f"   (ping p50 {percentile(ping_lat, 50):.0f} ms p95 {percentile(ping_lat, 95):.0f} ms: the baseline"
           f" for the pages below)")
    # Where a request's CPU goes: on a machine this busy, throughput is CPU bound, so
    # the ratio to ping is about the ratio of these sums.
    burst, pinged = submit_cpu.per_request(2 * len(sessions)), ping_cpu.per_request(len(ping_lat))
    report(f"  CPU ms per request      {'create/submit':>14} {'ping':>8}")
    for role in sorted(burst, key=lambda r: -burst[r]):
        report(f"    {role:<28} {burst[role]:10.1f} {pinged.get(role, 0.0):8.1f}")
    report(f"    {'all':<28} {sum(burst.values()):10.1f} {sum(pinged.values()):8.1f}")

    # -- the other dorms' applications as copies (--http-dorms) ------------------------
    mongo = MongoClient(platform.mongo_uri, tz_aware=True)
    db = scale_seed.applications_db(mongo)
    rest = leaders[len(sessions):]
    seeded = []
    if rest:
        real = {doc["college_id"]: doc for doc in db.applications.find({"_id": {"$in": list(app_ids.values())}})}
        oldest = min(doc["updated_ts"] for doc in real.values())
        started = time.perf_counter()
        seeded = scale_seed.copy_submitted(
            db, cid, real, [(number, COLLEGES[key][0], unit_id("dorm", COLLEGES[key][0], dorm), dorm)
                            for number, key, dorm, _klass in rest], oldest - len(rest) * 0.01 - 1)
        for n, app_id in enumerate(seeded):
            app_ids[len(sessions) + n] = app_id
        done_order[:0] = [len(sessions) + n for n in range(len(seeded))]   # older than the real ones
        report(f"seeded (copies, bulk)   {len(seeded):>7} apps  {time.perf_counter() - started:7.1f} s"
               f"   ({len(app_ids)} in the campaign)")

    # -- lists ------------------------------------------------------------------------
    counselors = {key: Client(base, COLLEGES[key][2]) for key in COLLEGES}
    for who, client, mine in (("admin", admin, done_order),
                              ("counselor", counselors["me"], [i for i in done_order if i % 2 == 0])):
        # Lists run newest first; the last page starts after the 51st-oldest submission
        # (submissions end in done_order's order, so this is the last page give or take).
        first = timed(lambda: client.call("GET", f"/api/applications?campaign_id={cid}&limit=50"), 20)
        last_id = app_ids[mine[min(50, len(mine) - 1)]]
        deep = timed(lambda: client.call("GET", f"/api/applications?campaign_id={cid}&limit=50&after={last_id}"), 20)
        report(f"list page ({who:<9})    first p50 {percentile(first, 50):6.0f} ms p95 {percentile(first, 95):6.0f} ms"
               f"   last p50 {percentile(deep, 50):6.0f} ms p95 {percentile(deep, 95):6.0f} ms")
    queue = timed(lambda: counselors["me"].call("GET", f"/api/applications?campaign_id={cid}&state=submitted&limit=50"),
                  10)
    report(f"review queue (counselor) p50 {percentile(queue, 50):6.0f} ms p95 {percentile(queue, 95):6.0f} ms")
    if lists_only:
        mongo.close()
        return None

    # -- counselors approve (setup for assignment; not timed) ----------------------------
    def approve(i):
        key = "me" if i % 2 == 0 else "em"
        counselors[key].call("POST", f"/api/applications/{app_ids[i]}/actions", json={"action": "college_approve"})

    sample = app_ids[0]
    before = db.applications.find_one({"_id": sample})
    seen = scale_seed.audit_seqs(db, sample)
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(approve, range(len(sessions))))
    if seeded:
        after = db.applications.find_one({"_id": sample})
        for _ in range(300):   # its audit entry is out (the step's outbox finished)
            if after.get("outbox_ts") is None:
                break
            time.sleep(0.1)
            after = db.applications.find_one({"_id": sample})
        started = time.perf_counter()
        scale_seed.copy_step(db, before, seen, after, seeded)
        report(f"seeded (approved, bulk) {len(seeded):>7} apps  {time.perf_counter() - started:7.1f} s")
    mongo.close()

    # -- bulk jobs --------------------------------------------------------------------
    scoring = f"/api/scoring/campaigns/{cid}"
    admin.call("PUT", scoring + "/setup", json={"reviewers_per_application": 5, "version": 0,
                                               "reviewer_ids": [r["_id"] for r in reviewers]})
    with CpuPerRequest(platform.run_dir) as cpu:
        job, seconds = admin.job("POST", scoring + "/assignments/auto")
    report(f"assignment (5 each)     {job['result'].get('created_count', len(job['result']['created'])):>7} made  {seconds:7.1f} s")
    report(cpu_line(cpu, seconds))

    # -- reviewers score: a few sheets over HTTP, the rest copies of one (not timed) -------
    marks = scale_seed.varied_marks(REVIEWED_LEAVES)
    over_http = []
    for reviewer in reviewers[:SCORED_OVER_HTTP]:
        me = Client(base, reviewer["login"])
        mine = me.call("GET", f"/api/scoring/assignments/mine?campaign_id={cid}").json()
        aid = mine[0]["application_id"]
        sheet_id = pair_id(cid, aid, reviewer["_id"])
        sheet = me.call("POST", f"{scoring}/applications/{aid}/sheet/submit", json={"scores": marks(sheet_id)}).json()
        assert sheet["state"] == "submitted", sheet
        over_http.append(sheet_id)
    mongo = MongoClient(platform.mongo_uri, tz_aware=True)
    sdb = scale_seed.scoring_db(mongo)
    for _ in range(300):   # the template's audit entry is out (its outbox finished)
        template = sdb.sheets.find_one({"_id": over_http[0]})
        if template.get("outbox_ts") is None:
            break
        time.sleep(0.1)
    unscored = [a for a in sdb.assignments.find({"campaign_id": cid}) if a["_id"] not in set(over_http)]
    started = time.perf_counter()
    copied = scale_seed.copy_scored(sdb, template, unscored, {r["_id"]: r["name"] for r in reviewers}, marks)
    report(f"scored (bulk copies)     {copied:>7} sheets {time.perf_counter() - started:6.1f} s   (+{len(over_http)} over HTTP)")

    job, seconds = admin.job("POST", scoring + "/results/compute")
    if job["result"].get("problem"):   # the job succeeds with the problem as its preview: no figure then
        raise RuntimeError(f"results could not be computed: {job['result']['problem']}")
    report(f"results (compute job)   {len(app_ids):>7} apps  {seconds:7.1f} s")
    stored = timed(lambda: admin.call("GET", scoring + "/results"), 10)     # whole, as the API gives it
    report(f"results (stored, read)  p50 {percentile(stored, 50):6.0f} ms p95 {percentile(stored, 95):6.0f} ms   (whole)")
    window = timed(lambda: admin.call("GET", scoring + f"/results?limit={RANKING_PAGE}"), 10)   # as the page does
    report(f"results (stored, window) p50 {percentile(window, 50):5.0f} ms p95 {percentile(window, 95):6.0f} ms   "
           f"({RANKING_PAGE} rows, as the campaign page reads it)")
    job, seconds = admin.job("POST", f"/api/campaigns/{cid}/exports/summary")
    report(f"export 申报汇总表        {job['result']['rows']:>7} rows  {seconds:7.1f} s")

    # -- publish and notice, as the admin does: close applications, publish (a job), put
    # the list on notice (refused until the applications service has the shortlist) -----
    admin.call("POST", f"/api/campaigns/{cid}/window", json={"action": "close"})
    with CpuPerRequest(platform.run_dir) as cpu:
        job, publish_seconds = admin.job("POST", scoring + "/results/publish", json={})
    report(cpu_line(cpu, publish_seconds) + "   (the publish job)")
    selected, rest_count = len(job["result"]["selected"]), len(job["result"]["rest"])
    started = time.perf_counter()
    while True:
        response = admin.session.post(f"{base}/api/campaigns/{cid}/notice", json={}, timeout=300)
        if response.status_code != 409 or time.perf_counter() - started > 300:
            break
        time.sleep(0.2)
    if response.status_code >= 400:
        raise RuntimeError(f"notice: {response.status_code} {response.text[:300]}")
    notice, notice_seconds = response.json(), time.perf_counter() - started
    report(f"publish (job + notice)  {selected:>7} selected {rest_count} not  {publish_seconds + notice_seconds:7.1f} s"
           f"   (publish job {publish_seconds:.1f} s, notice {notice_seconds:.1f} s, {len(notice['entries'])} entries)")

    # -- the notice period passes (the one override: the database, as end_period) --------
    end_notice_period(scale_seed.applications_db(mongo), notice["id"])
    mongo.close()
    with CpuPerRequest(platform.run_dir) as cpu:
        job, seconds = admin.job("POST", f"/api/notices/{notice['id']}/finalise")
    result = job["result"]
    report(f"finalise (job)          {result['decided']:>7} decided  {seconds:7.1f} s"
           f"   ({len(result['entries'])} on the final list"
           + (f", {result['nominated']} nominated)" if "nominated" in result else ")"))
    report(cpu_line(cpu, seconds))
    # The same export once the list is final: every application was decided by one bulk
    # step, at one time (updated_ts), which the lists page by.
    job, seconds = admin.job("POST", f"/api/campaigns/{cid}/exports/summary")
    report(f"export after finalise   {job['result']['rows']:>7} rows  {seconds:7.1f} s")

    # -- the pages people open, rendered (HTML), at this size: timed by main() once the
    # platform is quiet again (finalising leaves thousands of notifications to send) -----
    return lambda: time_pages(base, cid, app_ids, reviewers, leaders, report)


def time_pages(base, cid, app_ids, reviewers, leaders, report):
    """p50/p95 of the pages a school admin, a reviewer and a counselor open."""
    web_admin = WebClient(base, "admin")
    some_app = app_ids[len(app_ids) // 2]
    for name, client, path, repeat in (
            ("campaign page (admin)", web_admin, f"/admin/campaigns/{cid}", 5),
            ("ranking page 20 (admin)", web_admin, f"/admin/campaigns/{cid}?ranking_from=2000", 5),
            ("review queue page (admin)", web_admin, f"/review?campaign_id={cid}&state=all", 5),
            ("review page (admin)", web_admin, f"/review/applications/{some_app}?campaign_id={cid}&state=all", 5),
            ("dashboard (admin)", web_admin, f"/dashboard?campaign_id={cid}", 3),
            ("my reviews (reviewer)", WebClient(base, reviewers[0]["login"]), "/reviews", 3),
            ("people search 学号", web_admin, f"/people?q={leaders[len(leaders) // 2][0]}", 5)):
        times = timed(lambda: client.page(path), repeat)
        report(f"{name:<26} p50 {percentile(times, 50):6.0f} ms p95 {percentile(times, 95):6.0f} ms")
        if path.startswith("/dashboard"):
            wait_for_dashboard(web_admin, path, report)


def wait_for_dashboard(client, path, report):
    """A large campaign's dashboard is counted by a job its first look starts: wait
    for it, so that the pages after it and the rest are not measured beside it."""
    started = time.perf_counter()
    while "data-job-url" in client.page(path).text:
        if time.perf_counter() - started > 120:
            raise RuntimeError("the dashboard's counting job did not end within 120 s")
        time.sleep(0.5)
    report(f"{'dashboard counted (job)':<26} {time.perf_counter() - started:6.1f} s after its last look")


class WebClient:
    """A person logged in through the login form (session cookie), reading pages."""

    def __init__(self, base, login, password=DEMO_PASSWORD):
        self.base = base
        self.session = requests.Session()
        form = self.session.get(f"{base}/login", timeout=60).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        done = self.session.post(f"{base}/login", data={"login": login, "password": password, "csrf_token": token},
                                 allow_redirects=False, timeout=60)
        if done.status_code != 302:
            raise RuntimeError(f"page log-in of {login}: {done.status_code}")

    def page(self, path):
        response = self.session.get(self.base + path, timeout=300)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path}: {response.status_code} {response.text[:300]}")
        return response


def end_notice_period(db, notice_id):
    """Benchmark-only time travel, as the integration tests' end_period: the notice
    version's period moved into the past in the applications database (a
    whole-document replace, as the store writes times)."""
    doc = db.notices.find_one({"_id": notice_id})
    past = datetime.now(timezone.utc) - timedelta(seconds=1)
    doc.update(opens_at=past - timedelta(days=doc["days"]), closes_at=past)
    if db.notices.replace_one({"_id": notice_id}, doc).modified_count != 1:
        raise RuntimeError(f"notice {notice_id}: its period was not moved")

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dorms", type=int, nargs="+", default=[5000])
    parser.add_argument("--quick", action="store_true", help="N = 1,000 only")
    parser.add_argument("--students-per-dorm", type=int, default=6)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--http-dorms", type=int, default=None,
                        help="only this many dorms log in and submit over HTTP; the others' applications are "
                             "copies of theirs (scale_seed.py), approved as theirs were (default: all over HTTP)")
    parser.add_argument("--keep", action="store_true", help="keep the platform up at the end until Enter")
    parser.add_argument("--lists-only", action="store_true",
                        help="stop each size after the list pages (e.g. --dorms 10000 --http-dorms 500 --lists-only)")
    args = parser.parse_args()
    sizes = [1000] if args.quick else args.dorms
    run_dir = tempfile.mkdtemp(prefix="cx-school-scale-")
    platform = PlatformUp("scale", run_dir, timeout=600)
    print(f"starting a platform of its own ({platform.base_url}, run directory {run_dir}) ...", flush=True)
    config = {"AMQP_URI": f"amqp://guest:guest@127.0.0.1:5672/{platform.vhost}"}
    try:   # (from the start: stopped however the run ends, even while it starts)
        said = platform.start()
        # Keep reading what `up` prints, so that it never blocks on a full pipe.
        threading.Thread(target=lambda: [None for _ in platform.process.stdout], daemon=True).start()
        try:
            requests.get(f"{platform.base_url}/healthz", timeout=30)
        except requests.ConnectionError:
            print(said[-3000:])   # why `up` did not get the gateway going
            raise
        print(f"load before: {open('/proc/loadavg').read().strip()}")
        for n in sizes:
            print(f"\n== N = {n} dorms, {n * args.students_per_dorm} students ==", flush=True)
            pages = run_school(platform, config, n, args.students_per_dorm, args.clients,
                               lambda line: print(line, flush=True), args.http_dorms, args.lists_only)
            waited = wait_for_quiet(platform)
            print(f"(the last steps' events consumed and their notifications sent {waited:.0f} s later:"
                  " the pages and the rest are measured from then)", flush=True)
            if pages is not None:
                pages()
        share, count, broker, rows = cpu_at_rest(run_dir)
        print(f"\nCPU at rest: {share * 100:.2f}% of one core over {REST_SECONDS} s ({count} platform processes);"
              f" RabbitMQ {broker * 100:.2f}% (shared with everything else on this machine: an upper bound)")
        for name, part in rows[:5]:
            print(f"  {part * 100:6.2f}%  {name}")
        print(f"load after: {open('/proc/loadavg').read().strip()}")
        if args.keep:
            input(f"the platform stays up for a look ({platform.base_url}, {run_dir}): Enter stops it ")
    finally:
        subprocess_stop(platform, run_dir)


def wait_for_quiet(platform, limit=900):
    """Wait until the platform has nothing left to do: its queues hold no message
    (finalising 5,000 dorms leaves 5,000 `application.decided` events being consumed)
    and no notification is waiting to be planned or sent (each applicant is told of
    the decision, within the channels' rate limits): seconds waited."""
    started = time.time()
    wait_for_quiet_queues(platform.vhost, limit)
    mongo = MongoClient(platform.mongo_uri)
    db = mongo[[n for n in mongo.list_database_names() if n.endswith("_notifications")][0]]
    while time.time() - started < limit:
        waiting = count(db.deliveries, {"due_ts": {"$ne": None}}) + count(db.events, {"plan_due_ts": {"$ne": None}})
        if not waiting:
            break
        time.sleep(5)
    mongo.close()
    return time.time() - started


def wait_for_quiet_queues(vhost, limit=600):
    """Wait until the vhost's queues hold no message."""
    from tests.platform_up import AUTH, MGMT
    started = time.time()
    while time.time() - started < limit:
        queues = requests.get(f"{MGMT}/api/queues/{requests.utils.quote(vhost, safe='')}", auth=AUTH, timeout=30).json()
        if sum(q.get("messages", 0) for q in queues) == 0:
            time.sleep(6)    # (the management API's figures lag by its 5 s statistics interval)
            queues = requests.get(f"{MGMT}/api/queues/{requests.utils.quote(vhost, safe='')}", auth=AUTH,
                                  timeout=30).json()
            if sum(q.get("messages", 0) for q in queues) == 0:
                break
        time.sleep(2)
    return time.time() - started


def subprocess_stop(platform, run_dir):
    """Stop the platform this run started (its own `platform stop`), then its vhost."""
    import subprocess
    env = dict(os.environ, CX_RUN_DIR=run_dir)
    subprocess.run([os.path.join(ROOT, "deploy", "platform"), "stop"], cwd=ROOT, env=env, timeout=120,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if platform.process is not None:
        platform.process.wait(timeout=60)
    platform.delete_vhost()


if __name__ == "__main__":
    main()
