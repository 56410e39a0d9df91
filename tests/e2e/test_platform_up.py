"""The README's first command as a newcomer runs it: `./deploy/platform up` installs
and starts everything, loads the demo data, prints the URL and logins, serves the
API under gunicorn, every process supervised (a killed service comes back, copies
run as asked); Ctrl-C ends every process it started and only those.

It runs on its own RabbitMQ vhost, Mongo port, gateway port and run directory, so it
does not disturb a platform already running on this machine.
"""
import os
import signal
import subprocess
import time

import pytest
import requests

from tests.platform_up import AUTH, MGMT, ROOT, PlatformUp


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.timeout(540)  # bounded: up on a busy 2-core machine, a restart, a graceful stop
def _read_until(stream, text, seconds):
    """What `stream` (up's output) said until a line holding `text`, or `seconds` passed."""
    import select
    said, deadline = "", time.time() + seconds
    while text not in said and time.time() < deadline:
        if select.select([stream], [], [], 1)[0]:
            line = stream.readline()
            if not line:
                break
            said += line
    return said


def test_up_runs_the_platform_and_ctrl_c_stops_it(tmp_path):
    began = time.monotonic()
    platform = PlatformUp("e2e", tmp_path / "run", timeout=240, env={"APPLICATIONS_COPIES": "2"})
    base = platform.base_url
    try:
        text = platform.start()
        print(f"up printed its banner after {time.monotonic() - began:.1f} s")
        assert f"{base}/" in text, text
        assert "Demo@2026" in text and "2023010101" in text, text

        assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
        assert requests.get(f"{base}/api/docs", timeout=10).status_code == 200
        token = requests.post(f"{base}/api/auth/login", json={"login": "2023010101", "password": "Demo@2026"},
                              timeout=10).json()["token"]
        campaigns = requests.get(f"{base}/api/campaigns?open=true", headers={"Authorization": f"Bearer {token}"},
                                 timeout=10).json()
        programs = {c["program"] for c in campaigns}
        assert {"pilot_branches", "civilized_dorms", "benchmark_branches"} <= programs, programs

        supervised = platform.supervised()
        # every process of the list (each service, each program, the gateway), applications twice
        listed = subprocess.run([os.path.join(ROOT, ".venv/bin/python"), "-m", "deploy.processes"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.splitlines()
        expected = {line.split("\t")[0] for line in listed} - {"applications"} | {"applications-1", "applications-2"}
        assert set(supervised) == expected and {"scoring", "gateway"} <= expected, (supervised, expected)
        assert all(pid and _alive(pid) for pid in supervised.values()), supervised

        # A service killed outright is started again by the supervisor, and the platform is whole again.
        os.kill(supervised["scoring"], signal.SIGKILL)
        deadline = time.time() + 60
        while time.time() < deadline:
            again = platform.supervised().get("scoring")
            if again and again != supervised["scoring"] and \
                    requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                break
            time.sleep(0.5)
        assert again and again != supervised["scoring"] and _alive(again), again
        assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
        restarted_in = 60 - (deadline - time.time())
        print(f"scoring was restarted and the platform healthy again {restarted_in:.1f} s after kill -9")
        # The watcher in the foreground says so: it asks supervisorctl when supervisord's
        # children changed, then at each look until every process runs again.
        said = _read_until(platform.process.stdout, "every process is running again", 30)
        assert "not running (supervisord restarts them" in said and "scoring" in said, said
        pids = [pid for pid in platform.supervised().values() if pid]
        pid_dir = tmp_path / "run" / "pids"
        pids += [int(p.read_text().split()[0]) for p in pid_dir.glob("*.pid") if p.name != "up.pid"]
    finally:
        up = platform.process
        if up is not None:
            print(f"Ctrl-C after {time.monotonic() - began:.1f} s")
            os.killpg(up.pid, signal.SIGINT)
            up.wait(timeout=150)  # supervisord lets each process finish (up to 50 s), then Mongo stops
        platform.delete_vhost()
    print(f"up, checks and stop took {time.monotonic() - began:.1f} s")
    assert up.returncode == 0

    time.sleep(1)
    assert not [pid for pid in pids if _alive(pid)]
    # RabbitMQ was already running, so it was not started, and must not be stopped.
    assert requests.get(f"{MGMT}/api/overview", auth=AUTH, timeout=10).status_code == 200
