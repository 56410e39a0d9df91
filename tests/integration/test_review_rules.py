"""Rules behind reviewing where the evidence is: the application as it was returned
is kept, so what the applicant changed before resubmitting is shown field by field
and file by file; and a school admin cannot approve or reject a college-approved
application directly when the program's final list (scoring + public notice) decides."""
import io

import pytest

from tests.integration.helpers import PDF, another_pdf, campaign_payload, good_form, png_bytes
from tests.integration.lifecycle_helpers import insert_college_approved

ADMIN, COUNSELOR, SECRETARY = "admin", "counselor_me", "2023010101"


def _upload(http, app_id, kind, data, name):
    response = http.as_(SECRETARY, "POST", f"/api/applications/{app_id}/attachments",
                        data={"kind": kind, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    return response.json


def _act(http, login, app_id, action, reason=None):
    return http.as_(login, "POST", f"/api/applications/{app_id}/actions", json={"action": action, "reason": reason})


def test_a_resubmitted_application_shows_what_changed_since_its_return(http):
    campaign = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload()).json
    app = http.as_(SECRETARY, "POST", f"/api/campaigns/{campaign['id']}/applications", json={"form": good_form()}).json
    first_pdf = _upload(http, app["id"], "application_form", PDF, "申请表.pdf")
    assert _act(http, SECRETARY, app["id"], "submit").status_code == 200
    never_returned = http.as_(COUNSELOR, "GET", f"/api/applications/{app['id']}").json
    assert never_returned["since_return"] is None and never_returned.get("resubmitted_at") is None

    assert _act(http, COUNSELOR, app["id"], "return", "预算明细不清楚").status_code == 200
    # The applicant changes two fields, replaces the form and adds a photo, then resubmits.
    changed = good_form(title="先锋领航进宿舍（修订）", planned_budget_yuan="2500.00",
                        faculty_advisor={"name": "陈老师", "title": "副教授", "phone": "13900000000"})
    assert http.as_(SECRETARY, "PATCH", f"/api/applications/{app['id']}", json={"form": changed}).status_code == 200
    assert http.as_(SECRETARY, "DELETE",
                    f"/api/applications/{app['id']}/attachments/{first_pdf['id']}").status_code == 200
    second_pdf = _upload(http, app["id"], "application_form", another_pdf(), "申请表（修订）.pdf")
    photo = _upload(http, app["id"], "photo", png_bytes(), "活动照片.png")
    returned = http.as_(COUNSELOR, "GET", f"/api/applications/{app['id']}").json
    assert returned["state"] == "returned" and returned["since_return"]["resubmitted_at"] is None
    assert _act(http, SECRETARY, app["id"], "submit").status_code == 200

    seen = http.as_(COUNSELOR, "GET", f"/api/applications/{app['id']}").json
    since = seen["since_return"]
    assert seen["resubmitted_at"] and since["resubmitted_at"] == seen["resubmitted_at"] and since["returned_at"]
    assert since["fields"] == [
        {"field": "title", "old": "先锋领航进宿舍", "new": "先锋领航进宿舍（修订）"},
        {"field": "planned_budget_yuan", "old": "2800.00", "new": "2500.00"},
        {"field": "faculty_advisor.phone", "old": "13800000000", "new": "13900000000"},
    ]
    assert sorted(a["id"] for a in since["added"]) == sorted([second_pdf["id"], photo["id"]])
    assert [(a["id"], a["filename"]) for a in since["removed"]] == [(first_pdf["id"], "申请表.pdf")]
    # The queue marks it (the list carries when it was resubmitted).
    queue = http.as_(COUNSELOR, "GET", f"/api/applications?campaign_id={campaign['id']}&state=submitted").json
    assert [a["resubmitted_at"] for a in queue] == [seen["resubmitted_at"]]

    # Returned a second time: the snapshot is the application as it was then.
    assert _act(http, COUNSELOR, app["id"], "return", "照片不清楚").status_code == 200
    again = http.as_(COUNSELOR, "GET", f"/api/applications/{app['id']}").json["since_return"]
    assert again["fields"] == [] and again["added"] == [] and again["removed"] == []


@pytest.fixture
def config(config):
    config["PROGRAMS"] = ["pilot_branches", "benchmark_branches"]
    return config


def test_the_final_list_decides_when_the_program_scores_and_publishes_a_notice(http, rpc, mongo):
    from plugins.pilot_branches.program import PROGRAM
    # A scored program with a public notice (the pilot's declaration with a notice stage stands in).
    rpc.applications.register_program(dict(
        PROGRAM.declaration(), name="benchmark_branches", title_zh="样板支部", title_en="Benchmark branches",
        stages=["application", "college_review", "review", "notice", "award"]))
    noticed = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload(program="benchmark_branches")).json
    direct = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload(title="对标争先（学校直接审批）")).json
    insert_college_approved(mongo, noticed, "app_noticed")
    insert_college_approved(mongo, direct, "app_direct")

    for action, reason in (("approve", None), ("reject", "材料不全")):
        refused = _act(http, ADMIN, "app_noticed", action, reason)
        assert refused.status_code == 409, refused.json
        assert refused.json["field"] == "action" and "正式名单" in refused.json["message_zh"]
        assert "final list" in refused.json["message"]
    trail = http.as_(ADMIN, "GET", "/api/applications/app_noticed/audit").json
    assert trail == [] and http.as_(ADMIN, "GET", "/api/applications/app_noticed").json["state"] == "college_approved"
    # Sending it back to the applicant is still the school's to do.
    assert _act(http, ADMIN, "app_noticed", "return", "请补充材料").json["state"] == "returned"
    # Where the program has no notice, the school decides directly as before.
    assert _act(http, ADMIN, "app_direct", "approve").json["state"] == "approved"
