"""The process list that `./deploy/platform up` starts, one line per process.

    .venv/bin/python -m deploy.processes --config deploy/config.yml

prints `NAME<TAB>COPIES<TAB>COMMAND` lines (run from the repository root):

* one `nameko run` (through deploy/nameko_process.py, which makes a refusal no
  restart can cure final) per `services/<name>/service.py` that exists;
* one `nameko run` (the same) per program name in the `PROGRAMS` list of the config: the
  service class named ``program_<name>`` in the ``service`` module of the package
  its entry point lives in (a package may declare several programs);
* the gateway under gunicorn, last (one copy: scale it with GATEWAY_WORKERS, or run
  more gateways behind the proxy).

COPIES is how many copies of the process run: ``<NAME>_COPIES`` in the environment
(e.g. ``APPLICATIONS_COPIES=3``, ``PILOT_BRANCHES_COPIES=2``), 1 by default; copies of
a service compete for its queue. COMMAND is a shell command line run with `exec`, so
it must start with the program (use `env VAR=value prog ...` to set variables).

This is the one list: `deploy/supervision.py` turns it into supervisord's
configuration (which `./deploy/platform up` runs) and into systemd units
(`./deploy/platform export supervisor|systemd`).
"""
import argparse
import os
import re
import sys
from typing import NamedTuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _load_config(path):
    from core.config import load_config

    return load_config(path)


def _bin(name):
    """`.venv/bin/NAME` of the interpreter running us, relative to ROOT when inside it."""
    path = os.path.join(os.path.dirname(sys.executable), name)
    rel = os.path.relpath(path, ROOT)
    return path if rel.startswith("..") else rel


def _class_named(module_name, service_name):
    """`module:Class` of the Nameko service called `service_name` in `module_name`
    (named explicitly: `nameko run module` alone would also take any mixin with
    entrypoints that the module imports)."""
    import importlib

    module = importlib.import_module(module_name)
    for attr, value in vars(module).items():
        if isinstance(value, type) and getattr(value, "name", None) == service_name:
            return f"{module_name}:{attr}"
    raise SystemExit(f"deploy.processes: {module_name} has no service named {service_name}")


def program_service(name):
    """`module:Class` of the Nameko service of the installed program `name`."""
    from core.programs import installed_programs

    package = installed_programs()[name].value.split(":")[0].rsplit(".", 1)[0]
    return _class_named(f"{package}.service", f"program_{name}")


class Process(NamedTuple):
    name: str
    command: str
    copies: int = 1


def copies_of(name, environ=None):
    """How many copies of process `name` to run: env ``<NAME>_COPIES`` (1 to 32)."""
    key = f"{re.sub(r'[^A-Za-z0-9]', '_', name).upper()}_COPIES"
    value = (environ if environ is not None else os.environ).get(key, "1")
    if not str(value).isdigit() or not 1 <= int(value) <= 32:
        raise SystemExit(f"deploy.processes: {key}={value!r} is not a number of copies from 1 to 32")
    return int(value)


def processes(config_path, environ=None):
    from core.programs import enabled_names
    from core.topology import service_names

    config = _load_config(config_path)
    # deploy/nameko_process.py: `nameko run` whose refusals no restart can cure are final
    nameko = f"{_bin('python')} -m deploy.nameko_process"
    lines = [(name, f"{nameko} run --config {config_path} {_class_named(f'services.{name}.service', name)}")
             for name in service_names()]
    for name in enabled_names(config):
        lines.append((str(name), f"{nameko} run --config {config_path} {program_service(name)}"))
    names = [name for name, _ in lines] + ["gateway"]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SystemExit(f"deploy.processes: duplicate process names: {', '.join(duplicates)}")
    listed = [Process(name, command, copies_of(name, environ)) for name, command in lines]
    if copies_of("gateway", environ) != 1:
        raise SystemExit("deploy.processes: run one gateway per host (GATEWAY_WORKERS sets its workers)")
    listed.append(Process("gateway", f"{_bin('gunicorn')} -c deploy/gunicorn.conf.py gateway.wsgi:app"))
    return listed


def exec_process(config_path, name):
    """Replace this process by process `name` of the list (a container's entry point:
    the same image runs any process, `... --exec scoring`)."""
    import shlex

    listed = {p.name: p for p in processes(config_path)}
    if name not in listed:
        raise SystemExit(f"deploy.processes: no process named {name!r}; the list has: {', '.join(listed)}")
    argv = shlex.split(listed[name].command)
    os.chdir(ROOT)
    os.execvp(argv[0], argv)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="deploy/config.yml")
    parser.add_argument("--exec", metavar="NAME", help="run process NAME of the list in this process")
    args = parser.parse_args(argv)
    if args.exec:
        exec_process(args.config, args.exec)
    for process in processes(args.config):
        print(f"{process.name}\t{process.copies}\t{process.command}")


if __name__ == "__main__":
    main()
