"""Approvers' funding page (经费审批): for the faculty advisor, the college and finance
the claims waiting for their step, each with its receipts previewed (images in the
page, PDFs in a frame, every file downloadable); approve / return / reject with a
reason, and finance pays with the payment reference (付款凭证号). The project pages
(balances, ledger, filing a claim, closing) are pages_projects.py; a campaign's
budget and awards pages_funding_admin.py. Money is shown from integer fen; the
funding service moves it, once per form (the form's nonce is the idempotency key)."""
from flask import g, redirect, render_template, request, url_for

from gateway.api import rpc
from gateway.web import attachment_preview, blp, i18n, menu, session
from gateway.web.page_helpers import form_nonce, idempotency_key, yuan_to_text
from gateway.web.pages_common import load_me

i18n.add({
    "finance_queue": ("待审批报销", "Claims waiting for me"),
    "project": ("项目", "Project"),
    "tier": ("档次", "Tier"),
    "granted": ("立项经费", "Granted"),
    "reserved": ("审批中", "In approval"),
    "approved_amount": ("已批准待付", "Approved, unpaid"),
    "grant_active": ("实施中", "Active"),
    "grant_closed": ("已结项", "Closed"),
    "paid": ("已支付", "Paid"),
    "remaining": ("可报销余额", "Remaining"),
    "claims": ("报销申请", "Claims"),
    "claim": ("报销申请", "Claim"),
    "purpose": ("报销事由", "Purpose"),
    "amount": ("金额", "Amount"),
    "amount_yuan": ("金额（元）", "Amount (yuan)"),
    "item_description": ("支出明细", "Item"),
    "receipts": ("报销凭证", "Receipts"),
    "receipt": ("报销凭证", "Receipt"),
    "download_file": ("下载", "Download"),
    "approve": ("批准", "Approve"),
    "return": ("退回", "Return"),
    "reject": ("驳回", "Reject"),
    "pay": ("确认支付", "Mark paid"),
    "payment_reference": ("付款凭证号", "Payment reference"),
    "payment_reference_required": ("付款凭证号（必填，如记账凭证号或转账流水号）",
                                   "Payment reference (required: the voucher or transfer number)"),
    "reason_required_for_return": ("理由（退回、驳回时必填）", "Reason (required to return or reject)"),
    "grant_balances": ("立项经费余额", "Grant balances"),
    "no_claims_waiting": ("暂无待审批的报销", "No claims are waiting for you"),
    "filed_by": ("申请人", "Filed by"),
    "done": ("已办理", "Done"),
    "claim_done_approve": ("已批准该报销申请，已转入下一步审批或支付", "Claim approved and passed on to the next step"),
    "claim_done_return": ("已退回该报销申请，申请人可修改后重新提交", "Claim returned to the lead to correct and refile"),
    "claim_done_reject": ("已驳回该报销申请，预留金额已退回项目余额", "Claim rejected; its reserved amount is back in the balance"),
    "claim_done_withdraw": ("已撤回该报销申请，预留金额已退回项目余额", "Claim withdrawn; its reserved amount is back in the balance"),
    "claim_done_pay": ("已登记支付及付款凭证号，已记入经费台账", "Payment and its reference recorded in the ledger"),
})
CLAIM_STATES = {
    "submitted": ("待指导教师审批", "Waiting for the advisor"), "advisor_approved": ("待学院审批", "Waiting for the college"),
    "college_approved": ("待财务审批", "Waiting for finance"), "finance_approved": ("待支付", "Waiting for payment"),
    "paid": ("已支付", "Paid"), "returned": ("已退回", "Returned"), "rejected": ("已驳回", "Rejected"),
    "withdrawn": ("已撤回", "Withdrawn"),
}
# Everyone who may hold a claim's step: the faculty advisor, the college (its admin or a
# counselor), finance; school admins follow the queue.
menu.add("web.finance_queue", "finance_queue", ["finance", "school_admin", "college_admin", "counselor", "advisor"])


@blp.app_template_filter("fen")
def _fen(amount):
    return yuan_to_text(amount)


@blp.app_template_global("receipt_items")
def _receipt_items(claim):
    """What _attachment_preview.html shows of a claim's receipts."""
    def view(attachment_id):
        return url_for("web.project_file", grant_id=claim["grant_id"], attachment_id=attachment_id, inline=1)

    def download(attachment_id):
        return url_for("web.project_file", grant_id=claim["grant_id"], attachment_id=attachment_id)
    return attachment_preview.items(claim.get("receipt_files") or [], {"receipt": i18n.t("receipt")}, view, download)


@blp.app_template_filter("claim_state")
def _claim_state(status):
    zh, en = CLAIM_STATES.get(status, (status, status))
    return i18n.pick(zh, en)


@blp.route("/finance")
@session.page_login_required
def finance_queue():
    load_me()  # not only roles: a faculty advisor approves their own projects' claims here
    with rpc() as cluster:
        waiting = cluster.funding.pending_approvals(g.actor_id)
        grants = cluster.funding.list_grants(g.actor_id, None)
    titles = {gr["id"]: gr.get("project_title") or gr["project_id"] for gr in grants}
    return render_template("finance.html", waiting=waiting, grants=grants, titles=titles, nonce=form_nonce(),
                           message=request.args.get("message"))


@blp.route("/finance/claims/<claim_id>/act", methods=["POST"])
@session.page_login_required
def claim_act(claim_id):
    """approve / return / reject (the current step's approver; a reason to return
    or reject), pay (finance, with the payment reference), withdraw (the lead)."""
    action = request.form.get("action") or ""
    body = {"action": action, "reason": (request.form.get("reason") or "").strip() or None}
    if action == "pay":
        body["payment_reference"] = (request.form.get("payment_reference") or "").strip() or None
    with rpc() as cluster:
        cluster.funding.act_on_claim(g.actor_id, claim_id, body, idempotency_key(claim_id, action))
    target = request.form.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("web.finance_queue")
    message = f"claim_done_{action}" if f"claim_done_{action}" in i18n.MESSAGES else "done"
    return redirect(target + ("&" if "?" in target else "?") + "message=" + message)
