"""The campaign admin's side of the public notice (公示): open it on the published
results, resolve objections (upheld with the entry removed or regraded, or
dismissed; a reply either way), finalise the list, and for a college campaign
nominate upward within the college's quota (used / remaining shown)."""
from flask import g, redirect, render_template, request, url_for

from core.errors import ChuangxianError, NotFound, PermissionDenied, field_error, invalid
from gateway.api import rpc
from gateway.errors import status_of
from gateway.web import blp, i18n, session
from gateway.web.page_helpers import field_errors, form_nonce, idempotency_key, with_message
from gateway.web.pages_admin import ADMIN_ROLES
from gateway.web.pages_common import load_me
from gateway.web.pages_jobs import job_of
from gateway.web.schema_form import normalise_time

i18n.add({
    "notice_published_ok": ("已发布公示，至 {until}", "Notice published, open until {until}"),
    "objection_upheld_ok": ("已处理异议：异议成立，答复已告知异议人", "Objection upheld; the reply was sent to the objector"),
    "objection_dismissed_ok": ("已处理异议：异议不成立，答复已告知异议人", "Objection dismissed; the reply was sent to the objector"),
    "finalised_ok": ("已确定正式名单，荣誉称号与证书随即生成", "Final list confirmed; honours and certificates follow"),
    "nominated_ok": ("已向学校推荐 {n} 个对象", "{n} nominated to the school"),
    "open_notice": ("发布公示", "Open the public notice"),
    "notice_days": ("公示天数（留空按项目默认）", "Days (empty: the program's default)"),
    "notice_opens_at": ("公示开始时间", "Notice starts"),
    "notice_closes_at": ("公示结束时间", "Notice ends"),
    "notice_period_hint": ("公示期不少于 {min} 天（公示最短天数），默认 {days} 天；时间为北京时间，24 小时制。",
                           "At least {min} days (the shortest notice), {days} by default; Beijing time, 24-hour."),
    "no_notice_yet": ("尚未公示", "No public notice yet"),
    "objections": ("异议", "Objections"),
    "objector": ("异议人", "Objector"),
    "objection_reason": ("异议理由", "Reason"),
    "evidence": ("证明材料", "Evidence"),
    "decision": ("处理决定", "Decision"),
    "upheld": ("异议成立", "Upheld"),
    "dismissed": ("异议不成立", "Dismissed"),
    "pending": ("待处理", "Pending"),
    "reply": ("答复（必填，异议人可见）", "Reply (required; the objector reads it)"),
    "change": ("调整名单（异议成立时）", "Change to the list (when upheld)"),
    "no_change": ("不调整", "No change"),
    "remove_entry": ("从名单中移除", "Remove the entry"),
    "regrade_to": ("改为等次", "Regrade to"),
    "resolve": ("处理", "Resolve"),
    "finalise": ("确定正式名单", "Finalise the list"),
    "finalise_when": ("公示期结束且全部异议处理完毕后，可确定正式名单。",
                      "The list can be finalised once the period is over and every objection is resolved."),
    "final_list": ("正式名单", "Final list"),
    "finalised_at": ("定稿时间", "Finalised"),
    "nominate": ("推荐上报", "Nominate upward"),
    "nominate_selected": ("推荐所选", "Nominate the selected"),
    "quota_used": ("已用名额", "Used"),
    "quota_left": ("剩余名额", "Remaining"),
    "quota_total": ("名额", "Quota"),
    "nominations": ("推荐名单", "Nominations"),
    "college": ("学院", "College"),
    "period": ("公示期", "Period"),
    "version": ("版本", "Version"),
    "awards": ("荣誉称号", "Awards"),
    "public_page": ("公示页面", "Public page"),
    "no_objections": ("暂无异议", "No objections"),
    "reply_given": ("答复", "Reply"),
})


def _optional(call, *args):
    try:
        return call(*args)
    except NotFound:
        return None


def _nominations(cluster, campaign):
    if not (campaign.get("parent_campaign_id") or campaign.get("nomination_quota")):
        return None
    try:
        return cluster.applications.list_nominations(g.actor_id, campaign["id"])
    except (NotFound, PermissionDenied):
        return None


def _render(campaign_id, error=None, objection_id=None, status=200):
    load_me(ADMIN_ROLES)
    # The job first (as on the campaign page): a job that ends while the lists are read
    # shows them with its work, or static/jobs.js reloads the page when it ends.
    job = job_of(request.args["job"]) if request.args.get("job") else None
    with rpc() as cluster:
        campaign = cluster.applications.get_campaign(g.actor_id, campaign_id)
        notice = _optional(cluster.applications.get_notice, g.actor_id, campaign_id)
        final = _optional(cluster.applications.get_final_list, g.actor_id, campaign_id)
        awards = cluster.applications.list_awards(g.actor_id, campaign_id) if final else []
        nominations = _nominations(cluster, campaign)
    grades = {}
    for entry in (notice or {}).get("entries", []):
        if entry.get("grade"):
            grades[entry["grade"]] = entry.get("grade_name_zh") or entry["grade"]
    return render_template("admin_notice.html", campaign=campaign, notice=notice, period=_default_period(campaign),
                           final=final, awards=awards,
                           nominations=nominations, grades=grades, error=error, objection_id=objection_id,
                           errors=field_errors(error) if error else {}, nonce=form_nonce(),
                           message=request.args.get("message"), job=job), status


def _default_period(campaign):
    """The form's proposal: from now to now + the campaign's notice days (Beijing)."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo
    settings = campaign.get("settings") or {}
    days = settings.get("notice_days") or 5
    start = datetime.now(ZoneInfo("Asia/Shanghai")).replace(second=0, microsecond=0)
    return {"opens_at": start.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (start + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M"),
            "days": days, "min": settings.get("notice_min_days") or min(3, days)}


@blp.route("/admin/campaigns/<campaign_id>/notice", methods=["GET", "POST"])
@session.page_login_required
def admin_notice(campaign_id):
    if request.method == "GET":
        return _render(campaign_id)
    raw = (request.form.get("days") or "").strip()
    if raw and not raw.isdigit():
        raise invalid([field_error("days", "Must be a whole number of days.", "须为整数天")])
    payload = {"days": int(raw)} if raw else {}
    for name in ("opens_at", "closes_at"):   # explicit start and end (Beijing time), as notices state them
        if (request.form.get(name) or "").strip():
            payload[name] = normalise_time(request.form[name])
    try:
        with rpc() as cluster:
            notice = cluster.applications.open_notice(g.actor_id, campaign_id, payload)
    except ChuangxianError as exc:
        return _render(campaign_id, exc.to_dict(), status=status_of(exc))
    return redirect(with_message(url_for("web.admin_notice", campaign_id=campaign_id), "notice_published_ok",
                                 until=(notice or {}).get("closes_at")))


@blp.route("/admin/campaigns/<campaign_id>/objections/<objection_id>/resolve", methods=["POST"])
@session.page_login_required
def admin_resolve(campaign_id, objection_id):
    """Sends what the admin chose; the service requires the reply and accepts a
    change only with an upheld decision. The form's nonce makes a resubmitted form
    one resolution."""
    payload = {"decision": request.form.get("decision") or "", "reply": (request.form.get("reply") or "").strip()}
    change = request.form.get("change") or ""
    if change == "remove":
        payload["change"] = {"remove": True}
    elif change.startswith("grade:"):
        payload["change"] = {"grade": change[6:]}
    try:
        with rpc() as cluster:
            cluster.applications.resolve_objection(g.actor_id, request.form.get("notice_id", ""), objection_id,
                                                   payload, idempotency_key(objection_id))
    except ChuangxianError as exc:
        return _render(campaign_id, exc.to_dict(), objection_id, status_of(exc))
    return redirect(with_message(url_for("web.admin_notice", campaign_id=campaign_id),
                                 "objection_upheld_ok" if payload["decision"] == "upheld" else "objection_dismissed_ok",
                                 "#objections"))


@blp.route("/admin/campaigns/<campaign_id>/finalise", methods=["POST"])
@session.page_login_required
def admin_finalise(campaign_id):
    try:
        with rpc() as cluster:
            job = cluster.applications.finalise_notice(g.actor_id, request.form.get("notice_id", ""))
    except ChuangxianError as exc:
        return _render(campaign_id, exc.to_dict(), status=status_of(exc))
    # The list is stored; its job decides the applications (progress shown, then the list).
    return redirect(with_message(url_for("web.admin_notice", campaign_id=campaign_id, job=job["id"]),
                                 "finalised_ok", "#job"))


@blp.route("/admin/campaigns/<campaign_id>/nominate", methods=["POST"])
@session.page_login_required
def admin_nominate(campaign_id):
    try:
        with rpc() as cluster:
            job = cluster.applications.nominate(g.actor_id, campaign_id,
                                                {"application_ids": request.form.getlist("application_id")})
    except ChuangxianError as exc:
        return _render(campaign_id, exc.to_dict(), status=status_of(exc))
    # A full quota fails the job: its box on the page says so (with the quota).
    return redirect(url_for("web.admin_notice", campaign_id=campaign_id, job=job["id"]) + "#job")
