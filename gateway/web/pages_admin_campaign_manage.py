"""Campaign management beyond its setup (campaign admins): the notice applicants read
(申报通知正文, 申报要求) and the templates they download; closing the application
window early or extending it; and "截止申报并发布" — closing the window, then publishing
the results. The services decide who may and what is allowed (campaign_content.py,
campaign_window.py, scoring's publish guard); every step redirects with what happened."""
from flask import Response, g, redirect, render_template, request, url_for

from core.errors import ChuangxianError, field_error, invalid
from gateway import files
from gateway.api import rpc
from gateway.web import blp, i18n, session
from gateway.web.page_helpers import field_errors, upload_bytes, with_message
from gateway.web.pages_admin import ADMIN_ROLES
from gateway.web.pages_common import load_me
from gateway.web.schema_form import normalise_time

i18n.add({
    "campaign_content": ("申报通知与模板", "Notice and templates"),
    "notice_text": ("申报通知正文", "The notice"),
    "requirements": ("申报要求", "Requirements"),
    "plain_text_hint": ("纯文本，段落之间空一行；最多 20000 字。", "Plain text, a blank line between paragraphs; "
                        "at most 20,000 characters."),
    "save_notice_text": ("保存通知", "Save the notice"),
    "notice_text_saved_ok": ("已保存申报通知与要求，申报人在活动页面即可看到", "Notice saved; applicants see it on the "
                             "campaign page"),
    "templates": ("模板下载", "Templates"),
    "no_templates": ("暂无模板", "No templates yet"),
    "upload_template": ("上传模板", "Upload a template"),
    "replace_template": ("替换", "Replace"),
    "delete_template": ("删除", "Delete"),
    "template_file": ("模板文件", "Template file"),
    "template_limits": ("可上传 Word（.doc/.docx）、PDF、Excel（.xls/.xlsx），单个文件不超过 {limit}，最多 10 个。",
                        "Word (.doc/.docx), PDF or Excel (.xls/.xlsx), at most {limit} each, up to 10 files."),
    "template_added_ok": ("已上传模板：{name}", "Template uploaded: {name}"),
    "template_replaced_ok": ("已替换模板：{name}", "Template replaced: {name}"),
    "template_deleted_ok": ("已删除模板", "Template deleted"),
    "application_window": ("申报时间", "Application window"),
    "close_applications": ("截止申报", "Close applications now"),
    "extend_applications": ("延长申报", "Extend the deadline"),
    "new_deadline": ("新的截止时间（北京时间）", "New deadline (Beijing time)"),
    "window_closed_ok": ("已截止申报，截止时间 {at}", "Applications closed at {at}"),
    "window_extended_ok": ("已延长申报，截止时间改为 {at}", "Deadline extended to {at}"),
    "close_and_publish": ("截止申报并发布", "Close applications and publish"),
    "publish_needs_closing": ("申报尚未截止：发布评审结果前须先截止申报。", "Applications are still open: they must be "
                              "closed before the results are published."),
    "action_closed_early": ("提前截止申报", "Closed applications early"),
    "action_closed": ("活动结项", "Closed the campaign"),
    "close_campaign": ("活动结项", "Close the campaign"),
    "close_campaign_hint": ("中期检查、结项验收等工作全部完成后，将活动标记为已结项。",
                            "Once the mid-term checks and final evaluations are done, mark the campaign closed."),
    "campaign_closed_ok": ("活动已结项", "The campaign is closed"),
    "action_extended": ("延长申报", "Extended the deadline"),
    "action_notice_edited": ("修改申报通知", "Edited the notice"),
    "action_template_added": ("上传模板", "Uploaded a template"),
    "action_template_replaced": ("替换模板", "Replaced a template"),
    "action_template_deleted": ("删除模板", "Deleted a template"),
})

LABELS = {"notice_text": ("申报通知正文", "The notice"), "requirements": ("申报要求", "Requirements"),
          "file": ("模板文件", "Template file"), "application_closes_at": ("新的截止时间", "New deadline")}


@blp.route("/admin/campaigns/<campaign_id>/content", methods=["GET", "POST"])
@session.page_login_required
def admin_campaign_content(campaign_id):
    load_me(ADMIN_ROLES)
    error = None
    with rpc() as cluster:
        if request.method == "POST":
            texts = {name: request.form.get(name, "") for name in ("notice_text", "requirements")}
            try:
                cluster.applications.set_campaign_texts(g.actor_id, campaign_id, texts)
            except ChuangxianError as exc:
                error = exc.to_dict()
            else:
                return redirect(with_message(url_for("web.admin_campaign_content", campaign_id=campaign_id),
                                             "notice_text_saved_ok"))
        campaign = cluster.applications.get_campaign(g.actor_id, campaign_id)
    from gateway.web import error_page
    values = request.form if error else campaign
    return render_template("admin_campaign_content.html", campaign=campaign, values=values, error=error,
                           errors=field_errors(error) if error else {}, labels=LABELS,
                           upload_limit=error_page.upload_limit_text(),
                           upload_limit_bytes=error_page.upload_limit_bytes()), (422 if error else 200)


@blp.route("/admin/campaigns/<campaign_id>/templates", methods=["POST"])
@session.page_login_required
def admin_template_upload(campaign_id):
    """A new template, or (with `replace_id`) a new version of one."""
    filename, data = upload_bytes("file", required=True)
    replace_id = request.form.get("replace_id") or None
    with rpc() as cluster:
        template = cluster.applications.add_campaign_template(g.actor_id, campaign_id, filename, files.put(data),
                                                              replace_id)
    key = "template_replaced_ok" if replace_id else "template_added_ok"
    return redirect(with_message(url_for("web.admin_campaign_content", campaign_id=campaign_id), key, "#templates",
                                 name=template["filename"]))


@blp.route("/admin/campaigns/<campaign_id>/templates/<template_id>/delete", methods=["POST"])
@session.page_login_required
def admin_template_delete(campaign_id, template_id):
    with rpc() as cluster:
        cluster.applications.delete_campaign_template(g.actor_id, campaign_id, template_id)
    return redirect(with_message(url_for("web.admin_campaign_content", campaign_id=campaign_id),
                                 "template_deleted_ok", "#templates"))


@blp.route("/campaigns/<campaign_id>/templates/<template_id>")
@session.page_login_required
def campaign_template(campaign_id, template_id):
    """Anyone signed in downloads a campaign's template (as the campaign page lists it)."""
    from urllib.parse import quote
    with rpc() as cluster:
        doc = cluster.applications.get_campaign_template(g.actor_id, campaign_id, template_id)
    return Response(files.content_of(doc), mimetype=doc.get("content_type") or "application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(doc['filename'])}"})


def _window(campaign_id, action):
    payload = {"action": action}
    if action == "extend":
        raw = (request.form.get("application_closes_at") or "").strip()
        if not raw:
            raise invalid([field_error("application_closes_at", "Required.", "请填写新的截止时间")])
        payload["closes_at"] = normalise_time(raw)
    with rpc() as cluster:
        return cluster.applications.set_application_window(g.actor_id, campaign_id, payload)


@blp.route("/admin/campaigns/<campaign_id>/window", methods=["POST"])
@session.page_login_required
def admin_campaign_window(campaign_id):
    """Close now (after the confirm dialog) or extend to the new deadline."""
    action = "extend" if request.form.get("action") == "extend" else "close"
    campaign = _window(campaign_id, action)
    return redirect(with_message(url_for("web.admin_campaign", campaign_id=campaign_id),
                                 "window_extended_ok" if action == "extend" else "window_closed_ok", "#window",
                                 at=campaign["application_closes_at"]))


@blp.route("/admin/campaigns/<campaign_id>/close-and-publish", methods=["POST"])
@session.page_login_required
def admin_close_and_publish(campaign_id):
    """截止申报并发布: the window closes, then the publishing job starts (both steps are
    idempotent, so a repeated post closes and publishes once)."""
    _window(campaign_id, "close")
    with rpc() as cluster:
        job = cluster.scoring.publish_results(g.actor_id, campaign_id, {})
    # The publishing job runs; the page shows its progress, then says the round was published.
    return redirect(url_for("web.admin_campaign", campaign_id=campaign_id, job=job["id"]) + "#job")


@blp.route("/admin/campaigns/<campaign_id>/close-campaign", methods=["POST"])
@session.page_login_required
def admin_close_campaign(campaign_id):
    """结项, after the confirm dialog (the service refuses before the final list)."""
    with rpc() as cluster:
        cluster.applications.close_campaign(g.actor_id, campaign_id)
    return redirect(with_message(url_for("web.admin_campaign", campaign_id=campaign_id), "campaign_closed_ok",
                                 "#window"))
