"""Stages beyond the decision (中期检查, 评估考核) and the awards that wait for them.

pilot_branches declares neither stage, so this test registers a test-only version of
its declaration (same plugin, same hooks) whose `stages` add "midterm" and
"final_evaluation" and whose settings name `expected_outputs_field`; the campaign
pins that version. The pilot form has no such field (its plugin refuses unknown
fields), so the expected outputs are written into the approved application's stored
form through the database, as a program with that field would have stored them. The
notice period is ended through the database as in test_public_notice.py."""
import eventlet

from tests.integration.helpers import as_job
from tests.integration.lifecycle_helpers import (  # noqa: F401  (fixture)
    college_approved_campaign, end_period, lifecycle_events, of_type, publish_results, wait,
)

ADMIN, SECRETARY, OTHER_SECRETARY = "admin", "2023010101", "2023020101"
EXPECTED = [{"id": "case", "description": "形成工作案例一篇"}, {"id": "room", "description": "建成党员活动室"}]


def _register_staged_version(rpc):
    from plugins.pilot_branches.program import PROGRAM
    declaration = PROGRAM.declaration()
    declaration.update(stages=[*declaration["stages"], "midterm", "final_evaluation"],
                       settings=dict(declaration["settings"], expected_outputs_field="expected_outputs"),
                       version=f"{declaration['version'][:8]}-staged")
    # The setting must name a field of the form (the typed contract checks it).
    declaration["form_schema"]["properties"]["expected_outputs"] = {"type": "array", "title": "预期成果",
                                                                    "description": "Expected outputs"}
    rpc.applications.register_program(declaration)
    return declaration["version"]


def _with_expected_outputs(mongo, app_id):
    apps = mongo("applications").applications
    doc = apps.find_one({"_id": app_id})
    doc["form"]["expected_outputs"] = EXPECTED
    assert apps.replace_one({"_id": app_id, "version": doc["version"]}, doc).modified_count == 1


def test_midterm_final_evaluation_and_awards_after_the_final_pass(rpc, http, config, mongo, lifecycle_events):
    version = _register_staged_version(rpc)
    campaign, apps = college_approved_campaign(rpc, ["branch_me1", "branch_em1"])
    assert campaign["program_version"] == version
    me1, em1 = apps["branch_me1"], apps["branch_em1"]
    _with_expected_outputs(mongo, me1)
    publish_results(config, mongo, campaign["id"], [(me1, "key", "重点", 90.0), (em1, "general", "一般", 70.0)], [])
    notice = http.as_(ADMIN, "POST", f"/api/campaigns/{campaign['id']}/notice", json={}).json
    end_period(mongo, notice["id"])
    final = as_job(http, ADMIN, "POST", f"/api/notices/{notice['id']}/finalise")
    assert final.status_code == 200, final.json
    assert rpc.applications.get_application("p_admin", me1)["state"] == "approved"
    stages_url = f"/api/applications/{me1}/stages"

    # No title yet: this program's titles wait for the final evaluation.
    view = http.as_(SECRETARY, "GET", stages_url).json
    assert view["awards_at"] == "final_evaluation" and view["awards"] == []
    assert [(s["stage"], s["status"]) for s in view["stages"]] == [("midterm", "open"), ("final_evaluation", "waiting")]
    assert view["expected_outputs"] == EXPECTED

    # Mid-term first; only the applicant reports; re-sending the same report changes nothing.
    early = http.as_(SECRETARY, "PUT", f"{stages_url}/final_evaluation/report", json={"summary": "提前结项"})
    assert early.status_code == 409 and early.json["field"] == "stage"
    assert http.as_(OTHER_SECRETARY, "PUT", f"{stages_url}/midterm/report", json={"summary": "代报"}).status_code == 404
    assert http.as_(SECRETARY, "PUT", f"{stages_url}/closing/report", json={"summary": "x"}).status_code == 404
    empty = http.as_(SECRETARY, "PUT", f"{stages_url}/midterm/report", json={"summary": ""})
    assert empty.status_code == 422 and empty.json["field"] == "summary"
    midterm = {"summary": "已开展主题党日3次，党员联系寝室全覆盖。"}
    first = http.as_(SECRETARY, "PUT", f"{stages_url}/midterm/report", json=midterm).json
    again = http.as_(SECRETARY, "PUT", f"{stages_url}/midterm/report", json=midterm).json
    assert first["stages"][0]["revision"] == again["stages"][0]["revision"] == 1

    # Assessment: the campaign admin only; fail needs a comment; once, unless revised.
    assess = f"{stages_url}/midterm/assess"
    assert http.as_("counselor_me", "POST", assess, json={"result": "pass"}).status_code == 403
    no_comment = http.as_(ADMIN, "POST", assess, json={"result": "fail"})
    assert no_comment.status_code == 422 and no_comment.json["field"] == "comment"
    passed = [http.as_(ADMIN, "POST", assess, headers={"Idempotency-Key": "mid-1"}, json={"result": "pass"})
              for _ in range(2)]
    assert [p.status_code for p in passed] == [200, 200]
    assert passed[0].json["stages"][0]["assessment"]["result"] == "pass"
    second = http.as_(ADMIN, "POST", assess, json={"result": "fail", "comment": "材料不足"})
    assert second.status_code == 409 and second.json["details"] == {"result": "pass"}
    assert http.as_(SECRETARY, "PUT", f"{stages_url}/midterm/report", json={"summary": "改报告"}).status_code == 409

    # The final report addresses every expected output, each missing one named.
    final_url = f"{stages_url}/final_evaluation/report"
    partial = http.as_(SECRETARY, "PUT", final_url, json={
        "summary": "项目完成。", "outputs": [{"id": "case", "achieved": True, "evidence": "案例已报送"}]})
    assert partial.status_code == 422
    assert [(d["field"], "建成党员活动室" in d["message_zh"]) for d in partial.json["details"]] == [("outputs.room", True)]
    report = {"summary": "项目完成，案例已报送，活动室建设中。",
              "outputs": [{"id": "case", "achieved": True, "evidence": "案例已报送学校"}, {"id": "room", "achieved": False}]}
    reported = http.as_(SECRETARY, "PUT", final_url, json=report)
    assert reported.status_code == 200
    assert reported.json["stages"][1]["unmet_outputs"] == ["room"]
    assert reported.json["stages"][1]["report"]["outputs"][0]["achieved"] is True
    assert of_type(lifecycle_events, "award.granted") == []

    # Five admins pass the final evaluation at once: one wins, the titles are granted once.
    pool = eventlet.GreenPool(5)
    answers = list(pool.imap(lambda _i: http.as_(ADMIN, "POST", f"{stages_url}/final_evaluation/assess",
                                                 json={"result": "pass", "comment": "验收合格"}), range(5)))
    assert sorted(a.status_code for a in answers) == [200] + [409] * 4, [a.json for a in answers]
    assert wait(lambda: of_type(lifecycle_events, "award.granted"))
    eventlet.sleep(1.5)
    [award] = of_type(lifecycle_events, "award.granted")
    assert award["data"]["award_id"] == f"award:{me1}:key" and award["data"]["application_id"] == me1
    stages = http.as_(SECRETARY, "GET", stages_url).json
    assert [a["id"] for a in stages["awards"]] == [f"award:{me1}:key"]
    assert stages["awards"][0]["source"] == "final_evaluation"
    trail = [(e["action"], e["by"]["id"]) for s in stages["stages"] for e in s["trail"]]
    assert trail == [("report", "p_2023010101"), ("assess", "p_admin"), ("report", "p_2023010101"),
                     ("assess", "p_admin")]
    revise = http.as_(ADMIN, "POST", f"{stages_url}/final_evaluation/assess",
                      json={"result": "fail", "comment": "撤销", "revise": True})
    assert revise.status_code == 409

    # A failed final evaluation grants nothing.
    em1_url = f"/api/applications/{em1}/stages"
    assert http.as_(OTHER_SECRETARY, "PUT", f"{em1_url}/midterm/report", json={"summary": "进展正常。"}).status_code == 200
    assert http.as_(ADMIN, "POST", f"{em1_url}/midterm/assess", json={"result": "pass"}).status_code == 200
    assert http.as_(OTHER_SECRETARY, "PUT", f"{em1_url}/final_evaluation/report",
                    json={"summary": "未完成预期目标。"}).status_code == 200
    failed = http.as_(ADMIN, "POST", f"{em1_url}/final_evaluation/assess", json={"result": "fail", "comment": "未达标"})
    assert failed.status_code == 200 and failed.json["awards"] == []
    eventlet.sleep(1)
    assert len(of_type(lifecycle_events, "award.granted")) == 1
    assert [a["id"] for a in http.as_(ADMIN, "GET", f"/api/awards?campaign_id={campaign['id']}").json] == [
        f"award:{me1}:key"]
