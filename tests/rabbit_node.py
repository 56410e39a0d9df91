"""A RabbitMQ node a test starts, stops and starts again itself (never the shared one).

    with RabbitNode.temporary("faults") as node:     # its own name, ports and data dir
        config["AMQP_URI"] = node.amqp_uri
        ...
        node.stop()                                  # the broker is gone: ECONNREFUSED
        node.start()                                 # back, same data (durable queues kept)

Guarantees:
  * the node runs Debian's `rabbitmq-server` (the one `deploy/platform` installs) in
    the foreground as a child of this process, with its own RABBITMQ_NODENAME
    (``<name>@localhost``), AMQP port, Erlang distribution port, mnesia and log
    directories, an empty plugin list (so it never competes for the management
    port 15672) and no configuration file (so it never reads /etc/rabbitmq's
    listener on 5672): it cannot touch the shared broker on 5672;
  * `stop()` is a graceful shutdown (SIGTERM: persistent messages in durable queues
    survive), `kill()` is SIGKILL (a crash); `start()` after either reuses the data;
  * `close()` (or leaving the `with`) ends the node and removes its directory, and
    only ever signals the process group this object started; a watcher in that
    group ends the node too when the test process dies without closing it.

For a cluster (e.g. three nodes for the operations tests), give every node the same
`home` (one Erlang cookie) and join them with `node.ctl("stop_app")`,
``node.ctl("join_cluster", first.nodename)``, `node.ctl("start_app")`.

A node on a host of its own (`netns="cx…a", host="10.231.7.11"`, tests/netns_hosts.py)
runs inside that network namespace on the standard ports (5672, Erlang distribution
25672, its own epmd on 4369), named ``<name>@<host>`` with long names, and is reached
from elsewhere at `host`; `ctl` runs inside the namespace too.
"""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

SERVER_CANDIDATES = ("/usr/lib/rabbitmq/bin/rabbitmq-server",)

# Runs the server and watches the test process ($1): when that is gone, the whole
# process group (the server script, the Erlang VM, this watcher) is killed.
WATCHER = """
"$0" &
server=$!
while kill -0 "$1" 2>/dev/null && kill -0 "$server" 2>/dev/null; do sleep 0.5; done
kill -0 "$1" 2>/dev/null || kill -KILL 0
wait "$server"
"""
CTL_CANDIDATES = ("/usr/lib/rabbitmq/bin/rabbitmqctl",)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _tool(candidates, name):
    for path in candidates:
        if os.access(path, os.X_OK):
            return path
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"{name} is not installed: `./deploy/platform test` installs Debian's rabbitmq-server")
    return found


class RabbitNode:
    def __init__(self, name, base_dir, port=None, dist_port=None, home=None, netns=None, host="127.0.0.1"):
        self.name = name
        self.netns, self.host = netns, host
        self.nodename = f"{name}@{host}" if netns else f"{name}@localhost"
        self.base_dir = base_dir
        # a host of its own has its own ports: the standard ones
        self.port = port or (5672 if netns else free_port())
        self.dist_port = dist_port or (25672 if netns else free_port())
        self.home = home or os.path.join(base_dir, "home")
        self.process = None
        self.log_path = os.path.join(base_dir, "server.out")
        os.makedirs(self.home, exist_ok=True)
        os.makedirs(base_dir, exist_ok=True)
        self.plugins_file = os.path.join(base_dir, "enabled_plugins")
        with open(self.plugins_file, "w") as handle:
            handle.write("[].\n")
        self.env_file = os.path.join(base_dir, "rabbitmq-env.conf")
        open(self.env_file, "w").close()

    @classmethod
    def temporary(cls, prefix="testnode", **kwargs):
        """A node in a fresh temporary directory, named `<prefix><random>`."""
        base = tempfile.mkdtemp(prefix=f"rabbit-{prefix}-")
        return cls(f"{prefix}{os.getpid()}x{os.urandom(3).hex()}", base, **kwargs)

    @property
    def amqp_uri(self):
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def _in_netns(self, argv):
        return ["ip", "netns", "exec", self.netns, *argv] if self.netns else list(argv)

    def env(self):
        env = dict(os.environ)
        env.update({
            "HOME": self.home,
            "RABBITMQ_NODENAME": self.nodename,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": os.path.join(self.base_dir, "mnesia"),
            "RABBITMQ_LOG_BASE": os.path.join(self.base_dir, "log"),
            "RABBITMQ_PID_FILE": os.path.join(self.base_dir, "node.pid"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": self.plugins_file,
            "RABBITMQ_CONF_ENV_FILE": self.env_file,
            "RABBITMQ_CONFIG_FILE": os.path.join(self.base_dir, "no-config"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": os.path.join(self.base_dir, "no-advanced.config"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        })
        if self.netns:     # its own host: listen on it, long names with its address
            env.update(RABBITMQ_NODE_IP_ADDRESS=self.host, RABBITMQ_USE_LONGNAME="true",
                       ERL_EPMD_ADDRESS=f"127.0.0.1,{self.host}")
        return env

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def start(self, timeout=120):
        """Start the node and wait until it accepts AMQP connections."""
        if self.running:
            raise RuntimeError(f"{self.nodename} is already running")
        if port_open(self.port, self.host):
            raise RuntimeError(f"port {self.port} is taken: not starting {self.nodename} there")
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            self._in_netns(["sh", "-c", WATCHER, _tool(SERVER_CANDIDATES, "rabbitmq-server"), str(os.getpid())]),
            env=self.env(), cwd=self.base_dir,
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while not port_open(self.port, self.host):
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.nodename} exited with {self.process.returncode}: {self.tail()}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"{self.nodename} did not open port {self.port} in {timeout} s: {self.tail()}")
            time.sleep(0.2)
        return self

    def stop(self, timeout=60):
        """Graceful shutdown (SIGTERM to the Erlang VM, which then syncs its data and
        exits); returns when the node and its start script are gone."""
        if self.process is None:
            return
        vm = self._vm_pid()
        try:
            if vm:
                os.kill(vm, signal.SIGTERM)
            else:  # not booted far enough to write its pid: nothing to sync
                os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        self._wait(timeout)

    def kill(self):
        """SIGKILL the node's process group: a crash."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._wait(10)

    def _vm_pid(self):
        try:
            with open(self.env()["RABBITMQ_PID_FILE"]) as handle:
                return int(handle.read().strip() or 0)
        except (OSError, ValueError):
            return 0

    def _wait(self, timeout):
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        deadline = time.monotonic() + timeout
        while port_open(self.port, self.host) and time.monotonic() < deadline:
            time.sleep(0.1)
        try:
            os.unlink(self.env()["RABBITMQ_PID_FILE"])
        except OSError:
            pass
        self.process = None

    def ctl(self, *args, timeout=60):
        """Run rabbitmqctl against this node; returns its stdout."""
        result = subprocess.run(self._in_netns([_tool(CTL_CANDIDATES, "rabbitmqctl"), "-n", self.nodename, *args]),
                                env=self.env(), capture_output=True, text=True, timeout=timeout)
        if result.returncode:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {result.stderr or result.stdout}")
        return result.stdout

    def tail(self, lines=20):
        try:
            with open(self.log_path, errors="replace") as handle:
                return "".join(handle.readlines()[-lines:])
        except OSError:
            return ""

    def close(self):
        self.kill()
        shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
