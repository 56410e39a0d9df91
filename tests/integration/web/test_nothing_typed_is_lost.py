"""Nothing typed is lost on the application page (real gateway and services): a draft
that breaks a rule is saved without the values that break it and comes back with
every field as typed; uploading saves the unsaved edits first; errors name fields by
their labels, never by their codes."""
import html
import io
import re

from tests.integration.helpers import PDF, campaign_payload
from tests.integration.web.test_applicant_pages import _web_login


def _visible(text):
    main = text.split("<main", 1)[1].split("</main>", 1)[0]
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


def test_a_draft_that_breaks_a_rule_keeps_everything_typed_and_saves_what_is_valid(http, gateway_app):
    campaign = http.as_("admin", "POST", "/api/campaigns", json=campaign_payload()).json
    client = gateway_app.test_client()
    csrf = _web_login(client, "2023010101")
    app_id = client.post(f"/campaigns/{campaign['id']}/apply", data={"csrf_token": csrf}).headers["Location"] \
        .rsplit("/", 1)[1]

    typed = {"csrf_token": csrf, "intent": "save", "title": "先锋领航进宿舍", "lead_role": "secretary",
             "goals": "太短",  # breaks the 10–2000 rule
             "measures": "每月开展一次主题党日，党员联系寝室。",
             "planned_budget_yuan": "2800", "faculty_advisor.name": "陈老师",
             "faculty_advisor.phone": "12345"}  # not a mobile number
    response = client.post(f"/applications/{app_id}/form", data=typed)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    # Every field as typed, the wrong ones included.
    assert 'value="12345"' in page and ">太短</textarea>" in page and 'value="先锋领航进宿舍"' in page
    # The valid part is saved; the refused values are not.
    stored = http.as_("2023010101", "GET", f"/api/applications/{app_id}").json["form"]
    assert stored["title"] == "先锋领航进宿舍" and stored["measures"].startswith("每月")
    assert stored["faculty_advisor"]["name"] == "陈老师"
    assert "phone" not in stored["faculty_advisor"] and "goals" not in stored
    # The summary names fields by their labels, states both limits, shows no code.
    visible = _visible(page)
    assert "已保存符合要求的内容" in visible
    assert "指导教师 · 手机号" in visible and "创建目标" in visible
    assert "10–2000 字" in visible
    for code in ("faculty_advisor", "form.", "goals", "secretary"):
        assert code not in visible, code
    assert "支部书记" in page  # the lead_role option shows its label

    # Uploading keeps the unsaved edit made just before it.
    typed.update({"intent": "upload", "goals": "建设学习型、服务型党支部。", "faculty_advisor.phone": "13800000000",
                  "kind": "application_form", "file": (io.BytesIO(PDF), "申请表.pdf")})
    uploaded = client.post(f"/applications/{app_id}/form", data=typed, content_type="multipart/form-data")
    assert uploaded.status_code == 302 and "uploaded_ok" in uploaded.headers["Location"]
    stored = http.as_("2023010101", "GET", f"/api/applications/{app_id}").json
    assert stored["form"]["goals"] == "建设学习型、服务型党支部。"
    assert stored["form"]["faculty_advisor"]["phone"] == "13800000000"
    assert [a["filename"] for a in stored["attachments"]] == ["申请表.pdf"]
    page = client.get(uploaded.headers["Location"]).get_data(as_text=True)
    assert "附件已上传，表单内容已一并保存" in page

    # The submit button comes after the attachments, and asks first.
    form_html = page.split('action="/applications/%s/form"' % app_id, 1)[1].split("</form>", 1)[0]
    assert form_html.index('name="file"') < form_html.index('value="submit"')
    assert re.search(r'value="submit"[^>]*data-confirm="[^"]*学院审核', form_html)
    # The phone is a one-line telephone input with the right keyboard.
    assert re.search(r'<input id="f-faculty_advisor-phone"[^>]*type="tel"[^>]*inputmode="tel"', page)
