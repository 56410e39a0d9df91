"""The integration suite's time limit fails the slow test alone: the tests after it
still run and pytest prints its summary (pytest-timeout's thread method, which
eventlet's monkey patch forces, ended the whole run instead)."""
import os
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CONFTEST = """
import eventlet
eventlet.monkey_patch()
import pytest
from tests.integration.green_timeout import (
    pytest_runtest_call, pytest_runtest_setup, pytest_runtest_teardown, unregister_pytest_timeout)

def pytest_configure(config):
    unregister_pytest_timeout(config)

@pytest.fixture
def slow_fixture():
    eventlet.sleep(30)
    yield
"""

TESTS = """
import time
import eventlet
import pytest

@pytest.mark.timeout(1)
def test_sleeps_in_the_hub():
    eventlet.sleep(30)

@pytest.mark.timeout(1)
def test_busy_and_swallowing():
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            time.sleep(0.05)
        except Exception:
            pass

@pytest.mark.timeout(1)
def test_slow_setup(slow_fixture):
    pass

def test_after_them():
    eventlet.sleep(0.01)
"""


def test_a_slow_test_fails_alone(tmp_path):
    (tmp_path / "conftest.py").write_text(textwrap.dedent(CONFTEST))
    (tmp_path / "test_limits.py").write_text(textwrap.dedent(TESTS))
    (tmp_path / "pytest.ini").write_text("[pytest]\ntimeout = 60\n")
    env = dict(os.environ, PYTHONPATH=ROOT)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:nameko",
                          str(tmp_path)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    out = run.stdout + run.stderr
    summary = out.strip().splitlines()[-1]
    assert "2 failed, 1 passed" in summary and "1 error" in summary, out
    assert out.count("TestTimeLimit") >= 3, out
