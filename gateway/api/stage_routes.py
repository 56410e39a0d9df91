"""Stage report files (阶段材料) and a campaign's stages board, on the notices
blueprint (gateway/api/notices.py): services/applications/stage_files.py and
stage_board.py hold the rules."""
from urllib.parse import quote

from flask import Response, g
from marshmallow import Schema, fields

from gateway import files
from gateway.api import accepted, multipart, rpc
from gateway.api.jobs import JobOut
from gateway.api.notices import AwardGrantedOut, StageOut, StagesOut, blp
from gateway.auth import login_required


class StageRowOut(Schema):
    application_id = fields.String()
    applicant_name = fields.String()
    title = fields.String(allow_none=True)
    college_id = fields.String(allow_none=True)
    stages = fields.List(fields.Nested(StageOut))
    next_step = fields.Dict(allow_none=True)
    awards = fields.List(fields.Nested(AwardGrantedOut))


class CampaignStagesOut(Schema):
    campaign_id = fields.String()
    stages = fields.List(fields.Dict())
    awards_at = fields.String()
    counts = fields.Dict(metadata={"description": "How many stages are in each progress state"})
    rows = fields.List(fields.Nested(StageRowOut))


@blp.route("/applications/<application_id>/stages/<stage>/files", methods=["POST"])
@blp.response(201, StagesOut)
@blp.doc(requestBody={"content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}})
@login_required
def add_stage_file(application_id, stage):
    """Attach a file (pdf, doc, docx, jpg, png; at most 5) to the report of an open or
    returned stage (the applicant); the same file sent again is stored once."""
    filename, data, _fields = multipart("file", raw=True)
    reference, filename = files.put_upload(data, filename)   # a large phone photo is shrunk first
    with rpc() as cluster:
        return cluster.applications.add_stage_file(g.actor_id, application_id, stage, filename, reference)


@blp.route("/applications/<application_id>/stages/<stage>/files/<file_id>")
@login_required
def download_stage_file(application_id, stage, file_id):
    """Download a stage report's file (whoever may see the application's stages)."""
    with rpc() as cluster:
        doc = cluster.applications.get_stage_file(g.actor_id, application_id, stage, file_id)
    return Response(files.content_of(doc), mimetype=doc["content_type"], headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(doc['filename'])}"})


@blp.route("/applications/<application_id>/stages/<stage>/files/<file_id>", methods=["DELETE"])
@blp.response(200, StagesOut)
@login_required
def remove_stage_file(application_id, stage, file_id):
    """Remove a file from an open or returned stage's report (the applicant)."""
    with rpc() as cluster:
        return cluster.applications.remove_stage_file(g.actor_id, application_id, stage, file_id)


@blp.route("/campaigns/<campaign_id>/stages")
@blp.response(200, CampaignStagesOut)
@login_required
def campaign_stages(campaign_id):
    """Every finalist's stages, reports and awards (the campaign admin); those waiting
    for an assessment first."""
    with rpc() as cluster:
        return cluster.applications.campaign_stages(g.actor_id, campaign_id)


@blp.route("/campaigns/<campaign_id>/stages/<stage>/pass-all", methods=["POST"])
@blp.response(202, JobOut)
@login_required
def pass_stage_reports(campaign_id, stage):
    """Pass every report of `stage` waiting for an assessment (the campaign admin): a
    background job; `GET /api/jobs/{id}` gives its progress and result ({"decided",
    "skipped": [{"applicant_name", "message", "message_zh"}]})."""
    with rpc() as cluster:
        return accepted(cluster.applications.pass_stage_reports(g.actor_id, campaign_id, stage))
