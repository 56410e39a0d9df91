"""Start `./deploy/platform up` as a newcomer would, on its own RabbitMQ vhost, Mongo
port, gateway port and run directory, so it never disturbs a platform already running
here. Used by the e2e test of `up` and by the browser tests."""
import os
import signal
import socket
import subprocess
import time
import uuid

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MGMT = os.environ.get("RABBIT_MGMT", "http://127.0.0.1:15672")
AUTH = ("guest", "guest")


def _default_interrupt():
    """In the child: Ctrl-C (SIGINT) stops `up` as it does in a terminal. A test run started in
    the background of a non-interactive shell (as CI may be) inherits SIGINT ignored, and bash
    cannot trap a signal ignored at its start: `up` then never stopped, and its processes
    outlived the test."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def free_port():
    """A TCP port nothing listens on now, so parallel runs (CI, several work trees) never
    share a Mongo server or a gateway: `up` reuses whatever already answers on its ports."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PlatformUp:
    """`start()` returns the lines `up` printed until it said how to stop it (or
    exited); `vhost`, `process` and `base_url` stay available; `delete_vhost()` after."""

    def __init__(self, name, run_dir, timeout=300, mongo_port=None, gateway_port=None, env=None):
        mongo_port = mongo_port or free_port()
        gateway_port = gateway_port or free_port()
        self.mongo_uri = f"mongodb://127.0.0.1:{mongo_port}"
        self.vhost = f"cx_{name}_{uuid.uuid4().hex[:8]}"
        self.base_url = f"http://127.0.0.1:{gateway_port}"
        self.mongo_port, self.gateway_port, self.run_dir, self.timeout = mongo_port, gateway_port, run_dir, timeout
        self.process = None
        self.extra_env = dict(env or {})

    def start(self):
        requests.put(f"{MGMT}/api/vhosts/{self.vhost}", auth=AUTH, timeout=10).raise_for_status()
        requests.put(f"{MGMT}/api/permissions/{self.vhost}/guest",
                     json={"configure": ".*", "write": ".*", "read": ".*"}, auth=AUTH, timeout=10).raise_for_status()
        env = dict(os.environ, AMQP_URI=f"amqp://guest:guest@127.0.0.1:5672/{self.vhost}",
                   MONGO_PORT=str(self.mongo_port), GATEWAY_PORT=str(self.gateway_port), CX_RUN_DIR=str(self.run_dir),
                   GATEWAY_SECRET_KEY=f"{self.vhost}-secret-key-of-32-bytes-or-more")
        env.pop("MONGO_URI", None)
        env.update(self.extra_env)
        self.process = subprocess.Popen([os.path.join(ROOT, "deploy", "platform"), "up"], cwd=ROOT, env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        start_new_session=True, preexec_fn=_default_interrupt)
        output = []
        deadline = time.time() + self.timeout
        while time.time() < deadline:
            line = self.process.stdout.readline()
            if not line and self.process.poll() is not None:
                break
            output.append(line)
            if "Ctrl-C" in line:
                break
        return "".join(output)

    def supervised(self):
        """{process name: pid} of what supervisord runs (0 when not running)."""
        out = subprocess.run([os.path.join(ROOT, ".venv/bin/supervisorctl"), "-c",
                              os.path.join(str(self.run_dir), "supervisord.conf"), "pid", "all"],
                             capture_output=True, text=True, timeout=30).stdout
        status = subprocess.run([os.path.join(ROOT, ".venv/bin/supervisorctl"), "-c",
                                 os.path.join(str(self.run_dir), "supervisord.conf"), "status"],
                                capture_output=True, text=True, timeout=30).stdout
        names = [line.split()[0].split(":")[-1] for line in status.splitlines() if line.strip()]
        pids = [int(p) if p.strip().isdigit() else 0 for p in out.splitlines()]
        return dict(zip(names, pids))

    def delete_vhost(self):
        requests.delete(f"{MGMT}/api/vhosts/{self.vhost}", auth=AUTH, timeout=10)
