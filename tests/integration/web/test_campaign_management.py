"""Campaign management through the real gateway and services (issue 13): the notice
and requirements applicants read, templates they download, the one phase every page
shows, closing and extending the application window, the settings form generated
from the program's declaration, and the public notice's explicit period with its
minimum length. The publish guard is tested in web/test_admin_and_notice_pages.py
(the page) and scoring/test_scoring_plugin_inputs.py (the API).

The notice period is ended through the database (lifecycle_helpers.end_period), the
only test-only override."""
import io
import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.integration.helpers import PDF, docx_bytes
from tests.integration.lifecycle_helpers import college_approved_campaign, end_period, publish_results, wait
from tests.integration.web.test_applicant_pages import _web_login

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def config(config):
    config["PROGRAMS"] = ["pilot_branches", "civilized_dorms"]
    return config


@pytest.fixture
def extra_services():
    from plugins.civilized_dorms.service import CivilizedDormsService
    from services.scoring.service import ScoringService
    return [ScoringService, CivilizedDormsService]


def client_of(gateway_app, login):
    client = gateway_app.test_client()
    return client, _web_login(client, login)


def text(response):
    return response.get_data(as_text=True)


def local(moment):
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def phase_on_list(admin, title):
    """The status the admin list shows in the campaign's row."""
    page = text(admin.get("/admin/campaigns"))
    row = page[page.index(title):]
    return re.search(r'class="badge phase-[a-z]+">([^<]+)<', row).group(1)


def test_notice_text_and_templates_reach_the_applicant(rpc, gateway_app, http):
    cid = rpc.applications.open_campaign("p_admin", _payload("通知与模板"))["id"]
    admin, csrf = client_of(gateway_app, "admin")
    student, _ = client_of(gateway_app, "2023010101")
    assert f"/admin/campaigns/{cid}/content" in text(admin.get(f"/admin/campaigns/{cid}"))   # linked

    # The notice: two paragraphs, kept as written; too long is refused naming the field.
    notice = "一、申报对象\n全校各学生党支部。\n\n二、申报时间\n即日起至12月20日。"
    too_long = admin.post(f"/admin/campaigns/{cid}/content", data={"csrf_token": csrf, "notice_text": "字" * 20001,
                                                                    "requirements": ""})
    assert too_long.status_code == 422 and "申报通知正文" in text(too_long) and 'role="alert"' in text(too_long)
    assert rpc.applications.get_campaign("p_admin", cid)["notice_text"] == ""
    saved = admin.post(f"/admin/campaigns/{cid}/content", data={"csrf_token": csrf, "notice_text": notice + "\r\n",
                                                                "requirements": "材料真实，按时提交。"})
    assert saved.status_code == 302 and "notice_text_saved_ok" in saved.headers["Location"]
    stored = rpc.applications.get_campaign("p_admin", cid)
    assert stored["notice_text"] == notice and stored["requirements"] == "材料真实，按时提交。"
    page = text(student.get(f"/campaigns/{cid}"))
    assert page.count('class="paragraph"') == 3 and "一、申报对象\n全校各学生党支部。" in page
    assert "申报要求" in page and "材料真实，按时提交。" in page
    assert http.as_("2023010101", "PUT", f"/api/campaigns/{cid}/texts", json={"notice_text": "x"}).status_code == 403

    # Templates: the limits are shown; a Word file is attached and downloaded by the applicant.
    content = text(admin.get(f"/admin/campaigns/{cid}/content"))
    assert ".docx" in content and "195 KB" in content and "暂无模板" in content    # the configured limit
    form = docx_bytes()
    upload = admin.post(f"/admin/campaigns/{cid}/templates", content_type="multipart/form-data",
                        data={"csrf_token": csrf, "file": (io.BytesIO(form), "项目申请表.docx")})
    assert upload.status_code == 302 and "template_added_ok" in upload.headers["Location"]
    [template] = rpc.applications.get_campaign("p_admin", cid)["templates"]
    assert template["filename"] == "项目申请表.docx" and template["type"] == "docx" and "file_id" not in template
    page = text(student.get(f"/campaigns/{cid}"))
    link = f"/campaigns/{cid}/templates/{template['id']}"
    assert link in page and "项目申请表.docx" in page
    got = student.get(link)
    assert got.status_code == 200 and got.data == form and "filename*=UTF-8''" in got.headers["Content-Disposition"]

    # A file that is not what it claims is refused (415), nothing added; a student may not upload.
    fake = admin.post(f"/admin/campaigns/{cid}/templates", content_type="multipart/form-data",
                      data={"csrf_token": csrf, "file": (io.BytesIO(b"MZ not a doc"), "表.docx")})
    assert fake.status_code == 415
    assert student.post(f"/admin/campaigns/{cid}/templates", content_type="multipart/form-data",
                        data={"csrf_token": csrf, "file": (io.BytesIO(PDF), "x.pdf")}).status_code == 403
    assert len(rpc.applications.get_campaign("p_admin", cid)["templates"]) == 1

    # Replaced in place by a PDF, then deleted: the old link and then the new one are gone.
    replaced = admin.post(f"/admin/campaigns/{cid}/templates", content_type="multipart/form-data",
                          data={"csrf_token": csrf, "replace_id": template["id"],
                                "file": (io.BytesIO(PDF), "申请表（新版）.pdf")})
    assert replaced.status_code == 302
    [new] = rpc.applications.get_campaign("p_admin", cid)["templates"]
    assert new["filename"] == "申请表（新版）.pdf" and new["id"] != template["id"]
    assert student.get(link).status_code == 404 and student.get(f"/campaigns/{cid}/templates/{new['id']}").data == PDF
    assert 'data-confirm=' in text(admin.get(f"/admin/campaigns/{cid}/content"))   # deleting asks first
    gone = admin.post(f"/admin/campaigns/{cid}/templates/{new['id']}/delete", data={"csrf_token": csrf})
    assert gone.status_code == 302 and rpc.applications.get_campaign("p_admin", cid)["templates"] == []
    assert student.get(f"/campaigns/{cid}/templates/{new['id']}").status_code == 404
    history = [h["action"] for h in rpc.applications.campaign_history("p_admin", cid)]
    assert history == ["notice_edited", "template_added", "template_replaced", "template_deleted"]


def _register_staged_version(rpc):
    """A test-only version of pilot_branches whose stages add a mid-term check
    (as in test_stages_and_awards.py), registered with applications and scoring."""
    from plugins.pilot_branches.program import PROGRAM
    declaration = PROGRAM.declaration()
    declaration.update(stages=[*declaration["stages"], "midterm"], version=f"{declaration['version'][:8]}-mid")
    rpc.applications.register_program(declaration)
    rpc.scoring.register_program(declaration)


def _payload(title, opens=timedelta(days=-1), closes=timedelta(days=7), review=timedelta(days=8), **extra):
    now = datetime.now(timezone.utc)
    return {"program": "pilot_branches", "title": title, "academic_year": "2026-2027", "unit_id": "school_demo",
            "application_opens_at": (now + opens).isoformat(), "application_closes_at": (now + closes).isoformat(),
            "review_opens_at": (now + review).isoformat(), **extra}


def test_the_phase_follows_the_campaign_and_the_window_closes_or_extends(rpc, gateway_app, http, config, mongo):
    _register_staged_version(rpc)   # pilot_branches with a mid-term check (test-only version)
    admin, csrf = client_of(gateway_app, "admin")
    upcoming = rpc.applications.open_campaign("p_admin", _payload("未开始的活动", timedelta(days=1),
                                                                  timedelta(days=5)))
    assert upcoming["phase"] == "upcoming" and phase_on_list(admin, "未开始的活动") == "未开始"
    # Closing a window that has not opened is refused (change its times instead).
    assert http.as_("admin", "POST", f"/api/campaigns/{upcoming['id']}/window",
                    json={"action": "close"}).status_code == 409

    now = datetime.now(timezone.utc)
    campaign, apps = college_approved_campaign(rpc, ["branch_me1", "branch_em1"], title="阶段演示活动",
                                               review_opens_at=(now + timedelta(days=9)).isoformat(),
                                               review_closes_at=(now + timedelta(days=20)).isoformat())
    cid = campaign["id"]
    assert rpc.applications.get_campaign("p_admin", cid)["phase"] == "applying"
    assert phase_on_list(admin, "阶段演示活动") == "申报中"
    assert "申报中" in text(client_of(gateway_app, "2023010101")[0].get(f"/campaigns/{cid}"))

    # Extending: not past the review's start (named), not into the past; then done.
    review = datetime.fromisoformat(campaign["review_opens_at"].replace("Z", "+00:00"))
    late = admin.post(f"/admin/campaigns/{cid}/window", data={"csrf_token": csrf, "action": "extend",
                                                              "application_closes_at": local(review + timedelta(hours=1))})
    assert late.status_code == 422 and "须早于评审开始时间" in text(late)
    past = http.as_("admin", "POST", f"/api/campaigns/{cid}/window",
                    json={"action": "extend", "closes_at": local(datetime.now(timezone.utc) - timedelta(days=1))})
    assert past.status_code == 422 and past.json["details"][0]["field"] == "application_closes_at"
    new_deadline = (review - timedelta(hours=2)).replace(second=0, microsecond=0)
    extended = admin.post(f"/admin/campaigns/{cid}/window", data={"csrf_token": csrf, "action": "extend",
                                                                  "application_closes_at": local(new_deadline)})
    assert extended.status_code == 302 and "window_extended_ok" in extended.headers["Location"]
    stored = rpc.applications.get_campaign("p_admin", cid)
    assert datetime.fromisoformat(stored["application_closes_at"].replace("Z", "+00:00")) == new_deadline

    # Closing early: the page asks first; twice closes once; then 审核中 everywhere.
    page = text(admin.get(f"/admin/campaigns/{cid}"))
    assert 'id="window"' in page and "截止申报" in page and "data-confirm=" in page[page.index('id="window"'):]
    closed = admin.post(f"/admin/campaigns/{cid}/window", data={"csrf_token": csrf, "action": "close"})
    assert closed.status_code == 302 and "window_closed_ok" in closed.headers["Location"]
    again = http.as_("admin", "POST", f"/api/campaigns/{cid}/window", json={"action": "close"})
    assert again.status_code == 200 and again.json["phase"] == "checking"
    assert [h["action"] for h in rpc.applications.campaign_history("p_admin", cid)] == ["extended", "closed_early"]
    assert phase_on_list(admin, "阶段演示活动") == "审核中"
    assert cid not in [c["id"] for c in rpc.applications.list_campaigns("p_2023010101", True)]

    # Results published: 评审中, and the window can no longer be extended.
    publish_results(config, mongo, cid, [(apps["branch_me1"], "key", "重点", 91.0)],
                    [(apps["branch_em1"], "below_cut_line", "未入选", 60.0)])
    assert phase_on_list(admin, "阶段演示活动") == "评审中"
    refused = http.as_("admin", "POST", f"/api/campaigns/{cid}/window",
                       json={"action": "extend", "closes_at": local(review - timedelta(hours=1))})
    assert refused.status_code == 409 and "不能再延长申报" in refused.json["message_zh"]
    early = admin.post(f"/admin/campaigns/{cid}/close-campaign", data={"csrf_token": csrf})   # 结项 needs the list
    assert early.status_code == 409 and "尚未产生正式名单" in text(early)

    # The notice: explicit start and end as notices state them; shorter than the minimum is refused.
    start = (datetime.now(SHANGHAI) + timedelta(minutes=5)).replace(second=0, microsecond=0)
    form = text(admin.get(f"/admin/campaigns/{cid}/notice"))
    assert 'data-picker="datetime"' in form and "公示期不少于 3 天" in form
    short = admin.post(f"/admin/campaigns/{cid}/notice", data={"csrf_token": csrf, "opens_at": local(start),
                                                               "closes_at": local(start + timedelta(days=2))})
    assert short.status_code == 422 and "公示最短天数（3 天）" in text(short)
    assert mongo("applications").notices.count_documents({"campaign_id": cid}) == 0
    end = start.replace(hour=17, minute=0) + timedelta(days=4)
    opened = admin.post(f"/admin/campaigns/{cid}/notice", data={"csrf_token": csrf, "opens_at": local(start),
                                                                "closes_at": local(end)})
    assert opened.status_code == 302, text(opened)[:1500]
    notice = rpc.applications.get_notice("p_admin", cid)
    assert datetime.fromisoformat(notice["opens_at"].replace("Z", "+00:00")) == start
    assert datetime.fromisoformat(notice["closes_at"].replace("Z", "+00:00")) == end
    said = f"{start.month}月{start.day}日至{end.month}月{end.day}日"
    assert notice["period_zh"] == said
    assert f"公示时间：<strong>{said}</strong>" in text(client_of(gateway_app, "2023010102")[0].get(
        f"/campaigns/{cid}/notice"))
    assert phase_on_list(admin, "阶段演示活动") == "公示中"

    # The final list: 已定稿; a stage report filed: 实施中.
    end_period(mongo, notice["id"])
    assert admin.post(f"/admin/campaigns/{cid}/finalise", data={"csrf_token": csrf,
                                                                "notice_id": notice["id"]}).status_code == 302
    assert wait(lambda: rpc.applications.get_campaign("p_admin", cid)["phase"] == "final")
    assert phase_on_list(admin, "阶段演示活动") == "已定稿"
    assert wait(lambda: rpc.applications.get_application("p_admin", apps["branch_me1"])["state"] == "approved", 30)
    report = {"summary": "按计划推进，已完成阶段目标。"}
    rpc.applications.put_stage_report("p_2023010101", apps["branch_me1"], "midterm", report)
    assert rpc.applications.get_campaign("p_admin", cid)["phase"] == "implementation"
    assert phase_on_list(admin, "阶段演示活动") == "实施中"

    # 结项: asked first on the page; then 已结项 everywhere.
    page = text(admin.get(f"/admin/campaigns/{cid}"))
    assert "活动结项" in page and "不能撤回" in page
    done = admin.post(f"/admin/campaigns/{cid}/close-campaign", data={"csrf_token": csrf})
    assert done.status_code == 302 and "campaign_closed_ok" in done.headers["Location"]
    assert phase_on_list(admin, "阶段演示活动") == "已结项"
    assert "已结项" in text(client_of(gateway_app, "2023010101")[0].get(f"/campaigns/{cid}"))


def test_settings_form_is_generated_from_the_declaration(rpc, gateway_app, http):
    for _ in range(100):
        if any(p["id"] == "civilized_dorms" for p in rpc.applications.list_programs()):
            break
        __import__("eventlet").sleep(0.1)
    cid = rpc.applications.open_campaign("p_admin", _payload("文明寝室设置", program="civilized_dorms"))["id"]
    admin, csrf = client_of(gateway_app, "admin")
    assert f"/admin/campaigns/{cid}/settings" in text(admin.get(f"/admin/campaigns/{cid}"))   # linked
    page = text(admin.get(f"/admin/campaigns/{cid}/settings"))
    # Labels, ranges and labelled choices; no JSON and no setting's code shown as text.
    for shown in ("公示天数", "公示最短天数", "可申报的年级", "大一", "一票否决的违纪类型", "违规电器", 'min="1" max="30"'):
        assert shown in page, shown
    assert "<textarea" not in page and "notice_min_days</" not in page and "{" not in page.split("<main", 1)[1]
    assert "预期成果所在的申报表字段" in page       # a fixed setting: shown, not an input
    assert 'name="expected_outputs_field"' not in page

    base = {"csrf_token": csrf, "notice_days": "5", "notice_min_days": "3", "years_of_study": ["1", "2"],
            "fact_window_years": "1", "party_model_min_party_members": "1", "knowledge_action_min_cadres": "2",
            "research_min_contestants": "1", "research_contest_years": "4", "learning_max_failed_courses": "0",
            "veteran_title_min_activities": "0", "inspection_veto_violations": ["pet"]}
    bad = admin.post(f"/admin/campaigns/{cid}/settings", data=dict(base, notice_days="99", fact_window_years="x"))
    assert bad.status_code == 422
    assert "公示天数：须在 1 到 30 之间" in text(bad) and "基本条件认定年限（年）：须为整数" in text(bad)
    below = admin.post(f"/admin/campaigns/{cid}/settings", data=dict(base, notice_days="3", notice_min_days="4"))
    assert below.status_code == 422 and "不能少于公示最短天数（4 天）" in text(below)
    choice = http.as_("admin", "PATCH", f"/api/campaigns/{cid}", json={"settings": {"years_of_study": [5]}})
    assert choice.status_code == 422 and choice.json["details"][0]["message_zh"].startswith("可申报的年级")
    settings = rpc.applications.get_campaign("p_admin", cid)["settings"]
    assert settings["notice_days"] == 5 and settings["years_of_study"] == [1, 2, 3]     # nothing changed

    saved = admin.post(f"/admin/campaigns/{cid}/settings", data=dict(base, notice_days="7", notice_min_days="5"))
    assert saved.status_code == 302 and "settings_saved_ok" in saved.headers["Location"]
    settings = rpc.applications.get_campaign("p_admin", cid)["settings"]
    assert (settings["notice_days"], settings["notice_min_days"]) == (7, 5)
    assert settings["years_of_study"] == [1, 2] and settings["inspection_veto_violations"] == ["pet"]
    assert settings["expected_outputs_field"] == "expected_outputs"
    page = text(admin.get(f"/admin/campaigns/{cid}/settings"))
    assert re.search(r'<option value="pet" selected>饲养宠物</option>', page)
