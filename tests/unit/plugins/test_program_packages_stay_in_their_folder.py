"""A program distribution (a folder under plugins/ with its own pyproject.toml and its
own tests) is installed without touching the platform: every commit that changes the
folder — from the one that made it self-contained (the first to put tests in its
folder) on — may change, outside it, only the PROGRAMS line of deploy/config.yml
(enabling it) and the demo data (deploy/demo_data.py). This lists every other file such
a commit touches.

A program written before the contract existed becomes self-contained by two commits:
one that copies its tests into its folder (touching nothing else), then one that removes
the old copies under tests/ (touching nothing in the folder). A change to the contract
that every program must follow is likewise a platform commit, then one commit per
program."""
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
ALLOWED = {"deploy/demo_data.py"}
CONFIG = "deploy/config.yml"


def _git(*args, root=ROOT):
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def _distributions():
    """Self-contained program distributions: a pyproject.toml and their own tests in the
    folder."""
    return sorted(p.parent.name for p in (ROOT / "plugins").glob("*/pyproject.toml")
                  if (p.parent / "tests").is_dir())


def outside_files(package, root=ROOT):
    """{commit: [paths outside plugins/<package>/ it touches that are not allowed]}."""
    found = {}
    became = _git("log", "--format=%H %P", "--diff-filter=A", "--", f"plugins/{package}/tests",
                  root=root).splitlines()[-1].split()            # the first commit giving it tests
    since = f"{became[0]}^..HEAD" if len(became) > 1 else "HEAD"    # from that commit on
    commits = _git("log", "--format=%H", since, "--", f"plugins/{package}", root=root).split()
    for commit in commits:
        paths = _git("show", "--format=", "--name-only", commit, root=root).split()
        bad = [p for p in paths if not p.startswith(f"plugins/{package}/") and p not in ALLOWED and p != CONFIG]
        if CONFIG in paths:
            diff = _git("show", "--format=", "-U0", commit, "--", CONFIG, root=root).splitlines()
            changed = [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]
            if any(not line[1:].startswith("PROGRAMS:") for line in changed):
                bad.append(f"{CONFIG} (beyond the PROGRAMS line)")
        if bad:
            found[commit[:10]] = bad
    return found


def test_there_is_a_program_distribution_to_check():
    assert "merit_students" in _distributions()


@pytest.mark.parametrize("package", _distributions())
def test_a_program_distribution_touches_nothing_outside_its_folder(package):
    assert outside_files(package) == {}


def test_the_check_names_what_a_program_commit_touches_outside(tmp_path):
    def commit(files, message):
        for path, text in files.items():
            (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / path).write_text(text)
        _git("add", "-A", root=tmp_path)
        _git("-c", "user.name=t", "-c", "user.email=t@example.edu.cn", "commit", "-qm", message, root=tmp_path)

    _git("init", "-q", root=tmp_path)
    commit({CONFIG: "PROGRAMS: [a]\nTIMEZONE: Asia/Shanghai\n", "core/x.py": ""}, "platform")
    commit({"plugins/p/hooks.py": "", "core/x.py": "before"}, "before it was a distribution: not checked")
    commit({"plugins/p/program.py": "", "plugins/p/pyproject.toml": "", "plugins/p/tests/test_p.py": "",
            CONFIG: "PROGRAMS: [a, p]\nTIMEZONE: Asia/Shanghai\n", "deploy/demo_data.py": ""},
           "the program as a distribution with its tests, enabled, with demo data")
    assert outside_files("p", root=tmp_path) == {}
    commit({"plugins/p/hooks.py": "changed", "core/x.py": "changed", CONFIG: "PROGRAMS: [a, p]\nTIMEZONE: UTC\n"},
           "a program commit that edits the platform")
    (bad,) = outside_files("p", root=tmp_path).values()
    assert bad == ["core/x.py", f"{CONFIG} (beyond the PROGRAMS line)"]


def test_an_older_program_is_checked_from_the_commit_that_moved_its_tests_in(tmp_path):
    def commit(files, message, remove=()):
        for path, text in files.items():
            (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / path).write_text(text)
        for path in remove:
            (tmp_path / path).unlink()
        _git("add", "-A", root=tmp_path)
        _git("-c", "user.name=t", "-c", "user.email=t@example.edu.cn", "commit", "-qm", message, root=tmp_path)

    _git("init", "-q", root=tmp_path)
    commit({"plugins/p/program.py": "", "plugins/p/pyproject.toml": "", "tests/unit/p/test_p.py": "",
            "core/x.py": ""}, "an older program, its tests under tests/")
    commit({"plugins/p/program.py": "v2", "core/x.py": "v2"}, "a contract change before it moved: not checked")
    commit({"plugins/p/tests/unit/test_p.py": ""}, "its tests copied into its folder")
    commit({}, "the old copies removed", remove=["tests/unit/p/test_p.py"])
    assert outside_files("p", root=tmp_path) == {}
    commit({"plugins/p/program.py": "v3", "core/x.py": "v3"}, "a program commit that edits the platform")
    (bad,) = outside_files("p", root=tmp_path).values()
    assert bad == ["core/x.py"]
