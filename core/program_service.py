"""The Nameko shell every program plugin runs as (one process per enabled program).

`make_program_service(program)` returns a service named ``program_<name>`` that
  * refuses to start when the program is not enabled in the configuration,
  * registers the program's declaration with the applications service, and with
    scoring (criteria, quota rules) and funding (tiers) when it declares those, when
    it starts, retrying each with backoff until that service answers (so the start
    order of processes does not matter; registration is idempotent),
  * serves the program's hooks over RPC.
"""
import logging

import eventlet
from nameko.extensions import DependencyProvider
from nameko.rpc import ReplyListener, ServiceProxy, rpc
from nameko.standalone.rpc import ClusterRpcProxy

import core.rpc_errors  # noqa: F401  (typed errors cross RPC)
from core.errors import ProgramNotAvailable
from core import probes
from core.programs import check_enabled
from core.directory_client import DirectoryClient
from core.records_client import RecordsClient

log = logging.getLogger(__name__)


class Registrar(DependencyProvider):
    """Registers the program with the shared services; gives workers the Program."""

    def __init__(self, program):
        self.program = program
        self.registered = eventlet.event.Event()

    def setup(self):
        enabled = check_enabled(self.container.config)
        if self.program.name not in enabled:
            raise ProgramNotAvailable(
                f"Program {self.program.name!r} is installed but not enabled (PROGRAMS: {enabled})",
                f"项目 {self.program.name} 已安装但未启用（PROGRAMS：{enabled}）",
                field="PROGRAMS",
            )

    def start(self):
        for target in self.targets():
            self.container.spawn_managed_thread(lambda target=target: self._register(target))

    def targets(self):
        """The shared services this program registers with: every shared service
        offers `register_program(declaration)` and keeps what concerns it."""
        targets = ["applications"]
        if self.program.criteria or self.program.quota_rules:
            targets.append("scoring")
        if self.program.funding:
            targets.append("funding")
        return targets

    def _register(self, target):
        declaration = self.program.declaration()
        delay = 0.5
        while True:
            try:
                with ClusterRpcProxy(self.container.config, timeout=15) as cluster:
                    getattr(cluster, target).register_program(declaration)
                log.info("registered program %s version %s with %s", self.program.name, declaration["version"], target)
                if target == "applications":
                    self.registered.send(declaration["version"])
                return
            except Exception as exc:  # the service may not be up yet
                log.warning("registering %s with %s failed (%s); retrying in %.1fs",
                            self.program.name, target, exc, delay)
                eventlet.sleep(delay)
                delay = min(delay * 2, 10)

    def get_dependency(self, worker_ctx):
        return self.program


class Records(DependencyProvider):
    """A `RecordsClient` per worker, so hooks can ask for history and facts."""

    rpc_reply_listener = ReplyListener()

    def get_dependency(self, worker_ctx):
        return RecordsClient(ServiceProxy(worker_ctx, "records", self.rpc_reply_listener))


class Directory(DependencyProvider):
    """A `DirectoryClient` per worker, so hooks can read units and people."""

    rpc_reply_listener = ReplyListener()

    def get_dependency(self, worker_ctx):
        return DirectoryClient(ServiceProxy(worker_ctx, "applications", self.rpc_reply_listener))


def make_program_service(program):
    """A Nameko service class for `program` (see module docstring)."""

    class ProgramService(probes.Probed):
        name = f"program_{program.name}"
        program_dep = Registrar(program)
        records = Records()
        directory = Directory()

        @rpc
        def ping(self):
            return "pong"

        @rpc
        def declaration(self):
            return self.program_dep.declaration()

        @rpc
        def validate_application(self, form, context, partial=False):
            """{"form": cleaned or None, "errors": [field_error, ...]}."""
            cleaned, errors = self.program_dep.validate(form, context or {}, partial=partial)
            return {"form": cleaned, "errors": errors}

        @rpc
        def check_eligibility(self, context):
            """A list of reasons the applicant may not submit; empty when eligible."""
            return self._hooks().check_eligibility(context)

        @rpc
        def scoring_inputs(self, context):
            """Categories, facts, imported marks, grade eligibility and population
            for the scoring service (see ProgramHooks.scoring_inputs)."""
            return self._hooks().scoring_inputs(context)

        @rpc
        def award_titles(self, context):
            """The titles an entry of a final list receives (ProgramHooks.award_titles)."""
            p = self.program_dep
            return self._hooks().award_titles(
                dict(context, program={"name": p.name, "title_zh": p.title_zh, "title_en": p.title_en}))

        def _hooks(self):
            return self.program_dep.hooks.bind(self.records, self.directory)

    ProgramService.__name__ = f"Program_{program.name}"
    return ProgramService
