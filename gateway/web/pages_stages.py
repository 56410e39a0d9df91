"""Stages after the final list (阶段考核): the mid-term check (中期检查) and the final
evaluation (评估考核 / 结项验收).

- The applicant's stage page (linked from the application page, whose summary box is
  templates/_stages.html): each stage in order with its state (待提交 / 待审核 / 通过 /
  退回 with the reason / 未通过), the report form and its files for the open or
  returned stage, the next step, and the titles with their certificates.
- The campaign admin's page per campaign (linked from the campaign admin page): every
  finalist's reports, each assessed where it is read — pass, return with a reason for
  resubmission, or fail with a reason (the final two outcomes behind the confirm dialog).

Every rule is the applications service's (services/applications/stages.py); these
pages only carry what a person typed to it, as that person.
"""
from flask import Response, g, redirect, render_template, request, url_for

from core import labels
from core.errors import ChuangxianError, NotFound
from gateway import files
from gateway.api import rpc
from gateway.errors import status_of
from gateway.web import blp, i18n, session
from gateway.web.page_helpers import field_errors, form_nonce, idempotency_key, with_message
from gateway.web.pages_common import load_me

i18n.add({
    "stages": ("阶段考核", "Stages"),
    "stages_admin": ("阶段考核", "Stage reviews"),
    "next_step": ("下一步", "Next step"),
    "next_submit": ("提交{stage}报告", "submit the {stage} report"),
    "next_resubmit": ("按退回意见修改并重新提交{stage}报告", "revise and resubmit the {stage} report"),
    "next_await": ("等待学校审核{stage}报告", "wait for the review of the {stage} report"),
    "next_done": ("各阶段考核均已通过", "every stage has passed"),
    "next_closed": ("{stage}未通过，考核结束", "the {stage} failed; the stages are closed"),
    "next_before": ("正式名单确定后开始中期检查", "the stages open once the final list is confirmed"),
    "stage_report": ("报告", "Report"),
    "stage_summary": ("报告内容（必填，不超过5000字）", "Report (required, up to 5000 characters)"),
    "stage_files": ("材料（报告、照片等，PDF/Word/JPG/PNG，最多5个）", "Files (report, photos; PDF/Word/JPG/PNG, at most 5)"),
    "stage_add_files": ("选择要上传的材料（可多选）", "Files to upload (several at once)"),
    "stage_outputs": ("预期成果完成情况", "Expected outputs"),
    "stage_achieved": ("已完成", "Achieved"),
    "stage_evidence": ("佐证说明", "Evidence"),
    "stage_submit": ("提交报告", "Submit the report"),
    "stage_resubmit": ("重新提交报告", "Resubmit the report"),
    "stage_update": ("修改报告（审核前可修改）", "Update the report (until it is reviewed)"),
    "stage_submitted_ok": ("报告已提交，等待审核", "Report submitted; it waits for the review"),
    "stage_file_removed_ok": ("已删除材料", "File removed"),
    "stage_returned_because": ("退回理由", "Returned because"),
    "stage_failed_because": ("未通过理由", "Failed because"),
    "stage_comment": ("审核意见（退回、不通过时必填）", "Comment (required to return or fail)"),
    "stage_pass": ("通过", "Pass"),
    "stage_return": ("退回修改", "Return"),
    "stage_fail": ("不通过", "Fail"),
    "stage_assess_pass_ok": ("已评定为通过", "Assessed: passed"),
    "stage_assess_return_ok": ("已退回，申报人修改后可重新提交", "Returned; the applicant may resubmit"),
    "stage_assess_fail_ok": ("已评定为不通过", "Assessed: failed"),
    "stage_no_report": ("尚未提交报告", "No report yet"),
    "stage_earlier_returns": ("此前退回", "Earlier returns"),
    "stage_titles": ("荣誉称号与证书", "Titles and certificates"),
    "stage_titles_wait": ("评估考核通过后授予荣誉称号并可下载证书", "The titles and certificates follow the passed final evaluation"),
    "stages_finalists": ("入选名单", "Finalists"),
    "stages_finalist_count": ("入选项目", "Finalists"),
    "stages_waiting_count": ("待审核报告", "Reports awaiting review"),
    "stages_no_campaigns": ("暂无进入阶段考核的活动", "No campaign has reached its stages yet"),
    "stages_none": ("尚无入选项目（正式名单确定后显示）", "No finalists yet (shown once the final list is confirmed)"),
    "stage_view_application": ("查看申报", "Open the application"),
    "remove": ("删除", "Remove"),
    "stage_pass_all": ("全部通过待审核的{stage}报告（{n} 份）", "Pass all {n} {stage} reports awaiting review"),
    "job_kind_pass_stage_reports": ("批量通过阶段报告", "Passing stage reports"),
    "stage_skipped": ("未处理（已被修改）", "Skipped (changed meanwhile)"),
})


def stage_name(stage):
    return labels.label("stage", stage, i18n.current_language())


@blp.app_template_global()
def next_step_text(step):
    """The next step as a sentence (下一步：提交中期检查报告)."""
    if not step:
        return i18n.t("next_before")
    return i18n.t(f"next_{step['action']}").format(stage=stage_name(step.get("stage")) if step.get("stage") else "")


@blp.app_template_global()
def stage_summary(app):
    """The stages of an approved application for its page's summary box, or None
    (not approved, no stages, or not visible to this person)."""
    if app.get("state") != "approved":
        return None
    try:
        with rpc() as cluster:
            view = cluster.applications.get_stages(g.actor_id, app["id"])
    except ChuangxianError:
        return None
    return view if view.get("stages") or view.get("awards") else None


def _view(cluster, application_id):
    view = cluster.applications.get_stages(g.actor_id, application_id)
    app = cluster.applications.get_application(g.actor_id, application_id)
    return view, app


@blp.route("/applications/<application_id>/stages")
@session.page_login_required
def stages_page(application_id):
    load_me()
    with rpc() as cluster:
        view, app = _view(cluster, application_id)
    return _render(view, app)


def _render(view, app, errors=None, typed=None, status=200):
    mine = _speaks_for(app)
    return render_template("stages.html", view=view, app=app, mine=mine, errors=errors or {}, typed=typed or {},
                           stage_name=stage_name), status


def _speaks_for(app):
    from core import roles as role_rules
    return role_rules.speaks_for(g.me.get("roles"), g.me["id"], app["applicant_kind"], app["applicant_id"])


def _errors(exc):
    """{field: (zh, en)} of a refusal, at least one message."""
    error = exc.to_dict()
    return field_errors(error) or {"": (error.get("message_zh"), error.get("message"))}


def _outputs(view):
    """The final report's outputs as ticked and explained on the form."""
    out = []
    for output in view.get("expected_outputs") or []:
        oid = output["id"]
        out.append({"id": oid, "achieved": request.form.get(f"achieved-{oid}") == "on",
                    "evidence": request.form.get(f"evidence-{oid}", "").strip()})
    return out


@blp.route("/applications/<application_id>/stages/<stage>/report", methods=["POST"])
@session.page_login_required
def stage_report(application_id, stage):
    """Upload the chosen files, then submit the report (the same button); what was
    typed comes back with the errors when the service refuses."""
    load_me()
    summary = request.form.get("summary", "")
    with rpc() as cluster:
        view, app = _view(cluster, application_id)
        payload = {"summary": summary}
        if stage == "final_evaluation":
            payload["outputs"] = _outputs(view)
        try:
            for upload in request.files.getlist("files"):
                if upload and upload.filename:   # a large phone photo is shrunk first (files.put_upload)
                    reference, filename = files.put_upload(upload.read(), upload.filename)
                    cluster.applications.add_stage_file(g.actor_id, application_id, stage, filename, reference)
            cluster.applications.put_stage_report(g.actor_id, application_id, stage, payload)
        except ChuangxianError as exc:
            view, app = _view(cluster, application_id)
            return _render(view, app, errors={stage: _errors(exc)}, typed={stage: request.form},
                           status=status_of(exc))
    return redirect(with_message(url_for("web.stages_page", application_id=application_id), "stage_submitted_ok",
                                 anchor=f"#stage-{stage}"))


@blp.route("/applications/<application_id>/stages/<stage>/files/<file_id>/remove", methods=["POST"])
@session.page_login_required
def stage_file_remove(application_id, stage, file_id):
    with rpc() as cluster:
        cluster.applications.remove_stage_file(g.actor_id, application_id, stage, file_id)
    return redirect(with_message(url_for("web.stages_page", application_id=application_id), "stage_file_removed_ok",
                                 anchor=f"#stage-{stage}"))


@blp.route("/applications/<application_id>/stages/<stage>/files/<file_id>")
@session.page_login_required
def stage_file(application_id, stage, file_id):
    from urllib.parse import quote
    with rpc() as cluster:
        doc = cluster.applications.get_stage_file(g.actor_id, application_id, stage, file_id)
    return Response(files.content_of(doc), mimetype=doc.get("content_type") or "application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(doc['filename'])}"})


# -- the campaign admin ----------------------------------------------------------------
@blp.route("/admin/stages")
@session.page_login_required
def admin_stages_overview():
    """Where the to-do item 待审核阶段报告 leads: the campaigns with stages, those
    with reports waiting first."""
    load_me(["school_admin", "college_admin"])
    with rpc() as cluster:
        campaigns = cluster.applications.stages_overview(g.actor_id)
    return render_template("stages_overview.html", campaigns=campaigns)


@blp.route("/admin/campaigns/<campaign_id>/stages")
@session.page_login_required
def admin_stages(campaign_id):
    load_me(["school_admin", "college_admin"])
    return _admin_render(campaign_id)


def _admin_render(campaign_id, errors=None, typed=None, status=200):
    from gateway.web.pages_jobs import job_of
    # The job first (see pages_admin.admin_campaign): the lists read next hold its work.
    job = job_of(request.args["job"]) if request.args.get("job") else None
    with rpc() as cluster:
        campaign = cluster.applications.get_campaign(g.actor_id, campaign_id)
        board = cluster.applications.campaign_stages(g.actor_id, campaign_id)
    waiting = {s["stage"]: sum(1 for r in board["rows"] for i in r["stages"]
                               if i["stage"] == s["stage"] and i["progress"] == "submitted")
               for s in board["stages"]}
    return render_template("stages_admin.html", campaign=campaign, board=board, errors=errors or {},
                           typed=typed or {}, nonce=form_nonce(), stage_name=stage_name, job=job,
                           waiting=waiting), status


@blp.route("/admin/campaigns/<campaign_id>/stages/<stage>/pass-all", methods=["POST"])
@session.page_login_required
def admin_pass_all(campaign_id, stage):
    """Starts passing every waiting report of the stage (a background job); the
    stages page then shows its progress and reloads when it ends."""
    load_me(["school_admin", "college_admin"])
    with rpc() as cluster:
        job = cluster.applications.pass_stage_reports(g.actor_id, campaign_id, stage)
    return redirect(url_for("web.admin_stages", campaign_id=campaign_id, job=job["id"]) + "#job")


@blp.route("/admin/campaigns/<campaign_id>/stages/<application_id>/<stage>", methods=["POST"])
@session.page_login_required
def admin_assess(campaign_id, application_id, stage):
    """Pass, return (reason required) or fail (reason required) one stage report."""
    load_me(["school_admin", "college_admin"])
    result = request.form.get("result", "")
    comment = request.form.get("comment", "").strip() or None
    with rpc() as cluster:
        view = cluster.applications.get_stages(g.actor_id, application_id)
        if view.get("campaign_id") != campaign_id:
            raise NotFound("No such application in this campaign.", "本活动中没有该申报", field="application_id")
        try:
            cluster.applications.assess_stage(g.actor_id, application_id, stage,
                                              {"result": result, "comment": comment},
                                              idempotency_key(application_id, stage, result))
        except ChuangxianError as exc:
            key = f"{application_id}:{stage}"
            return _admin_render(campaign_id, errors={key: _errors(exc)}, typed={key: comment or ""},
                                 status=status_of(exc))
    message = f"stage_assess_{result}_ok" if result in ("pass", "return", "fail") else "stage_assess_pass_ok"
    return redirect(with_message(url_for("web.admin_stages", campaign_id=campaign_id), message,
                                 anchor=f"#s-{application_id}-{stage}"))
