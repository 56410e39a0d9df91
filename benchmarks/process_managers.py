"""Which process manager supervises the platform: honcho, supervisor or circus, measured.

    python benchmarks/process_managers.py --venv /tmp/pm-venv   # a venv with the three installed

For each manager, one child process (a Python loop that, on SIGTERM, finishes 2 s of
"in-flight work" and exits 0, as a Nameko service does) is run, then:
  * restart: the child is killed with SIGKILL; seconds until a new child runs
    (or "never" when the manager does not restart it);
  * graceful stop: the manager is asked to stop; did the child get its 2 s?
  * memory: the manager's own resident set size (MB).
The figures chose supervisor (docs/OPERATIONS.md, "Supervision").
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

CHILD = textwrap.dedent("""
    import os, signal, sys, time
    marker = sys.argv[1]
    def term(*_):
        time.sleep(2)                      # in-flight work finishing
        open(marker, "a").write("graceful %d\\n" % os.getpid())
        sys.exit(0)
    signal.signal(signal.SIGTERM, term)
    open(marker, "a").write("started %d\\n" % os.getpid())
    while True:
        time.sleep(0.1)
""")


def _started(marker):
    if not os.path.exists(marker):
        return []
    return [int(line.split()[1]) for line in open(marker) if line.startswith("started")]


def _rss_mb(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    except OSError:
        return 0.0
    return 0.0


def _tree_rss(pid):
    total = _rss_mb(pid)
    for child in _children(pid):
        total += _rss_mb(child)
    return total


def _children(pid):
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _wait(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def configs(manager, workdir, child_cmd):
    if manager == "honcho":
        path = os.path.join(workdir, "Procfile")
        open(path, "w").write(f"child: {child_cmd}\n")
        return ["honcho", "-f", path, "start"]
    if manager == "supervisor":
        path = os.path.join(workdir, "supervisord.conf")
        open(path, "w").write(textwrap.dedent(f"""
            [supervisord]
            nodaemon=true
            logfile={workdir}/supervisord.log
            pidfile={workdir}/supervisord.pid
            [unix_http_server]
            file={workdir}/supervisor.sock
            [rpcinterface:supervisor]
            supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
            [program:child]
            command={child_cmd}
            autorestart=true
            startsecs=1
            stopwaitsecs=10
            """))
        return ["supervisord", "-c", path]
    path = os.path.join(workdir, "circus.ini")
    open(path, "w").write(textwrap.dedent(f"""
        [circus]
        endpoint = ipc://{workdir}/circus.sock
        pubsub_endpoint = ipc://{workdir}/circus-pub.sock
        check_delay = 1
        [watcher:child]
        cmd = {child_cmd}
        graceful_timeout = 10
        """))
    return ["circusd", path]


def measure(manager, venv):
    workdir = tempfile.mkdtemp(prefix=f"pm-{manager}-")
    marker = os.path.join(workdir, "marker")
    script = os.path.join(workdir, "child.py")
    open(script, "w").write(CHILD)
    cmd = configs(manager, workdir, f"{sys.executable} {script} {marker}")
    cmd[0] = os.path.join(venv, "bin", cmd[0])
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    result = {"manager": manager}
    try:
        if not _wait(lambda: _started(marker), 20):
            result["error"] = "child never started"
            return result
        time.sleep(1.5)  # past startsecs/check_delay, so the start counts as a success
        result["rss_mb"] = round(_tree_rss(proc.pid) - _rss_mb(_started(marker)[-1]), 1)
        first = _started(marker)[-1]
        killed_at = time.monotonic()
        os.kill(first, signal.SIGKILL)
        if _wait(lambda: len(_started(marker)) > 1, 15):
            result["restart_s"] = round(time.monotonic() - killed_at, 2)
        else:
            result["restart_s"] = "never"
        if proc.poll() is None:
            stop_at = time.monotonic()
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
            result["stop_s"] = round(time.monotonic() - stop_at, 2)
            result["graceful"] = "graceful" in open(marker).read()
        else:
            result["stop_s"], result["graceful"] = "exited with the child", False
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in _started(marker):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--venv", required=True)
    args = parser.parse_args()
    print(f"{'manager':<12}{'restart after kill -9':>24}{'graceful stop':>16}{'stop s':>9}{'manager MB':>12}")
    for manager in ("honcho", "supervisor", "circus"):
        r = measure(manager, args.venv)
        if "error" in r:
            print(f"{manager:<12} {r['error']}")
            continue
        print(f"{manager:<12}{str(r['restart_s']):>24}{str(r['graceful']):>16}{str(r['stop_s']):>9}"
              f"{r['rss_mb']:>12}")


if __name__ == "__main__":
    main()
