"""Documents to download (Excel, Word, PDF), as the logged-in person may see them."""
from urllib.parse import quote

from flask import Response, g, request
from flask_smorest import Blueprint

from gateway.api import accepted, rpc
from gateway.api.jobs import JobOut
from gateway.auth import login_required
from gateway.documents import fetch

blp = Blueprint("documents", __name__, url_prefix="/api", description="Documents (Excel 汇总表, Word 申请表, PDF 证书)")


def send(result):
    data, filename, mimetype = result
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})


@blp.route("/campaigns/<campaign_id>/documents/summary.xlsx")
@blp.response(200, description="申报汇总表: the campaign, then a sheet per college, built in the request (a small campaign; POST /exports/summary builds it in the background for any size)")
@login_required
def summary(campaign_id):
    with rpc() as cluster:
        return send(fetch.campaign_summary(cluster, g.actor_id, campaign_id))


@blp.route("/campaigns/<campaign_id>/exports/summary", methods=["POST"])
@blp.response(202, JobOut, description="The export job; follow it at /api/jobs/{id}. Its result is "
                                       "{rows, file: {name, size, url}}")
@login_required
def export_summary(campaign_id):
    """Build the 申报汇总表 in the background (for large campaigns): rows as you may see them."""
    with rpc() as cluster:
        return accepted(cluster.applications.export_summary(g.actor_id, campaign_id))


@blp.route("/campaigns/<campaign_id>/exports/ranking", methods=["POST"])
@blp.response(202, JobOut, description="The export job; follow it at /api/jobs/{id}. Its result is "
                                       "{rows, round, file: {name, size, url}}")
@login_required
def export_ranking(campaign_id):
    """Build the 评审结果 workbook of the latest published round in the background (campaign admin)."""
    with rpc() as cluster:
        return accepted(cluster.scoring.export_ranking(g.actor_id, campaign_id))


@blp.route("/campaigns/<campaign_id>/documents/ranking.xlsx")
@blp.response(200, description="The published ranking with scores (school admin), built in the request (a small campaign; POST /exports/ranking builds it in the background for any size)")
@login_required
def ranking(campaign_id):
    with rpc() as cluster:
        return send(fetch.campaign_ranking(cluster, g.actor_id, campaign_id))


@blp.route("/campaigns/<campaign_id>/exports/grants", methods=["POST"])
@blp.response(202, JobOut, description="The export job; follow it at /api/jobs/{id}. Its result is "
                                       "{rows, claims, file: {name, size, url}}")
@login_required
def export_grants(campaign_id):
    """Build the 立项经费与报销 workbook in the background: the grants and claims you may see."""
    with rpc() as cluster:
        return accepted(cluster.funding.export_grants(g.actor_id, campaign_id))


@blp.route("/campaigns/<campaign_id>/documents/grants.xlsx")
@blp.response(200, description="Grants and claims per project, built in the request (a small campaign; "
                               "POST /exports/grants builds it in the background for any size)")
@login_required
def grants(campaign_id):
    with rpc() as cluster:
        return send(fetch.campaign_grants(cluster, g.actor_id, campaign_id))


@blp.route("/applications/<application_id>/documents/form.docx")
@blp.response(200, description="The filled 申请表 (kind=application) or 考核审批表 (kind=approval), to print and stamp")
@login_required
def application_form(application_id):
    kind = "approval" if request.args.get("kind") == "approval" else "application"
    with rpc() as cluster:
        return send(fetch.application_form(cluster, g.actor_id, application_id, kind))
