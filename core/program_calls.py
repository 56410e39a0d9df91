"""Calls from a shared service to a program's own process (``program_<name>``), so
that a dead or slow program fails its own requests quickly and nothing else.

    hooks = ProgramCalls(title_of=...)          # in the service class
    self.hooks["pilot_branches"].check_eligibility(context)

Guarantees (configuration ``PROGRAM_CALLS``, defaults in `DEFAULTS`):
  * timeout: a call not answered within TIMEOUT_SECONDS (BATCH_TIMEOUT_SECONDS for
    `ProgramCalls(batch=True)`, whose hooks read whole campaigns) raises
    ProgramNotAnswering naming the program (503 at the gateway); the request
    message expires in the program's queue after the same time, so a program that
    comes back does not work through a pile of requests nobody waits for;
  * bulkhead: at most MAX_SHARE of this service's workers (at least one) wait on
    one program at a time. A call beyond that queues for a slot while the program
    answers promptly — a burst on a healthy program is served — but fails as soon as
    the oldest call in flight has waited longer than PATIENCE_SECONDS (a quarter of
    the timeout for batch hooks), and at once while the program's last call timed
    out, so a dead program holds more than its share only for PATIENCE_SECONDS after
    it dies, and never the workers that serve log-ins, other programs and the rest;
  * after a timeout the program is given up on for COOLDOWN_SECONDS: its calls fail
    at once, then go through again (still within the bulkhead) to see if it is back;
  * errors the program raises (typed errors, RemoteError, UnknownService when it has
    never run) reach the caller unchanged.
"""
import logging
import time

import eventlet
from eventlet.semaphore import Semaphore
from nameko.extensions import DependencyProvider
from nameko.rpc import ServiceProxy

from core.bus import ReplyListener
from core.errors import ProgramNotAvailable, program_not_answering

log = logging.getLogger(__name__)

DEFAULTS = {"TIMEOUT_SECONDS": 8, "BATCH_TIMEOUT_SECONDS": 60, "MAX_SHARE": 0.3, "COOLDOWN_SECONDS": 5,
            "PATIENCE_SECONDS": 3}


def check_program_name(program):
    if not program or not program.replace("_", "").isalnum():
        raise ProgramNotAvailable(f"Bad program name {program!r}.", f"项目名称无效：{program}", field="program")
    return program


class ProgramCalls(DependencyProvider):
    """The dependency: ``self.hooks[program].<hook>(...)`` (see the module docstring).

    `title_of(service, program)` -> (title_zh, title_en) names the program in errors;
    without it, or when it fails, the program's name is used.
    """

    rpc_reply_listener = ReplyListener()

    def __init__(self, title_of=None, batch=False):
        self.title_of = title_of
        self.batch = batch
        self.gates = {}
        self.in_flight = {}       # program -> {call token: monotonic start}
        self.suspect = set()      # programs whose last call timed out: no queueing for them
        self.given_up_until = {}

    def setup(self):
        settings = dict(DEFAULTS, **(self.container.config.get("PROGRAM_CALLS") or {}))
        self.timeout = float(settings["BATCH_TIMEOUT_SECONDS" if self.batch else "TIMEOUT_SECONDS"])
        self.cooldown = float(settings["COOLDOWN_SECONDS"])
        # a hook that reads a whole campaign may take seconds when all is well
        self.patience = max(float(settings["PATIENCE_SECONDS"]), self.timeout / 4 if self.batch else 0)
        self.share = max(1, int(self.container.max_workers * float(settings["MAX_SHARE"])))

    def get_dependency(self, worker_ctx):
        return _Programs(self, worker_ctx)

    def call(self, worker_ctx, program, method, args, kwargs):
        if time.monotonic() < self.given_up_until.get(program, 0):
            raise self._not_answering(worker_ctx, program)
        self._enter(worker_ctx, program)
        token = object()
        self.in_flight.setdefault(program, {})[token] = time.monotonic()
        try:
            return self._call(worker_ctx, program, method, args, kwargs)
        finally:
            self.in_flight[program].pop(token, None)
            self.gates[program].release()

    def _enter(self, worker_ctx, program):
        """Take one of the program's slots, queueing only while it answers promptly."""
        gate = self.gates.setdefault(program, Semaphore(self.share))
        deadline = time.monotonic() + self.timeout
        may_queue = program not in self.suspect
        while not (gate.acquire(timeout=0.2) if may_queue else gate.acquire(blocking=False)):
            if not may_queue:
                raise self._not_answering(worker_ctx, program)
            started = self.in_flight.get(program, {}).values()
            stalled = bool(started) and time.monotonic() - min(started) > self.patience
            if stalled or time.monotonic() > deadline:
                log.warning("program %s has %d calls in flight and is slow; failing the call", program, self.share)
                raise self._not_answering(worker_ctx, program)
        if time.monotonic() < self.given_up_until.get(program, 0):  # it timed out while we queued
            gate.release()
            raise self._not_answering(worker_ctx, program)

    def _call(self, worker_ctx, program, method, args, kwargs):
        proxy = ServiceProxy(worker_ctx, f"program_{program}", self.rpc_reply_listener, expiration=self.timeout)
        # publishing is not cut short (it holds a pooled connection); waiting is
        reply = getattr(proxy, method).call_async(*args, **kwargs)
        timer = eventlet.Timeout(self.timeout)
        try:
            result = reply.result()
        except eventlet.Timeout as expired:
            if expired is not timer:
                raise
            self._forget(reply)
            self.suspect.add(program)
            self.given_up_until[program] = time.monotonic() + self.cooldown
            log.warning("program %s did not answer %s within %.1f s", program, method, self.timeout)
            raise self._not_answering(worker_ctx, program) from None
        except Exception:  # the program answered, with an error: it is alive
            self._answered(program)
            raise
        finally:
            timer.cancel()
        self._answered(program)
        return result

    def _answered(self, program):
        self.given_up_until.pop(program, None)
        self.suspect.discard(program)

    def _forget(self, reply):
        """Drop the reply we stopped waiting for from the listener's table."""
        pending = self.rpc_reply_listener._reply_events
        for key, event in list(pending.items()):
            if event is reply.reply_event:
                pending.pop(key, None)

    def _not_answering(self, worker_ctx, program):
        titles = (None, None)
        if self.title_of is not None:
            try:
                titles = self.title_of(worker_ctx.service, program)
            except Exception:  # noqa: BLE001 - the name will do
                pass
        return program_not_answering(program, *titles)


class _Programs:
    def __init__(self, calls, worker_ctx):
        self._calls = calls
        self._worker_ctx = worker_ctx

    def __getitem__(self, program):
        return _Program(self._calls, self._worker_ctx, check_program_name(program))


class _Program:
    def __init__(self, calls, worker_ctx, program):
        self._calls = calls
        self._worker_ctx = worker_ctx
        self._program = program

    def __getattr__(self, method):
        if method.startswith("_"):
            raise AttributeError(method)

        def call(*args, **kwargs):
            return self._calls.call(self._worker_ctx, self._program, method, args, kwargs)

        return call
