"""The walking skeleton through HTTP: the gateway, real services, real bus and database."""
import eventlet
import pytest

from tests.integration.helpers import PDF, campaign_payload, docx_bytes, good_form

SECRETARY = "2023010101"     # branch_me1 of college_me
COUNSELOR_ME = "counselor_me"
COUNSELOR_EM = "counselor_em"
ADMIN = "admin"


def _wait_for(predicate, seconds=10):
    for _ in range(int(seconds * 20)):
        if predicate():
            return True
        eventlet.sleep(0.05)
    return False


def open_campaign(http, **overrides):
    response = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload(**overrides))
    assert response.status_code == 201, response.json
    return response.json


def test_pilot_branch_project_end_to_end(http, events):
    campaign = open_campaign(http)
    listed = http.as_(SECRETARY, "GET", "/api/campaigns?open=true").json
    assert [c["id"] for c in listed] == [campaign["id"]] and listed[0]["application_open"] is True

    schema = http.as_(SECRETARY, "GET", "/api/programs/pilot_branches/form-schema").json
    assert schema["properties"]["theme"]["enum"][0] == "学思践悟·固本强基"
    assert "faculty_advisor" in schema["required"]

    created = http.as_(SECRETARY, "POST", f"/api/campaigns/{campaign['id']}/applications",
                       json={"form": {"title": "党员先锋岗"}}, headers={"Idempotency-Key": "create-1"})
    assert created.status_code == 201, created.json
    app_id = created.json["id"]
    retry = http.as_(SECRETARY, "POST", f"/api/campaigns/{campaign['id']}/applications",
                     json={"form": {"title": "党员先锋岗"}}, headers={"Idempotency-Key": "create-1"})
    assert retry.status_code == 201 and retry.json["id"] == app_id

    assert http.as_(SECRETARY, "PATCH", f"/api/applications/{app_id}", json={"form": good_form()}).status_code == 200
    upload = http.as_(SECRETARY, "POST", f"/api/applications/{app_id}/attachments",
                      data={"kind": "application_form", "file": (__import__("io").BytesIO(docx_bytes()), "申请表.docx")},
                      content_type="multipart/form-data")
    assert upload.status_code == 201, upload.json
    assert upload.json["type"] == "docx"
    download = http.as_(SECRETARY, "GET", f"/api/applications/{app_id}/attachments/{upload.json['id']}")
    assert download.status_code == 200 and download.data == docx_bytes()

    first = http.as_(SECRETARY, "POST", f"/api/applications/{app_id}/actions", json={"action": "submit"},
                     headers={"Idempotency-Key": "submit-1"})
    again = http.as_(SECRETARY, "POST", f"/api/applications/{app_id}/actions", json={"action": "submit"},
                     headers={"Idempotency-Key": "submit-1"})
    assert first.status_code == again.status_code == 200
    assert first.json["state"] == again.json["state"] == "submitted"
    assert first.json["version"] == again.json["version"]

    assert http.as_(COUNSELOR_EM, "GET", f"/api/applications/{app_id}").status_code == 404
    assert http.as_(COUNSELOR_EM, "GET", "/api/applications").json == []
    queue = http.as_(COUNSELOR_ME, "GET", "/api/applications?state=submitted").json
    assert [a["id"] for a in queue] == [app_id]
    returned = http.as_(COUNSELOR_ME, "POST", f"/api/applications/{app_id}/actions",
                        json={"action": "return", "reason": "请补充预算明细"})
    assert returned.json["state"] == "returned"
    http.as_(SECRETARY, "PATCH", f"/api/applications/{app_id}", json={"form": good_form(planned_budget_yuan=2000)})
    assert http.as_(SECRETARY, "POST", f"/api/applications/{app_id}/actions",
                    json={"action": "submit"}).json["state"] == "submitted"
    http.as_(COUNSELOR_ME, "POST", f"/api/applications/{app_id}/actions", json={"action": "college_approve"})
    school = http.as_(ADMIN, "GET", "/api/applications?state=college_approved").json
    assert [a["id"] for a in school] == [app_id]
    decided = http.as_(ADMIN, "POST", f"/api/applications/{app_id}/actions", json={"action": "approve"})
    assert decided.json["state"] == "approved"

    audit = http.as_(SECRETARY, "GET", f"/api/applications/{app_id}/audit").json
    assert [(e["action"], e["to"]) for e in audit if e["action"] != "edit"] == [
        ("create", "draft"), ("submit", "submitted"), ("return", "returned"), ("submit", "submitted"),
        ("college_approve", "college_approved"), ("approve", "approved")]
    assert audit[3]["reason"] == "请补充预算明细" if audit[3]["action"] == "return" else True
    # every service's trail comes in core/audit.py's one shape
    assert {(e["subject_kind"], e["subject_id"], e["campaign_id"]) for e in audit} == {
        ("application", app_id, decided.json["campaign_id"])}
    assert set(audit[0]) == {"id", "subject_kind", "subject_id", "campaign_id", "application_id", "seq", "action",
                             "by", "at", "reason", "from", "to", "details"}

    # One event per step, even though the first submit was sent twice.
    assert _wait_for(lambda: len(events) >= 5)
    eventlet.sleep(0.5)
    kinds = [(e["type"], e["data"]["state"]) for e in events]
    assert kinds == [("application.submitted", "submitted"), ("application.returned", "returned"),
                     ("application.submitted", "submitted"), ("application.college_approved", "college_approved"),
                     ("application.decided", "approved")]
    envelope = events[0]
    assert set(envelope) == {"id", "type", "version", "occurred_at", "source", "actor", "data"}
    assert envelope["actor"]["id"] == "p_2023010101" and envelope["occurred_at"].endswith("Z")
    assert envelope["data"]["college_id"] == "college_me" and envelope["data"]["from_state"] == "draft"
    assert sorted(envelope["data"]["counselor_ids"]) == ["p_college_admin_me", "p_counselor_me"]
    assert events[1]["data"]["reason"] == "请补充预算明细"
    assert len({e["id"] for e in events}) == 5


@pytest.fixture
def extra_services():
    from tests.integration.conftest import all_other_services
    return all_other_services()


def test_openapi_and_local_docs(http):
    spec = http.client.get("/api/openapi.json").json
    assert "/api/applications/{application_id}/actions" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    page = http.client.get("/api/docs").get_data(as_text=True)
    assert "/static/swagger-ui/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert http.client.get("/static/swagger-ui/swagger-ui-bundle.js").status_code == 200
    health = http.client.get("/healthz")
    from core.topology import service_names
    assert health.status_code == 200, health.json
    assert health.json["services"] == {**{name: True for name in service_names()}, "program_pilot_branches": True}


def test_login_errors_and_expiry(http, config):
    """(Throttling and revocation: tests/integration/accounts/.)"""
    bad = http.client.post("/api/auth/login", json={"login": ADMIN, "password": "wrong"})
    assert bad.status_code == 401 and bad.json["message_zh"] == "用户名或密码错误"

    import jwt
    from datetime import datetime, timedelta, timezone
    expired = jwt.encode({"sub": "p_admin", "exp": datetime.now(timezone.utc) - timedelta(seconds=1)},
                         config["GATEWAY"]["SECRET_KEY"], algorithm="HS256")
    response = http.client.get("/api/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401 and response.json["message_zh"] == "登录已过期，请重新登录"
    forged = jwt.encode({"sub": "p_admin", "exp": datetime.now(timezone.utc) + timedelta(hours=1)}, "other",
                        algorithm="HS256")
    assert http.client.get("/api/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_only_school_admin_opens_campaigns_and_windows_are_ordered(http):
    denied = http.as_(COUNSELOR_ME, "POST", "/api/campaigns", json=campaign_payload())
    assert denied.status_code == 403
    from datetime import timedelta
    backwards = http.as_(ADMIN, "POST", "/api/campaigns",
                         json=campaign_payload(opens_delta=timedelta(days=3), closes_delta=timedelta(days=1)))
    assert backwards.status_code == 422 and backwards.json["field"] == "application_closes_at"
    unknown = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload(program="no_such_program"))
    assert unknown.status_code == 404 and "pilot_branches" in unknown.json["message"]
    bad_year = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload(academic_year="2026-2028"))
    assert bad_year.status_code == 422 and bad_year.json["field"] == "academic_year"
    bad_setting = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload(settings={"colour": "red"}))
    assert bad_setting.status_code == 422 and bad_setting.json["field"] == "settings.colour"
