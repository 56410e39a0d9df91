"""Dependencies of the applications service beyond its repository."""
from core.program_calls import ProgramCalls


def _titles(service, program):
    declared = service.store.get_program(program)
    return declared.get("title_zh"), declared.get("title_en")


class ProgramHooks(ProgramCalls):
    """RPC to the plugin services: ``self.hooks["pilot_branches"].check_eligibility(...)``,
    each call with a timeout and within the program's share of workers
    (core/program_calls.py), failing as a 503 that names the program.

    Program services are named ``program_<name>``; which exist is only known at run
    time from registrations, so the proxy is made per call.
    """

    def __init__(self, **kwargs):
        super().__init__(title_of=_titles, **kwargs)
