"""Reviewing where the evidence is (counselors, college admins, school admins): one
application as a read-only document with its attachments previewed (PDF and photos
in the page, Word to download), what changed since it was returned, and the
decision buttons — 通过 / 退回 / 不予通过, a reason required for the last two —
after which the reviewer lands on the next application waiting in the same queue.

The queue's filters travel with the page (campaign_id, state, college_id), so
"next" means the next one of the list the reviewer was working through. The
services decide every step; the page offers only the buttons of the reviewer's side
and hides the school's direct decision when the final list decides
(core/decision_rules.py).
"""
from flask import g, redirect, render_template, request, url_for

from core import roles as role_rules
from core.decision_rules import decided_by_final_list
from core.errors import ChuangxianError
from gateway.api import rpc
from gateway.web import attachment_preview, blp, i18n, schema_form, session
from gateway.web.page_helpers import form_nonce, idempotency_key, with_message
from gateway.web.pages_college import REVIEW_ROLES
from gateway.web.pages_common import load_me

i18n.add({
    "review_application": ("审核申报", "Review the application"),
    "review_position": ("队列中第 {position} 份，共 {total} 份", "{position} of {total} in the queue"),
    "review_decision": ("审核意见", "Decision"),
    "review_pass": ("通过", "Approve"),
    "review_return": ("退回", "Return"),
    "review_reject": ("不予通过", "Do not approve"),
    "review_reason": ("理由（退回或不予通过时必填，申报人可见）", "Reason (required to return or refuse; the applicant sees it)"),
    "review_final_list_decides": ("本项目须经评审打分和公示，是否通过以公示结束后的正式名单为准；此处只能退回申报人修改。",
                                  "This program is scored and publicly noticed: the final list decides. Here you can only "
                                  "return the application for changes."),
    "review_nothing_to_do": ("该申报当前状态无需您审核。", "This application does not wait for your review."),
    "resubmitted": ("退回后重新提交", "Resubmitted after return"),
    "changes_since_return": ("退回后的修改", "Changes since the return"),
    "changed_field": ("内容", "Field"),
    "before_return": ("退回时", "When returned"),
    "now_value": ("现在", "Now"),
    "files_added": ("新增附件", "Files added"),
    "files_removed": ("删除的附件", "Files removed"),
    "no_changes_since_return": ("退回后未作修改。", "Nothing was changed since the return."),
    "back_to_queue": ("返回审核队列", "Back to the queue"),
    "review_done_next": ("已{action}「{name}」；下面是队列中的下一份申报。", "{action}: {name}. Here is the next application in the queue."),
    "review_done_last": ("已{action}「{name}」；队列中已没有待审核的申报。", "{action}: {name}. Nothing else waits in this queue."),
})

# The reviewer's steps from the page: (action, button message key, reason required).
COLLEGE_STEPS = (("college_approve", "review_pass", False), ("return", "review_return", True),
                 ("reject", "review_reject", True))
SCHOOL_STEPS = (("approve", "review_pass", False), ("return", "review_return", True),
                ("reject", "review_reject", True))
DONE_WORDS = {"college_approve": ("审核通过", "Approved"), "approve": ("批准", "Approved"),
              "return": ("退回", "Returned"), "reject": ("不予通过", "Not approved")}
QUEUE_KEYS = ("campaign_id", "state", "college_id")


def queue_filters(source):
    """The review queue's filters as the page carries them (state: submitted by default)."""
    found = {k: source.get(k) for k in QUEUE_KEYS if source.get(k)}
    found.setdefault("state", "submitted")
    return found


def _list_filters(filters):
    query = dict(filters)
    if query.get("state") == "all":
        query.pop("state")
    return query


def _place(cluster, filters, application_id):
    """{"position", "total", "following"} of the application in the queue (a few
    indexed reads in the service, however long the queue)."""
    return cluster.applications.queue_place(g.actor_id, _list_filters(filters), application_id)


def steps_for(me, app, campaign, program):
    """The decision buttons this reviewer gets for `app` in its state (the service
    still decides): the college's on a submitted application, the school's on a
    college-approved one, without the direct decision when the final list decides."""
    sides = role_rules.application_sides(me.get("roles") or [], me.get("id"), app, campaign)
    if app["state"] == "submitted" and "college" in sides:
        return list(COLLEGE_STEPS)
    if app["state"] == "college_approved" and "school" in sides:
        if decided_by_final_list(program):
            return [s for s in SCHOOL_STEPS if s[0] == "return"]
        return list(SCHOOL_STEPS)
    return []


def field_label(schema, dotted):
    """(zh, en) of a form field by its dotted name, from the program's schema:
    "指导教师 · 手机号", "预期成果 第 2 条 · 描述"."""
    zh, en, node = [], [], schema
    for part in str(dotted).split("."):
        if part.isdigit():
            zh[-1:] = [f"{zh[-1]} 第 {int(part) + 1} 条"] if zh else []
            en[-1:] = [f"{en[-1]} #{int(part) + 1}"] if en else []
            node = (node or {}).get("items") or {}
            continue
        prop = ((node or {}).get("properties") or {}).get(part) or {}
        zh.append(prop.get("title") or part)
        en.append(prop.get("description") or prop.get("title") or part)
        node = prop
    return " · ".join(zh), " · ".join(en)


def _context(cluster, application_id, filters):
    app = cluster.applications.get_application(g.actor_id, application_id)
    campaign = cluster.applications.get_campaign(g.actor_id, app["campaign_id"])
    program = cluster.applications.get_program(app["program"], app["program_version"])
    trail = cluster.applications.audit_trail(g.actor_id, application_id)
    return app, campaign, program, trail, _place(cluster, filters, application_id)


def _render(app, campaign, program, trail, place, filters, error=None, reason="", status=200):
    names = attachment_preview.kind_names(program)
    since = app.get("since_return")
    previews = attachment_preview.items(
        app.get("attachments") or [], names,
        lambda att: url_for("web.attachment_view", application_id=app["id"], attachment_id=att),
        lambda att: url_for("web.download", application_id=app["id"], attachment_id=att), since)
    changes = [dict(c, label=field_label(program["form_schema"], c["field"]), vocabulary=c["field"].split(".")[-1])
               for c in (since or {}).get("fields") or []]
    returned = [e for e in trail if e.get("action") == "return"]
    return render_template(
        "review_application.html", app=app, campaign=campaign, program=program, trail=trail,
        fields=schema_form.describe(program["form_schema"], app.get("form") or {}), previews=previews,
        since=since, changes=changes, kind_names=names, steps=steps_for(g.me, app, campaign, program),
        final_list_decides=app["state"] == "college_approved" and decided_by_final_list(program),
        filters=filters, position=place["position"], total=place["total"], last_return=returned[-1] if returned else None,
        error=error, reason=reason, nonce=form_nonce()), status


@blp.route("/review/applications/<application_id>")
@session.page_login_required
def review_application(application_id):
    load_me(REVIEW_ROLES)
    filters = queue_filters(request.args)
    with rpc() as cluster:
        return _render(*_context(cluster, application_id, filters), filters)


def _next_in_queue(cluster, filters, before, current_id):
    """The application after `current_id` in the queue as it was (`before`: its
    place, read before the step), wrapping round, that still waits in it now (someone
    may have decided it meanwhile); else the newest still waiting."""
    for app_id in before["following"]:
        if app_id != current_id and _place(cluster, filters, app_id)["position"] is not None:
            return app_id
    top = cluster.applications.list_applications(g.actor_id, dict(_list_filters(filters), limit=2))
    return next((a["id"] for a in top if a["id"] != current_id), None)


@blp.route("/review/applications/<application_id>/act", methods=["POST"])
@session.page_login_required
def review_act(application_id):
    """One decision (Post/Redirect/Get): then the next application of the same queue,
    or the queue itself with a message when none is left. A refusal (no reason, a
    step someone else took first) shows this page again with the reason as typed."""
    load_me(REVIEW_ROLES)
    filters = queue_filters(request.form)
    action = request.form.get("action", "")
    reason = (request.form.get("reason") or "").strip()
    with rpc() as cluster:
        app, campaign, program, trail, before = _context(cluster, application_id, filters)
        try:
            cluster.applications.act(g.actor_id, application_id, {"action": action, "reason": reason or None},
                                     idempotency_key(application_id, action))
        except ChuangxianError as exc:
            error = exc.to_dict()
            status = 422 if error.get("code") == "validation_failed" else 409
            app, campaign, program, trail, before = _context(cluster, application_id, filters)
            return _render(app, campaign, program, trail, before, filters, error=error, reason=reason,
                           status=status)
        following = _next_in_queue(cluster, filters, before, application_id)
    zh, en = DONE_WORDS.get(action, (action, action))
    done = i18n.pick(zh, en)
    if following:
        target = url_for("web.review_application", application_id=following, **filters)
        return redirect(with_message(target, "review_done_next", action=done, name=app["applicant_name"]), 303)
    target = url_for("web.review_queue", **filters)
    return redirect(with_message(target, "review_done_last", action=done, name=app["applicant_name"]), 303)


@blp.route("/applications/<application_id>/attachments/<attachment_id>/view")
@session.page_login_required
def attachment_view(application_id, attachment_id):
    """A PDF or photo shown inside the page (inline, framable by this site only);
    anything else is downloaded. Whoever may see the application may see it."""
    with rpc() as cluster:
        doc = cluster.applications.get_attachment(g.actor_id, application_id, attachment_id)
    return attachment_preview.inline(doc)
