"""The applicant's guards through the real gateway and services: attachments change
only while a draft or returned (delete, replace; refused after submit), a phone photo
too large is shrunk by the server instead of refused, no application once the final
list exists (and the campaign no longer says 申报中), a withdrawn draft reopens while
the window is open and not after it closed."""
import io
import random
import re
from datetime import datetime, timedelta, timezone

from PIL import Image

from tests.integration.helpers import PDF, campaign_payload, good_form, as_job
from tests.integration.lifecycle_helpers import college_approved_campaign, end_period, publish_results

SECRETARY, OTHER_SECRETARY = "2023010101", "2023010201"   # branch_me1, branch_me2
ADMIN, COUNSELOR = "admin", "counselor_me"


def _web_login(client, login):
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"login": login, "password": "Demo@2026", "csrf_token": csrf}).status_code == 302
    return csrf


def _png(colour, size=(40, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def _phone_photo(side=1400, seed=7):
    """A noisy JPEG (noise does not compress): larger than the test limit of 200 KB,
    smaller than the largest request the gateway takes (3 x 200 KB + 1 MB)."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _upload(http, login, app_id, kind, name, data):
    return http.as_(login, "POST", f"/api/applications/{app_id}/attachments",
                    data={"kind": kind, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _replace(http, login, app_id, att_id, name, data):
    return http.as_(login, "PUT", f"/api/applications/{app_id}/attachments/{att_id}",
                    data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_attachments_change_only_while_draft_or_returned_and_big_photos_are_shrunk(http, gateway_app):
    campaign = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload()).json
    app = http.as_(SECRETARY, "POST", f"/api/campaigns/{campaign['id']}/applications",
                   json={"form": good_form()}, headers={"Idempotency-Key": "guards-1"}).json
    app_id = app["id"]
    url = f"/api/applications/{app_id}"
    form = _upload(http, SECRETARY, app_id, "application_form", "申请表.pdf", PDF)
    red = _upload(http, SECRETARY, app_id, "photo", "red.png", _png("red"))
    assert form.status_code == 201 and red.status_code == 201, (form.json, red.json)

    # A draft: replace keeps the kind and puts the new file in the old one's place.
    blue = _replace(http, SECRETARY, app_id, red.json["id"], "blue.png", _png("blue"))
    assert blue.status_code == 200, blue.json
    names = sorted(a["filename"] for a in http.as_(SECRETARY, "GET", url).json["attachments"])
    assert names == ["blue.png", "申请表.pdf"]
    # A refused replacement (a PDF for a photo) leaves the old file where it was.
    wrong = _replace(http, SECRETARY, app_id, blue.json["id"], "x.pdf", PDF)
    assert wrong.status_code == 415 and "照片" in wrong.json["message_zh"]
    assert "blue.png" in [a["filename"] for a in http.as_(SECRETARY, "GET", url).json["attachments"]]
    # Another branch's secretary cannot touch them (the application is hidden from them).
    assert http.as_(OTHER_SECRETARY, "DELETE", f"{url}/attachments/{blue.json['id']}").status_code == 404
    deleted = http.as_(SECRETARY, "DELETE", f"{url}/attachments/{blue.json['id']}")
    assert deleted.status_code == 200 and deleted.json == {"deleted": blue.json["id"]}
    assert [a["filename"] for a in http.as_(SECRETARY, "GET", url).json["attachments"]] == ["申请表.pdf"]

    # A phone photo above the 200 KB limit is shrunk by the server to a JPEG that fits.
    photo = _phone_photo()
    assert 200_000 < len(photo) < 1_600_000
    shrunk = _upload(http, SECRETARY, app_id, "photo", "IMG_0001.PNG", photo)
    assert shrunk.status_code == 201, shrunk.json
    assert shrunk.json["filename"] == "IMG_0001.jpg" and shrunk.json["type"] == "jpg"
    assert shrunk.json["size"] <= 200_000
    stored = http.as_(SECRETARY, "GET", f"{url}/attachments/{shrunk.json['id']}").data
    assert Image.open(io.BytesIO(stored)).format == "JPEG"
    # A file that is not a photo is not shrunk: above the limit it is refused with 413.
    too_big = _upload(http, SECRETARY, app_id, "other", "big.pdf", PDF + b"0" * 300_000)
    assert too_big.status_code == 413 and too_big.json["message_zh"]

    # On the page, the same photo uploads with what was typed: the typed title is saved.
    client = gateway_app.test_client()
    csrf = _web_login(client, SECRETARY)
    data = {"csrf_token": csrf, "intent": "upload", "kind": "photo", **{k: v for k, v in good_form().items()
                                                                       if isinstance(v, str)},
            "title": "新的项目名称", "faculty_advisor.name": "陈老师", "faculty_advisor.phone": "13800000000",
            "file": (io.BytesIO(_phone_photo(seed=8)), "IMG_0002.jpg")}
    page = client.post(f"/applications/{app_id}/form", data=data, content_type="multipart/form-data")
    assert page.status_code == 302, page.get_data(as_text=True)[:800]
    now = http.as_(SECRETARY, "GET", url).json
    assert now["form"]["title"] == "新的项目名称"
    assert "IMG_0002.jpg" in [a["filename"] for a in now["attachments"]]
    # The page states the limits before the upload and offers delete and replace.
    text = client.get(f"/applications/{app_id}").get_data(as_text=True)
    assert "上传要求" in text and "195 KB" in text and "PDF、DOC、DOCX" in text and "最多 5 个" in text
    assert f'value="delete:{shrunk.json["id"]}"' in text and f'name="replace.{shrunk.json["id"]}"' in text
    # Deleting from the page keeps what was typed meanwhile too.
    data = {"csrf_token": csrf, "intent": f"delete:{shrunk.json['id']}", "title": "再改一次",
            **{k: v for k, v in good_form().items() if isinstance(v, str) and k != "title"},
            "faculty_advisor.name": "陈老师", "faculty_advisor.phone": "13800000000"}
    assert client.post(f"/applications/{app_id}/form", data=data).status_code == 302
    now = http.as_(SECRETARY, "GET", url).json
    assert now["form"]["title"] == "再改一次" and shrunk.json["id"] not in [a["id"] for a in now["attachments"]]

    # Submitted: nothing changes any more (409), neither through the API nor the page.
    assert http.as_(SECRETARY, "POST", f"{url}/actions", json={"action": "submit"}).status_code == 200
    pdf_id = next(a["id"] for a in now["attachments"] if a["kind"] == "application_form")
    refused = http.as_(SECRETARY, "DELETE", f"{url}/attachments/{pdf_id}")
    assert refused.status_code == 409 and "只有草稿或已退回" in refused.json["message_zh"] and refused.json["message"]
    assert _replace(http, SECRETARY, app_id, pdf_id, "new.pdf", PDF + b"%x\n").status_code == 409
    assert client.post(f"/applications/{app_id}/form", data=dict(data, intent=f"delete:{pdf_id}")).status_code == 409
    assert pdf_id in [a["id"] for a in http.as_(SECRETARY, "GET", url).json["attachments"]]
    # Returned by the counselor: the applicant may change the files again.
    back = http.as_(COUNSELOR, "POST", f"{url}/actions", json={"action": "return", "reason": "申请表未盖章"})
    assert back.status_code == 200, back.json
    replaced = _replace(http, SECRETARY, app_id, pdf_id, "盖章版.pdf", PDF + b"%stamped\n")
    assert replaced.status_code == 200, replaced.json
    names = sorted(a["filename"] for a in http.as_(SECRETARY, "GET", url).json["attachments"])
    assert names == ["IMG_0002.jpg", "盖章版.pdf"]


def test_no_application_after_the_final_list_and_reopen_only_while_open(rpc, http, config, mongo, gateway_app):
    campaign, apps = college_approved_campaign(rpc, ["branch_me1"])
    cid = campaign["id"]
    # branch_me2 starts a draft and withdraws it before the list is final.
    draft = http.as_(OTHER_SECRETARY, "POST", f"/api/campaigns/{cid}/applications", json={"form": {}},
                     headers={"Idempotency-Key": "guards-2"}).json
    assert http.as_(OTHER_SECRETARY, "POST", f"/api/applications/{draft['id']}/actions",
                    json={"action": "withdraw"}).json["state"] == "withdrawn"
    assert http.as_(ADMIN, "GET", f"/api/campaigns/{cid}").json["application_open"] is True

    publish_results(config, mongo, cid, [(apps["branch_me1"], "key", "重点", 90.0)], [])
    notice = http.as_(ADMIN, "POST", f"/api/campaigns/{cid}/notice", json={}).json
    end_period(mongo, notice["id"])
    assert as_job(http, ADMIN, "POST", f"/api/notices/{notice['id']}/finalise").status_code == 200

    # The window is still open by its times, but the final list closes the campaign.
    view = http.as_(OTHER_SECRETARY, "GET", f"/api/campaigns/{cid}").json
    assert view["final_listed"] is True and view["application_open"] is False and view["seconds_to_deadline"] == 0
    late = http.as_("2023020101", "POST", f"/api/campaigns/{cid}/applications", json={"form": {}},
                    headers={"Idempotency-Key": "guards-3"})
    assert late.status_code == 409 and "正式名单" in late.json["message_zh"] and "final list" in late.json["message"]
    reopen = http.as_(OTHER_SECRETARY, "POST", f"/api/applications/{draft['id']}/actions", json={"action": "reopen"})
    assert reopen.status_code == 409 and "正式名单" in reopen.json["message_zh"]
    choices = http.as_("2023020101", "GET", f"/api/campaigns/{cid}/applicant-choices").json
    assert choices["accepting"] is False
    # Even a title edit's answer says so (the view is read back with the final list).
    edited = http.as_(ADMIN, "PATCH", f"/api/campaigns/{cid}", json={"title": "对标争先（已定稿）", "reason": "更正标题"})
    assert edited.status_code == 200 and edited.json["application_open"] is False, edited.json

    # The pages: no 申报中 for it, no apply button, no reopen button.
    client = gateway_app.test_client()
    _web_login(client, OTHER_SECRETARY)
    page = client.get(f"/campaigns/{cid}").get_data(as_text=True)
    assert "已产生正式名单" in page and "申报中" not in page.split("<main", 1)[1]
    assert f'action="/campaigns/{cid}/apply"' not in page
    home = client.get("/").get_data(as_text=True)
    card = home.split("对标争先（已定稿）", 1)[1][:600]
    assert "申报中" not in card
    app_page = client.get(f"/applications/{draft['id']}").get_data(as_text=True)
    assert 'name="action" value="reopen"' not in app_page


def test_withdraw_and_reopen_while_the_window_is_open_refused_after_it_closed(http, mongo, gateway_app):
    campaign = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload()).json
    client = gateway_app.test_client()
    csrf = _web_login(client, SECRETARY)
    # The campaign page judges the secretary's branch before the form: eligible.
    page = client.get(f"/campaigns/{campaign['id']}").get_data(as_text=True)
    assert "机电学院学生第一党支部" in page and "符合条件" in page and "不符合条件" not in page
    created = client.post(f"/campaigns/{campaign['id']}/apply", data={"csrf_token": csrf,
                                                                      "applicant_id": "branch_me1"})
    assert created.status_code == 302
    app_id = created.headers["Location"].rsplit("/", 1)[1]
    text = client.get(f"/applications/{app_id}").get_data(as_text=True)
    # Withdrawing asks first (the confirm dialog's text is on the button).
    assert 'value="withdraw"' in text and "确定撤回吗" in text

    def act(action):
        return client.post(f"/applications/{app_id}/act", data={"csrf_token": csrf, "action": action,
                                                                "key": f"{action}-{random.random()}"})

    assert act("withdraw").status_code == 302
    text = client.get(f"/applications/{app_id}").get_data(as_text=True)
    assert "已撤回" in text and 'value="reopen"' in text and "重新打开" in text
    reopened = act("reopen")
    assert reopened.status_code == 302 and "message=act_reopen_ok" in reopened.headers["Location"]
    assert http.as_(SECRETARY, "GET", f"/api/applications/{app_id}").json["state"] == "draft"

    # The window closes (test-only time travel in the database): withdrawn stays withdrawn.
    assert act("withdraw").status_code == 302
    campaigns = mongo("applications").campaigns
    doc = campaigns.find_one({"_id": campaign["id"]})
    past = datetime.now(timezone.utc) - timedelta(minutes=1)
    doc.update(application_opens_at=past - timedelta(days=2), application_closes_at=past)
    assert campaigns.replace_one({"_id": campaign["id"]}, doc).modified_count == 1
    text = client.get(f"/applications/{app_id}").get_data(as_text=True)
    assert 'value="reopen"' not in text
    refused = http.as_(SECRETARY, "POST", f"/api/applications/{app_id}/actions", json={"action": "reopen"})
    assert refused.status_code == 409 and "截止" in refused.json["message_zh"] and refused.json["message"]
    assert http.as_(SECRETARY, "GET", f"/api/applications/{app_id}").json["state"] == "withdrawn"
