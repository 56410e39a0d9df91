"""The applications service's background jobs (`core.jobs`): kind -> handler.

Each handler is `handler(run, service)` and idempotent: a re-run after a crash
completes the work without applying any of it twice.
"""
from core.envelope import utc_now
from core.filestore import upload_bytes
from services.applications import campaign_dashboard, directory, exports, final_list, nominations, stage_board

IMPORT_STUDENTS = "import_students"
EXPORT_SUMMARY = "export_summary"
PASS_STAGE_REPORTS = "pass_stage_reports"
FINALISE = "finalise"
NOMINATE = "nominate"
DASHBOARD_COUNTS = "dashboard_counts"


def import_students(run, service):
    params = run.params
    # `file`: the file store's reference the gateway sent (jobs started before it: base64)
    data = upload_bytes(params.get("file") or params.get("data_b64"), service.store.files)
    return directory.import_students(service.store, service._actor(run.actor_id), params["school_id"],
                                     params["filename"], data, progress=run.progress)


def export_summary(run, service):
    campaign = service.store.get_campaign(run.params["campaign_id"])
    return exports.summary(service.store, service.store.jobs, service._actor(run.actor_id), campaign, run.id,
                           progress=run.progress)


def pass_stage_reports(run, service):
    return stage_board.bulk_pass(service._deps(), run.actor_id, run.params["campaign_id"], run.params["stage"],
                                 run.id, utc_now, run.progress)


def finalise(run, service):
    """Settle a stored final list (final_list.run_finalise): the list and ``decided``."""
    return final_list.run_finalise(service._deps(), run.params["campaign_id"], utc_now(), progress=run.progress)


def nominate(run, service):
    """Nominate to the parent campaign (nominations.nominate)."""
    return nominations.nominate(service.store, service.nomination_store, service.dispatch,
                                service._actor(run.actor_id), run.params["campaign_id"],
                                run.params["application_ids"], utc_now(), progress=run.progress)


def dashboard_counts(run, service):
    """Count a large campaign's applications for its dashboard (campaign_dashboard.refresh);
    counting twice keeps the same counts."""
    return campaign_dashboard.refresh(service.store, run.params["campaign_id"], utc_now())


HANDLERS = {IMPORT_STUDENTS: import_students, EXPORT_SUMMARY: export_summary, PASS_STAGE_REPORTS: pass_stage_reports,
            FINALISE: finalise, NOMINATE: nominate, DASHBOARD_COUNTS: dashboard_counts}
