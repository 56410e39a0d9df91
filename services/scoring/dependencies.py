"""The scoring service's view of the applications service (the directory, campaigns
and applications it owns), over RPC: scoring never reads another service's data.

`Applications` is a DependencyProvider giving each worker an `ApplicationsClient`
bound to that worker's call context, so the calls carry the same correlation and
a typed error from the far side (NotFound, ...) arrives as itself.
"""
from nameko.exceptions import UnknownService
from nameko.extensions import DependencyProvider
from nameko.rpc import ServiceProxy

from core.bus import ReplyListener
from core.errors import ProgramNotAvailable
from core.program_calls import ProgramCalls
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

    def attachments(self, application_id):
        """The application's attachments (metadata only)."""
        return self.proxy.internal_attachments(application_id)

    def attachment(self, application_id, attachment_id):
        """One attachment with where its bytes are (`file_id` or `data_b64`); NotFound."""
        return self.proxy.internal_attachment(application_id, attachment_id)

    def by_ids(self, campaign_id, ids):
        """The campaign's applications of these ids, whatever their state (once the list
        is final they are approved or rejected, no longer under review)."""
        return self.proxy.internal_applications(campaign_id, None, sorted(ids))

    def candidates(self, campaign_id, ids=None):
        """The campaign's applications under review (SCORED_STATES), by id; only those
        of `ids` when given."""
        return self.proxy.internal_applications(campaign_id, list(SCORED_STATES), ids)

    def people(self, role_keys=None, unit_ids=None):
        return self.proxy.internal_people(role_keys, unit_ids)

    def revision(self, campaign_id):
        """{"count", "updated_ts"} of the campaign's applications: changes when any is
        created or changes (cheap: two index-served reads over there)."""
        return self.proxy.internal_campaign_revision(campaign_id)


class Applications(DependencyProvider):
    rpc_reply_listener = ReplyListener()

    def get_dependency(self, worker_ctx):
        return ApplicationsClient(ServiceProxy(worker_ctx, "applications", self.rpc_reply_listener))


class ProgramInputsClient:
    """The program plugins' ``scoring_inputs`` hook (core/program.py), over RPC to the
    service ``program_<name>`` with a timeout and a bulkhead (core/program_calls.py)."""

    def __init__(self, programs):
        self.programs = programs

    def scoring_inputs(self, campaign, applications):
        """What the program adds to a computation for these application views (see
        `domain.plugin_inputs`). ProgramNotAvailable when its service is not running,
        ProgramNotAnswering when it does not answer in time."""
        program = campaign.get("program") or ""
        context = jsonable({"campaign": campaign, "applications": list(applications)})
        try:
            return self.programs[program].scoring_inputs(context)
        except UnknownService:
            raise ProgramNotAvailable(f"The service of program {program!r} is not running; its scoring inputs "
                                      "cannot be read.", f"项目 {program} 的服务未运行，无法读取其评分输入",
                                      field="program") from None


class ProgramInputs(ProgramCalls):
    """Whole campaigns go to the hook at once: the batch timeout applies."""

    def __init__(self):
        super().__init__(batch=True)

    def get_dependency(self, worker_ctx):
        return ProgramInputsClient(super().get_dependency(worker_ctx))
