"""The applications service's background jobs (`core.jobs`): kind -> handler.

Each handler is `handler(run, service)` and idempotent: a re-run after a crash
completes the work without applying any of it twice.
"""
from core.forms import decode_upload
from services.applications import directory, exports

IMPORT_STUDENTS = "import_students"
EXPORT_SUMMARY = "export_summary"


def import_students(run, service):
    params = run.params
    return directory.import_students(service.store, service._actor(run.actor_id), params["school_id"],
                                     params["filename"], decode_upload(params["data_b64"]),
                                     progress=run.progress)


def export_summary(run, service):
    campaign = service.store.get_campaign(run.params["campaign_id"])
    return exports.summary(service.store, service.store.jobs, service._actor(run.actor_id), campaign, run.id,
                           progress=run.progress)


HANDLERS = {IMPORT_STUDENTS: import_students, EXPORT_SUMMARY: export_summary}
