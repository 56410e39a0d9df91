"""Funding pages (经费): for approvers (faculty advisor, college, finance) the claims
waiting for their step, approve / return / reject with a reason, pay; grant
balances and each project's ledger; for a project's lead, filing a reimbursement
claim with receipts and following its state. Money is shown from integer fen; the
funding service moves it, once per form (the form's nonce is the idempotency key)."""
from flask import g, redirect, render_template, request, url_for

from core.errors import ChuangxianError, field_error, invalid
from gateway import files
from gateway.api import rpc
from gateway.errors import status_of
from gateway.web import blp, i18n, menu, session
from gateway.web.page_helpers import field_errors, form_nonce, idempotency_key, upload_bytes, yuan_to_text
from gateway.web.pages_common import load_me

i18n.add({
    "finance_queue": ("待审批报销", "Claims waiting for me"),
    "my_projects": ("项目经费", "Project funding"),
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
    "new_receipt": ("上传新的报销凭证（PDF、JPG、PNG）", "Upload a new receipt (PDF, JPG, PNG)"),
    "file_claim": ("提交报销申请", "File a claim"),
    "approve": ("批准", "Approve"),
    "return": ("退回", "Return"),
    "reject": ("驳回", "Reject"),
    "pay": ("确认支付", "Mark paid"),
    "reason_required_for_return": ("理由（退回、驳回时必填）", "Reason (required to return or reject)"),
    "ledger": ("经费台账", "Ledger"),
    "entry_kind": ("类型", "Kind"),
    "grant_balances": ("立项经费余额", "Grant balances"),
    "no_claims_waiting": ("暂无待审批的报销", "No claims are waiting for you"),
    "no_projects": ("暂无立项项目", "No funded projects"),
    "filed_by": ("申请人", "Filed by"),
    "claim_filed": ("报销申请已提交，等待指导教师审批；审批期间金额从可报销余额中预留", "Claim filed; it waits for the faculty advisor, and its amount is reserved from the balance"),
    "done": ("已办理", "Done"),
    "claim_done_approve": ("已批准该报销申请，已转入下一步审批或支付", "Claim approved and passed on to the next step"),
    "claim_done_return": ("已退回该报销申请，申请人可修改后重新提交", "Claim returned to the lead to correct and refile"),
    "claim_done_reject": ("已驳回该报销申请，预留金额已退回项目余额", "Claim rejected; its reserved amount is back in the balance"),
    "claim_done_withdraw": ("已撤回该报销申请，预留金额已退回项目余额", "Claim withdrawn; its reserved amount is back in the balance"),
    "claim_done_pay": ("已登记支付，已记入经费台账", "Payment recorded in the ledger"),
    "lead": ("负责人", "Lead"),
    "ledger_budget_set": ("预算设定", "Budget set"),
    "ledger_grant_awarded": ("立项拨付", "Grant awarded"),
    "ledger_claim_reserved": ("报销占用", "Claim reserved"),
    "ledger_claim_released": ("占用释放", "Reservation released"),
    "ledger_claim_approved": ("报销批准", "Claim approved"),
    "ledger_claim_paid": ("报销支付", "Claim paid"),
    "ledger_grant_returned": ("结余收回", "Returned at closing"),
})
CLAIM_STATES = {
    "submitted": ("待指导教师审批", "Waiting for the advisor"), "advisor_approved": ("待学院审批", "Waiting for the college"),
    "college_approved": ("待财务审批", "Waiting for finance"), "finance_approved": ("待支付", "Waiting for payment"),
    "paid": ("已支付", "Paid"), "returned": ("已退回", "Returned"), "rejected": ("已驳回", "Rejected"),
    "withdrawn": ("已撤回", "Withdrawn"),
}
menu.add("web.finance_queue", "finance_queue", ["finance", "school_admin", "college_admin"])
menu.add("web.my_projects", "my_projects")
ITEM_ROWS = 3


@blp.app_template_filter("fen")
def _fen(amount):
    return yuan_to_text(amount)


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
    or reject), pay (finance), withdraw (the lead)."""
    action = request.form.get("action") or ""
    with rpc() as cluster:
        cluster.funding.act_on_claim(g.actor_id, claim_id,
                                     {"action": action, "reason": (request.form.get("reason") or "").strip() or None},
                                     idempotency_key(claim_id, action))
    target = request.form.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("web.finance_queue")
    message = f"claim_done_{action}" if f"claim_done_{action}" in i18n.MESSAGES else "done"
    return redirect(target + ("&" if "?" in target else "?") + "message=" + message)


@blp.route("/projects")
@session.page_login_required
def my_projects():
    load_me()
    with rpc() as cluster:
        grants = cluster.funding.list_grants(g.actor_id, None)
    return render_template("projects.html", grants=grants)


def _project(grant_id, error=None, status=200, ticked=None):
    load_me()
    with rpc() as cluster:
        grant = cluster.funding.get_grant(g.actor_id, grant_id)
        claims = cluster.funding.list_claims(g.actor_id, grant_id)
        ledger = cluster.funding.grant_ledger(g.actor_id, grant_id)
    used = {r for c in claims if c["status"] not in ("rejected", "withdrawn") for r in c.get("receipts", [])}
    receipts = [a for a in grant.get("attachments", []) if a.get("kind") == "receipt" and a["id"] not in used]
    return render_template("project.html", grant=grant, claims=claims, ledger=ledger, receipts=receipts,
                           is_lead=grant.get("lead_id") == g.me["id"], error=error,
                           errors=field_errors(error) if error else {}, values=request.form, nonce=form_nonce(),
                           rows=max(ITEM_ROWS, _row_count(request.form) + 1), message=request.args.get("message"),
                           ticked=set(ticked if ticked is not None else request.form.getlist("receipt"))), status


def _row_count(form):
    """How many item rows the posted form has (rows may be added in the browser)."""
    import re
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
            if filename:
                receipts.append(cluster.funding.add_attachment(g.actor_id, grant_id, "receipt", filename,
                                                               files.put(data))["id"])
            cluster.funding.file_claim(g.actor_id, grant_id, {"items": items, "receipts": receipts,
                                                              "purpose": request.form.get("purpose") or ""},
                                       idempotency_key(grant_id))
    except ChuangxianError as exc:
        # A failed claim keeps its receipts ticked, the one just uploaded included.
        return _project(grant_id, exc.to_dict(), status_of(exc), ticked=receipts)
    return redirect(url_for("web.project_page", grant_id=grant_id, message="claim_filed") + "#claims")
