"""The public notice (公示) as anyone in the campaign's scope sees it: the list, the
period in Beijing time with a countdown, how to object, and during the period the
objection form (reason required, evidence optional); the objector's own objections
with the replies; the final list (正式名单) with the awards, and the winner's
certificate (荣誉证书) as PDF."""
from datetime import datetime, timezone

from flask import g, redirect, render_template, request, url_for

from core.errors import ChuangxianError, NotFound, PermissionDenied
from gateway import files
from gateway.api import rpc
from gateway.documents import fetch
from gateway.errors import status_of
from gateway.web import blp, i18n, menu, session
from gateway.web.page_helpers import field_errors, form_nonce, idempotency_key, send_document, send_file, upload_bytes
from gateway.web.pages_common import load_me

i18n.add({
    "notices": ("公示公告", "Public notices"),
    "notice": ("公示", "Public notice"),
    "notice_status_open": ("公示中", "Open for objections"),
    "notice_status_closed": ("公示期已结束", "Period over"),
    "notice_status_superseded": ("已被新版本取代", "Superseded"),
    "notice_status_final": ("已定稿", "Final"),
    "how_to_object": ("如何提出异议", "How to object"),
    "file_objection": ("提出异议", "File an objection"),
    "objection_entry": ("异议对象", "Entry objected to"),
    "objection_reason_required": ("异议理由（必填，不超过1000字）", "Reason (required, up to 1000 characters)"),
    "evidence_optional": ("证明材料（可选：PDF、Word、JPG、PNG）", "Evidence (optional: PDF, Word, JPG, PNG)"),
    "my_objections": ("我提出的异议", "My objections"),
    "objection_filed": ("异议已提交", "Objection filed"),
    "waiting_reply": ("等待处理", "Waiting for a reply"),
    "no_notices": ("暂无公示", "No public notices"),
    "view_final_list": ("查看正式名单", "See the final list"),
    "certificate": ("荣誉证书（PDF）", "Certificate (PDF)"),
    "recipient": ("获奖对象", "Recipient"),
    "award_title": ("荣誉称号", "Title"),
    "not_final_yet": ("名单尚未定稿", "The list is not final yet"),
    "pending": ("待处理", "Pending"),
    "upheld": ("异议成立", "Upheld"),
    "dismissed": ("异议不成立", "Dismissed"),
})
menu.add("web.notices", "notices")


@blp.app_template_global()
def seconds_left(notice):
    """Seconds until the notice's period closes (0 when over), for the countdown."""
    closes = datetime.fromisoformat(str(notice["closes_at"]).replace("Z", "+00:00"))
    return max(0, int((closes - datetime.now(timezone.utc)).total_seconds()))


def _optional(call, *args):
    try:
        return call(*args)
    except NotFound:
        return None


@blp.route("/notices")
@session.page_login_required
def notices():
    """Every campaign in the person's scope that has a notice (current version)."""
    load_me()
    found = []
    with rpc() as cluster:
        for campaign in cluster.applications.list_campaigns(g.actor_id, False):
            try:
                notice = cluster.applications.get_notice(g.actor_id, campaign["id"])
            except (NotFound, PermissionDenied):
                continue
            found.append({"campaign": campaign, "notice": notice})
    return render_template("notices.html", found=found)


def _notice_context(cluster, campaign_id):
    campaign = cluster.applications.get_campaign(g.actor_id, campaign_id)
    notice = cluster.applications.get_notice(g.actor_id, campaign_id)
    mine = cluster.applications.list_objections(g.actor_id, notice["id"])
    if "objections" in notice:   # the campaign admin lists every objection: keep their own here
        mine = [o for o in mine if o["objector"]["id"] == g.me["id"]]
    return campaign, notice, mine


@blp.route("/campaigns/<campaign_id>/notice")
@session.page_login_required
def notice_page(campaign_id, error=None, status=200):
    load_me()
    with rpc() as cluster:
        campaign, notice, mine = _notice_context(cluster, campaign_id)
    return render_template("notice.html", campaign=campaign, notice=notice, mine=mine, error=error,
                           errors=field_errors(error) if error else {}, values=request.form, nonce=form_nonce(),
                           message=request.args.get("message")), status


@blp.route("/campaigns/<campaign_id>/notice/objections", methods=["POST"])
@session.page_login_required
def file_objection(campaign_id):
    """The service checks the period, the entry, the reason and the evidence's bytes;
    the form's nonce is the idempotency key, so a double submit files once."""
    payload = {"application_id": request.form.get("application_id") or "",
               "reason": request.form.get("reason") or ""}
    try:
        filename, data = upload_bytes("evidence")
        if filename:   # the bytes go to the file store, the RPC carries their id
            reference, filename = files.put_upload(data, filename)   # a large phone photo is shrunk first
            payload["evidence"] = {"filename": filename, "file": reference}
        with rpc() as cluster:
            cluster.applications.file_objection(g.actor_id, request.form.get("notice_id") or "", payload,
                                                idempotency_key(campaign_id))
    except ChuangxianError as exc:
        return notice_page(campaign_id, exc.to_dict(), status_of(exc))
    return redirect(url_for("web.notice_page", campaign_id=campaign_id, message="objection_filed") + "#mine")


@blp.route("/notices/<notice_id>/objections/<objection_id>/evidence")
@session.page_login_required
def objection_evidence(notice_id, objection_id):
    with rpc() as cluster:
        doc = cluster.applications.get_objection_evidence(g.actor_id, notice_id, objection_id)
    return send_file(files.content_of(doc), doc["filename"], doc.get("content_type") or
                     "application/octet-stream")


@blp.route("/campaigns/<campaign_id>/final-list")
@session.page_login_required
def final_list_page(campaign_id):
    load_me()
    with rpc() as cluster:
        campaign = cluster.applications.get_campaign(g.actor_id, campaign_id)
        final = _optional(cluster.applications.get_final_list, g.actor_id, campaign_id)
        awards = cluster.applications.list_awards(g.actor_id, campaign_id) if final else []
    return render_template("final_list.html", campaign=campaign, final=final, notice=None,
                           awards=[dict(a, may_download=_may_download(a)) for a in awards])


def _receives(award):
    """The recipient's side: the person, a member of the unit, or whoever speaks for
    the unit (its secretary, monitor or dorm leader)."""
    me = g.me
    if award.get("recipient_id") == me["id"] or me["id"] in (award.get("member_ids") or []):
        return True
    return any(r.get("unit_id") == award.get("recipient_id") for r in me.get("roles", []))


def _may_download(award):
    held = {r["role"] for r in g.me.get("roles", [])}
    return _receives(award) or bool(held & {"school_admin", "college_admin"})


@blp.route("/campaigns/<campaign_id>/awards/<award_id>/certificate.pdf")
@session.page_login_required
def certificate(campaign_id, award_id):
    """The certificate of one award, for its recipient's side and admins (the award
    must be listed for this person by the service)."""
    load_me()
    with rpc() as cluster:
        award = next((a for a in cluster.applications.list_awards(g.actor_id, campaign_id) if a["id"] == award_id),
                     None)
        if award is None or not _may_download(award):
            raise NotFound("No such award.", "荣誉不存在", field="award_id")
        return send_document(fetch.award_certificate(cluster, g.actor_id, award))
