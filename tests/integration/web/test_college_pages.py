"""The counselor's review queue (bulk approve / return with reasons) and the roster
import with its row-by-row report, on the real gateway and services."""
import io
import time

from tests.integration.helpers import PDF, campaign_payload, good_form
from tests.integration.web.test_applicant_pages import _web_login


def _submitted(http, login, campaign_id):
    app = http.as_(login, "POST", f"/api/campaigns/{campaign_id}/applications", json={"form": good_form()}).json
    http.as_(login, "POST", f"/api/applications/{app['id']}/attachments",
             data={"kind": "application_form", "file": (io.BytesIO(PDF), "a.pdf")},
             content_type="multipart/form-data")
    assert http.as_(login, "POST", f"/api/applications/{app['id']}/actions", json={"action": "submit"}).status_code == 200
    return app["id"]


def test_bulk_return_needs_a_reason_and_each_step_is_audited(http, gateway_app):
    campaign = http.as_("admin", "POST", "/api/campaigns", json=campaign_payload()).json
    app_id = _submitted(http, "2023010101", campaign["id"])
    client = gateway_app.test_client()
    csrf = _web_login(client, "counselor_me")

    queue = client.get(f"/review?campaign_id={campaign['id']}").get_data(as_text=True)
    assert app_id in queue

    # Returning without a reason: the page says it was not done, and why.
    response = client.post("/review/bulk", data={"csrf_token": csrf, "action": "return", "application_id": [app_id],
                                                 "batch": "1"})
    assert response.status_code == 422 and "理由" in response.get_data(as_text=True)
    assert http.as_("counselor_me", "GET", f"/api/applications/{app_id}").json["state"] == "submitted"

    response = client.post("/review/bulk", data={"csrf_token": csrf, "action": "return", "application_id": [app_id],
                                                 "reason": "预算明细不清楚", "batch": "2"})
    # Post/Redirect/Get, and the message says what happened.
    assert response.status_code == 303
    assert "已退回 1 份申报" in client.get(response.headers["Location"]).get_data(as_text=True)
    trail = http.as_("2023010101", "GET", f"/api/applications/{app_id}/audit").json
    assert trail[-1]["action"] == "return" and trail[-1]["reason"] == "预算明细不清楚"
    page = _student_page(gateway_app, app_id)
    assert "预算明细不清楚" in page and "已退回" in page


def _student_page(gateway_app, app_id):
    client = gateway_app.test_client()
    _web_login(client, "2023010101")
    return client.get(f"/applications/{app_id}").get_data(as_text=True)


def test_roster_import_reports_bad_rows_and_imports_nothing(http, gateway_app):
    client = gateway_app.test_client()
    csrf = _web_login(client, "admin")
    assert "每个文件最多 50,000 行" in client.get("/directory/import").get_data(as_text=True)   # the limit, before uploading
    bad = "学号,姓名,学院,班级\n2025990001,王一,机电与信息工程学院,机电2501班\n,李二,不存在学院,机电2501班\n"
    response = client.post("/directory/import", data={"csrf_token": csrf,
                                                      "file": (io.BytesIO(bad.encode("utf-8")), "名单.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    page_url = response.headers["Location"]
    job_id = page_url.split("job=")[1]
    running = client.get(page_url).get_data(as_text=True)
    assert "jobs.js" in running and f"/jobs/{job_id}.json" in running
    for _ in range(300):
        job = client.get(f"/jobs/{job_id}.json").json
        if job["state"] not in ("queued", "running"):
            break
        time.sleep(0.1)
    assert job["state"] == "failed"
    text = client.get(page_url).get_data(as_text=True)
    assert "<td>3</td>" in text and "未完成" in text
