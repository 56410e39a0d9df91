"""The 申报汇总表 as a background job: 202 at once, the rows the asker may see, the
file kept with the job and downloaded from its link; the page shows its progress."""
import io
import time

from openpyxl import load_workbook

from tests.integration.helpers import PDF, campaign_payload, finish_job, good_form


def _submitted(http, login, campaign_id):
    app = http.as_(login, "POST", f"/api/campaigns/{campaign_id}/applications", json={"form": good_form()}).json
    http.as_(login, "POST", f"/api/applications/{app['id']}/attachments",
             data={"kind": "application_form", "file": (io.BytesIO(PDF), "a.pdf")}, content_type="multipart/form-data")
    assert http.as_(login, "POST", f"/api/applications/{app['id']}/actions",
                    json={"action": "submit"}).status_code == 200
    return app["id"]


def test_summary_export_job_gives_each_asker_their_rows(http, gateway_app):
    campaign = http.as_("admin", "POST", "/api/campaigns", json=campaign_payload()).json
    cid = campaign["id"]
    _submitted(http, "2023010101", cid)
    _submitted(http, "2023020101", cid)

    job = finish_job(http, "admin", http.as_("admin", "POST", f"/api/campaigns/{cid}/exports/summary"))
    assert job["state"] == "succeeded" and job["result"]["rows"] == 2, job
    download = http.as_("admin", "GET", job["result"]["file"]["url"])
    assert download.status_code == 200, download.json
    assert "%E7%94%B3%E6%8A%A5%E6%B1%87%E6%80%BB%E8%A1%A8" in download.headers["Content-Disposition"]  # 申报汇总表
    sheets = load_workbook(io.BytesIO(download.data)).worksheets
    names = {str(c.value) for row in sheets[0].iter_rows() for c in row if c.value}
    assert len(sheets) == 3 and {"机电学院学生第一党支部", "经管学院学生第一党支部"} <= names  # the summary + a sheet per college

    mine = finish_job(http, "counselor_me", http.as_("counselor_me", "POST", f"/api/campaigns/{cid}/exports/summary"))
    assert mine["result"]["rows"] == 1                          # a counselor's own college only
    assert http.as_("counselor_em", "GET", mine["result"]["file"]["url"]).status_code == 404

    # The page: the button starts the job, its page polls and then links the file.
    from tests.integration.web.test_applicant_pages import _web_login
    client = gateway_app.test_client()
    csrf = _web_login(client, "admin")
    started = client.post(f"/campaigns/{cid}/exports/summary", data={"csrf_token": csrf})
    assert started.status_code == 303
    page_url = started.headers["Location"]
    job_id = page_url.rsplit("/", 1)[1]
    for _ in range(300):
        if client.get(f"/jobs/{job_id}.json").json["state"] == "succeeded":
            break
        time.sleep(0.1)
    page = client.get(page_url).get_data(as_text=True)
    assert "下载文件" in page and f"/jobs/{job_id}/file" in page
    assert client.get(f"/jobs/{job_id}/file").status_code == 200


def test_two_people_exporting_at_once_get_their_own_jobs(rpc, http):
    """The rows depend on who asks: a job under way is shared only with the same person."""
    campaign = http.as_("admin", "POST", "/api/campaigns", json=campaign_payload()).json
    cid = campaign["id"]
    _submitted(http, "2023010101", cid)
    _submitted(http, "2023020101", cid)
    first = rpc.applications.export_summary("p_admin", cid)
    again = rpc.applications.export_summary("p_admin", cid)
    other = rpc.applications.export_summary("p_counselor_em", cid)
    assert other["id"] != first["id"]
    if again["state"] in ("queued", "running"):
        assert again["id"] == first["id"]         # the same person's identical job is shared
    deadline = time.time() + 90
    while other["state"] in ("queued", "running"):
        assert time.time() < deadline, other
        time.sleep(0.2)
        other = http.as_("counselor_em", "GET", f"/api/jobs/{other['id']}").json
    assert other["state"] == "succeeded" and other["result"]["rows"] == 1, other   # their own college's row
