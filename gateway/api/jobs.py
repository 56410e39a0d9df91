"""Background jobs (后台任务): progress and result of bulk work a person started.

A job id is ``<service>.<hex>``: the gateway asks the owning service, which shows a
job only to the person who started it.
"""
from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from core.errors import NotFound
from core.topology import service_names
from gateway.api import file_response, rpc
from gateway.auth import login_required

blp = Blueprint("jobs", __name__, url_prefix="/api/jobs", description="Background jobs (后台任务)")


class JobErrorOut(Schema):
    code = fields.String()
    message = fields.String()
    message_zh = fields.String()
    field = fields.String()
    details = fields.Raw(metadata={"description": "e.g. every bad row {row, column, message, message_zh}"})


class JobOut(Schema):
    id = fields.String()
    kind = fields.String()
    state = fields.String(metadata={"description": "queued, running, succeeded, failed"})
    done = fields.Integer()
    total = fields.Integer(allow_none=True)
    percent = fields.Integer()
    result = fields.Raw(allow_none=True, metadata={"description": "counts, and `file` {name, size, url} for exports"})
    error = fields.Nested(JobErrorOut, allow_none=True)
    created_at = fields.String()
    started_at = fields.String(allow_none=True)
    finished_at = fields.String(allow_none=True)
    attempts = fields.Integer()


def owning_service(job_id):
    service = job_id.split(".", 1)[0]
    if "." not in job_id or service not in service_names():
        raise NotFound(f"No job {job_id!r}.", "没有这个任务", field="job_id")
    return service


@blp.route("/<job_id>")
@blp.response(200, JobOut)
@login_required
def get_job(job_id):
    """A job you started: state, progress and, when finished, its result or error."""
    service = owning_service(job_id)
    with rpc() as cluster:
        return getattr(cluster, service).get_job(g.actor_id, job_id)


@blp.route("/<job_id>/file")
@login_required
def job_file(job_id):
    """The file a finished export job produced."""
    service = owning_service(job_id)
    with rpc() as cluster:
        doc = getattr(cluster, service).get_job_file(g.actor_id, job_id)
    return file_response(doc)
