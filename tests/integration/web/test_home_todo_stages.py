"""The to-do items of the public notice and the stages, on the real services and
gateway: a pending objection waits for the campaign admin (异议待处理) until it is
answered; a stage open on an approved application waits for its applicant (待提交阶段
报告), a handed-in report for the campaign admin (待审核阶段报告), and a returned one
for the applicant again. The program is pilot_branches with the stages added, as in
tests/integration/test_stages_and_awards.py."""
import re

from tests.integration.lifecycle_helpers import college_approved_campaign, end_period, publish_results, wait
from tests.integration.test_stages_and_awards import _register_staged_version
from tests.integration.web.test_applicant_pages import _web_login


def test_objections_and_stage_reports_wait_for_whoever_acts_next(rpc, http, config, mongo, gateway_app):
    _register_staged_version(rpc)
    campaign, apps = college_approved_campaign(rpc, ["branch_me1", "branch_em1"])
    me1, em1 = apps["branch_me1"], apps["branch_em1"]
    publish_results(config, mongo, campaign["id"], [(me1, "key", "重点", 90.0), (em1, "general", "一般", 70.0)], [])
    notice = rpc.applications.open_notice("p_admin", campaign["id"], {})
    admin, secretary = "p_admin", "p_2023010101"
    assert rpc.applications.todo_counts(admin)["objections"] == 0

    objection = http.as_("2023020102", "POST", f"/api/notices/{notice['id']}/objections",
                         json={"application_id": me1, "reason": "该支部活动记录与事实不符"})
    assert objection.status_code == 201, objection.json
    assert rpc.applications.todo_counts(admin)["objections"] == 1
    assert "objections" not in rpc.applications.todo_counts("p_counselor_me")   # not the campaign's admin
    client = gateway_app.test_client()
    _web_login(client, "admin")
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'<span class="todo-label">异议待处理</span>\s*<span class="todo-count">1</span>', page)
    rpc.applications.resolve_objection(admin, notice["id"], objection.json["id"],
                                       {"decision": "dismissed", "reply": "经核实，活动记录属实。"})
    assert rpc.applications.todo_counts(admin)["objections"] == 0

    end_period(mongo, notice["id"])
    rpc.applications.finalise_notice(admin, notice["id"])                       # a job decides the applications
    assert wait(lambda: rpc.applications.get_application(admin, me1)["state"] == "approved", 30)
    assert rpc.applications.todo_counts(secretary)["stage_reports_due"] == 1       # the mid-term check is open
    assert rpc.applications.todo_counts(admin)["stage_reports_to_assess"] == 0
    mine = gateway_app.test_client()
    _web_login(mine, "2023010101")
    page = mine.get("/").get_data(as_text=True)                                    # straight to its stages page
    assert re.search(rf'<a href="/applications/{me1}/stages"><span class="todo-label">待提交阶段报告</span>\s*'
                     r'<span class="todo-count">1</span>', page), page
    rpc.applications.put_stage_report(secretary, me1, "midterm", {"summary": "已开展主题党日3次。"})
    assert rpc.applications.todo_counts(secretary)["stage_reports_due"] == 0
    assert rpc.applications.todo_counts(admin)["stage_reports_to_assess"] == 1
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'<a href="/admin/stages"><span class="todo-label">待审核阶段报告</span>\s*'
                     r'<span class="todo-count">1</span>', page)
    assert client.get("/admin/stages").status_code == 200
    rpc.applications.assess_stage(admin, me1, "midterm", {"result": "return", "comment": "请补充活动照片"})
    assert rpc.applications.todo_counts(secretary)["stage_reports_due"] == 1       # returned: theirs again
    assert rpc.applications.todo_counts(admin)["stage_reports_to_assess"] == 0
    assert "stage_reports_due" not in rpc.applications.todo_counts("p_counselor_me")
