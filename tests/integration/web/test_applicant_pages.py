"""The applicant's pages on the real gateway and services (no browser): log in with a
CSRF-protected form, open a campaign, apply, see inline field errors, save a draft,
upload, submit, see the status and the audit trail."""
import io
import re

from tests.integration.helpers import PDF, campaign_payload, good_form


def _csrf(client):
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _web_login(client, login):
    token = _csrf(client)
    response = client.post("/login", data={"login": login, "password": "Demo@2026", "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return token


def test_a_secretary_applies_through_the_pages(http, gateway_app):
    campaign = http.as_("admin", "POST", "/api/campaigns", json=campaign_payload()).json
    client = gateway_app.test_client()

    # A form post without the CSRF token is refused and logs nobody in.
    assert client.post("/login", data={"login": "2023010101", "password": "Demo@2026"}).status_code == 403
    csrf = _web_login(client, "2023010101")

    home = client.get("/").get_data(as_text=True)
    assert campaign["title"] in home and "申报中" in home

    page = client.get(f"/campaigns/{campaign['id']}").get_data(as_text=True)
    assert "申报" in page
    created = client.post(f"/campaigns/{campaign['id']}/apply", data={"csrf_token": csrf})
    assert created.status_code == 302
    app_url = created.headers["Location"]
    app_id = app_url.rsplit("/", 1)[1]

    # The form is rendered from the program's JSON Schema, labels in Chinese.
    page = client.get(app_url).get_data(as_text=True)
    assert 'for="f-theme"' in page and "项目主题" in page and 'name="faculty_advisor.name"' in page

    # Submitting an incomplete form shows each field's error inline and changes nothing.
    form = good_form(planned_budget_yuan="9000")
    data = {"csrf_token": csrf, "intent": "submit", "theme": form["theme"], "title": form["title"],
            "lead_role": form["lead_role"], "goals": form["goals"], "measures": form["measures"],
            "expected_outcomes": form["expected_outcomes"], "planned_budget_yuan": "9000",
            "faculty_advisor.name": "陈老师", "faculty_advisor.phone": "12345"}
    response = client.post(f"/applications/{app_id}/form", data=data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'id="f-faculty_advisor-phone-error"' in text and 'aria-invalid="true"' in text
    assert http.as_("2023010101", "GET", f"/api/applications/{app_id}").json["state"] == "draft"

    # Fixed: saved as a draft, then the required file, then submitted.
    data.update({"planned_budget_yuan": "2800", "faculty_advisor.phone": "13800000000", "intent": "save"})
    assert client.post(f"/applications/{app_id}/form", data=data).status_code == 302
    stored = http.as_("2023010101", "GET", f"/api/applications/{app_id}").json
    assert stored["form"]["faculty_advisor"]["phone"] == "13800000000" and stored["state"] == "draft"
    upload = client.post(f"/applications/{app_id}/attachments", data={
        "csrf_token": csrf, "kind": "application_form", "file": (io.BytesIO(PDF), "申请表.pdf")},
        content_type="multipart/form-data")
    assert upload.status_code == 302
    data["intent"] = "submit"
    assert client.post(f"/applications/{app_id}/form", data=data).status_code == 302
    page = client.get(f"/applications/{app_id}").get_data(as_text=True)
    assert "已提交" in page and "申请表.pdf" in page and "办理记录" in page

    # The file downloads; another branch's secretary cannot even see the application.
    attachment = http.as_("2023010101", "GET", f"/api/applications/{app_id}").json["attachments"][0]
    download = client.get(f"/applications/{app_id}/attachments/{attachment['id']}")
    assert download.status_code == 200 and download.data == PDF
    other = gateway_app.test_client()
    _web_login(other, "2023020101")
    assert other.get(f"/applications/{app_id}").status_code == 404
