"""The scoring service's background jobs (`core.jobs`): kind -> handler.

Each handler is `handler(run, service)` and idempotent: a re-run after a crash
completes the work without applying any of it twice.
"""
from core.envelope import utc_now
from services.scoring import reviewing

AUTO_ASSIGN = "auto_assign"


def auto_assign(run, service):
    return reviewing.auto_assign(service.store, service.applications, service.dispatch,
                                 service._person(run.actor_id), run.params["campaign_id"], utc_now(),
                                 progress=run.progress)


HANDLERS = {AUTO_ASSIGN: auto_assign}
