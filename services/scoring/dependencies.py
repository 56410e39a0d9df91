"""The scoring service's view of the applications service (the directory, campaigns
and applications it owns), over RPC: scoring never reads another service's data.

`Applications` is a DependencyProvider giving each worker an `ApplicationsClient`
bound to that worker's call context, so the calls carry the same correlation and
a typed error from the far side (NotFound, ...) arrives as itself.
"""
from nameko.exceptions import UnknownService
from nameko.extensions import DependencyProvider
from nameko.rpc import ReplyListener, ServiceProxy

from core.errors import ProgramNotAvailable
from core.views import jsonable

# Applications in these states are reviewed and ranked by the scoring service: the
# college approved them (学院审核通过) and the school has not decided yet.
SCORED_STATES = ("college_approved",)


class ApplicationsClient:
    """Small typed wrapper over the applications service's internal RPCs."""

    def __init__(self, proxy):
        self.proxy = proxy

    def actor(self, actor_id):
        """The person with roles and units; NotFound when unknown."""
        return self.proxy.internal_actor(actor_id)

    def campaign(self, campaign_id):
        """The campaign (program, program_version, unit_path, ...); NotFound."""
        return self.proxy.internal_campaign(campaign_id)

    def application(self, application_id):
        return self.proxy.internal_application(application_id)

    def candidates(self, campaign_id):
        """The campaign's applications under review (SCORED_STATES), by id."""
        return self.proxy.internal_applications(campaign_id, list(SCORED_STATES))

    def people(self, role_keys=None, unit_ids=None):
        return self.proxy.internal_people(role_keys, unit_ids)


class Applications(DependencyProvider):
    rpc_reply_listener = ReplyListener()

    def get_dependency(self, worker_ctx):
        return ApplicationsClient(ServiceProxy(worker_ctx, "applications", self.rpc_reply_listener))


class ProgramInputsClient:
    """The program plugins' ``scoring_inputs`` hook (core/program.py), over RPC to the
    service ``program_<name>``; which programs exist is only known at run time, so
    the proxy is made per call (like the applications service's ProgramHooks)."""

    def __init__(self, worker_ctx, listener):
        self.worker_ctx = worker_ctx
        self.listener = listener

    def scoring_inputs(self, campaign, applications):
        """What the program adds to a computation for these application views (see
        `domain.plugin_inputs`). ProgramNotAvailable when its service is not running."""
        program = campaign.get("program") or ""
        if not program.replace("_", "").isalnum():
            raise ProgramNotAvailable(f"Bad program name {program!r}.", f"项目名称无效：{program}", field="program")
        proxy = ServiceProxy(self.worker_ctx, f"program_{program}", self.listener)
        context = jsonable({"campaign": campaign, "applications": list(applications)})
        try:
            return proxy.scoring_inputs(context)
        except UnknownService:
            raise ProgramNotAvailable(f"The service of program {program!r} is not running; its scoring inputs "
                                      "cannot be read.", f"项目 {program} 的服务未运行，无法读取其评分输入",
                                      field="program") from None


class ProgramInputs(DependencyProvider):
    rpc_reply_listener = ReplyListener()

    def get_dependency(self, worker_ctx):
        return ProgramInputsClient(worker_ctx, self.rpc_reply_listener)
