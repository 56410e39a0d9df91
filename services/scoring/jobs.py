"""The scoring service's background jobs (`core.jobs`): kind -> handler.

Each handler is `handler(run, service)` and idempotent: a re-run after a crash
completes the work without applying any of it twice.
"""
from core.envelope import utc_now
from services.scoring import reviewing

AUTO_ASSIGN = "auto_assign"
LISTED = 1000   # assignments listed in a job's result (a job document stays small; the rest are listed
                # by GET /api/scoring/campaigns/<id>/assignments)


def auto_assign(run, service):
    """{"created": [the first LISTED], "created_count", "created_truncated", "loads"}."""
    done = reviewing.auto_assign(service.store, service.applications, service.dispatch,
                                 service._person(run.actor_id), run.params["campaign_id"], utc_now(),
                                 progress=run.progress)
    created = done["created"]
    return dict(done, created=created[:LISTED], created_count=len(created), created_truncated=len(created) > LISTED)


HANDLERS = {AUTO_ASSIGN: auto_assign}
