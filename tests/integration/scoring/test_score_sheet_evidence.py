"""The score sheet where the evidence is, through the real gateway: the assigned
reviewer sees the application's attachments (PDF in a frame, photos as images; file
names hidden under blind review), each indicator's share of the total, the total the
server counts from the saved scores, a comment stored and locked with the sheet, and
after submitting lands on the next application still to score."""
import io

from tests.integration.helpers import PDF, campaign_payload, good_form, png_bytes
from tests.integration.scoring.world import SECRETARIES
from tests.integration.web.test_applicant_pages import _web_login

ADMIN, REVIEWER, OTHER_REVIEWER = "admin", "rev_c", "rev_d"
LEAVES = ("goals", "measures", "innovation", "feasibility", "outcomes", "budget")


def _approved(http, cid, branch, files):
    login = SECRETARIES[branch]
    app = http.as_(login, "POST", f"/api/campaigns/{cid}/applications",
                   json={"form": good_form(title=f"项目 {branch}")}).json
    for kind, data, name in files:
        assert http.as_(login, "POST", f"/api/applications/{app['id']}/attachments",
                        data={"kind": kind, "file": (io.BytesIO(data), name)},
                        content_type="multipart/form-data").status_code == 201
    assert http.as_(login, "POST", f"/api/applications/{app['id']}/actions", json={"action": "submit"}).status_code == 200
    assert http.as_("counselor_em", "POST", f"/api/applications/{app['id']}/actions",
                    json={"action": "college_approve"}).status_code == 200
    return http.as_(login, "GET", f"/api/applications/{app['id']}").json


def test_the_reviewer_scores_with_the_evidence_a_running_total_and_a_comment(scoring, http, gateway_app):
    cid = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload()).json["id"]
    first = _approved(http, cid, "em1", [("application_form", PDF, "经管一支部申请表.pdf"), ("photo", png_bytes(), "经管一支部活动.png")])
    second = _approved(http, cid, "em3", [("application_form", PDF, "申请表.pdf")])
    assert http.as_(ADMIN, "PUT", f"/api/scoring/campaigns/{cid}/setup",
                    json={"reviewers_per_application": 1, "blind_review": True}).status_code == 200
    for app in (first, second):
        assert http.as_(ADMIN, "POST", f"/api/scoring/campaigns/{cid}/assignments",
                        json={"application_id": app["id"], "reviewer_id": f"p_{REVIEWER}"}).status_code == 201

    # The API: attachments without their names (blind), the shares, no total before scoring.
    seen = http.as_(REVIEWER, "GET", f"/api/scoring/campaigns/{cid}/applications/{first['id']}").json
    assert sorted((a["kind"], a["type"], a["filename"]) for a in seen["attachments"]) == [
        ("application_form", "pdf", None), ("photo", "png", None)]
    assert seen["total"]["points"] is None and seen["total"]["max"] == 100
    assert seen["total"]["shares"]["outcomes"] == 25 and seen["total"]["shares"]["goals"] == 10

    client = gateway_app.test_client()
    csrf = _web_login(client, REVIEWER)
    sheet_url = f"/reviews/{cid}/{first['id']}"
    page = client.get(sheet_url).get_data(as_text=True)
    by_kind = {a["kind"]: a["id"] for a in seen["attachments"]}
    pdf_url = f"{sheet_url}/attachments/{by_kind['application_form']}"
    png_url = f"{sheet_url}/attachments/{by_kind['photo']}"
    assert f'<iframe class="preview-pdf" src="{pdf_url}"' in page and f'<img class="preview-image" src="{png_url}"' in page
    assert "经管一支部" not in page and "项目申请表 1" in page and "照片 1" in page   # blind: named by kind
    assert "占总分" in page and ">25%<" in page and ">10%<" in page and "score_total.js" in page
    assert 'data-share="25.0" data-kind="range" data-min="0" data-max="10"' in page
    assert 'id="running-total"' in page and 'name="comment"' in page

    photo = client.get(png_url)
    assert photo.status_code == 200 and photo.headers["Content-Type"] == "image/png"
    assert photo.headers["Content-Disposition"].startswith("inline;") and photo.data == png_bytes()
    assert "frame-ancestors 'self'" in photo.headers["Content-Security-Policy"]
    named = client.get(pdf_url + "?download=1")
    assert named.headers["Content-Disposition"] == "attachment; filename*=UTF-8''application_form.pdf"
    # The same through the API, for campus systems and apps.
    by_api = http.as_(REVIEWER, "GET", f"/api/scoring/campaigns/{cid}/applications/{first['id']}/attachments/"
                                       f"{by_kind['photo']}")
    assert by_api.status_code == 200 and by_api.data == png_bytes() and by_api.headers["Content-Type"] == "image/png"
    assert by_api.headers["Content-Disposition"] == "attachment; filename*=UTF-8''photo.png"
    assert http.as_(OTHER_REVIEWER, "GET", f"/api/scoring/campaigns/{cid}/applications/{first['id']}/attachments/"
                                           f"{by_kind['photo']}").status_code == 404
    # Only the assigned reviewer gets the files.
    stranger = gateway_app.test_client()
    _web_login(stranger, OTHER_REVIEWER)
    assert stranger.get(png_url).status_code == 404

    # Saving a draft with a comment: the comment is stored, the server counts the total.
    scores = {f"score.{leaf}": "8" for leaf in LEAVES}
    saved = client.post(sheet_url, data=dict(scores, csrf_token=csrf, intent="save", comment=" 目标明确，举措可行。 "))
    assert saved.status_code == 303 and "message=sheet_saved_ok" in saved.headers["Location"]
    sheet = http.as_(REVIEWER, "GET", f"/api/scoring/campaigns/{cid}/applications/{first['id']}/sheet").json
    assert sheet["comment"] == "目标明确，举措可行。"
    assert http.as_(REVIEWER, "GET", f"/api/scoring/campaigns/{cid}/applications/{first['id']}").json[
        "total"]["points"] == 80
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "评分草稿已保存" in page and 'id="saved-total">80<' in page and "目标明确，举措可行。</textarea>" in page

    too_long = http.as_(REVIEWER, "PUT", f"/api/scoring/campaigns/{cid}/applications/{first['id']}/sheet",
                        json={"comment": "长" * 2001})
    assert too_long.status_code == 422 and too_long.json["details"][0]["field"] == "comment"
    # Saving scores without a comment keeps the comment.
    assert http.as_(REVIEWER, "PUT", f"/api/scoring/campaigns/{cid}/applications/{first['id']}/sheet",
                    json={"scores": {"goals": 9}}).json["comment"] == "目标明确，举措可行。"

    # Submitting leads to the next application still to score; the last one back to the list.
    done = client.post(sheet_url, data=dict(scores, csrf_token=csrf, intent="submit", comment="目标明确。"))
    assert done.status_code == 303 and done.headers["Location"].startswith(f"/reviews/{cid}/{second['id']}?")
    assert "评分已提交并锁定；下面是下一份待评分的申报。" in client.get(done.headers["Location"]).get_data(as_text=True)
    locked = http.as_(REVIEWER, "PUT", f"/api/scoring/campaigns/{cid}/applications/{first['id']}/sheet",
                      json={"comment": "改一下"})
    assert locked.status_code == 409
    submitted = http.as_(REVIEWER, "GET", f"/api/scoring/campaigns/{cid}/applications/{first['id']}/sheet").json
    assert submitted["state"] == "submitted" and submitted["comment"] == "目标明确。"
    last = client.post(f"/reviews/{cid}/{second['id']}", data=dict(scores, csrf_token=csrf, intent="submit"))
    assert last.status_code == 303 and last.headers["Location"].startswith("/reviews?")
    assert "您的评审任务已全部完成" in client.get(last.headers["Location"]).get_data(as_text=True)
    # The admin reads the comments with the sheets.
    sheets = http.as_(ADMIN, "GET", f"/api/scoring/campaigns/{cid}/applications/{first['id']}/sheets").json
    assert [s["comment"] for s in sheets] == ["目标明确。"]
