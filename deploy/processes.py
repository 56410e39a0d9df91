"""The process list that `./deploy/platform up` starts, one line per process.

    .venv/bin/python -m deploy.processes --config deploy/config.yml

prints `NAME<TAB>COMMAND` lines (run from the repository root):

* one `nameko run` per `services/<name>/service.py` that exists;
* one `nameko run` per program name in the `PROGRAMS` list of the config
  (`plugins.<name>.service`);
* the gateway under gunicorn, last.

COMMAND is a shell command line that `deploy/platform` runs with `exec`, so it
must start with the program (use `env VAR=value prog ...` to set variables).
"""
import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _load_config(path):
    from core.config import load_config

    return load_config(path)


def _bin(name):
    """`.venv/bin/NAME` of the interpreter running us, relative to ROOT when inside it."""
    path = os.path.join(os.path.dirname(sys.executable), name)
    rel = os.path.relpath(path, ROOT)
    return path if rel.startswith("..") else rel


def processes(config_path):
    from core.programs import enabled_names
    from core.topology import service_names

    config = _load_config(config_path)
    nameko = _bin("nameko")
    lines = [(name, f"{nameko} run --config {config_path} services.{name}.service") for name in service_names()]
    for name in enabled_names(config):
        lines.append((str(name), f"{nameko} run --config {config_path} plugins.{name}.service"))
    lines.append(("gateway", f"{_bin('gunicorn')} -c deploy/gunicorn.conf.py gateway.wsgi:app"))
    names = [name for name, _ in lines]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SystemExit(f"deploy.processes: duplicate process names: {', '.join(duplicates)}")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="deploy/config.yml")
    args = parser.parse_args(argv)
    for name, command in processes(args.config):
        print(f"{name}\t{command}")


if __name__ == "__main__":
    main()
