"""Three hosts, one RabbitMQ cluster, a node and a host's services lost during a burst.

The hosts are Linux network namespaces on this machine (tests/netns_hosts.py), each
with its own address and ports. Each runs one node of a three-node RabbitMQ cluster
(quorum queues: `AMQP_QUEUE_TYPE: quorum`, core/bus.py), and copies of the services
as `deploy/processes.py` lists them, started as separate processes with the
production settings (a broker user of their own, a real secret key, not demo mode):

    host a: every service, the program, a gateway     (its node: never killed)
    host b: applications, notifications, accounts, the program, a gateway
    host c: applications, scoring, funding, records, accounts, the program

Each process lists its own host's node first in AMQP_URI and the others after it
(kombu's failover). The database is one nx-27017 server on the bridge (production:
a replica set, docs/OPERATIONS.md).

A client burst of create + upload + submit, alternating the two gateways and moving
to the other gateway or retrying with the same Idempotency-Key on 503, a refused or
dropped connection or a timeout — what a load balancer and a client do — runs while
host b's broker node is SIGKILLed and then every service process on host c is. It
must end with every submission accepted exactly once: counted in the database and by
a plain AMQP consumer of `application.submitted` (a quorum queue declared before
the burst). The figures are printed: requests retried and why, seconds from each
kill to the first accepted request through each gateway, the burst's length.
"""
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
import uuid

import eventlet
import pytest
import requests
from kombu import Connection, Exchange, Queue
from pymongo import MongoClient

from tests import netns_hosts
from tests.integration.faults.conftest import good_form, seed_branches, wait_registered
from tests.integration.helpers import PDF
from tests.rabbit_node import RabbitNode, free_port, port_open

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
APPLICATIONS = 200
PER_SECRETARY = 5
SERVICES_ON = {
    0: ["applications", "scoring", "funding", "notifications", "records", "accounts", "pilot_branches", "gateway"],
    1: ["applications", "notifications", "accounts", "pilot_branches", "gateway"],
    2: ["applications", "scoring", "funding", "records", "accounts", "pilot_branches"],
}
NODE_KILLED, HOST_KILLED = 1, 2
USER, VHOST = "cx", "chuangxian"
T0 = time.monotonic()


def say(what):
    print(f"[{time.monotonic() - T0:6.1f}s] {what}", flush=True)


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"{what} within {seconds} s"
        eventlet.sleep(0.3)


class Cluster:
    """The hosts, their broker nodes, the database and the platform's processes."""

    def __init__(self):
        self.base = tempfile.mkdtemp(prefix="cx-multihost-")
        self.hosts = netns_hosts.NetnsHosts.create(3)
        self.nodes, self.services, self.mongo = [], {}, None
        self.password = secrets.token_hex(18)   # urlsafe may start with "-": rabbitmqctl reads an option
        self.prefix = f"mh{uuid.uuid4().hex[:6]}"

    # -- broker ------------------------------------------------------------
    def start_brokers(self):
        home = os.path.join(self.base, "erlang-home")          # one Erlang cookie for the cluster
        os.makedirs(home)
        cookie = os.path.join(home, ".erlang.cookie")
        with open(cookie, "w") as handle:
            handle.write(secrets.token_hex(16).upper())
        os.chmod(cookie, 0o400)
        self.nodes = [RabbitNode("rabbit", os.path.join(self.base, f"node{i}"), home=home,
                                 netns=self.hosts.names[i], host=self.hosts.ip(i)) for i in range(3)]
        pool = eventlet.GreenPool()
        for node in self.nodes:
            pool.spawn(node.start, 180)
        pool.waitall()
        for node in self.nodes[1:]:
            node.ctl("stop_app")
            node.ctl("join_cluster", self.nodes[0].nodename)
            node.ctl("start_app")
        first = self.nodes[0]
        first.ctl("add_user", USER, self.password)
        first.ctl("add_vhost", VHOST)
        first.ctl("set_permissions", "-p", VHOST, USER, ".*", ".*", ".*")

    def uri(self, i):
        return f"amqp://{USER}:{self.password}@{self.hosts.ip(i)}:5672/{VHOST}"

    def uris_from(self, i):
        """Host `i`'s node first, then the others: kombu fails over in this order."""
        return ";".join(self.uri(j) for j in [i, *[j for j in range(3) if j != i]])

    def queue_types(self):
        """{queue name: "quorum" | "classic"} of the vhost, from the cluster's metadata."""
        listed = self.nodes[0].ctl(
            "eval", f'[{{element(4, amqqueue:get_name(Q)), amqqueue:get_type(Q)}} '
                    f'|| Q <- rabbit_amqqueue:list(<<"{VHOST}">>)].')
        return {name: ("quorum" if kind == "rabbit_quorum_queue" else "classic")
                for name, kind in re.findall(r'\{<<"([^"]+)">>,(\w+)\}', listed)}

    # -- database and processes ---------------------------------------------
    def start_mongo(self):
        port = free_port()
        data = os.path.join(self.base, "mongo")
        os.makedirs(data)
        log = open(os.path.join(self.base, "mongo.out"), "ab")
        self.mongo = subprocess.Popen(
            [os.path.join(ROOT, ".tools/nx-27017/bin/nx-27017"), "--data-dir", data, "--host",
             self.hosts.gateway_ip, "-p", str(port), "--log-file", os.path.join(self.base, "mongo.log"),
             "--pid-file", os.path.join(self.base, "mongo.pid")], stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()
        wait_for(lambda: port_open(port, self.hosts.gateway_ip), 60, "the database listens")
        self.mongo_uri = f"mongodb://{self.hosts.gateway_ip}:{port}"

    def env(self, i):
        env = dict(os.environ)
        env.update(AMQP_URI=self.uris_from(i), AMQP_QUEUE_TYPE="quorum", MONGO_URI=self.mongo_uri,
                   MONGO_DB_PREFIX=self.prefix, PROGRAMS="[pilot_branches]", CX_DEMO="false",
                   GATEWAY_SECRET_KEY=self.password * 3, GATEWAY_BIND=f"{self.hosts.ip(i)}:8000",
                   GATEWAY_WORKERS="1", GATEWAY_THREADS="8", RPC_TIMEOUT_SECONDS="10", RETRY_AFTER_SECONDS="1",
                   GATEWAY_ACCESS_LOG="false", OUTBOX_SWEEP_SECONDS="2", PROMETHEUS_MULTIPROC_DIR="")
        env.pop("PROMETHEUS_MULTIPROC_DIR")
        return env

    def start_services(self):
        from deploy.processes import processes
        commands = {p.name: p.command for p in processes("deploy/config.yml", environ={})}
        for i, names in SERVICES_ON.items():
            for name in names:
                log = os.path.join(self.base, f"{name}-{self.hosts.names[i][-1]}.log")
                argv = ["sh", "-c", f"exec {commands[name]}"]
                self.services.setdefault(i, []).append((name, self.hosts.popen(i, argv, self.env(i), log, ROOT)))

    def kill_services(self, i):
        for _name, process in self.services.get(i, []):
            try:
                os.killpg(process.pid, 9)
            except ProcessLookupError:
                pass
        return len(self.services.get(i, []))

    def died(self):
        return [(name, i) for i, listed in self.services.items() for name, p in listed
                if p.poll() is not None and i != HOST_KILLED]

    def log_tail(self, name, i, lines=15):
        try:
            with open(os.path.join(self.base, f"{name}-{self.hosts.names[i][-1]}.log"), errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def keep_logs(self, folder):
        """Copy every process's log (services, gateways, broker nodes, database) to `folder`."""
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        for directory, _dirs, files in os.walk(self.base):
            for name in files:
                if name.endswith((".log", ".out")):
                    relative = os.path.relpath(os.path.join(directory, name), self.base).replace(os.sep, "_")
                    shutil.copy(os.path.join(directory, name), os.path.join(folder, relative))
        print(f"multi-host logs kept in {folder}", flush=True)

    def close(self):
        for i in list(self.services):
            self.kill_services(i)
        for node in self.nodes:
            node.close()
        if self.mongo is not None:
            self.mongo.kill()
            self.mongo.wait(10)
        self.hosts.close()
        shutil.rmtree(self.base, ignore_errors=True)


class Burst:
    """Clients of two gateways: every request is re-sent (same Idempotency-Key) to
    the next gateway after a 503, a refused/dropped connection or a timeout."""

    def __init__(self, gateways, deadline):
        self.gateways, self.deadline = gateways, deadline
        self.answers = []   # (monotonic time, gateway index, status or error name)
        self.tokens = {}
        self.errors = []    # answers other than 503 at or above 500: (method, path, gateway, status, body)

    def send(self, login, method, path, first_gateway, headers=None, file=None, **kwargs):
        gateway = first_gateway
        while True:
            sent = dict(headers or {})
            if login in self.tokens:
                sent["Authorization"] = f"Bearer {self.tokens[login]}"
            files = {"file": ("申请表.pdf", file, "application/pdf")} if file is not None else None
            try:
                response = requests.request(method, f"{self.gateways[gateway]}{path}", headers=sent, files=files,
                                            timeout=20, **kwargs)
                outcome = response.status_code
            except requests.RequestException as exc:
                response, outcome = None, type(exc).__name__
            self.answers.append((time.monotonic(), gateway, outcome))
            if response is not None and response.status_code >= 500 and response.status_code != 503:
                self.errors.append((method, path, gateway, response.status_code, response.text[:300]))
            if response is not None and response.status_code != 503:
                return response
            assert time.monotonic() < self.deadline, f"{method} {path} still failing at the deadline: {outcome}"
            gateway = (gateway + 1) % len(self.gateways)
            eventlet.sleep(0.5)

    def login(self, login, gateway):
        from deploy.demo_data import DEMO_PASSWORD
        response = self.send(login, "POST", "/api/auth/login", gateway,
                             json={"login": login, "password": DEMO_PASSWORD})
        assert response.status_code == 200, response.text
        self.tokens[login] = response.json()["token"]

    def submit(self, login, campaign_id, branch, gateway):
        created = self.send(login, "POST", f"/api/campaigns/{campaign_id}/applications", gateway,
                            json={"applicant_id": branch, "form": good_form(title=f"项目{branch[-6:]}")},
                            headers={"Idempotency-Key": f"c-{branch}"})
        assert created.status_code in (200, 201), created.text
        app_id = created.json()["id"]
        while True:   # an upload is re-sent only when the application does not have it yet
            sent = self.send(login, "POST", f"/api/applications/{app_id}/attachments", gateway,
                             data={"kind": "application_form"}, file=PDF)
            if sent.status_code == 201:
                break
            current = self.send(login, "GET", f"/api/applications/{app_id}", gateway)
            if any(a["kind"] == "application_form" for a in current.json().get("attachments", [])):
                break
            assert sent.status_code in (409, 422), sent.text
        # Nobody else edits these applications, so any 409 would be a lie: an earlier try
        # that got through is answered as done (same key), and a step whose writer died is
        # 503 until its claim lapses (test_dead_finisher.py).
        done = self.send(login, "POST", f"/api/applications/{app_id}/actions", gateway,
                         json={"action": "submit"}, headers={"Idempotency-Key": f"s-{branch}"})
        assert done.status_code == 200, (app_id, done.text)
        return app_id


@pytest.mark.timeout(480)
def test_a_burst_survives_a_lost_broker_node_and_a_lost_hosts_services():
    reason = netns_hosts.available()
    if reason:
        pytest.skip(reason)
    cluster = Cluster()
    try:
        _run(cluster)
    except BaseException:
        cluster.keep_logs(os.path.join(ROOT, "test-artifacts", "multi-host"))
        raise
    finally:
        cluster.close()


def _run(cluster):
    hosts = cluster.hosts
    cluster.start_brokers()
    say("three broker nodes clustered")
    cluster.start_mongo()
    cluster.start_services()
    gateways = [f"http://{hosts.ip(i)}:8000" for i in (0, 1)]

    def ready():
        assert not cluster.died(), f"processes died at start: {cluster.died()}: " + "".join(
            cluster.log_tail(n, i) for n, i in cluster.died())
        try:
            return all(requests.get(f"{g}/readyz", timeout=2).status_code == 200 for g in gateways)
        except requests.RequestException:
            return False
    wait_for(ready, 180, "both gateways ready")
    config = {"AMQP_URI": cluster.uri(0)}

    wait_registered(config, timeout=120)
    campaign_id, owned = seed_branches(config, APPLICATIONS, PER_SECRETARY)
    types = cluster.queue_types()
    say(f"services up on three hosts; queues: {sorted(types.items())}")
    shared = {n: t for n, t in types.items() if n.startswith(("rpc-", "evt-"))}
    assert shared and set(shared.values()) == {"quorum"}, shared
    assert "rpc-applications" in shared and "rpc-program_pilot_branches" in shared, shared

    # A plain AMQP consumer of application.submitted, as another campus system would be.
    watch = Queue(f"campus-watch-{uuid.uuid4().hex[:6]}",
                  Exchange("applications.events", type="topic", durable=True), routing_key="application.submitted",
                  durable=True, queue_arguments={"x-queue-type": "quorum"})
    with Connection(cluster.uri(0)) as conn:
        watch(conn.channel()).declare()

    burst = Burst(gateways, deadline=time.monotonic() + 240)
    pool = eventlet.GreenPool(60)
    for n, login in enumerate(owned):
        pool.spawn(burst.login, login, n % 2)
    pool.waitall()
    say("logged in; the burst starts")
    expected = 3 * APPLICATIONS    # requests of the burst without retries
    kills = {}

    def chaos():
        """Once the burst has made 15% of its requests, SIGKILL host b's broker node;
        at 40%, every service process of host c: mid-burst however fast or slow this
        machine is today."""
        for share, what in ((0.15, "node"), (0.40, "host")):
            while len(burst.answers) < share * expected:
                eventlet.sleep(0.05)
            kills[what] = time.monotonic()
            if what == "node":
                cluster.nodes[NODE_KILLED].kill()
                say(f"SIGKILLed the broker node of host {hosts.names[NODE_KILLED][-1]}; "
                    f"{len(burst.answers)} answers so far")
            else:
                kills["processes"] = cluster.kill_services(HOST_KILLED)
                say(f"SIGKILLed the {kills['processes']} service processes of host "
                    f"{hosts.names[HOST_KILLED][-1]}; {len(burst.answers)} answers so far")
    chaos_thread = eventlet.spawn(chaos)    # before the jobs: spawning 200 into the pool blocks
    started = time.monotonic()
    jobs = [pool.spawn(burst.submit, login, campaign_id, branch, n % 2)
            for n, (login, branch) in enumerate((login, b) for login, bs in owned.items() for b in bs)]
    app_ids = [job.wait() for job in jobs]
    chaos_thread.wait()
    node_killed_at, host_killed_at, killed = kills["node"], kills["host"], kills["processes"]
    finished = time.monotonic()
    say("burst done")
    assert not cluster.died(), f"processes died: {cluster.died()}"
    assert burst.errors == [], f"server errors other than 503 + Retry-After: {burst.errors[:5]}"

    db = MongoClient(cluster.mongo_uri)[f"{cluster.prefix}_applications"]
    stored = list(db.applications.find({"campaign_id": campaign_id}, {"applicant_id": 1, "state": 1}))
    assert len(stored) == APPLICATIONS and len({a["applicant_id"] for a in stored}) == APPLICATIONS, len(stored)
    assert sorted(a["_id"] for a in stored) == sorted(app_ids) and {a["state"] for a in stored} == {"submitted"}
    assert db.attachments.count_documents({"application_id": {"$in": app_ids}}) == APPLICATIONS
    # A step's audit entry is recorded when its outbox is finished: by the request, or
    # by the sweep when the request's process was killed in between (host c's). So the
    # trail is counted once every outbox is finished, not before.
    wait_for(lambda: not [a for a in db.applications.find({"campaign_id": campaign_id}, {"outbox": 1})
                          if a.get("outbox")], 60, "every outbox finished")
    submits = {}
    for entry in db.audit.find({"application_id": {"$in": app_ids}, "action": "submit"}, {"application_id": 1}):
        submits[entry["application_id"]] = submits.get(entry["application_id"], 0) + 1
    assert sorted(submits.values()) == [1] * APPLICATIONS, submits

    deliveries, envelopes, applications = 0, set(), set()

    def drain():
        nonlocal deliveries
        with Connection(cluster.uri(0)) as conn:
            bound = watch(conn.channel())
            while True:
                message = bound.get(no_ack=True)
                if message is None:
                    return len(applications) == APPLICATIONS
                deliveries += 1
                body = message.decode()
                envelopes.add(body["id"])
                if body["data"].get("campaign_id") == campaign_id:
                    applications.add(body["data"]["application_id"])
    wait_for(drain, 60, "every application.submitted reached the campus consumer")
    assert applications == set(app_ids)
    assert len(envelopes) == APPLICATIONS, f"{len(envelopes)} distinct events for {APPLICATIONS} submissions"

    outcomes = {}
    for _at, _gateway, outcome in burst.answers:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    retried = sum(count for outcome, count in outcomes.items() if outcome == 503 or isinstance(outcome, str))

    def first_ok(after, gateway):
        return min((at - after for at, g, o in burst.answers if at > after and g == gateway
                    and isinstance(o, int) and o < 300), default=float("nan"))
    print(f"\nmulti-host: {APPLICATIONS} create+upload+submit through 2 gateways on 3 hosts, "
          f"{len(burst.answers)} requests, {retried} retried ({dict(sorted(outcomes.items(), key=str))}); "
          f"broker node {hosts.names[NODE_KILLED][-1]} SIGKILLed at {node_killed_at - started:.1f} s: first accepted "
          f"request after it via gateway a {first_ok(node_killed_at, 0):.1f} s, via gateway b "
          f"{first_ok(node_killed_at, 1):.1f} s; host {hosts.names[HOST_KILLED][-1]}'s {killed} service processes "
          f"SIGKILLed at {host_killed_at - started:.1f} s: first accepted after it via a "
          f"{first_ok(host_killed_at, 0):.1f} s, via b {first_ok(host_killed_at, 1):.1f} s; burst "
          f"{finished - started:.1f} s; stored {len(stored)}, submitted once each; campus consumer: "
          f"{deliveries} deliveries, {len(envelopes)} distinct events, {len(applications)} applications",
          flush=True)
