"""The review page of one application, through the real gateway: reached from the
queue, the form as a labelled document, PDFs and photos previewed in the page
(served inline with their recognised type, framable by this site only), Word files
downloaded, 通过 / 退回 / 不予通过 with a required reason, then the next application
of the same queue; a resubmitted application marked with what changed; and no
direct approval for the school where the final list decides."""
import html
import io
import re

import pytest

from tests.integration.helpers import PDF, campaign_payload, docx_bytes, good_form, png_bytes
from tests.integration.lifecycle_helpers import insert_college_approved
from tests.integration.web.test_applicant_pages import _web_login

FIRST, SECOND = "2023010101", "2023010201"   # secretaries of 机电学院's first and second branches


@pytest.fixture
def config(config):
    config["PROGRAMS"] = ["pilot_branches", "benchmark_branches"]
    return config


def _submitted(http, login, campaign_id, files):
    app = http.as_(login, "POST", f"/api/campaigns/{campaign_id}/applications", json={"form": good_form()}).json
    for kind, data, name in files:
        response = http.as_(login, "POST", f"/api/applications/{app['id']}/attachments",
                            data={"kind": kind, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
        assert response.status_code == 201, response.json
    assert http.as_(login, "POST", f"/api/applications/{app['id']}/actions", json={"action": "submit"}).status_code == 200
    return http.as_(login, "GET", f"/api/applications/{app['id']}").json


def _links(page):
    return [html.unescape(u) for u in re.findall(r'href="([^"]+)"', page)]


def test_a_counselor_reviews_with_the_evidence_and_moves_through_the_queue(http, gateway_app, monkeypatch):
    campaign = http.as_("admin", "POST", "/api/campaigns", json=campaign_payload()).json
    first = _submitted(http, FIRST, campaign["id"], [("application_form", PDF, "申请表.pdf"),
                                                     ("photo", png_bytes(), "活动照片.png"),
                                                     ("other", docx_bytes(), "工作方案.docx")])
    second = _submitted(http, SECOND, campaign["id"], [("application_form", PDF, "申请表.pdf")])
    by_name = {a["filename"]: a for a in first["attachments"]}
    client = gateway_app.test_client()
    csrf = _web_login(client, "counselor_me")

    # The application's own page (where notifications lead) links to its review page.
    assert f"/review/applications/{first['id']}?state=submitted" in html.unescape(
        client.get(f"/applications/{first['id']}").get_data(as_text=True))
    # The queue links each row to its review page, carrying the queue's filters.
    queue = client.get(f"/review?campaign_id={campaign['id']}").get_data(as_text=True)
    review_url = next(u for u in _links(queue) if u.startswith(f"/review/applications/{first['id']}"))
    assert f"campaign_id={campaign['id']}" in review_url and "state=submitted" in review_url

    _queue_comes_a_page_at_a_time(client, campaign["id"], first, second, monkeypatch)

    response = client.get(review_url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "队列中第 2 份，共 2 份" in page      # the second newest of two (counted, not listed)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]   # the page itself is not framable
    # The form reads as a document: labels, values, no field names.
    assert "项目名称" in page and "先锋领航进宿舍" in page and "planned_budget_yuan" not in page
    # The PDF in a frame, the photo as an image, the Word file to download only.
    pdf_view = f"/applications/{first['id']}/attachments/{by_name['申请表.pdf']['id']}/view"
    png_view = f"/applications/{first['id']}/attachments/{by_name['活动照片.png']['id']}/view"
    assert f'<iframe class="preview-pdf" src="{pdf_view}"' in page and f'<img class="preview-image" src="{png_view}"' in page
    docx_id = by_name["工作方案.docx"]["id"]
    assert f"/applications/{first['id']}/attachments/{docx_id}/view" not in page
    assert f"/applications/{first['id']}/attachments/{docx_id}" in page
    assert page.count("data-confirm=") == 3 and "不予通过" in page and "退回" in page and ">通过<" in page

    shown = client.get(pdf_view)
    assert shown.status_code == 200 and shown.data == PDF
    assert shown.headers["Content-Type"] == "application/pdf"
    assert shown.headers["Content-Disposition"].startswith("inline;")
    assert "frame-ancestors 'self'" in shown.headers["Content-Security-Policy"]
    assert shown.headers["X-Frame-Options"] == "SAMEORIGIN" and shown.headers["X-Content-Type-Options"] == "nosniff"
    photo = client.get(png_view)
    assert photo.headers["Content-Type"] == "image/png" and photo.data == png_bytes()
    word = client.get(f"/applications/{first['id']}/attachments/{docx_id}/view")   # never inline
    assert word.headers["Content-Disposition"].startswith("attachment;")
    assert "frame-ancestors 'none'" in word.headers["Content-Security-Policy"]
    # Someone who may not see the application sees none of its files.
    other = gateway_app.test_client()
    _web_login(other, "counselor_em")
    assert other.get(pdf_view).status_code == 404

    # Returning without a reason: refused, nothing changes, the page says why at the field.
    form = {"csrf_token": csrf, "nonce": "n1", "campaign_id": campaign["id"], "state": "submitted"}
    refused = client.post(f"/review/applications/{first['id']}/act", data=dict(form, action="return", reason=" "))
    assert refused.status_code == 422 and 'id="review-reason-error"' in refused.get_data(as_text=True)
    assert http.as_("counselor_me", "GET", f"/api/applications/{first['id']}").json["state"] == "submitted"

    # Returned with a reason: straight on to the next application of the same queue.
    done = client.post(f"/review/applications/{first['id']}/act",
                       data=dict(form, nonce="n2", action="return", reason="预算明细不清楚"))
    assert done.status_code == 303 and done.headers["Location"].startswith(f"/review/applications/{second['id']}?")
    landed = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "已退回「机电学院学生第一党支部」；下面是队列中的下一份申报。" in landed

    # The applicant changes the budget and resubmits: marked in the queue, the change shown.
    changed = good_form(planned_budget_yuan="2500.00")
    assert http.as_(FIRST, "PATCH", f"/api/applications/{first['id']}", json={"form": changed}).status_code == 200
    assert http.as_(FIRST, "POST", f"/api/applications/{first['id']}/actions",
                    json={"action": "submit"}).status_code == 200
    queue = client.get(f"/review?campaign_id={campaign['id']}").get_data(as_text=True)
    assert queue.count("退回后重新提交") == 1
    page = client.get(review_url).get_data(as_text=True)
    changes = page.split('id="changes"')[1].split("</section>")[0]
    assert "退回后的修改" in changes and "预算金额（元）" in changes and "2800.00" in changes and "2500.00" in changes
    assert "预算明细不清楚" in page   # the reason it was returned for

    # Approving the second, then the first: the last one leads back to the queue, which says so.
    to_first = client.post(f"/review/applications/{second['id']}/act",
                           data=dict(form, nonce="n3", action="college_approve"))
    assert to_first.headers["Location"].startswith(f"/review/applications/{first['id']}?")
    last = client.post(f"/review/applications/{first['id']}/act", data=dict(form, nonce="n4", action="college_approve"))
    assert last.status_code == 303 and last.headers["Location"].startswith("/review?")
    assert "队列中已没有待审核的申报" in client.get(last.headers["Location"]).get_data(as_text=True)
    assert {http.as_("counselor_me", "GET", f"/api/applications/{a['id']}").json["state"]
            for a in (first, second)} == {"college_approved"}
    # The same form posted again (a double click) does nothing more.
    again = client.post(f"/review/applications/{first['id']}/act", data=dict(form, nonce="n4", action="college_approve"))
    assert again.status_code == 303


def _queue_comes_a_page_at_a_time(client, campaign_id, first, second, monkeypatch):
    """A school's queue holds thousands: one page (here one row), the whole count, and
    links on that keep the queue's filters."""
    from gateway.web import pages_college
    monkeypatch.setattr(pages_college, "QUEUE_PAGE", 1)
    page = client.get(f"/review?campaign_id={campaign_id}").get_data(as_text=True)
    assert "共 2 份申报，本页 1 份" in page
    assert second["applicant_name"] in page and first["applicant_name"] not in page   # newest first
    following = next(u for u in _links(page) if "after=" in u)
    assert f"campaign_id={campaign_id}" in following and "state=submitted" in following
    page = client.get(following).get_data(as_text=True)
    assert first["applicant_name"] in page and second["applicant_name"] not in page
    assert not any("after=" in u for u in _links(page)) and "第一页" in page
    monkeypatch.setattr(pages_college, "QUEUE_PAGE", 100)
    assert "共 2 份申报<" in client.get(f"/review?campaign_id={campaign_id}").get_data(as_text=True)


def test_the_school_sees_no_direct_decision_where_the_final_list_decides(http, rpc, mongo, gateway_app):
    from plugins.pilot_branches.program import PROGRAM
    rpc.applications.register_program(dict(
        PROGRAM.declaration(), name="benchmark_branches", title_zh="样板支部", title_en="Benchmark branches",
        stages=["application", "college_review", "review", "notice", "award"]))
    noticed = http.as_("admin", "POST", "/api/campaigns", json=campaign_payload(program="benchmark_branches")).json
    direct = http.as_("admin", "POST", "/api/campaigns", json=campaign_payload(title="对标争先（学校审批）")).json
    for campaign, app_id in ((noticed, "app_noticed"), (direct, "app_direct")):
        insert_college_approved(mongo, campaign, app_id)
    client = gateway_app.test_client()
    _web_login(client, "admin")
    # A school admin's queue shows what the colleges approved, each linked to its review page.
    queue = client.get("/review").get_data(as_text=True)
    assert "/review/applications/app_noticed?state=college_approved" in queue
    assert "/review/applications/app_direct?state=college_approved" in queue
    guarded = client.get("/review/applications/app_noticed?state=college_approved").get_data(as_text=True)
    assert "以公示结束后的正式名单为准" in guarded
    assert 'value="approve"' not in guarded and 'value="reject"' not in guarded and 'value="return"' in guarded
    free = client.get("/review/applications/app_direct?state=college_approved").get_data(as_text=True)
    assert 'value="approve"' in free and 'value="reject"' in free and "正式名单为准" not in free
    # Under the English switch the page speaks English.
    client.set_cookie("cx_lang", "en")
    english = client.get("/review/applications/app_noticed?state=college_approved").get_data(as_text=True)
    assert "the final list decides" in english and ">Return<" in english and "Back to the queue" in english
    assert "审核意见" not in english and "退回" not in english
