"""Dependencies of the applications service beyond its repository."""
from nameko.extensions import DependencyProvider
from nameko.rpc import ReplyListener, ServiceProxy

from core.errors import ProgramNotAvailable


class ProgramHooks(DependencyProvider):
    """RPC to the plugin services: ``self.hooks["pilot_branches"].check_eligibility(...)``.

    Program services are named ``program_<name>``; which exist is only known at run
    time from registrations, so this is a dynamic RpcProxy.
    """

    rpc_reply_listener = ReplyListener()

    def get_dependency(self, worker_ctx):
        listener = self.rpc_reply_listener

        class _Hooks:
            def __getitem__(self, program):
                if not program or not program.replace("_", "").isalnum():
                    raise ProgramNotAvailable(f"Bad program name {program!r}.", f"项目名称无效：{program}")
                return ServiceProxy(worker_ctx, f"program_{program}", listener)

        return _Hooks()
