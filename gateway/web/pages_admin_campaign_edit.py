"""Correcting a campaign opened by mistake (campaign admins): edit its title, year and
times, or withdraw it (撤销) with a reason after an explicit confirmation. The
applications service decides who may and keeps the history (campaign_edits.py)."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import g, redirect, render_template, request, url_for

from core.errors import ChuangxianError, field_error, invalid
from gateway.api import rpc
from gateway.web import blp, i18n, session
from gateway.web.page_helpers import field_errors
from gateway.web.pages_admin import ADMIN_ROLES, TIME_FIELDS
from gateway.web.pages_common import load_me

i18n.add({
    "edit_campaign": ("修改或撤销活动", "Edit or withdraw the campaign"),
    "save_changes": ("保存修改", "Save changes"),
    "change_reason": ("修改原因（可选）", "Reason for the change (optional)"),
    "withdraw_campaign": ("撤销评选活动", "Withdraw the campaign"),
    "withdraw_hint": ("撤销后活动不再显示，也不再接受申报；已有申报提交的活动不能撤销。",
                      "A withdrawn campaign is no longer listed and accepts nothing; a campaign with submitted "
                      "applications cannot be withdrawn."),
    "withdraw_reason": ("撤销原因", "Reason for withdrawing"),
    "withdraw_confirm": ("我确认撤销该评选活动，此操作不能恢复", "I confirm: withdraw this campaign (this cannot be undone)"),
    "campaign_history": ("修改记录", "History"),
    "campaign_withdrawn": ("评选活动已撤销", "The campaign was withdrawn"),
    "action_edited": ("修改", "Edited"),
    "action_withdrawn": ("撤销", "Withdrawn"),
})


def _local_input(value):
    """An ISO 8601 UTC time as a datetime-local value in Beijing time."""
    if not value:
        return ""
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")


def _edit_payload(form):
    payload = {k: (form.get(k) or "").strip() for k in ("title", "academic_year", *TIME_FIELDS)}
    for name in ("review_opens_at", "review_closes_at"):
        payload[name] = payload[name] or None
    payload["reason"] = (form.get("reason") or "").strip() or None
    return payload


@blp.route("/admin/campaigns/<campaign_id>/edit", methods=["GET", "POST"])
@session.page_login_required
def admin_campaign_edit(campaign_id):
    load_me(ADMIN_ROLES)
    error = None
    with rpc() as cluster:
        if request.method == "POST":
            try:
                cluster.applications.edit_campaign(g.actor_id, campaign_id, _edit_payload(request.form))
            except ChuangxianError as exc:
                error = exc.to_dict()
            else:
                return redirect(url_for("web.admin_campaign", campaign_id=campaign_id, message="saved"))
        campaign = cluster.applications.get_campaign(g.actor_id, campaign_id)
        history = cluster.applications.campaign_history(g.actor_id, campaign_id)
    values = request.form if error else {
        "title": campaign["title"], "academic_year": campaign["academic_year"],
        **{name: _local_input(campaign.get(name)) for name in TIME_FIELDS}}
    return render_template("admin_campaign_edit.html", campaign=campaign, history=history, values=values,
                           error=error, errors=field_errors(error) if error else {}), (422 if error else 200)


@blp.route("/admin/campaigns/<campaign_id>/withdraw", methods=["POST"])
@session.page_login_required
def admin_campaign_withdraw(campaign_id):
    """Withdraws only with the confirmation box ticked and a reason."""
    problems = []
    if request.form.get("confirm") != "yes":
        problems.append(field_error("confirm", "Tick the box to confirm.", "请勾选确认"))
    reason = (request.form.get("withdraw_reason") or "").strip()
    if not reason:
        problems.append(field_error("withdraw_reason", "Required.", "必填"))
    if problems:
        raise invalid(problems)
    with rpc() as cluster:
        cluster.applications.withdraw_campaign(g.actor_id, campaign_id, {"reason": reason})
    return redirect(url_for("web.admin_campaigns", message="campaign_withdrawn"))
