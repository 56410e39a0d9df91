"""The one process list (deploy/processes.py) → supervisord's configuration and systemd
units (deploy/supervision.py): copies, names, restart and stop rules, checked by
supervisor's own configuration parser."""
import configparser

import pytest
from supervisor.options import ServerOptions

from deploy import supervision
from deploy.processes import Process, copies_of, processes

LISTED = [
    Process("applications", ".venv/bin/nameko run --config deploy/config.yml services.applications.service:A", 3),
    Process("pilot_branches", ".venv/bin/nameko run --config deploy/config.yml plugins.p.service:P", 1),
    Process("gateway", ".venv/bin/gunicorn -c deploy/gunicorn.conf.py gateway.wsgi:app", 1),
]


def test_copies_come_from_the_environment_and_are_bounded():
    assert copies_of("applications", {"APPLICATIONS_COPIES": "3"}) == 3
    assert copies_of("pilot_branches", {}) == 1
    assert copies_of("class_leading_cases", {"CLASS_LEADING_CASES_COPIES": "2"}) == 2
    for bad in ("0", "33", "three", "-1"):
        with pytest.raises(SystemExit, match="APPLICATIONS_COPIES"):
            copies_of("applications", {"APPLICATIONS_COPIES": bad})


def test_the_process_list_has_every_service_program_and_one_gateway():
    listed = processes("deploy/config.yml", {"APPLICATIONS_COPIES": "3"})
    by_name = {p.name: p for p in listed}
    assert by_name["applications"].copies == 3 and by_name["scoring"].copies == 1
    assert by_name["applications"].command.endswith("services.applications.service:ApplicationsService")
    assert listed[-1].name == "gateway" and "gunicorn" in listed[-1].command
    assert {"pilot_branches", "benchmark_branches", "records", "funding", "notifications"} <= set(by_name)
    for name in ("pilot_branches", "applications"):
        assert " -m deploy.nameko_process run --config deploy/config.yml " in by_name[name].command
    with pytest.raises(SystemExit, match="one gateway"):
        processes("deploy/config.yml", {"GATEWAY_COPIES": "2"})


def test_supervisord_conf_is_accepted_by_supervisor_with_each_copy_named(tmp_path):
    (tmp_path / "logs").mkdir()
    (tmp_path / "pids").mkdir()
    path = tmp_path / "supervisord.conf"
    path.write_text(supervision.supervisord_conf(LISTED, str(tmp_path), str(tmp_path), probe_start=9100))
    options = ServerOptions()
    options.realize(args=["-c", str(path)])
    groups = {g.name: g for g in options.process_group_configs}
    assert set(groups) == {"chuangxian"}   # one group: stopped all at once
    procs = {p.name: p for p in groups["chuangxian"].process_configs}
    assert set(procs) == {"applications-1", "applications-2", "applications-3", "pilot_branches", "gateway"}
    app2 = procs["applications-2"]
    assert app2.autorestart.__name__ == "RestartWhenExitUnexpected" and app2.startretries == supervision.START_RETRIES
    assert app2.exitcodes == [supervision.REFUSED_EXIT]   # only a refused registration is final
    assert app2.stopsignal == 15 and app2.stopwaitsecs == supervision.STOP_WAIT_SECONDS
    assert app2.killasgroup and app2.directory == str(tmp_path)
    assert app2.environment == {"CX_COPY": "2", "PROBE_PORT_BASE": "9100"}
    assert procs["pilot_branches"].environment == {"CX_COPY": "1", "PROBE_PORT_BASE": "9140"}
    assert "PROBE_PORT_BASE" not in procs["gateway"].environment   # the gateway serves its own /metrics
    assert app2.stdout_logfile == f"{tmp_path}/logs/applications-2.log"


def test_systemd_units_are_templates_under_one_target():
    units = supervision.systemd_units(LISTED, "/opt/chuangxian", probe_start=9100)
    assert set(units) == {"chuangxian-applications@.service", "chuangxian-pilot_branches@.service",
                          "chuangxian-gateway@.service", "chuangxian.target"}
    target = configparser.ConfigParser(interpolation=None)
    target.read_string(units["chuangxian.target"])
    assert target["Unit"]["Wants"].split() == [
        "chuangxian-applications@1.service", "chuangxian-applications@2.service",
        "chuangxian-applications@3.service", "chuangxian-pilot_branches@1.service", "chuangxian-gateway@1.service"]
    unit = configparser.ConfigParser(interpolation=None)
    unit.read_string(units["chuangxian-applications@.service"])
    service = unit["Service"]
    assert service["ExecStart"].startswith("/opt/chuangxian/.venv/bin/nameko run --config deploy/config.yml ")
    assert service["Restart"] == "always" and service["KillSignal"] == "SIGTERM"
    assert service["RestartPreventExitStatus"] == str(supervision.REFUSED_EXIT)
    assert service["TimeoutStopSec"] == str(supervision.STOP_WAIT_SECONDS)
    assert "CX_COPY=%i" in service["Environment"] and "PROBE_PORT_BASE=9100" in service["Environment"]
    assert service["EnvironmentFile"] == "/etc/chuangxian/env" and service["User"] == "chuangxian"
    assert unit["Install"]["WantedBy"] == "chuangxian.target"


def test_a_processes_file_and_bad_lists(tmp_path):
    path = tmp_path / "procs"
    path.write_text("# debugging\n\nsleeper\tsleep 100\nthree\t3\tsleep 5\n")
    assert supervision.read_processes_file(path) == [Process("sleeper", "sleep 100", 1), Process("three", "sleep 5", 3)]
    with pytest.raises(SystemExit, match="duplicate"):
        supervision.check([Process("a", "x"), Process("a", "y")])
    with pytest.raises(SystemExit, match="reserved"):
        supervision.check([Process("mongo", "x")])
    with pytest.raises(SystemExit, match="empty"):
        supervision.check([])


def test_export_writes_the_files(tmp_path, capsys):
    supervision.main(["export", "systemd", "--out", str(tmp_path / "sd")])
    supervision.main(["export", "supervisor", "--out", str(tmp_path / "sv"), "--prefix", "/opt/cx"])
    assert (tmp_path / "sd" / "chuangxian.target").exists()
    assert (tmp_path / "sd" / "chuangxian-gateway@.service").exists()
    conf = (tmp_path / "sv" / "supervisord.conf").read_text()
    assert "command=/opt/cx/.venv/bin/python -m deploy.nameko_process run" in conf and "user=chuangxian" in conf
