"""Background jobs on the web pages: the JSON a page's progress bar polls, and the
file an export job produced (cookie log-in, like every page).

A page that starts a job shows `_job.html` with the job; `static/jobs.js` polls
`/jobs/<id>.json` and reloads the page when the job has finished, so the server
renders its result (counts, row errors, the file link).
"""
from flask import g, jsonify

from gateway.api import file_response, rpc
from gateway.api.jobs import owning_service
from gateway.web import blp, i18n, session

i18n.add({
    "job_queued": ("排队中", "Queued"),
    "job_running": ("处理中", "Working"),
    "job_succeeded": ("已完成", "Done"),
    "job_failed": ("未完成", "Failed"),
    "job_progress": ("进度", "Progress"),
    "job_refresh": ("刷新", "Refresh"),
    "job_download": ("下载文件", "Download the file"),
    "job_rows": ("条", "rows"),
})


def job_of(job_id):
    """The logged-in person's job (NotFound for anyone else's)."""
    with rpc() as cluster:
        return getattr(cluster, owning_service(job_id)).get_job(g.actor_id, job_id)


@blp.route("/jobs/<job_id>.json")
@session.page_login_required
def job_json(job_id):
    return jsonify(job_of(job_id))


@blp.route("/jobs/<job_id>/file")
@session.page_login_required
def job_file(job_id):
    with rpc() as cluster:
        doc = getattr(cluster, owning_service(job_id)).get_job_file(g.actor_id, job_id)
    return file_response(doc)
