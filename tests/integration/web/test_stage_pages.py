"""The stage pages (阶段考核) on the real gateway and services, without a browser: the
applicant's application page says the next step and links to the stage page, where
the report and its files are submitted; the campaign admin's stages page passes, returns with a required reason, and the applicant
resubmits; typed text survives a refusal.

The campaign is the staged pilot version of test_stages_and_awards.py."""
import io
import re

from tests.integration.helpers import PDF
from tests.integration.test_stage_returns_and_files import _finalised
from tests.integration.web.test_applicant_pages import _web_login

BRANCH = "机电学院学生第一党支部"


def _client(gateway_app, login):
    client = gateway_app.test_client()
    return client, _web_login(client, login)


def _text(response):
    return response.get_data(as_text=True)


def test_report_return_resubmit_and_pass_through_the_pages(rpc, http, config, mongo, gateway_app):
    campaign, me1, _em1 = _finalised(rpc, http, config, mongo)
    student, s_csrf = _client(gateway_app, "2023010101")
    page = _text(student.get(f"/applications/{me1}"))
    assert "下一步：</strong>提交中期检查报告" in page
    assert f'href="/applications/{me1}/stages"' in page

    stages = _text(student.get(f"/applications/{me1}/stages"))
    assert "待提交" in stages and "未开始" in stages and "评估考核通过后授予荣誉称号" in stages

    # An empty report is refused at its field, naming it; the chosen file is kept.
    refused = student.post(f"/applications/{me1}/stages/midterm/report", content_type="multipart/form-data",
                           data={"csrf_token": s_csrf, "summary": " ",
                                 "files": [(io.BytesIO(PDF), "中期检查报告.pdf")]})
    assert refused.status_code == 422 and "须填写报告摘要" in _text(refused)
    sent = student.post(f"/applications/{me1}/stages/midterm/report", content_type="multipart/form-data",
                        data={"csrf_token": s_csrf, "summary": "开展主题党日两次。"})
    assert sent.status_code == 302 and "stage_submitted_ok" in sent.headers["Location"]
    after = _text(student.get(sent.headers["Location"]))
    assert "报告已提交，等待审核" in after and "中期检查报告.pdf" in after and "待审核" in after
    assert "修改报告（审核前可修改）" in after
    # A file is removed from the page (until the report is assessed).
    extra = student.post(f"/applications/{me1}/stages/midterm/report", content_type="multipart/form-data",
                         data={"csrf_token": s_csrf, "summary": "开展主题党日两次。",
                               "files": [(io.BytesIO(PDF + b"\n"), "多余.pdf")]})
    assert extra.status_code == 302 and "多余.pdf" in _text(student.get(extra.headers["Location"]))
    gone = re.search(r'action="(/applications/[^"]+/files/[^"]+/remove)"[^<]*>\s*<input[^>]*>\s*<button[^>]*>删除'
                     r'<span class="sr-only"> 多余.pdf', _text(student.get(f"/applications/{me1}/stages")))
    removed = student.post(gone.group(1), data={"csrf_token": s_csrf})
    left = _text(student.get(removed.headers["Location"]))
    assert removed.status_code == 302 and ">多余.pdf</a>" not in left and "删除材料" in left   # the trail keeps it
    # The same page in English: the stages, states and next step in English.
    student.get("/lang/en")
    english = _text(student.get(f"/applications/{me1}/stages"))
    assert "Mid-term check" in english and "Awaiting review" in english and "wait for the review" in english
    student.get("/lang/zh")

    # The to-do item leads to the campaigns with stages, those with waiting reports first.
    admin, a_csrf = _client(gateway_app, "admin")
    assert 'href="/admin/stages"' in _text(admin.get("/"))
    overview = _text(admin.get("/admin/stages"))
    assert f'href="/admin/campaigns/{campaign["id"]}/stages"' in overview and '<span class="badge warn">1</span>' in overview
    assert student.get("/admin/stages").status_code == 403
    board = _text(admin.get(f"/admin/campaigns/{campaign['id']}/stages"))
    assert BRANCH in board and "开展主题党日两次。" in board and "中期检查报告.pdf" in board
    assert re.search(r'data-confirm="[^"]*不能撤销', board)
    url = f"/admin/campaigns/{campaign['id']}/stages/{me1}/midterm"
    bare = admin.post(url, data={"csrf_token": a_csrf, "result": "return", "comment": ""})
    assert bare.status_code == 422 and "退回修改须填写理由" in _text(bare)
    back = admin.post(url, data={"csrf_token": a_csrf, "result": "return", "comment": "请补充活动照片"})
    assert back.status_code == 302 and "stage_assess_return_ok" in back.headers["Location"]
    # Not the admin's page for a student.
    assert student.get(f"/admin/campaigns/{campaign['id']}/stages").status_code == 403

    returned = _text(student.get(f"/applications/{me1}/stages"))
    assert "退回理由：请补充活动照片" in returned and "重新提交报告" in returned
    assert "按退回意见修改并重新提交中期检查报告" in returned
    again = student.post(f"/applications/{me1}/stages/midterm/report", content_type="multipart/form-data",
                         data={"csrf_token": s_csrf, "summary": "开展主题党日两次，照片见附件。"})
    assert again.status_code == 302
    passed = admin.post(url, data={"csrf_token": a_csrf, "result": "pass", "comment": ""})
    assert passed.status_code == 302 and "stage_assess_pass_ok" in passed.headers["Location"]
    assert "已评定为通过" in _text(admin.get(passed.headers["Location"]))
    final = _text(student.get(f"/applications/{me1}"))
    assert "下一步：</strong>提交评估考核（结项验收）报告" in final


def test_passing_all_waiting_reports_from_the_page_runs_as_a_job(rpc, http, config, mongo, gateway_app):
    import time
    campaign, me1, em1 = _finalised(rpc, http, config, mongo)
    for login, app in (("2023010101", me1), ("2023020101", em1)):
        assert http.as_(login, "PUT", f"/api/applications/{app}/stages/midterm/report",
                        json={"summary": "进展正常。"}).status_code == 200
    admin, a_csrf = _client(gateway_app, "admin")
    board = _text(admin.get(f"/admin/campaigns/{campaign['id']}/stages"))
    assert "全部通过待审核的中期检查报告（2 份）" in board
    started = admin.post(f"/admin/campaigns/{campaign['id']}/stages/midterm/pass-all", data={"csrf_token": a_csrf})
    assert started.status_code == 302 and "job=" in started.headers["Location"]
    for _ in range(100):
        page = _text(admin.get(started.headers["Location"]))
        if "已决定的申报：2" in page:
            break
        time.sleep(0.2)
    assert "批量通过阶段报告" in page and "已决定的申报：2" in page
    assert "全部通过待审核" not in page and page.count(">通过</span>") == 2
