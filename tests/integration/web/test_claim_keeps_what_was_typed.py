"""A refused reimbursement claim loses nothing: its rows come back as typed, the
receipts stay ticked (the one uploaded with it included), rows beyond the first
three are read, and the confirmation buttons say what approving or paying does."""
import io
import re

from tests.integration.helpers import PDF
from tests.integration.web.test_admin_and_notice_pages import client_of, nonce_of, text
from tests.integration.web.test_finance_pages import extra_services, funded  # noqa: F401  (fixtures)


def test_a_refused_claim_keeps_its_rows_and_its_receipts_ticked(rpc, gateway_app, funded):  # noqa: F811
    _cid, grant = funded
    lead, csrf = client_of(gateway_app, "2023010101")
    page = text(lead.get(f"/projects/{grant['id']}"))
    assert "单个文件不超过" in page                       # the upload limit, stated before the upload
    form = {"csrf_token": csrf, "nonce": nonce_of(page), "purpose": "主题党日活动物料",
            "item0.description": "展板制作", "item0.amount_yuan": "1200.50",
            "item3.description": "第四行：场地布置", "item3.amount_yuan": "12.345",   # a row added in the browser; not in fen
            "new_receipt": (io.BytesIO(PDF), "发票.pdf")}
    refused = lead.post(f"/projects/{grant['id']}/claims", data=form, content_type="multipart/form-data")
    assert refused.status_code in (409, 422), text(refused)[:1500]
    page = text(refused)
    assert rpc.funding.list_claims("p_2023010101", grant["id"]) == []
    # Everything as typed: the purpose, the four rows, and the uploaded receipt ticked.
    assert 'value="主题党日活动物料"' in page and 'value="第四行：场地布置"' in page and 'value="12.345"' in page
    ticked = re.findall(r'<input type="checkbox" id="rc-[^"]+" name="receipt" value="([^"]+)" checked>', page)
    assert len(ticked) == 1, page[:3000]
    # Fixed, it is filed with that receipt.
    fixed = lead.post(f"/projects/{grant['id']}/claims", data={
        "csrf_token": csrf, "nonce": nonce_of(page), "purpose": "主题党日活动物料", "receipt": ticked,
        "item0.description": "展板制作", "item0.amount_yuan": "1200.50",
        "item3.description": "场地布置", "item3.amount_yuan": "100"})
    assert fixed.status_code == 302 and "message=claim_filed" in fixed.headers["Location"]
    [claim] = rpc.funding.list_claims("p_2023010101", grant["id"])
    assert claim["total_fen"] == 130050 and claim["receipts"] == ticked

    # The 立项通知书 of the project, from its page.
    page = text(lead.get(f"/projects/{grant['id']}"))
    assert f"/projects/{grant['id']}/notice.docx" in page
    letter = lead.get(f"/projects/{grant['id']}/notice.docx")
    assert letter.status_code == 200 and letter.mimetype.endswith("wordprocessingml.document")
    from docx import Document
    body = "\n".join(p.text for p in Document(io.BytesIO(letter.data)).paragraphs)
    assert "立项通知书" in body and "获批立项" in body and "〕立字001号" in body and "Asia/Shanghai" not in body

    advisor, _ = client_of(gateway_app, "advisor_me")
    queue = text(advisor.get("/finance"))
    assert re.search(r'value="approve"[^>]*data-confirm="批准「主题党日活动物料」的报销 ¥1,300.50', queue)
