"""Pages of applicants (students, class monitors, dorm leaders, branch secretaries):
a campaign, applying, the form from the program's JSON Schema with inline errors,
attachments with progress, drafts, submitting before the deadline, the status and
audit trail, explain-my-score."""

from flask import current_app, g, redirect, render_template, request, url_for

from core import labels
from core import roles as role_rules
from core.errors import ChuangxianError
from gateway.errors import status_of
from gateway.api import rpc
from gateway.web import blp, i18n, menu, schema_form, session
from gateway.web import pages_applicant_attachments as attachments
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
    "reopen": ("重新打开", "Reopen"),
    "reopen_hint": ("已撤回的申报可在申报截止前重新打开，修改后再次提交。", "A withdrawn application can be reopened before the deadline, edited and submitted again."),
    "choose_applicant": ("选择申报对象", "Choose who applies"),
    "choose_applicant_hint": ("填写申报表之前，先看每个可申报对象是否符合条件。", "Before the form, see whether each one you may apply for is eligible."),
    "eligible": ("符合条件", "Eligible"),
    "not_eligible": ("不符合条件", "Not eligible"),
    "not_checked": ("暂未核对", "Not checked yet"),
    "already_applied_badge": ("已申报", "Applied"),
    "on_behalf": ("代为申报", "On its behalf"),
    "open_application": ("查看申报", "Open the application"),
    "note": ("注意", "Note"),
    "no_applicant_choices": ("您没有可在本活动中申报的对象", "There is no one you may apply for in this campaign"),
    "final_listed": ("已产生正式名单，不再受理申报", "The final list is out; no more applications"),
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
# counselors too: what they applied for on a class's behalf (core.roles.speaks_for_application)
menu.add("web.my_applications", "my_applications", ["student", "class_monitor", "dorm_leader", "branch_secretary", "counselor"])

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
    """Whether the reader acts as the applicant (its representative, or who applied on
    its behalf: core.roles.speaks_for_application)."""
    return role_rules.speaks_for_application(g.me.get("roles"), g.me["id"], app)


@blp.route("/campaigns/<campaign_id>")
@session.page_login_required
def campaign_page(campaign_id):
    """The campaign, then everyone the reader may apply for, each judged by the
    program BEFORE the form (eligible, or why not), with its application if any."""
    load_me()
    with rpc() as cluster:
        campaign = cluster.applications.get_campaign(g.actor_id, campaign_id)
        program = cluster.applications.get_program(campaign["program"], campaign["program_version"])
        choices = cluster.applications.applicant_choices(g.actor_id, campaign_id)
    return render_template("campaign.html", campaign=campaign, program=program, choices=choices)


@blp.route("/campaigns/<campaign_id>/apply", methods=["POST"])
@session.page_login_required
def apply(campaign_id):
    payload = {"form": {}}
    applicant_id = request.form.get("applicant_id") or ""
    if applicant_id:
        payload["applicant_id"] = applicant_id
    with rpc() as cluster:
        app = cluster.applications.create_application(
            g.actor_id, campaign_id, payload, f"web-apply-{request.form.get('csrf_token', '')}-{campaign_id}-{applicant_id}")
    return redirect(url_for("web.application_page", application_id=app["id"]))


def _application_context(cluster, application_id):
    app = cluster.applications.get_application(g.actor_id, application_id)
    campaign = cluster.applications.get_campaign(g.actor_id, app["campaign_id"])
    program = cluster.applications.get_program(app["program"], app["program_version"])
    trail = cluster.applications.audit_trail(g.actor_id, application_id)
    return app, campaign, program, trail


def _render_application(app, campaign, program, trail, values=None, errors=None, message=None, status=200):
    applicant = _speaks_for(app)
    editable = app["state"] in ("draft", "returned") and applicant
    fields = schema_form.describe(program["form_schema"], values if values is not None else (app.get("form") or {}),
                                  errors)
    counts = {}
    for a in app.get("attachments", []):
        counts[a["kind"]] = counts.get(a["kind"], 0) + 1
    from gateway.web import error_page
    kind_names = {k["kind"]: i18n.pick(k.get("label_zh") or k["kind"], k.get("label_en") or k.get("label_zh") or k["kind"])
                  for k in program.get("attachments") or []}
    from gateway.app import upload_request_limit
    return render_template("application.html", app=app, campaign=campaign, program=program, trail=trail,
                           kind_names=kind_names, upload_limit=error_page.upload_limit_text(),
                           upload_limit_bytes=error_page.upload_limit_bytes(), applicant=applicant,
                           photo_limit_bytes=upload_request_limit(current_app.config["CX"]) - 1048576,
                           kind_rules=attachments.kind_rules(program),
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
    """Save the draft; with `submit`, then submit; with `upload`, `delete:<id>` or
    `replace:<id>`, save then change the attachments (pages_applicant_attachments).
    Nothing typed is lost: a draft that breaks a rule is saved without
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
            error, status = exc.to_dict(), status_of(exc)
            saved_part = _save_what_is_valid(cluster, application_id, values, error)
        done = None
        if error is None:
            try:
                done = attachments.change(cluster, application_id, intent)
            except ChuangxianError as exc:
                error, status = exc.to_dict(), status_of(exc)
        if error is None and intent == "submit":
            try:
                cluster.applications.act(g.actor_id, application_id, {"action": "submit"},
                                         f"web-submit-{application_id}-{app['version']}")
            except ChuangxianError as exc:
                error, status = exc.to_dict(), status_of(exc)
        if error is not None:
            app, campaign, program, trail = _application_context(cluster, application_id)
            message = "saved_valid_part" if saved_part else None
            return _render_application(app, campaign, program, trail, values=values,
                                       errors=schema_form.errors_by_field(error) or {"": (error["message_zh"],
                                                                                          error["message"])},
                                       message=message, status=status)
    message = "submitted_ok" if intent == "submit" else done or "saved_draft_ok"
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
