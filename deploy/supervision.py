"""Supervision of the platform's processes, generated from the one list (deploy/processes.py).

    python -m deploy.supervision run-config --run-dir .run            # what `platform up` runs
    python -m deploy.supervision export supervisor --out DIR [--prefix /opt/chuangxian]
    python -m deploy.supervision export systemd --out DIR [--prefix /opt/chuangxian]

supervisord (chosen over circus and honcho in benchmarks/process_managers.py: honcho
never restarts a process, circus does as well at more memory and two more native
dependencies) runs every process:
  * a process that dies is started again, except one that a refusal no restart can
    cure stopped (a refused program declaration, insecure settings: exit code
    REFUSED_EXIT, deploy/nameko_process.py); one that dies within START_SECONDS of
    starting is retried with a growing delay (1 s, 2 s, 3 s, ...) START_RETRIES
    times, then marked FATAL (a broken configuration does not spin);
  * stopping sends SIGTERM and waits STOP_WAIT_SECONDS: `nameko run` stops taking
    messages and lets running RPCs and event handlers finish, gunicorn lets requests
    in flight finish (graceful_timeout); whatever is left is then killed, with its
    process group;
  * ``N`` copies of a process (``<NAME>_COPIES``) are ``NAME-1`` ... ``NAME-N``.
The systemd export is one template unit per process (``chuangxian-NAME@.service``,
instance = copy number) under ``chuangxian.target``, with the same restart and stop
rules (Restart=always with RestartSteps for the growing delay,
RestartPreventExitStatus=REFUSED_EXIT).
"""
import argparse
import os
import shlex
import sys

from deploy.processes import ROOT, Process, processes

START_SECONDS = 5
REFUSED_EXIT = 78   # EX_CONFIG: refused configuration (deploy/nameko_process.py); restarting cannot help
START_RETRIES = 10
STOP_WAIT_SECONDS = 35   # gunicorn's graceful_timeout (30 s) and a Nameko worker's longest RPC fit in it


def read_processes_file(path):
    """`NAME<TAB>COMMAND` or `NAME<TAB>COPIES<TAB>COMMAND` lines (# comments, blanks)."""
    found = []
    with open(path, encoding="utf-8") as handle:
        for raw in handle:
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) == 2:
                found.append(Process(parts[0], parts[1], 1))
            elif len(parts) == 3 and parts[1].isdigit():
                found.append(Process(parts[0], parts[2], int(parts[1])))
            else:
                raise SystemExit(f"deploy.supervision: bad line in {path}: {line!r}")
    return found


def check(listed):
    names = [p.name for p in listed]
    if not listed:
        raise SystemExit("deploy.supervision: the process list is empty")
    for p in listed:
        if not p.name.replace("_", "").replace("-", "").isalnum():
            raise SystemExit(f"deploy.supervision: bad process name {p.name!r}")
        if p.name in ("mongo", "up", "supervisord"):
            raise SystemExit(f"deploy.supervision: process name {p.name!r} is reserved")
        if not p.command.strip():
            raise SystemExit(f"deploy.supervision: process {p.name!r} has no command")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SystemExit(f"deploy.supervision: duplicate process names: {', '.join(duplicates)}")
    return listed


def instance_names(listed):
    """The names supervisord gives the processes: NAME, or NAME-1..NAME-N for copies."""
    out = []
    for p in listed:
        out += [p.name] if p.copies == 1 else [f"{p.name}-{i}" for i in range(1, p.copies + 1)]
    return out


PROBE_PORTS_PER_PROCESS = 40   # room for every copy (at most 32)


def probe_bases(listed, start):
    """{name: first probe port} for every process but the gateway (it serves its own)."""
    if not start:
        return {}
    return {p.name: int(start) + i * PROBE_PORTS_PER_PROCESS for i, p in enumerate(listed) if p.name != "gateway"}


def _program_section(p, directory, log_dir, probe_base=None):
    log = f"{log_dir}/%(program_name)s.log" if p.copies == 1 else f"{log_dir}/%(program_name)s-%(process_num)d.log"
    lines = [
        f"[program:{p.name}]",
        f"command={p.command}",
        f"directory={directory}",
        f"numprocs={p.copies}",
        "process_name=%(program_name)s" if p.copies == 1 else "process_name=%(program_name)s-%(process_num)d",
        "numprocs_start=1",
        "autostart=true",
        "autorestart=unexpected",   # every exit but REFUSED_EXIT (0 included) restarts
        f"exitcodes={REFUSED_EXIT}",
        f"startsecs={START_SECONDS}",
        f"startretries={START_RETRIES}",
        "stopsignal=TERM",
        f"stopwaitsecs={STOP_WAIT_SECONDS}",
        "stopasgroup=false",
        "killasgroup=true",
        "redirect_stderr=true",
        f"stdout_logfile={log}",
        "stdout_logfile_maxbytes=20MB",
        "stdout_logfile_backups=5",
    ]
    env = ['CX_COPY="%(process_num)d"']
    if probe_base:
        env.append(f'PROBE_PORT_BASE="{probe_base}"')
    lines.append("environment=" + ",".join(env))
    return "\n".join(lines) + "\n"


def supervisord_conf(listed, directory, run_dir, user=None, probe_start=None):
    """The whole supervisord.conf: the daemon, its control socket, one section per process."""
    log_dir, pid_dir = f"{run_dir}/logs", f"{run_dir}/pids"
    head = [
        "; generated by deploy/supervision.py from deploy/processes.py: do not edit, regenerate",
        "[supervisord]",
        "nodaemon=true",
        f"logfile={log_dir}/supervisord.log",
        f"pidfile={pid_dir}/supervisord.pid",
        f"childlogdir={log_dir}",
        f"directory={directory}",
        "minfds=4096",
    ]
    if user:
        head.append(f"user={user}")
    head += [
        "",
        "[unix_http_server]",
        f"file={run_dir}/supervisor.sock",
        "chmod=0700",
        "",
        "[supervisorctl]",
        f"serverurl=unix://{run_dir}/supervisor.sock",
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "",
        # one group: supervisord stops a group's processes all at once (group after group otherwise)
        "[group:chuangxian]",
        "programs=" + ",".join(p.name for p in listed),
        "",
    ]
    bases = probe_bases(listed, probe_start)
    return "\n".join(head) + "\n" + "\n".join(_program_section(p, directory, log_dir, bases.get(p.name))
                                               for p in listed)


def systemd_units(listed, prefix, user="chuangxian", env_file="/etc/chuangxian/env", probe_start=9100):
    """{filename: text}: a template unit per process and chuangxian.target wanting every copy."""
    units = {}
    wants = []
    bases = probe_bases(listed, probe_start)
    for p in listed:
        command = p.command
        for tool in ("nameko", "gunicorn", "python"):
            if command.startswith(f".venv/bin/{tool} ") or command.startswith(f"{ROOT}/.venv/bin/{tool} "):
                command = f"{prefix}/.venv/bin/{tool} " + command.split(" ", 1)[1]
        argv = shlex.split(command)
        units[f"chuangxian-{p.name}@.service"] = "\n".join([
            "# generated by deploy/supervision.py from deploy/processes.py: regenerate, do not edit",
            "[Unit]",
            f"Description=Chuangxian {p.name} (copy %i)",
            "After=network-online.target rabbitmq-server.service mongod.service",
            "Wants=network-online.target",
            "PartOf=chuangxian.target",
            "",
            "[Service]",
            "Type=simple",
            f"User={user}",
            f"WorkingDirectory={prefix}",
            f"EnvironmentFile={env_file}",
            "Environment=PYTHONUNBUFFERED=1 CX_COPY=%i" + (f" PROBE_PORT_BASE={bases[p.name]}" if p.name in bases else ""),
            f"ExecStart={' '.join(shlex.quote(a) for a in argv)}",
            "Restart=always",
            f"RestartPreventExitStatus={REFUSED_EXIT}",
            "RestartSec=1",
            "RestartSteps=10",
            "RestartMaxDelaySec=60",
            "KillSignal=SIGTERM",
            "KillMode=mixed",
            f"TimeoutStopSec={STOP_WAIT_SECONDS}",
            "NoNewPrivileges=true",
            "ProtectSystem=strict",
            "ProtectHome=true",
            "PrivateTmp=true",
            f"ReadWritePaths={prefix}/.run",
            "",
            "[Install]",
            "WantedBy=chuangxian.target",
            "",
        ])
        wants += [f"chuangxian-{p.name}@{i}.service" for i in range(1, p.copies + 1)]
    units["chuangxian.target"] = "\n".join([
        "# generated by deploy/supervision.py from deploy/processes.py: regenerate, do not edit",
        "[Unit]",
        "Description=Chuangxian (创先) platform: every service, program and the gateway",
        "Wants=" + " ".join(wants),
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
    ])
    return units


def _listed(args):
    if args.processes_file:
        return check(read_processes_file(args.processes_file))
    return check(processes(args.config))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="deploy/config.yml")
    parser.add_argument("--processes-file", default=os.environ.get("DEPLOY_PROCESSES_FILE") or None)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run-config", help="write RUN_DIR/supervisord.conf for `platform up`; print its path")
    run.add_argument("--run-dir", required=True)
    run.add_argument("--probe-start", type=int, default=0,
                     help="first HTTP probe/metrics port (each process gets 40 from there); 0: none")
    export = sub.add_parser("export", help="write supervisord.conf or systemd units for a server")
    export.add_argument("kind", choices=["supervisor", "systemd"])
    export.add_argument("--out", required=True)
    export.add_argument("--prefix", default="/opt/chuangxian", help="where the repository and its .venv live")
    export.add_argument("--user", default="chuangxian")
    export.add_argument("--probe-start", type=int, default=9100,
                        help="first HTTP probe/metrics port on the host (each process gets 40 from there)")
    args = parser.parse_args(argv)

    listed = _listed(args)
    if args.command == "run-config":
        run_dir = os.path.abspath(args.run_dir)
        os.makedirs(os.path.join(run_dir, "logs"), exist_ok=True)
        os.makedirs(os.path.join(run_dir, "pids"), exist_ok=True)
        path = os.path.join(run_dir, "supervisord.conf")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(supervisord_conf(listed, ROOT, run_dir, probe_start=args.probe_start))
        print(path)
        return
    os.makedirs(args.out, exist_ok=True)
    if args.kind == "supervisor":
        files = {"supervisord.conf": supervisord_conf(
            [p._replace(command=p.command.replace(".venv/bin/", f"{args.prefix}/.venv/bin/", 1)
                        if p.command.startswith(".venv/bin/") else p.command) for p in listed],
            args.prefix, "/var/lib/chuangxian", user=args.user, probe_start=args.probe_start)}
    else:
        files = systemd_units(listed, args.prefix, user=args.user, probe_start=args.probe_start)
    for name, text in files.items():
        with open(os.path.join(args.out, name), "w", encoding="utf-8") as handle:
            handle.write(text)
        print(os.path.join(args.out, name), file=sys.stdout)


if __name__ == "__main__":
    main()
