"""The Nameko shell every program plugin runs as (one process per enabled program).

`make_program_service(program)` returns a service named ``program_<name>`` that
  * refuses to start when the program is not enabled in the configuration, or when
    its declaration breaks the typed contract (`core.declaration`; the message
    names every bad path),
  * registers the program's declaration when it starts with the applications
    service (which learns its own rater roles from it), and with scoring (criteria,
    quota rules, the rater roles they name), funding (tiers) and records (its own
    fact kinds) when it declares those, retrying each with backoff while
    that service does not answer (so the start order of processes does not matter;
    registration is idempotent); a
    service that *refuses* the declaration (a typed error) stops the process with
    that service's message instead of retrying forever,
  * serves the program's hooks over RPC, each with ``context["program"]`` naming
    the version and revision the campaign pinned (`core.hookspec`).
"""
import logging

import eventlet
from nameko.extensions import DependencyProvider
from nameko.rpc import ServiceProxy

import core.rpc_errors  # noqa: F401  (typed errors cross RPC)
from core import probes
from core.declaration import check_program
from core.bus import ClusterRpcProxy, ReplyListener, RpcProxy
from core.entrypoints import rpc
from core.errors import ChuangxianError, ProgramNotAvailable
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
        check_program(self.program)   # ValidationFailed naming every bad path: the process does not start
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
        if self.program.fact_kinds:
            targets.append("records")
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
            except ChuangxianError as exc:  # the service answered: it refuses this declaration
                log.error("%s refused program %s version %s: %s", target, self.program.name,
                          declaration["version"], exc)
                raise RegistrationRefused(f"{target} refused program {self.program.name}: {exc.message_en}",
                                          f"{target} 拒绝登记项目 {self.program.name}：{exc.message_zh}",
                                          field=exc.field, details=exc.details) from None
            except Exception as exc:  # the service may not be up yet
                log.warning("registering %s with %s failed (%s); retrying in %.1fs",
                            self.program.name, target, exc, delay)
                eventlet.sleep(delay)
                delay = min(delay * 2, 10)

    def get_dependency(self, worker_ctx):
        return self.program


class RegistrationRefused(ChuangxianError):
    """A shared service refused the declaration: the program process stops."""

    code = "registration_refused"


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
    current = program.declaration()["version"]
    revisions = {current: program.revision}   # version -> revision, of the versions campaigns pinned

    class ProgramService(probes.Probed):
        name = f"program_{program.name}"
        program_dep = Registrar(program)
        records = Records()
        directory = Directory()
        applications = RpcProxy("applications")

        @rpc
        def ping(self):
            return "pong"

        @rpc
        def declaration(self):
            return self.program_dep.declaration()

        @rpc
        def validate_application(self, form, context, partial=False):
            """{"form": cleaned or None, "errors": [field_error, ...]}."""
            cleaned, errors = self.program_dep.validate(form, self._context(context), partial=partial)
            return {"form": cleaned, "errors": errors}

        @rpc
        def check_submission(self, form, context, eligibility_context):
            """What submitting asks in one call instead of two: `validate_application`
            of the whole form with `context` and, when it has no errors,
            `check_eligibility` with `eligibility_context` (the same hooks, so the
            same rules): {"form", "errors", "reasons" (None when the form has errors)}."""
            checked = self.validate_application(form, context, partial=False)
            checked["reasons"] = None if checked["errors"] else self.check_eligibility(eligibility_context)
            return checked

        @rpc
        def check_eligibility(self, context):
            """A list of reasons the applicant may not submit; empty when eligible."""
            return self._hooks().check_eligibility(self._context(context))

        @rpc
        def check_eligibility_many(self, contexts):
            """`check_eligibility` for each context, in order: one call for all the
            applicants a person chooses from (the same hook, so the same rules)."""
            hooks = self._hooks()
            return [hooks.check_eligibility(self._context(c)) for c in contexts or []]

        @rpc
        def scoring_inputs(self, context):
            """Categories, facts, imported marks, grade eligibility and population
            for the scoring service (see ProgramHooks.scoring_inputs)."""
            return self._hooks().scoring_inputs(self._context(context))

        @rpc
        def award_titles_many(self, contexts):
            """`award_titles` for each context, in order: one call for a batch of a
            final list's entries (the same hook, so the same titles)."""
            hooks = self._hooks()
            return [hooks.award_titles(self._context(c)) for c in contexts or []]

        @rpc
        def award_titles(self, context):
            """The titles an entry of a final list receives (ProgramHooks.award_titles)."""
            return self._hooks().award_titles(self._context(context))

        def _context(self, context):
            """`context` with ``program``: the name, titles, and the version and
            revision the campaign pinned."""
            context = dict(context or {})
            p = self.program_dep
            version = (context.get("campaign") or {}).get("program_version") or current
            if version not in revisions:   # an older version: the applications service keeps every one
                revisions[version] = self.applications.get_program(p.name, version).get("revision", 1)
            revision = revisions[version]
            context["program"] = {"name": p.name, "title_zh": p.title_zh, "title_en": p.title_en,
                                  "version": version, "revision": revision}
            return context

        def _hooks(self):
            return self.program_dep.hooks.bind(self.records, self.directory)

    ProgramService.__name__ = f"Program_{program.name}"
    return ProgramService
