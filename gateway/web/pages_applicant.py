"""Pages of applicants (students, class monitors, dorm leaders, branch secretaries):
a campaign, applying, the form from the program's JSON Schema with inline errors,
attachments with progress, drafts, submitting before the deadline, the status and
audit trail, explain-my-score."""

from flask import Response, g, redirect, render_template, request, url_for

from core import labels
from core import roles as role_rules
from core.errors import ChuangxianError
from gateway import files
from gateway.api import rpc
from gateway.web import blp, i18n, menu, schema_form, session
from gateway.web.page_helpers import with_message
from gateway.web.pages_common import load_me

i18n.add({
    "apply": ("申报", "Apply"),
    "my_application": ("我的申报", "My application"),
    "application": ("申报", "Application"),
    "state": ("状态", "State"),
    "form": ("申报表", "Form"),
    "attachments": ("附件", "Attachments"),
    "upload": ("上传", "Upload"),
    "file": ("文件", "File"),
    "kind": ("类别", "Kind"),
    "save_draft": ("保存草稿", "Save draft"),
    "save_and_submit": ("保存并提交", "Save and submit"),
    "withdraw": ("撤回", "Withdraw"),
    "reopen": ("重新编辑", "Reopen"),
    "audit_trail": ("办理记录", "Audit trail"),
    "when": ("时间", "When"),
    "who": ("办理人", "Who"),
    "what": ("操作", "Action"),
    "reason": ("理由", "Reason"),
    "saved": ("已保存", "Saved"),
    "act_withdraw_ok": ("已撤回申报；如需再次申报，请重新编辑并在截止前提交", "Withdrawn; to apply again, reopen it and submit before the deadline"),
    "act_reopen_ok": ("已重新打开申报，可以修改后再次提交", "Reopened; edit it and submit again"),
    "act_college_approve_ok": ("已审核通过，已提交学校评审", "Approved and passed to the school review"),
    "act_return_ok": ("已退回申报人修改", "Returned to the applicant"),
    "saved_draft_ok": ("草稿已保存（尚未提交，提交前可继续修改）", "Draft saved (not submitted yet; you can keep editing)"),
    "saved_valid_part": ("已保存符合要求的内容；标出的内容未保存，请修改后再保存", "What was valid is saved; the marked fields are not, correct them and save again"),
    "uploaded_ok": ("附件已上传，表单内容已一并保存", "File uploaded; the form was saved with it"),
    "submitted_ok": ("已提交，等待学院审核", "Submitted; it now waits for the college's review"),
    "fix_errors": ("请修改标出的内容后再提交", "Please fix the marked fields"),
    "explain_score": ("我的评分说明", "Explain my score"),
    "download": ("下载", "Download"),
    "required_files": ("必交", "required"),
    "no_applications": ("尚未申报", "No applications yet"),
    "returned_reason": ("退回理由", "Returned because"),
    "readonly_now": ("当前状态不可修改", "Not editable in this state"),
})
menu.add("web.my_applications", "my_applications", ["student", "class_monitor", "dorm_leader", "branch_secretary"])

def state_label(state):
    """An application state as the reader reads it (core/labels.py, vocabulary "state")."""
    return labels.label("state", state, i18n.current_language())


@blp.app_template_filter("state_label")
def _state_label_filter(state):
    return state_label(state)


@blp.route("/my")
@session.page_login_required
def my_applications():
    load_me()
    with rpc() as cluster:
        apps = cluster.applications.list_applications(g.actor_id, {"limit": 200})
    mine = [a for a in apps if a.get("state") == "draft" or _speaks_for(a)]
    return render_template("my_applications.html", applications=mine)


def _speaks_for(app):
    return role_rules.speaks_for(g.me.get("roles"), g.me["id"], app["applicant_kind"], app["applicant_id"])


@blp.route("/campaigns/<campaign_id>")
@session.page_login_required
def campaign_page(campaign_id):
    load_me()
    with rpc() as cluster:
        campaign = cluster.applications.get_campaign(g.actor_id, campaign_id)
        program = cluster.applications.get_program(campaign["program"], campaign["program_version"])
        apps = cluster.applications.list_applications(g.actor_id, {"campaign_id": campaign_id, "limit": 200})
    mine = [a for a in apps if _speaks_for(a)]
    return render_template("campaign.html", campaign=campaign, program=program, mine=mine)


@blp.route("/campaigns/<campaign_id>/apply", methods=["POST"])
@session.page_login_required
def apply(campaign_id):
    payload = {"form": {}}
    if request.form.get("applicant_id"):
        payload["applicant_id"] = request.form["applicant_id"]
    with rpc() as cluster:
        app = cluster.applications.create_application(g.actor_id, campaign_id, payload,
                                                      f"web-apply-{request.form.get('csrf_token', '')}-{campaign_id}")
    return redirect(url_for("web.application_page", application_id=app["id"]))


def _application_context(cluster, application_id):
    app = cluster.applications.get_application(g.actor_id, application_id)
    campaign = cluster.applications.get_campaign(g.actor_id, app["campaign_id"])
    program = cluster.applications.get_program(app["program"], app["program_version"])
    trail = cluster.applications.audit_trail(g.actor_id, application_id)
    return app, campaign, program, trail


def _render_application(app, campaign, program, trail, values=None, errors=None, message=None, status=200):
    editable = app["state"] in ("draft", "returned") and _speaks_for(app)
    fields = schema_form.describe(program["form_schema"], values if values is not None else (app.get("form") or {}),
                                  errors)
    counts = {}
    for a in app.get("attachments", []):
        counts[a["kind"]] = counts.get(a["kind"], 0) + 1
    from gateway.web import error_page
    kind_names = {k["kind"]: i18n.pick(k.get("label_zh") or k["kind"], k.get("label_en") or k.get("label_zh") or k["kind"])
                  for k in program.get("attachments") or []}
    return render_template("application.html", app=app, campaign=campaign, program=program, trail=trail,
                           kind_names=kind_names, upload_limit=error_page.upload_limit_text(),
                           upload_limit_bytes=error_page.upload_limit_bytes(),
                           fields=fields, editable=editable, errors=errors, message=message,
                           field_labels=schema_form.labels_of(fields),
                           counts=counts), status


@blp.route("/applications/<application_id>")
@session.page_login_required
def application_page(application_id):
    load_me()
    with rpc() as cluster:
        app, campaign, program, trail = _application_context(cluster, application_id)
    return _render_application(app, campaign, program, trail, message=request.args.get("message"))


@blp.route("/applications/<application_id>/form", methods=["POST"])
@session.page_login_required
def save_form(application_id):
    """Save the draft; with `submit`, then submit; with `upload`, save then attach the
    chosen file. Nothing typed is lost: a draft that breaks a rule is saved without
    the values that break it (only submitting demands completeness) and the page
    comes back with every field as typed and each error at its field."""
    load_me()
    intent = request.form.get("intent") or "save"
    with rpc() as cluster:
        app, campaign, program, trail = _application_context(cluster, application_id)
        values = schema_form.parse(program["form_schema"], request.form)
        error, saved_part = None, False
        try:
            cluster.applications.update_application(g.actor_id, application_id, {"form": values})
        except ChuangxianError as exc:
            error = exc.to_dict()
            saved_part = _save_what_is_valid(cluster, application_id, values, error)
        chosen = request.files.get("file")
        attached = error is None and chosen is not None and bool(chosen.filename)
        if attached:
            # A file chosen is attached whichever button was pressed (save, upload or
            # submit), before submitting, so nothing chosen is silently dropped.
            try:
                _attach(cluster, application_id)
            except ChuangxianError as exc:
                error = exc.to_dict()
        if error is None and intent == "submit":
            try:
                cluster.applications.act(g.actor_id, application_id, {"action": "submit"},
                                         f"web-submit-{application_id}-{app['version']}")
            except ChuangxianError as exc:
                error = exc.to_dict()
        if error is not None:
            app, campaign, program, trail = _application_context(cluster, application_id)
            message = "saved_valid_part" if saved_part else None
            return _render_application(app, campaign, program, trail, values=values,
                                       errors=schema_form.errors_by_field(error) or {"": (error["message_zh"],
                                                                                          error["message"])},
                                       message=message,
                                       status=422 if error["code"] == "validation_failed" else 409)
    message = "submitted_ok" if intent == "submit" else "uploaded_ok" if attached else "saved_draft_ok"
    return redirect(url_for("web.application_page", application_id=application_id, message=message))


def _save_what_is_valid(cluster, application_id, values, error):
    """Save the draft without the values the service refused; True when something
    was saved. A second refusal (not about fields) leaves the stored draft as it was."""
    if error.get("code") != "validation_failed":
        return False
    refused = [name for name in schema_form.errors_by_field(error) if name]
    rest = schema_form.without(values, refused)
    if not refused or rest == values:
        return False
    try:
        cluster.applications.update_application(g.actor_id, application_id, {"form": rest})
    except ChuangxianError:
        return False
    return True


def _attach(cluster, application_id):
    upload_file = request.files.get("file")
    data = upload_file.read() if upload_file else b""
    cluster.applications.add_attachment(g.actor_id, application_id, request.form.get("kind", ""),
                                        upload_file.filename if upload_file else "", files.put(data))


@blp.route("/applications/<application_id>/attachments", methods=["POST"])
@session.page_login_required
def upload(application_id):
    """Attach a file on its own (the application page uploads through `save_form`
    with intent=upload, so unsaved edits are saved first)."""
    with rpc() as cluster:
        _attach(cluster, application_id)
    return redirect(url_for("web.application_page", application_id=application_id, message="uploaded_ok"))


@blp.route("/applications/<application_id>/attachments/<attachment_id>")
@session.page_login_required
def download(application_id, attachment_id):
    with rpc() as cluster:
        doc = cluster.applications.get_attachment(g.actor_id, application_id, attachment_id)
    filename = doc.get("filename", attachment_id)
    return Response(files.content_of(doc), mimetype=doc.get("content_type") or "application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(filename)}"})


def _quote(name):
    from urllib.parse import quote
    return quote(name)


@blp.route("/applications/<application_id>/act", methods=["POST"])
@session.page_login_required
def act(application_id):
    """One step of the state machine from a button (withdraw, reopen, return, approve...)."""
    with rpc() as cluster:
        cluster.applications.act(g.actor_id, application_id,
                                 {"action": request.form.get("action", ""), "reason": request.form.get("reason") or None},
                                 request.form.get("key") or None)
    target = request.form.get("next") or url_for("web.application_page", application_id=application_id)
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("web.home")
    action = request.form.get("action", "")
    return redirect(with_message(target, f"act_{action}_ok") if f"act_{action}_ok" in i18n.MESSAGES else target)


@blp.route("/applications/<application_id>/explain")
@session.page_login_required
def explain(application_id):
    load_me()
    with rpc() as cluster:
        app = cluster.applications.get_application(g.actor_id, application_id)
        result = cluster.scoring.explain(g.actor_id, app["campaign_id"], application_id)
    return render_template("explain.html", app=app, result=result)
