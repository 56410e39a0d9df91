"""The funding pages on the real gateway and services: a project's lead files a
reimbursement claim with a receipt (once per form), the advisor, the college and
finance act on it from the queue (a return needs a reason), finance pays; the
balances, the ledger and the dashboard's budget per tier follow."""
import io
import json
import re

import pytest

from tests.integration.helpers import PDF, b64, campaign_payload, good_form
from tests.integration.lifecycle_helpers import wait
from tests.integration.web.test_admin_and_notice_pages import client_of, nonce_of, text


@pytest.fixture
def extra_services():
    from services.funding.service import FundingService
    from services.scoring.service import ScoringService
    return [ScoringService, FundingService]


def _rules(rpc):
    try:
        return bool(rpc.funding.get_rules("pilot_branches")["tiers"])
    except Exception:  # not registered yet
        return False


@pytest.fixture
def funded(rpc):
    """branch_me1's approved project funded as a key project with ¥5,000 (advisor
    陈老师, the demo's advisor_me): (campaign_id, grant)."""
    assert wait(lambda: _rules(rpc), 15)
    campaign = rpc.applications.open_campaign("p_admin", campaign_payload())
    app = rpc.applications.create_application("p_2023010101", campaign["id"], {"form": good_form()})
    rpc.applications.add_attachment("p_2023010101", app["id"], "application_form", "申请表.pdf", b64(PDF))
    rpc.applications.act("p_2023010101", app["id"], {"action": "submit"})
    rpc.applications.act("p_counselor_me", app["id"], {"action": "college_approve"})
    rpc.applications.act("p_admin", app["id"], {"action": "approve"})
    rpc.funding.open_campaign("p_admin", {"campaign_id": campaign["id"], "budget_yuan": "20000"}, "open-1")
    grant = rpc.funding.award_grant("p_admin", campaign["id"], {"application_id": app["id"], "tier": "key",
                                                                "amount_yuan": "5000", "advisor_id": "p_advisor_me"},
                                    "award-1")
    return campaign["id"], grant


def _act(client, csrf, page, claim_id, action, reason="", **extra):
    return client.post(f"/finance/claims/{claim_id}/act", data={
        "csrf_token": csrf, "nonce": nonce_of(page), "action": action, "reason": reason, "next": "/finance", **extra})


def test_a_claim_from_filing_to_payment_through_the_pages(rpc, gateway_app, funded):
    cid, grant = funded
    lead, lead_csrf = client_of(gateway_app, "2023010101")
    assert grant["id"] in text(lead.get("/projects"))
    page = text(lead.get(f"/projects/{grant['id']}"))
    assert "提交报销申请" in page and "¥5,000.00" in page

    # No item: refused, nothing filed. Then one form posted twice files one claim.
    form = {"csrf_token": lead_csrf, "nonce": nonce_of(page), "purpose": "主题党日活动物料"}
    empty = lead.post(f"/projects/{grant['id']}/claims", data=form)
    assert empty.status_code == 422 and "请至少填写一项支出" in text(empty)
    assert rpc.funding.list_claims("p_2023010101", grant["id"]) == []
    filed = lead.post(f"/projects/{grant['id']}/claims", content_type="multipart/form-data",
                      data=dict(form, **{"item0.description": "展板制作", "item0.amount_yuan": "1200.50",
                                         "new_receipt": (io.BytesIO(PDF), "发票.pdf")}))
    assert filed.status_code == 302, text(filed)[:1500]
    page = text(lead.get(f"/projects/{grant['id']}"))
    assert "待指导教师审批" in page and "¥1,200.50" in page and "报销占用" in page
    receipt = re.search(r'name="receipt" value="([^"]+)"', page)
    assert receipt is None                      # the receipt is used by the claim: not offered again
    again = lead.post(f"/projects/{grant['id']}/claims", data=dict(
        form, **{"item0.description": "展板制作", "item0.amount_yuan": "1200.50"},
        receipt=rpc.funding.list_claims("p_2023010101", grant["id"])[0]["receipts"]))
    assert again.status_code == 302
    [claim] = rpc.funding.list_claims("p_2023010101", grant["id"])
    assert claim["total_fen"] == 120050

    # The advisor's queue: a return needs a reason (the page says so), then approve.
    advisor, advisor_csrf = client_of(gateway_app, "advisor_me")
    queue = text(advisor.get("/finance"))
    assert "主题党日活动物料" in queue and "¥1,200.50" in queue
    no_reason = _act(advisor, advisor_csrf, queue, claim["id"], "return")
    assert no_reason.status_code in (409, 422) and 'role="alert"' in text(no_reason)
    assert rpc.funding.get_claim("p_admin", claim["id"])["status"] == "submitted"
    assert _act(advisor, advisor_csrf, queue, claim["id"], "approve").status_code == 302
    assert rpc.funding.get_claim("p_admin", claim["id"])["status"] == "advisor_approved"

    college, college_csrf = client_of(gateway_app, "college_admin_me")
    queue = text(college.get("/finance"))
    assert _act(college, college_csrf, queue, claim["id"], "approve").status_code == 302
    finance, finance_csrf = client_of(gateway_app, "finance")
    queue = text(finance.get("/finance"))
    assert "¥1,200.50" in queue and "立项经费余额" in queue
    assert _act(finance, finance_csrf, queue, claim["id"], "approve").status_code == 302
    queue = text(finance.get("/finance"))
    assert 'value="pay"' in queue and 'name="payment_reference"' in queue
    # Finance sees the receipt it pays: framed in the page, and downloadable.
    receipt_id = claim["receipts"][0]
    frame = f'/projects/{grant["id"]}/files/{receipt_id}?inline=1'
    assert f'<iframe class="preview-pdf" src="{frame}" title="预览：发票.pdf"' in queue
    shown = finance.get(frame)
    assert shown.status_code == 200 and shown.data == PDF and shown.headers["Content-Disposition"].startswith("inline")
    assert "frame-ancestors 'self'" in shown.headers["Content-Security-Policy"]
    downloaded = finance.get(f'/projects/{grant["id"]}/files/{receipt_id}')
    assert downloaded.headers["Content-Disposition"].startswith("attachment") and downloaded.data == PDF
    no_reference = _act(finance, finance_csrf, queue, claim["id"], "pay")
    assert no_reference.status_code == 422 and "付款凭证号" in text(no_reference)
    assert rpc.funding.get_claim("p_admin", claim["id"])["status"] == "finance_approved"
    assert _act(finance, finance_csrf, queue, claim["id"], "pay", payment_reference="记-2025-0118").status_code == 302
    paid = rpc.funding.get_claim("p_admin", claim["id"])
    assert (paid["status"], paid["payment_reference"]) == ("paid", "记-2025-0118")

    # The lead sees it paid, the ledger its bookings, the balance what is left.
    page = text(lead.get(f"/projects/{grant['id']}"))
    assert "已支付" in page and "报销支付" in page and "¥3,799.50" in page and page.count("记-2025-0118") == 2
    assert "暂无待审批的报销" in text(finance.get("/finance"))

    # The dashboard's budget per tier.
    admin, admin_csrf = client_of(gateway_app, "admin")
    page = text(admin.get(f"/dashboard?campaign_id={cid}"))
    charts = json.loads(re.search(r'id="dashboard-data">(.*?)</script>', page, re.S).group(1))
    assert charts["budget"]["labels"] == ["重点"]
    assert [d["data"] for d in charts["budget"]["datasets"]] == [[5000.0], [1200.5], [1200.5], [1200.5]]
    assert "¥5,000.00" in page

    # The workbook 立项经费与报销, built by a job from the campaign page: every claim of the
    # campaign (read in one call) with its payment reference.
    from openpyxl import load_workbook

    from tests.integration.web.test_admin_and_notice_pages import job_done
    assert f'action="/campaigns/{cid}/exports/grants"' in text(admin.get(f"/admin/campaigns/{cid}"))
    started = admin.post(f"/campaigns/{cid}/exports/grants", data={"csrf_token": admin_csrf})
    assert started.status_code == 303
    job, page = job_done(admin, started.headers["Location"])
    assert job["state"] == "succeeded" and job["result"]["rows"] == 1 and "报销单数：1" in page, job
    book = admin.get(f'/jobs/{job["id"]}/file')
    assert book.status_code == 200
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(book.data))["报销明细"].iter_rows(min_row=4)]
    rows = [row for row in rows if any(row)]      # the sheet's signature rows below the table are blank here
    assert rows[0] == ["先锋领航进宿舍", "主题党日活动物料", 1200.5, "已支付", rows[0][4], "记-2025-0118"]
    lead_claims = rpc.funding.campaign_claims("p_2023010101", cid)
    assert [c["id"] for c in lead_claims] == [claim["id"]] and rpc.funding.campaign_claims("p_2023020101", cid) == []
