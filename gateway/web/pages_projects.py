"""A funded project's pages (项目经费): the projects a person may see; one project's
balances, claims (each with its receipts previewed and its payment reference), the
lead's claim form, the ledger, and closing (结项): the lead or advisor uploads the
materials the tier requires (a link for the published article), the page says what
is missing and which step comes next, the campaign admin passes the materials or
returns them with a reason, then closes the project (confirmed). Every permission is
the funding service's; the page offers only the actions it lists for the viewer."""
import re

from flask import g, redirect, render_template, request, url_for

from core.errors import ChuangxianError, NotFound, field_error, invalid
from gateway import files
from gateway.api import rpc
from gateway.errors import status_of
from gateway.web import attachment_preview, blp, i18n, menu, session
from gateway.web.page_helpers import (
    field_errors, form_nonce, idempotency_key, upload_bytes, with_message,
)
from gateway.web.pages_common import load_me

i18n.add({
    "my_projects": ("项目经费", "Project funding"),
    "new_receipt": ("上传新的报销凭证（PDF、JPG、PNG）", "Upload a new receipt (PDF, JPG, PNG)"),
    "file_claim": ("提交报销申请", "File a claim"),
    "ledger": ("经费台账", "Ledger"),
    "entry_kind": ("类型", "Kind"),
    "no_projects": ("暂无立项项目", "No funded projects"),
    "claim_filed": ("报销申请已提交，等待指导教师审批；审批期间金额从可报销余额中预留", "Claim filed; it waits for the faculty advisor, and its amount is reserved from the balance"),
    "lead": ("负责人", "Lead"),
    "advisor": ("指导教师", "Faculty advisor"),
    "ledger_budget_set": ("预算设定", "Budget set"),
    "ledger_grant_awarded": ("立项拨付", "Grant awarded"),
    "ledger_claim_reserved": ("报销占用", "Claim reserved"),
    "ledger_claim_released": ("占用释放", "Reservation released"),
    "ledger_claim_approved": ("报销批准", "Claim approved"),
    "ledger_claim_paid": ("报销支付", "Claim paid"),
    "ledger_grant_returned": ("结余收回", "Returned at closing"),
    "closing": ("结项", "Closing"),
    "closing_materials": ("结项材料", "Closing materials"),
    "material_submitted": ("已提交", "Submitted"),
    "material_missing": ("未提交", "Missing"),
    "material_kind": ("材料类型", "Material"),
    "material_value": ("内容", "Content"),
    "material_file": ("文件（PDF、Word、JPG、PNG）", "File (PDF, Word, JPG, PNG)"),
    "article_url": ("公众号文章链接（http:// 或 https:// 开头）", "Published article link (http:// or https://)"),
    "upload_material": ("上传材料", "Upload the material"),
    "save_link": ("保存链接", "Save the link"),
    "material_saved": ("已提交结项材料：{kind}", "Closing material submitted: {kind}"),
    "materials_passed": ("结项材料已审核通过，可以办理结项", "Closing materials passed; the project can be closed"),
    "materials_returned": ("已退回结项材料，负责人将按意见修改", "Closing materials returned to the lead with your reason"),
    "project_closed": ("已办理结项，结余经费已退回批次预算", "Project closed; the unspent money is back in the campaign budget"),
    "pass_materials": ("审核通过", "Pass"),
    "return_materials": ("退回修改", "Return for changes"),
    "materials_review_reason": ("审核意见（退回时必填）", "Comments (required to return)"),
    "close_project": ("办理结项", "Close the project"),
    "next_step": ("下一步", "Next step"),
    "step_materials": ("上传结项材料（尚缺：{missing}）", "Upload the closing materials (missing: {missing})"),
    "step_review": ("活动管理员审核结项材料", "The campaign administrator reviews the closing materials"),
    "step_returned": ("结项材料被退回，请按审核意见修改后重新提交：{reason}", "The materials were returned; change them as asked and submit again: {reason}"),
    "step_close": ("结项材料已审核通过，由活动管理员办理结项", "The materials passed review; the campaign administrator closes the project"),
    "step_closed": ("已结项（{at}）", "Closed ({at})"),
    "reviewed_by": ("审核人", "Reviewed by"),
})
menu.add("web.my_projects", "my_projects")
ITEM_ROWS = 3


@blp.route("/projects")
@session.page_login_required
def my_projects():
    """The projects the person may see; for those who award grants (school admins,
    finance) also the campaigns of funded programs, each with its funding page."""
    me = load_me()
    held = {r["role"] for r in me.get("roles", [])}
    funded_campaigns = []
    with rpc() as cluster:
        grants = cluster.funding.list_grants(g.actor_id, None)
        if held & {"school_admin", "finance"}:
            campaigns = cluster.applications.list_campaigns(g.actor_id, False)
            # one question per program (a handful), whichever the number of campaigns
            funded = {name for name in {c.get("program") for c in campaigns} if _has_funding(cluster, name)}
            funded_campaigns = [c for c in campaigns if c.get("program") in funded]
    return render_template("projects.html", grants=grants, funded_campaigns=funded_campaigns)


def _has_funding(cluster, program):
    try:
        return bool(cluster.funding.get_rules(program, None).get("tiers"))
    except ChuangxianError:   # the program registered no funding rules
        return False


def _project(grant_id, error=None, status=200, ticked=None, form_error=None):
    load_me()
    with rpc() as cluster:
        grant = cluster.funding.get_grant(g.actor_id, grant_id)
        claims = cluster.funding.list_claims(g.actor_id, grant_id)
        ledger = cluster.funding.grant_ledger(g.actor_id, grant_id)
        rules = cluster.funding.get_rules(grant["program"], None)
    used = {r for c in claims if c["status"] not in ("rejected", "withdrawn") for r in c.get("receipts", [])}
    receipts = [a for a in grant.get("attachments", []) if a.get("kind") == "receipt" and a["id"] not in used]
    kinds = {k["code"]: k for k in _material_kinds(rules)}
    files_by_id = {a["id"]: a for a in grant.get("attachments", [])}
    return render_template(
        "project.html", grant=grant, claims=claims, ledger=ledger, receipts=receipts,
        is_lead="file_claim" in grant.get("actions", []), error=error, form_error=form_error,
        errors=field_errors(error) if error else {}, values=request.form, nonce=form_nonce(),
        rows=max(ITEM_ROWS, _row_count(request.form) + 1), message=request.args.get("message"),
        ticked=set(ticked if ticked is not None else request.form.getlist("receipt")),
        kinds=kinds, files_by_id=files_by_id, next_step=_next_step(grant, kinds)), status


def _material_kinds(rules):
    """Every closing material kind: the built-in ones plus what the program declares
    ({code, name, name_en, value}); the built-in names are the service's own."""
    from services.funding.domain.rules import MATERIAL_KINDS
    return [{"code": c, **k} for c, k in MATERIAL_KINDS.items()] + list(rules.get("material_kinds") or [])


def _next_step(grant, kinds):
    """The sentence saying which step of closing comes next."""
    step = grant.get("closing_step") or ("closed" if grant["status"] == "closed" else "materials")
    if step == "materials":
        names = [i18n.pick(m["name"], m["name_en"]) for m in grant.get("missing_materials", [])]
        return i18n.t("step_materials").format(missing="、".join(names) if i18n.current_language() == "zh"
                                               else ", ".join(names))
    if step == "returned":
        return i18n.t("step_returned").format(reason=(grant.get("materials_review") or {}).get("reason") or "")
    if step == "closed":
        from gateway.web import _local_time
        return i18n.t("step_closed").format(at=_local_time(grant.get("closed_at")))
    return i18n.t(f"step_{step}")


def _row_count(form):
    """How many item rows the posted form has (rows may be added in the browser)."""
    indexes = [int(m.group(1)) for m in (re.match(r"item(\d+)\.", key) for key in form.keys()) if m]
    return min(max(indexes) + 1, 200) if indexes else 0


@blp.route("/projects/<grant_id>")
@session.page_login_required
def project_page(grant_id):
    return _project(grant_id)


def claim_items(form):
    """The claim's items from the form rows (an empty row is skipped)."""
    items = []
    for i in range(max(ITEM_ROWS, _row_count(form))):
        description = (form.get(f"item{i}.description") or "").strip()
        amount = (form.get(f"item{i}.amount_yuan") or "").strip()
        if description or amount:
            items.append({"description": description, "amount_yuan": amount})
    if not items:
        raise invalid([field_error("items", "Add at least one item.", "请至少填写一项支出")])
    return items


@blp.route("/projects/<grant_id>/claims", methods=["POST"])
@session.page_login_required
def file_claim(grant_id):
    """A new receipt, if chosen, is uploaded to the project first; the claim then
    names it with the receipts ticked. The claim itself is filed once per form."""
    receipts = request.form.getlist("receipt")
    try:
        items = claim_items(request.form)
        filename, data = upload_bytes("new_receipt")
        with rpc() as cluster:
            if filename:   # a large phone photo of a receipt is shrunk first (files.put_upload)
                reference, filename = files.put_upload(data, filename)
                receipts.append(cluster.funding.add_attachment(g.actor_id, grant_id, "receipt", filename,
                                                               reference)["id"])
            cluster.funding.file_claim(g.actor_id, grant_id, {"items": items, "receipts": receipts,
                                                              "purpose": request.form.get("purpose") or ""},
                                       idempotency_key(grant_id))
    except ChuangxianError as exc:
        # A failed claim keeps its receipts ticked, the one just uploaded included.
        return _project(grant_id, exc.to_dict(), status_of(exc), ticked=receipts)
    return redirect(url_for("web.project_page", grant_id=grant_id, message="claim_filed") + "#claims")


@blp.route("/projects/<grant_id>/files/<attachment_id>")
@session.page_login_required
def project_file(grant_id, attachment_id):
    """A receipt or material of the project: downloaded, or with ``inline=1`` shown in
    the page (only what its bytes show to be a PDF or a photo; gateway/web/attachment_preview.py)."""
    with rpc() as cluster:
        doc = cluster.funding.get_attachment(g.actor_id, grant_id, attachment_id)
    return attachment_preview.inline(doc) if request.args.get("inline") == "1" else attachment_preview.download(doc)


@blp.route("/projects/<grant_id>/materials", methods=["POST"])
@session.page_login_required
def submit_material(grant_id):
    """One closing material: a file uploaded and recorded as the kind chosen, or for
    the published article its link."""
    kind = request.form.get("kind") or ""
    try:
        with rpc() as cluster:
            if kind == "article_link" or request.form.get("url") is not None:
                value = (request.form.get("url") or "").strip()
                if not value:
                    raise invalid([field_error("url", "Give the article's link.", "请填写公众号文章链接")])
            else:
                filename, data = upload_bytes("file", required=True)
                reference, filename = files.put_upload(data, filename)
                value = cluster.funding.add_attachment(g.actor_id, grant_id, kind, filename, reference,
                                                       idempotency_key(grant_id, kind))["id"]
            grant = cluster.funding.submit_material(g.actor_id, grant_id, {"kind": kind, "value": value})
    except ChuangxianError as exc:
        return _project(grant_id, form_error=exc.to_dict(), status=status_of(exc))
    named = next((m for m in _material_kinds({}) if m["code"] == kind), None)
    label = i18n.pick(named["name"], named["name_en"]) if named else ""
    return redirect(with_message(url_for("web.project_page", grant_id=grant["id"]), "material_saved",
                                 "#closing", kind=label))


@blp.route("/projects/<grant_id>/review", methods=["POST"])
@session.page_login_required
def review_materials(grant_id):
    """The campaign admin passes the materials or returns them with a reason."""
    decision = request.form.get("decision") or ""
    try:
        with rpc() as cluster:
            cluster.funding.review_materials(g.actor_id, grant_id, {
                "decision": decision, "reason": (request.form.get("reason") or "").strip() or None},
                idempotency_key(grant_id, decision))
    except ChuangxianError as exc:
        return _project(grant_id, form_error=exc.to_dict(), status=status_of(exc))
    key = "materials_passed" if decision == "pass" else "materials_returned"
    return redirect(with_message(url_for("web.project_page", grant_id=grant_id), key, "#closing"))


@blp.route("/projects/<grant_id>/close", methods=["POST"])
@session.page_login_required
def close_project(grant_id):
    try:
        with rpc() as cluster:
            cluster.funding.close_project(g.actor_id, grant_id, {}, idempotency_key(grant_id, "close"))
    except ChuangxianError as exc:
        if isinstance(exc, NotFound):
            raise
        return _project(grant_id, form_error=exc.to_dict(), status=status_of(exc))
    return redirect(with_message(url_for("web.project_page", grant_id=grant_id), "project_closed", "#closing"))
