"""Issue 11, the input cases, through the real gateway, RabbitMQ and the Mongo server:

3. campaign dates are required and ordered on every write path; old or partial
   records never break a read; a campaign opened by mistake can be edited or
   withdrawn (audited, confirmed), and opening one twice with a key opens one;
4. control characters are refused at the boundary naming the field, and documents
   never fail on text already stored;
5. deep JSON, lone surrogates and numbers beyond a field's range are 4xx naming it;
7. uploads take an Idempotency-Key and recognise the same file for the same slot;
8. authentication before validation on every write; an over-long Idempotency-Key
   is refused; the OpenAPI document declares the real error body and every required
   body is required; a fake PDF is refused; pages carry security headers and page
   shells render only for their roles.
"""
import io

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.integration.helpers import PDF, campaign_payload, good_form
from tests.integration.web.test_applicant_pages import _web_login

ADMIN = "admin"
SECRETARY = "2023010101"


def _open(http, **overrides):
    response = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload(**overrides))
    assert response.status_code == 201, response.json
    return response.json


def _draft(http, campaign_id, **form):
    response = http.as_(SECRETARY, "POST", f"/api/campaigns/{campaign_id}/applications",
                        json={"form": good_form(**form)})
    assert response.status_code == 201, response.json
    return response.json


def _assert_names(response, status, field):
    assert response.status_code == status, (response.status_code, response.json)
    body = response.json
    assert body["field"] == field and body["message"] and body["message_zh"], body


# -- 3. campaign dates, old records, edit and withdraw, idempotent opening ---------
def test_campaign_dates_are_required_and_old_records_never_break_a_read(http, rpc, mongo, gateway_app):
    campaigns = mongo("applications").campaigns
    before = campaigns.count_documents({})
    _assert_names(http.as_(ADMIN, "POST", "/api/campaigns",
                           json=campaign_payload(application_opens_at="", application_closes_at="")),
                  422, "application_opens_at")
    late = campaign_payload()
    late["application_closes_at"], late["application_opens_at"] = late["application_opens_at"], late["application_closes_at"]
    _assert_names(http.as_(ADMIN, "POST", "/api/campaigns", json=late), 422, "application_closes_at")
    from core.errors import ValidationFailed
    with pytest.raises(ValidationFailed):  # the service's own write path, not only the gateway
        rpc.applications.open_campaign("p_admin", campaign_payload(application_closes_at=""))
    assert campaigns.count_documents({}) == before

    # A record from an older version: no window, no title. Every read still answers.
    campaigns.insert_one({"_id": "cmp_old_partial", "program": "pilot_branches", "unit_id": "school_demo",
                          "unit_path": ["school_demo"], "settings": {}})
    for login in (ADMIN, SECRETARY):
        listed = http.as_(login, "GET", "/api/campaigns")
        assert listed.status_code == 200 and "cmp_old_partial" in {c["id"] for c in listed.json}
    one = http.as_(ADMIN, "GET", "/api/campaigns/cmp_old_partial")
    assert one.status_code == 200 and one.json["application_open"] is False
    client = gateway_app.test_client()
    _web_login(client, SECRETARY)
    assert client.get("/").status_code == 200
    refused = http.as_(SECRETARY, "POST", "/api/campaigns/cmp_old_partial/applications", json={"form": good_form()})
    assert refused.status_code == 409

    # The admin repairs it: the edit is checked on the merged result and audited.
    _assert_names(http.as_(ADMIN, "PATCH", "/api/campaigns/cmp_old_partial", json={"title": "补全的活动"}),
                  422, "application_opens_at")
    fixed_times = campaign_payload()
    fixed = http.as_(ADMIN, "PATCH", "/api/campaigns/cmp_old_partial", json={
        "title": "补全的活动", "academic_year": "2026-2027", "reason": "补全时间",
        "application_opens_at": fixed_times["application_opens_at"],
        "application_closes_at": fixed_times["application_closes_at"]})
    assert fixed.status_code == 200 and fixed.json["application_open"] is True, fixed.json
    assert http.as_(SECRETARY, "PATCH", "/api/campaigns/cmp_old_partial", json={"title": "改名"}).status_code == 403
    history = http.as_(ADMIN, "GET", "/api/campaigns/cmp_old_partial/history").json
    assert [(h["action"], h["by"]["id"], h["reason"]) for h in history] == [("edited", "p_admin", "补全时间")]


def test_a_campaign_opened_by_mistake_is_withdrawn_and_opening_is_idempotent(http, mongo, gateway_app):
    key = {"Idempotency-Key": "open-once-1"}
    first = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload(), headers=key)
    again = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload(), headers=key)
    assert first.status_code == again.status_code == 201 and first.json["id"] == again.json["id"]
    assert mongo("applications").campaigns.count_documents({"_id": first.json["id"]}) == 1
    campaign_id = first.json["id"]

    # Through the page: without the confirmation box nothing happens.
    client = gateway_app.test_client()
    csrf = _web_login(client, ADMIN)
    page = client.get(f"/admin/campaigns/{campaign_id}/edit")
    assert page.status_code == 200 and "撤销评选活动" in page.get_data(as_text=True)
    unconfirmed = client.post(f"/admin/campaigns/{campaign_id}/withdraw",
                              data={"csrf_token": csrf, "withdraw_reason": "误建"})
    assert unconfirmed.status_code == 422
    assert http.as_(ADMIN, "GET", f"/api/campaigns/{campaign_id}").json["state"] == "open"
    done = client.post(f"/admin/campaigns/{campaign_id}/withdraw",
                       data={"csrf_token": csrf, "withdraw_reason": "误建", "confirm": "yes"})
    assert done.status_code == 302
    assert http.as_(ADMIN, "GET", f"/api/campaigns/{campaign_id}").json["state"] == "withdrawn"
    assert campaign_id not in {c["id"] for c in http.as_(SECRETARY, "GET", "/api/campaigns").json}
    assert http.as_(SECRETARY, "POST", f"/api/campaigns/{campaign_id}/applications",
                    json={"form": good_form()}).status_code == 409
    repeat = http.as_(ADMIN, "POST", f"/api/campaigns/{campaign_id}/withdraw", json={"reason": "again"})
    assert repeat.status_code == 200
    history = http.as_(ADMIN, "GET", f"/api/campaigns/{campaign_id}/history").json
    assert [h["action"] for h in history] == ["withdrawn"] and history[0]["reason"] == "误建"

    # A campaign with a submitted application is not withdrawn.
    busy = _open(http)
    draft = _draft(http, busy["id"])
    http.as_(SECRETARY, "POST", f"/api/applications/{draft['id']}/attachments",
             data={"kind": "application_form", "file": (io.BytesIO(PDF), "a.pdf")}, content_type="multipart/form-data")
    submitted = http.as_(SECRETARY, "POST", f"/api/applications/{draft['id']}/actions", json={"action": "submit"})
    assert submitted.status_code == 200, submitted.json
    refused = http.as_(ADMIN, "POST", f"/api/campaigns/{busy['id']}/withdraw", json={"reason": "误建"})
    assert refused.status_code == 409 and refused.json["field"] == "campaign_id"


# -- 4. control characters; documents on stored text --------------------------------
def test_control_characters_are_refused_and_documents_survive_stored_ones(http, mongo):
    campaign = _open(http)
    refused = http.as_(SECRETARY, "POST", f"/api/campaigns/{campaign['id']}/applications",
                       json={"form": good_form(title="标题\x00带空字符")})
    _assert_names(refused, 422, "form.title")
    assert mongo("applications").applications.count_documents({"campaign_id": campaign["id"]}) == 0
    tab_and_newline = good_form(goals="第一行\n第二行\t带制表符的目标说明文字")
    draft = http.as_(SECRETARY, "POST", f"/api/campaigns/{campaign['id']}/applications",
                     json={"form": tab_and_newline})
    assert draft.status_code == 201, draft.json
    form_field = http.as_(ADMIN, "GET", "/api/campaigns", query_string={"open": "tr\x01ue"})
    _assert_names(form_field, 422, "open")

    # Text stored before the rule (or imported) still makes documents.
    app_id = draft.json["id"]
    http.as_(SECRETARY, "POST", f"/api/applications/{app_id}/attachments",
             data={"kind": "application_form", "file": (io.BytesIO(PDF), "a.pdf")}, content_type="multipart/form-data")
    submitted = http.as_(SECRETARY, "POST", f"/api/applications/{app_id}/actions", json={"action": "submit"})
    assert submitted.status_code == 200, submitted.json
    stored = mongo("applications").applications.find_one({"_id": app_id})
    mongo("applications").applications.update_one(
        {"_id": app_id}, {"$set": {"form": dict(stored["form"], title="旧数据\x00\x0b标题")}})
    summary = http.as_(ADMIN, "GET", f"/api/campaigns/{campaign['id']}/documents/summary.xlsx")
    assert summary.status_code == 200, summary.json
    cells = [c.value for row in load_workbook(io.BytesIO(summary.data)).active.iter_rows() for c in row]
    assert "旧数据标题" in cells
    word = http.as_(ADMIN, "GET", f"/api/applications/{app_id}/documents/form.docx")
    assert word.status_code == 200, word.json
    text = "\n".join(c.text for t in Document(io.BytesIO(word.data)).tables for r in t.rows for c in r.cells)
    assert "旧数据标题" in text


# -- 5. deep JSON, invalid Unicode, numbers out of range -----------------------------
def test_deep_json_bad_unicode_and_huge_numbers_are_4xx_naming_the_field(http, mongo):
    campaign = _open(http)
    url = f"/api/campaigns/{campaign['id']}/applications"
    deep = http.as_(SECRETARY, "POST", url, data="[" * 1000 + "]" * 1000, content_type="application/json")
    _assert_names(deep, 422, "body")
    surrogate = '{"form": {"title": "\\ud800 半个字符"}}'
    _assert_names(http.as_(SECRETARY, "POST", url, data=surrogate, content_type="application/json"),
                  422, "form.title")
    huge = '{"form": {"planned_budget_yuan": 1e400}}'
    _assert_names(http.as_(SECRETARY, "POST", url, data=huge, content_type="application/json"),
                  422, "form.planned_budget_yuan")
    as_text = http.as_(SECRETARY, "POST", url, json={"form": good_form(planned_budget_yuan="1e400")})
    assert as_text.status_code == 422 and as_text.json["details"][0]["field"] == "form.planned_budget_yuan"
    not_utf8 = http.as_(SECRETARY, "POST", url, data=b'{"form": "\xff\xfe"}', content_type="application/json")
    _assert_names(not_utf8, 422, "body")
    assert mongo("applications").applications.count_documents({"campaign_id": campaign["id"]}) == 0


# -- 7. idempotent uploads -------------------------------------------------------------
def test_uploads_take_an_idempotency_key_and_recognise_the_same_file(http, mongo):
    campaign = _open(http)
    draft = _draft(http, campaign["id"])
    url = f"/api/applications/{draft['id']}/attachments"

    def upload(kind, data, name, key=None):
        headers = {"Idempotency-Key": key} if key else {}
        return http.as_(SECRETARY, "POST", url, data={"kind": kind, "file": (io.BytesIO(data), name)},
                        content_type="multipart/form-data", headers=headers)

    photo = b"\x89PNG\r\n\x1a\n" + b"1" * 50
    first = upload("photo", photo, "p.png", key="upload-1")
    retry = upload("photo", photo, "p.png", key="upload-1")
    assert first.status_code == retry.status_code == 201 and first.json["id"] == retry.json["id"]
    same_bytes = upload("photo", photo, "copy.png")  # no key: recognised by its content
    assert same_bytes.status_code == 201 and same_bytes.json["id"] == first.json["id"]
    other = upload("photo", b"\x89PNG\r\n\x1a\n" + b"2" * 50, "q.png")
    assert other.status_code == 201 and other.json["id"] != first.json["id"]
    assert mongo("applications").attachments.count_documents({"application_id": draft["id"]}) == 2
    form = upload("application_form", PDF, "a.pdf")
    lost_response_retry = upload("application_form", PDF, "a.pdf")  # a one-file kind, full: no 422
    assert form.status_code == lost_response_retry.status_code == 201
    assert lost_response_retry.json["id"] == form.json["id"]
    counts = mongo("applications").applications.find_one({"_id": draft["id"]})["attachment_counts"]
    assert counts["photo"] == 2 and counts["application_form"] == 1


# -- 8. auth first, long keys, the OpenAPI document, PDFs, headers, page shells -----
def test_every_write_answers_401_before_validating_anything(http, gateway_app):
    spec = http.client.get("/api/openapi.json").json
    anonymous = gateway_app.test_client()
    answers = {}
    for path, operations in spec["paths"].items():
        for method in ("post", "put", "patch", "delete"):
            if method not in operations or operations[method].get("security") == []:
                continue  # public by declaration (log-in, password reset, campus sign-in)
            url = path.replace("{", "").replace("}", "")
            answers[f"{method.upper()} {path}"] = anonymous.open(url, method=method.upper(), json={}).status_code
    assert len(answers) > 40
    assert {op: code for op, code in answers.items() if code != 401} == {}


def test_long_idempotency_key_the_openapi_document_and_fake_pdfs(http):
    campaign = _open(http)
    too_long = http.as_(SECRETARY, "POST", f"/api/campaigns/{campaign['id']}/applications",
                        json={"form": good_form()}, headers={"Idempotency-Key": "k" * 201})
    _assert_names(too_long, 400, "Idempotency-Key")

    spec = http.client.get("/api/openapi.json").json
    error_refs = {"#/components/schemas/ErrorOut"}
    error_schema = spec["components"]["schemas"]["ErrorOut"]
    assert set(error_schema["properties"]) == {"code", "message", "message_zh", "field", "details"}
    responses = spec["components"]["responses"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for code, response in (operation.get("responses", {}) if isinstance(operation, dict) else {}).items():
                if code == "default" or int(code) >= 400:
                    resolved = responses[response["$ref"].rsplit("/", 1)[-1]] if "$ref" in response else response
                    schema = resolved["content"]["application/json"]["schema"]
                    assert schema["$ref"] in error_refs, (method, path, code)
    # A body declared required is required (these two accepted a missing one).
    for method, url in (("PUT", "/api/scoring/campaigns/x/setup"), ("PATCH", "/api/notifications/preferences")):
        _assert_names(http.as_(ADMIN, method, url), 422, "body")

    draft = _draft(http, campaign["id"])
    fake = http.as_(SECRETARY, "POST", f"/api/applications/{draft['id']}/attachments",
                    data={"kind": "application_form", "file": (io.BytesIO(b"%PDF-1.4 not really a pdf"), "a.pdf")},
                    content_type="multipart/form-data")
    _assert_names(fake, 415, "file")


def test_pages_carry_security_headers_and_shells_are_for_their_roles(http, gateway_app):
    client = gateway_app.test_client()
    for url in ("/login", "/api/docs", "/api/openapi.json"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] and response.headers["X-Frame-Options"] == "DENY"
    docs = client.get("/api/docs").get_data(as_text=True)
    assert "<script>" not in docs and "SwaggerUIBundle(" not in docs

    _web_login(client, SECRETARY)
    home = client.get("/")
    assert home.status_code == 200 and "<script>" not in home.get_data(as_text=True)
    assert " style=" not in home.get_data(as_text=True)
    for url in ("/admin/campaigns", "/admin/campaigns/x/notice", "/dashboard", "/review", "/reviews",
                "/directory/import"):
        assert client.get(url).status_code == 403, url
    admin = gateway_app.test_client()
    _web_login(admin, ADMIN)
    assert admin.get("/admin/campaigns").status_code == 200
    assert admin.get("/").headers["X-Frame-Options"] == "DENY"
