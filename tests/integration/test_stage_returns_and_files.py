"""Stage reports returned for resubmission (退回修改), their files, and the campaign
admin's board of every finalist's stages — through the real gateway.

As in test_stages_and_awards.py, a test-only version of the pilot program declares the
mid-term check and the final evaluation, and the notice period is ended through the
database."""
import io

from tests.integration.helpers import PDF
from tests.integration.lifecycle_helpers import (  # noqa: F401  (fixture)
    finalised_two_branches, lifecycle_events, of_type, wait,
)
from tests.integration.test_stages_and_awards import _register_staged_version

ADMIN, SECRETARY, OTHER_SECRETARY = "admin", "2023010101", "2023020101"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _finalised(rpc, http, config, mongo):
    _register_staged_version(rpc)
    return finalised_two_branches(rpc, http, config, mongo, ADMIN)


def _upload(http, login, url, name, data):
    return http.as_(login, "POST", url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _stage(view, name):
    return next(s for s in view["stages"] if s["stage"] == name)


def test_return_for_resubmission_files_and_the_board(rpc, http, config, mongo, lifecycle_events):
    campaign, me1, em1 = _finalised(rpc, http, config, mongo)
    url = f"/api/applications/{me1}/stages"
    view = http.as_(SECRETARY, "GET", url).json
    assert view["next_step"] == {"action": "submit", "stage": "midterm"}
    assert [s["progress"] for s in view["stages"]] == ["to_submit", "waiting"]

    # Files: the applicant only, an open stage only, checked from the bytes, stored once.
    files = f"{url}/midterm/files"
    assert _upload(http, OTHER_SECRETARY, files, "报告.pdf", PDF).status_code == 404
    assert _upload(http, SECRETARY, f"{url}/final_evaluation/files", "报告.pdf", PDF).status_code == 409
    assert _upload(http, SECRETARY, files, "报告.pdf", b"not a pdf at all").status_code == 415
    first = _upload(http, SECRETARY, files, "中期检查报告.pdf", PDF)
    assert first.status_code == 201, first.json
    again = _upload(http, SECRETARY, files, "中期检查报告.pdf", PDF).json
    photo = _upload(http, SECRETARY, files, "活动照片.png", PNG).json
    assert [f["filename"] for f in _stage(again, "midterm")["files"]] == ["中期检查报告.pdf"]
    pdf_id, png_id = [f["id"] for f in _stage(photo, "midterm")["files"]]
    assert "file_id" not in _stage(photo, "midterm")["files"][0]
    got = http.as_(ADMIN, "GET", f"{files}/{pdf_id}")
    assert got.status_code == 200 and got.data == PDF
    assert http.as_(OTHER_SECRETARY, "GET", f"{files}/{pdf_id}").status_code == 404
    assert http.as_(OTHER_SECRETARY, "DELETE", f"{files}/{png_id}").status_code == 404
    removed = http.as_(SECRETARY, "DELETE", f"{files}/{png_id}").json
    assert [f["id"] for f in _stage(removed, "midterm")["files"]] == [pdf_id]

    # Files alone are no report: nothing to assess yet.
    assess = f"{url}/midterm/assess"
    assert http.as_(ADMIN, "POST", assess, json={"result": "pass"}).status_code == 409
    assert http.as_(SECRETARY, "PUT", f"{url}/midterm/report", json={"summary": "已开展主题党日2次。"}).status_code == 200
    assert http.as_(SECRETARY, "GET", url).json["next_step"] == {"action": "await", "stage": "midterm"}

    # Return: the campaign admin only, with a reason; the applicant sees it and resubmits.
    assert http.as_(SECRETARY, "POST", assess, json={"result": "return", "comment": "x"}).status_code == 403
    bare = http.as_(ADMIN, "POST", assess, json={"result": "return"})
    assert bare.status_code == 422 and bare.json["details"][0]["field"] == "comment"
    back = http.as_(ADMIN, "POST", assess, json={"result": "return", "comment": "缺少活动照片"})
    assert back.status_code == 200, back.json
    mid = _stage(back.json, "midterm")
    assert (mid["status"], mid["progress"], mid["assessment"]["comment"]) == ("returned", "returned", "缺少活动照片")
    seen = http.as_(SECRETARY, "GET", url).json
    assert seen["next_step"] == {"action": "resubmit", "stage": "midterm"}
    # The secretary is told, with the reason (stage.assessed: the notifications service's message).
    assert wait(lambda: of_type(lifecycle_events, "stage.assessed"))
    [told] = of_type(lifecycle_events, "stage.assessed")
    assert (told["data"]["stage"], told["data"]["result"], told["data"]["comment"]) == ("midterm", "return", "缺少活动照片")
    assert told["data"]["applicant_user_ids"] == ["p_2023010101"]
    assert http.as_(ADMIN, "POST", assess, json={"result": "pass"}).status_code == 409   # waits for the resubmission
    assert _upload(http, SECRETARY, files, "活动照片.png", PNG).status_code == 201
    same = http.as_(SECRETARY, "PUT", f"{url}/midterm/report", json={"summary": "已开展主题党日2次。"})
    assert same.status_code == 200   # the same text with a new photo is a resubmission
    mid = _stage(same.json, "midterm")
    assert (mid["progress"], mid["assessment"], len(mid["files"])) == ("submitted", None, 2)
    assert [r["comment"] for r in mid["returns"]] == ["缺少活动照片"]
    trail = [e["action"] for e in mid["trail"]]
    assert trail == ["attach", "attach", "detach", "report", "return", "attach", "resubmit"]

    # The board: every finalist, the one waiting for the admin first; the admin only.
    assert http.as_(SECRETARY, "GET", f"/api/campaigns/{campaign['id']}/stages").status_code == 403
    board = http.as_(ADMIN, "GET", f"/api/campaigns/{campaign['id']}/stages").json
    assert [r["application_id"] for r in board["rows"]] == [me1, em1]
    assert [s["progress"] for s in board["rows"][0]["stages"]] == ["submitted", "waiting"]
    assert board["rows"][0]["stages"][0]["returns"][0]["comment"] == "缺少活动照片"
    assert board["counts"] == {"submitted": 1, "waiting": 2, "to_submit": 1}

    # Passed, the stage and its files are closed; the final evaluation opens.
    assert http.as_(ADMIN, "POST", assess, json={"result": "pass"}).status_code == 200
    assert _upload(http, SECRETARY, files, "补充.pdf", PDF + b"\n").status_code == 409
    assert http.as_(SECRETARY, "DELETE", f"{files}/{pdf_id}").status_code == 409
    assert http.as_(SECRETARY, "GET", url).json["next_step"] == {"action": "submit", "stage": "final_evaluation"}

    # A fail of the final evaluation needs its reason and grants nothing; no title before it.
    assert http.as_(ADMIN, "GET", f"/api/awards?campaign_id={campaign['id']}").json == []
    assert http.as_(SECRETARY, "PUT", f"{url}/final_evaluation/report", json={"summary": "完成。"}).status_code == 200
    final = f"{url}/final_evaluation/assess"
    assert http.as_(ADMIN, "POST", final, json={"result": "fail"}).status_code == 422
    failed = http.as_(ADMIN, "POST", final, json={"result": "fail", "comment": "未达到预期成果"}).json
    assert failed["next_step"] == {"action": "closed", "stage": "final_evaluation"} and failed["awards"] == []
    assert of_type(lifecycle_events, "award.granted") == []


def test_passing_every_waiting_report_is_a_background_job(rpc, http, config, mongo):
    from tests.integration.helpers import finish_job
    campaign, me1, em1 = _finalised(rpc, http, config, mongo)
    for login, app in ((SECRETARY, me1), (OTHER_SECRETARY, em1)):
        assert http.as_(login, "PUT", f"/api/applications/{app}/stages/midterm/report",
                        json={"summary": "进展正常。"}).status_code == 200
    url = f"/api/campaigns/{campaign['id']}/stages/midterm/pass-all"
    assert http.as_(SECRETARY, "POST", url).status_code == 403          # refused before any job is stored
    assert http.as_(ADMIN, "POST", f"/api/campaigns/{campaign['id']}/stages/closing/pass-all").status_code == 404
    job = finish_job(http, ADMIN, http.as_(ADMIN, "POST", url))
    assert job["state"] == "succeeded" and job["result"] == {"decided": 2, "skipped": []}, job
    board = http.as_(ADMIN, "GET", f"/api/campaigns/{campaign['id']}/stages").json
    assert [[s["progress"] for s in r["stages"]] for r in board["rows"]] == [["passed", "to_submit"]] * 2
    # Nothing is waiting any more: the same request passes nothing twice.
    again = finish_job(http, ADMIN, http.as_(ADMIN, "POST", url))
    assert again["result"] == {"decided": 0, "skipped": []}
    trail = http.as_(SECRETARY, "GET", f"/api/applications/{me1}/stages").json["stages"][0]["trail"]
    assert [(e["action"], e["by"]["id"], (e["details"] or {}).get("result")) for e in trail] == [
        ("report", "p_2023010101", None), ("assess", "p_admin", "pass")]
