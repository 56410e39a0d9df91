"""导入记录 (the school admin's records import page) on the real gateway and services:
reached from the menu, it lists each fact kind with its columns, imports facts as a
background job (progress, then the counts; a bad row fails it, naming the row, with
nothing stored) and past awards at once; the bytes go by the file store, never
inside an RPC; others get the refusal page."""
import io
import time

import pytest

from tests.integration.records.conftest import AWARD_HEADER, FACT_HEADER, csv_bytes, fact_row
from tests.integration.web.test_applicant_pages import _web_login


@pytest.fixture
def extra_services():
    from services.records.service import RecordsService
    return [RecordsService]


def _post(client, csrf, what, name, data):
    return client.post("/records/import", data={"csrf_token": csrf, "what": what, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _finished(client, job_id):
    for _ in range(300):
        job = client.get(f"/jobs/{job_id}.json").json
        if job["state"] not in ("queued", "running"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def test_the_admin_imports_facts_as_a_job_and_past_awards_from_the_menu(gateway_app, mongo):
    client = gateway_app.test_client()
    csrf = _web_login(client, "admin")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/records/import"' in home and "导入记录" in home
    page = client.get("/records/import").get_data(as_text=True)
    assert "奖学金" in page and "课程不及格" in page and "对象类型, 对象编号" in page   # kinds and columns shown
    assert "scholarship" not in page and "failed_course" not in page                  # no codes
    assert "每个文件最多 50,000 行" in page                                            # the limit, before uploading

    good = csv_bytes(FACT_HEADER, [fact_row("奖学金", ref=f"JW-{i}", 学年="2022-2023", 等级="二等", 名称="单项奖学金")
                                   for i in range(3)])
    started = _post(client, csrf, "facts", "记录.csv", good)
    assert started.status_code == 303 and "job=" in started.headers["Location"]
    job_id = started.headers["Location"].split("job=")[1]
    assert "jobs.js" in client.get(started.headers["Location"]).get_data(as_text=True)
    job = _finished(client, job_id)
    assert job["state"] == "succeeded" and job["result"]["imported"] == 3
    assert mongo("records").facts.count_documents({}) == 3
    stored = mongo("records").jobs.find_one({"_id": job_id})
    assert stored["params"]["file"]["file_id"].startswith("sha256-") and "data_b64" not in stored["params"]

    bad = csv_bytes(FACT_HEADER, [fact_row("奖学金", subject_id="2099999999", ref="JW-X", 等级="二等", 名称="x")])
    failed = _finished(client, _post(client, csrf, "facts", "bad.csv", bad).headers["Location"].split("job=")[1])
    assert failed["state"] == "failed"
    text = client.get(f"/records/import?job={failed['id']}").get_data(as_text=True)
    assert "<td>2</td>" in text and "未完成" in text
    assert mongo("records").facts.count_documents({}) == 3           # nothing of the bad file

    history = csv_bytes(AWARD_HEADER, [["班级", "class_me1", "计算机2301班", "class_collectives", "先进班集体", "", "",
                                        "院级", "2022-2023", "2023-06-30", "", "学工部", ""]])
    done = _post(client, csrf, "awards", "历史荣誉.csv", history)
    assert done.status_code == 200 and "往年荣誉已导入：新增 1 条" in done.get_data(as_text=True)
    wrong = _post(client, csrf, "awards", "bad.csv", csv_bytes(AWARD_HEADER, [
        ["班级", "class_me1", "x", "class_collectives", "先进班集体", "", "", "市级", "", "2023-06-30", "", "学工部", ""]]))
    assert wrong.status_code == 422 and "<td>2</td>" in wrong.get_data(as_text=True)


def test_only_a_school_admin_reaches_it(gateway_app):
    client = gateway_app.test_client()
    _web_login(client, "counselor_me")
    assert 'href="/records/import"' not in client.get("/").get_data(as_text=True)
    assert client.get("/records/import").status_code == 403
