"""Documents from the pages (the same files as /api/.../documents/*): the Excel
summary, ranking and grants workbooks of a campaign and the Word forms of an
application, each as the logged-in person may see them (the services decide)."""
from flask import abort, g, redirect, request, url_for

from gateway.api import rpc
from gateway.documents import fetch
from gateway.web import blp, session
from gateway.web.page_helpers import send_document


@blp.route("/campaigns/<campaign_id>/summary.xlsx")
@session.page_login_required
def doc_summary(campaign_id):
    with rpc() as cluster:
        return send_document(fetch.campaign_summary(cluster, g.actor_id, campaign_id))


# Each campaign workbook is built by a background job of the service that owns its rows.
EXPORTS = {"summary": ("applications", "export_summary"), "ranking": ("scoring", "export_ranking"),
           "grants": ("funding", "export_grants")}


@blp.route("/campaigns/<campaign_id>/exports/<kind>", methods=["POST"])
@session.page_login_required
def export_workbook(campaign_id, kind):
    """Start building a campaign workbook (申报汇总表, 评审结果, 立项经费与报销); its page shows progress
    and then the file."""
    if kind not in EXPORTS:
        abort(404)
    service, method = EXPORTS[kind]
    with rpc() as cluster:
        job = getattr(getattr(cluster, service), method)(g.actor_id, campaign_id)
    return redirect(url_for("web.job_page", job_id=job["id"]), 303)


@blp.route("/campaigns/<campaign_id>/ranking.xlsx")
@session.page_login_required
def doc_ranking(campaign_id):
    with rpc() as cluster:
        return send_document(fetch.campaign_ranking(cluster, g.actor_id, campaign_id))


@blp.route("/campaigns/<campaign_id>/grants.xlsx")
@session.page_login_required
def doc_grants(campaign_id):
    with rpc() as cluster:
        return send_document(fetch.campaign_grants(cluster, g.actor_id, campaign_id))


@blp.route("/applications/<application_id>/form.docx")
@session.page_login_required
def doc_form(application_id):
    kind = "approval" if request.args.get("kind") == "approval" else "application"
    with rpc() as cluster:
        return send_document(fetch.application_form(cluster, g.actor_id, application_id, kind))


@blp.route("/projects/<grant_id>/notice.docx")
@session.page_login_required
def doc_grant_notice(grant_id):
    """立项通知书 of a funded project (its lead, advisor, college and the offices)."""
    with rpc() as cluster:
        return send_document(fetch.grant_notice(cluster, g.actor_id, grant_id))
