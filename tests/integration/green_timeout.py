"""Per-test time limits that fail one test, never the run.

pytest-timeout cannot do that here: under eventlet's monkey patch it falls back to its
thread method, which ends the whole pytest process with `os._exit` at the first slow
test (every later test is lost, and pytest prints no summary). Instead each phase of
a test (setup, call, teardown) arms SIGALRM; the handler raises `TestTimeLimit` in the
main thread, where the test's greenlet or eventlet's hub is running. If the hub is
interrupted, eventlet starts a new one at the next switch, so the later tests run on a
working hub. The alarm repeats every few seconds until the phase ends, in case code
under test catches the first one.

The limit is the test's `@pytest.mark.timeout(N)` or the `timeout` ini value.
"""
import signal

import pytest

REPEAT_SECONDS = 5


class TestTimeLimit(BaseException):
    """A test phase ran past its limit (a BaseException so `except Exception` in the code
    under test does not swallow it)."""

    __test__ = False  # not a test class


def unregister_pytest_timeout(config):
    """Called from the conftest's pytest_configure: the suite's limits come from here."""
    plugin = config.pluginmanager.get_plugin("timeout")
    if plugin is not None:
        config.pluginmanager.unregister(plugin)


def _limit(item):
    marker = item.get_closest_marker("timeout")
    if marker is not None and marker.args:
        return float(marker.args[0])
    try:
        return float(item.config.getini("timeout") or 0)
    except ValueError:
        return 0.0


def _guard(item, phase):
    limit = _limit(item)
    if limit <= 0:
        yield
        return

    def on_alarm(signum, frame):
        raise TestTimeLimit(f"{item.nodeid}: {phase} ran longer than {limit:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, limit, REPEAT_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    yield from _guard(item, "setup")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    yield from _guard(item, "call")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    yield from _guard(item, "teardown")
