"""A process stopped by a refusal no restart can cure (a refused program declaration,
insecure settings) is not restarted: it exits with REFUSED_EXIT once supervisord
counts its start as done (deploy/nameko_process.py), and a real supervisord, with the
generated rules, leaves it stopped while it restarts a process that crashed."""
import subprocess
import sys
import time
import xmlrpc.client

import pytest

from core.program_service import RegistrationRefused
from core.security import InsecureSettings
from deploy import nameko_process, supervision
from deploy.processes import Process


def test_a_refused_registration_exits_with_the_final_code_after_the_start_counted():
    now, slept = [100.0], []

    def refused():
        now[0] += 1.5
        raise RegistrationRefused("scoring refused program p: bad criteria", "scoring 拒绝登记项目 p：评分标准有误")

    with pytest.raises(SystemExit) as stopped:
        nameko_process.main(run=refused, clock=lambda: now[0], sleep=slept.append)
    assert stopped.value.code == supervision.REFUSED_EXIT
    assert slept == [pytest.approx(supervision.START_SECONDS + 1 - 1.5)]


def test_insecure_settings_are_final_too():
    def insecure():
        raise InsecureSettings("AMQP_URI uses the guest user", "AMQP_URI 使用了 guest 用户")

    with pytest.raises(SystemExit) as stopped:
        nameko_process.main(run=insecure, clock=lambda: 0.0, sleep=lambda s: None)
    assert stopped.value.code == supervision.REFUSED_EXIT


def test_other_failures_are_not_turned_into_the_final_code():
    def crashed():
        raise RuntimeError("broker gone")

    with pytest.raises(RuntimeError):
        nameko_process.main(run=crashed, clock=lambda: 0.0, sleep=lambda s: None)


@pytest.mark.timeout(60)
def test_supervisord_leaves_a_refused_program_stopped_and_restarts_a_crashed_one(tmp_path):
    (tmp_path / "logs").mkdir()
    (tmp_path / "pids").mkdir()
    exit_after = supervision.START_SECONDS + 1
    listed = [
        Process("refused", f"{sys.executable} -c \"import time,sys; time.sleep({exit_after}); "
                           f"sys.exit({supervision.REFUSED_EXIT})\""),
        Process("crashing", f"{sys.executable} -c \"import time,sys; time.sleep({exit_after}); sys.exit(1)\""),
    ]
    conf = tmp_path / "supervisord.conf"
    conf.write_text(supervision.supervisord_conf(listed, str(tmp_path), str(tmp_path)))
    daemon = subprocess.Popen([sys.executable, "-m", "supervisor.supervisord", "-c", str(conf), "-n"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        server = _server(tmp_path, conf)
        deadline = time.monotonic() + 3 * exit_after + 10
        states = {}
        while time.monotonic() < deadline:
            states = {p["name"]: p for p in server.call("getAllProcessInfo")}
            if states.get("refused", {}).get("statename") == "EXITED" and states["crashing"]["now"] and \
                    states["crashing"]["start"] > states["refused"]["stop"]:
                break   # the crashed one was started again after the refused one stopped for good
            time.sleep(0.5)
        assert states["refused"]["statename"] == "EXITED" and states["refused"]["exitstatus"] == supervision.REFUSED_EXIT
        assert states["crashing"]["start"] > states["refused"]["stop"], states
        time.sleep(1)
        assert server.call("getProcessInfo", "chuangxian:refused")["statename"] == "EXITED"
    finally:
        daemon.terminate()
        daemon.wait(30)


class _Supervisor:
    """XML-RPC calls to the supervisord the configuration describes (its unix socket),
    a fresh connection per call (the transport cannot retry on a used one)."""

    def __init__(self, conf):
        self.url = next(line.split("=", 1)[1].strip() for line in conf.read_text().splitlines()
                        if line.startswith("serverurl"))

    def call(self, method, *args):
        from supervisor.xmlrpc import SupervisorTransport
        server = xmlrpc.client.ServerProxy("http://127.0.0.1", transport=SupervisorTransport(None, None, self.url))
        return getattr(server.supervisor, method)(*args)


def _server(tmp_path, conf):
    supervisor = _Supervisor(conf)
    for _ in range(50):
        try:
            supervisor.call("getState")
            return supervisor
        except (OSError, xmlrpc.client.Fault):
            time.sleep(0.2)
    raise AssertionError("supervisord did not answer")
