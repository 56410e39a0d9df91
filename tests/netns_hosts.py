"""Hosts a test builds on this machine: Linux network namespaces joined by a bridge.

    with NetnsHosts.create(3) as hosts:          # hosts.ip(0) .. hosts.ip(2), the bridge hosts.gateway_ip
        proc = hosts.popen(1, ["python", "-m", "x"], env=..., log_path=...)
        hosts.kill_host(2)                        # SIGKILL every process of host 2: a crashed machine

Guarantees:
  * each host is a network namespace with its own loopback, ports and address on one
    /24 (10.231.<n>.11, .12, …); the root namespace is on the bridge at 10.231.<n>.1,
    so a server the test runs there (e.g. the database) is reachable from every host
    at `gateway_ip`, and every host from the test;
  * names are unique per run (a leftover from a killed run never blocks the next
    one; `sweep_leftovers()` removes those whose creator is gone);
  * `close()` (or leaving the `with`) SIGKILLs every process still in the
    namespaces, then deletes them and the bridge, even when the test failed;
  * only root can do this: `available()` says why not, for a skip.
"""
import os
import shutil
import signal
import subprocess
import time

PREFIX = "cxh"


def _ip(*args, check=True):
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check)


def available():
    """None when network namespaces can be made here, else the reason."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if not shutil.which("ip"):
        return "iproute2 (ip) is not installed"
    return None


def sweep_leftovers():
    """Delete namespaces and bridges of earlier runs whose creating process is gone."""
    listed = _ip("netns", "list", check=False).stdout.split()
    for name in {n for n in listed if n.startswith(PREFIX)}:
        pid = name[len(PREFIX):].split("x")[0]
        if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            _kill_netns(name)
            _ip("netns", "delete", name, check=False)
    for line in _ip("-o", "link", "show", "type", "bridge", check=False).stdout.splitlines():
        name = line.split(":")[1].strip().split("@")[0]
        pid = name[len(PREFIX):].split("b")[0]
        if name.startswith(PREFIX) and pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            _ip("link", "delete", name, check=False)


def _kill_netns(name):
    for pid in _ip("netns", "pids", name, check=False).stdout.split():
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass


class NetnsHosts:
    def __init__(self, count, subnet):
        tag = f"{os.getpid()}x{os.urandom(2).hex()}"
        self.names = [f"{PREFIX}{tag}{chr(ord('a') + i)}" for i in range(count)]
        self.bridge = f"{PREFIX}{os.getpid()}b{os.urandom(2).hex()}"[:15]
        self.subnet = subnet
        self.gateway_ip = f"10.231.{subnet}.1"
        self.processes = []

    @classmethod
    def create(cls, count=3):
        sweep_leftovers()
        used = _ip("-o", "addr", check=False).stdout
        subnet = next(n for n in range(10, 250) if f"10.231.{n}." not in used)
        hosts = cls(count, subnet)
        try:
            hosts._build()
        except Exception:
            hosts.close()
            raise
        return hosts

    def _build(self):
        _ip("link", "add", self.bridge, "type", "bridge")
        _ip("addr", "add", f"{self.gateway_ip}/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")
        for i, name in enumerate(self.names):
            _ip("netns", "add", name)
            outside = f"{self.bridge[:11]}v{i}"
            _ip("link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", name)
            _ip("link", "set", outside, "master", self.bridge, "up")
            _ip("-n", name, "addr", "add", f"{self.ip(i)}/24", "dev", "eth0")
            _ip("-n", name, "link", "set", "eth0", "up")
            _ip("-n", name, "link", "set", "lo", "up")

    def ip(self, i):
        return f"10.231.{self.subnet}.{11 + i}"

    def popen(self, i, argv, env=None, log_path=None, cwd=None):
        """Start `argv` on host `i` (its own session, output to `log_path`)."""
        log = open(log_path, "ab") if log_path else subprocess.DEVNULL
        try:
            process = subprocess.Popen(["ip", "netns", "exec", self.names[i], *argv], env=env, cwd=cwd,
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        finally:
            if log_path:
                log.close()
        self.processes.append((i, process))
        return process

    def kill_host(self, i):
        """SIGKILL every process on host `i` (what a machine's crash does to them);
        returns how many there were."""
        pids = _ip("netns", "pids", self.names[i], check=False).stdout.split()
        _kill_netns(self.names[i])
        for host, process in self.processes:
            if host == i:
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    pass
        return len(pids)

    def close(self):
        for name in self.names:
            _kill_netns(name)
        deadline = time.monotonic() + 10
        for _host, process in self.processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for name in self.names:
            _ip("netns", "delete", name, check=False)
        _ip("link", "delete", self.bridge, check=False)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
