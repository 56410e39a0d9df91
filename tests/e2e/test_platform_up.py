"""The README's first command as a newcomer runs it: `./deploy/platform up` installs
and starts everything, loads the demo data, prints the URL and logins, serves the
API under gunicorn; Ctrl-C ends every process it started and only those.

It runs on its own RabbitMQ vhost, Mongo port, gateway port and run directory, so it
does not disturb a platform already running on this machine.
"""
import os
import signal
import time

import requests

from tests.platform_up import AUTH, MGMT, PlatformUp


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_up_runs_the_platform_and_ctrl_c_stops_it(tmp_path):
    platform = PlatformUp("e2e", tmp_path / "run", timeout=240)
    base = platform.base_url
    try:
        text = platform.start()
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

        pid_dir = tmp_path / "run" / "pids"
        pids = [int(p.read_text().split()[0]) for p in pid_dir.glob("*.pid") if p.name != "up.pid"]
        assert len(pids) >= 13  # 5 services, 7 programs, the gateway (and the Mongo server)
        assert all(_alive(pid) for pid in pids)
    finally:
        up = platform.process
        if up is not None:
            os.killpg(up.pid, signal.SIGINT)
            up.wait(timeout=60)
        platform.delete_vhost()
    assert up.returncode == 0
    time.sleep(1)
    assert not [pid for pid in pids if _alive(pid)]
    # RabbitMQ was already running, so it was not started, and must not be stopped.
    assert requests.get(f"{MGMT}/api/overview", auth=AUTH, timeout=10).status_code == 200
