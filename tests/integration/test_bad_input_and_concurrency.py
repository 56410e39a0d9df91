"""Bad input gets a clear 4xx naming the field and changes nothing; the one-project-
per-branch rule holds under concurrent requests (unique index, not read-then-write)."""
import io

import eventlet
import pytest

from tests.integration.helpers import PDF, campaign_payload, good_form

SECRETARY = "2023010101"
ADMIN = "admin"

BAD_FIELDS = [
    # (field path, bad value, expected message fragment in English, in Chinese)
    ("theme", "随便什么主题", "Must be one of", "须为以下之一"),
    ("theme", 7, "Not a valid string", "不是有效的文本"),
    ("title", "x", "between 2 and 60", "2 到 60"),
    ("title", "长" * 61, "between 2 and 60", "2 到 60"),
    ("title", None, "may not be null", "不能为空"),
    ("lead_role", "member", "Must be one of", "须为以下之一"),
    ("goals", "太短", "between 10 and 2000", "10 到 2000"),
    ("measures", ["列表"], "Not a valid string", "不是有效的文本"),
    ("expected_outcomes", "字" * 2001, "between 10 and 2000", "10 到 2000"),
    ("planned_budget_yuan", "abc", "Not a valid number", "不是有效的数字"),
    ("planned_budget_yuan", -1, "greater than or equal to 0", "0 到 5000"),
    ("planned_budget_yuan", "5000.01", "less than or equal to 5000", "0 到 5000"),
    ("planned_budget_yuan", "12.345", "two decimal places", "两位小数"),
    ("planned_budget_yuan", True, "Not a valid number", "不是有效的数字"),
    ("faculty_advisor", "陈老师", "Invalid input type", "输入类型无效"),
    ("faculty_advisor", {"name": "陈"}, "between 2 and 30", "2 到 30"),
    ("faculty_advisor", {"name": "陈老师", "phone": "12345"}, "mobile number", "手机号码"),
    ("unexpected", "x", "Unknown field", "未知字段"),
]


@pytest.fixture
def draft(http):
    campaign = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload()).json
    created = http.as_(SECRETARY, "POST", f"/api/campaigns/{campaign['id']}/applications", json={"form": good_form()})
    assert created.status_code == 201, created.json
    return created.json


def test_every_form_field_is_checked_and_nothing_changes(http, draft):
    # One platform for all cases (each case is still its own request and check).
    for field, value, en, zh in BAD_FIELDS:
        response = http.as_(SECRETARY, "PATCH", f"/api/applications/{draft['id']}",
                            json={"form": good_form(**{field: value})})
        assert response.status_code == 422, (field, value, response.json)
        problem = response.json["details"][0]
        assert problem["field"].startswith(f"form.{field}"), (field, value, problem)
        assert en in problem["message"] and zh in problem["message_zh"], (field, value, problem)
    after = http.as_(SECRETARY, "GET", f"/api/applications/{draft['id']}").json
    assert after["form"] == draft["form"] and after["version"] == draft["version"]


def test_missing_required_field_blocks_submission(http, draft):
    http.as_(SECRETARY, "POST", f"/api/applications/{draft['id']}/attachments",
             data={"kind": "application_form", "file": (io.BytesIO(PDF), "申请表.pdf")},
             content_type="multipart/form-data")
    for field in ["theme", "title", "lead_role", "goals", "measures", "expected_outcomes",
                  "planned_budget_yuan", "faculty_advisor"]:
        form = good_form()
        form.pop(field)
        assert http.as_(SECRETARY, "PATCH", f"/api/applications/{draft['id']}", json={"form": form}).status_code == 200
        response = http.as_(SECRETARY, "POST", f"/api/applications/{draft['id']}/actions", json={"action": "submit"})
        assert response.status_code == 422, field
        assert response.json["details"] == [{"field": f"form.{field}", "message": "Missing data for required field.",
                                             "message_zh": "必填项缺失"}]
        assert http.as_(SECRETARY, "GET", f"/api/applications/{draft['id']}").json["state"] == "draft"


def test_bad_requests_outside_the_form(http, draft):
    app_id = draft["id"]
    not_json = http.as_(SECRETARY, "PATCH", f"/api/applications/{app_id}", data="form=1",
                        content_type="text/plain")
    assert 400 <= not_json.status_code < 500
    no_form = http.as_(SECRETARY, "PATCH", f"/api/applications/{app_id}", json={})
    assert no_form.status_code == 422 and no_form.json["field"] == "form"
    bad_action = http.as_(SECRETARY, "POST", f"/api/applications/{app_id}/actions", json={"action": "explode"})
    assert bad_action.status_code == 422 and bad_action.json["field"] == "action"
    wrong_step = http.as_(SECRETARY, "POST", f"/api/applications/{app_id}/actions", json={"action": "approve"})
    assert wrong_step.status_code == 409 and "不能批准" in wrong_step.json["message_zh"]
    unknown = http.as_(SECRETARY, "GET", "/api/applications/app_nope")
    assert unknown.status_code == 404 and unknown.json["message_zh"].startswith("申报不存在")


def test_attachment_limits(http, draft):
    app_id = draft["id"]

    def upload(kind, name, data):
        return http.as_(SECRETARY, "POST", f"/api/applications/{app_id}/attachments",
                        data={"kind": kind, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")

    disguised = upload("application_form", "申请表.pdf", b"MZ\x90\x00 an executable")
    assert disguised.status_code == 415 and "项目申请表须为" in disguised.json["message_zh"]
    photo_as_form = upload("application_form", "photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    assert photo_as_form.status_code == 415
    too_big = upload("application_form", "big.pdf", PDF + b"0" * 200_001)
    assert too_big.status_code == 413
    assert upload("nonsense", "a.pdf", PDF).status_code == 422
    assert upload("application_form", "a.pdf", b"").status_code == 422
    first = upload("application_form", "a.pdf", PDF)
    assert first.status_code == 201
    other_pdf = PDF.replace(b"1 0 obj", b"2 0 obj")
    second = upload("application_form", "b.pdf", other_pdf)
    assert second.status_code == 422 and "最多 1 个" in second.json["message_zh"]
    # The same file again (a retry after a lost response) is recognised, not refused.
    again = upload("application_form", "a.pdf", PDF)
    assert again.status_code == 201 and again.json["id"] == first.json["id"]
    stored = http.as_(SECRETARY, "GET", f"/api/applications/{app_id}").json["attachments"]
    assert [a["filename"] for a in stored] == ["a.pdf"]


def test_one_project_per_branch_under_concurrency(http, mongo):
    campaign = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload()).json
    http.login(SECRETARY)
    pool = eventlet.GreenPool(20)
    statuses = list(pool.imap(
        lambda i: http.as_(SECRETARY, "POST", f"/api/campaigns/{campaign['id']}/applications",
                           json={"form": {"title": f"项目{i:02d}"}}).status_code,
        range(20)))
    assert sorted(statuses) == [201] + [409] * 19
    assert mongo("applications").applications.count_documents({"campaign_id": campaign["id"]}) == 1


def test_concurrent_steps_on_one_application_apply_once(http, mongo, events):
    campaign = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload()).json
    app = http.as_(SECRETARY, "POST", f"/api/campaigns/{campaign['id']}/applications", json={"form": good_form()}).json
    http.as_(SECRETARY, "POST", f"/api/applications/{app['id']}/attachments",
             data={"kind": "application_form", "file": (io.BytesIO(PDF), "a.pdf")}, content_type="multipart/form-data")
    pool = eventlet.GreenPool(10)
    statuses = list(pool.imap(
        lambda i: http.as_(SECRETARY, "POST", f"/api/applications/{app['id']}/actions",
                           json={"action": "submit"}).status_code, range(10)))
    assert statuses.count(200) == 1 and all(s == 409 for s in statuses if s != 200)
    eventlet.sleep(1)
    assert [e["type"] for e in events] == ["application.submitted"]
    trail = http.as_(SECRETARY, "GET", f"/api/applications/{app['id']}/audit").json
    assert [e["action"] for e in trail].count("submit") == 1
