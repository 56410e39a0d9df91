"""Choosing whom to apply for, judged by the program before the form, through the real
gateway, services and program processes: a class monitor of two classes, a counselor
applying on behalf of the classes of their college (core/roles.py), a 寝室长 whose dorm
won a type last year (a note naming that year), "already applied".

THE DIRECTORY (the demo's, plus):
    class_x  软件2501班, 机电学院, entry year 2025: year 2 in 2026-2027, eligible
    class_me1/class_me2 (demo) entry year 2023: year 4 in 2026-2027, refused naming 大四
    mon_two  班长 of class_x and class_me1
    dorm_x   北苑9号楼101, 机电学院, its 寝室长 dx_leader (year 2): won 环境优美型 in 2025-2026
"""
import csv
import io
from datetime import datetime, timedelta, timezone

import pytest

from deploy.demo_data import COLLEGES, DEMO_PASSWORD, SCHOOL
from services.applications.directory import make_unit
from tests.integration.web.test_applicant_guards import _web_login

pytestmark = pytest.mark.timeout(300)

YEAR, PREVIOUS = "2026-2027", "2025-2026"
CLASS_X = make_unit("class", "软件2501班", COLLEGES["me"], unit_id_="class_x", grade=2025)
DORM_X = make_unit("dorm", "北苑9号楼101", COLLEGES["me"], unit_id_="dorm_x")


@pytest.fixture
def program_names():
    return ["class_collectives", "civilized_dorms"]


def _person(login, name, roles, **fields):
    return {"_id": f"p_{login}", "login": login, "name": name, "school_id": SCHOOL["_id"],
            "college_id": COLLEGES["me"]["_id"], "password": DEMO_PASSWORD, "roles": roles, **fields}


def _campaign(http, program):
    now = datetime.now(timezone.utc)
    closes = now + timedelta(days=7)
    created = http.as_("admin", "POST", "/api/campaigns", json={
        "program": program, "title": f"{YEAR} {program}", "academic_year": YEAR, "unit_id": SCHOOL["_id"],
        "application_opens_at": (now - timedelta(hours=1)).isoformat(), "application_closes_at": closes.isoformat(),
        "review_opens_at": (closes + timedelta(minutes=1)).isoformat(),
        "review_closes_at": (closes + timedelta(days=30)).isoformat()})
    assert created.status_code == 201, created.json
    return created.json["id"]


def _by_name(choices):
    return {c["name"]: c for c in choices["candidates"]}


def test_each_candidate_is_judged_before_the_form(rpc, http, gateway_app):
    rpc.applications.seed_directory([CLASS_X, DORM_X], [
        _person("mon_two", "钱班长", [{"role": "class_monitor", "unit_id": "class_x"},
                                      {"role": "class_monitor", "unit_id": "class_me1"}],
                class_id="class_x", grade=2025),
        _person("dx_leader", "戴寝室长", [{"role": "dorm_leader", "unit_id": "dorm_x"}],
                class_id="class_x", dorm_id="dorm_x", grade=2025),
    ])
    classes = _campaign(http, "class_collectives")
    url = f"/api/campaigns/{classes}/applicant-choices"

    # A monitor of two classes: the year-4 one is refused, naming its year, before any form.
    mine = http.as_("mon_two", "GET", url)
    assert mine.status_code == 200, mine.json
    assert mine.json["applicant_kind"] == "class" and mine.json["accepting"] is True
    found = _by_name(mine.json)
    assert set(found) == {"软件2501班", "计算机2301班"}
    assert found["软件2501班"]["eligible"] is True and found["软件2501班"]["reasons"] == []
    year4 = found["计算机2301班"]
    assert year4["eligible"] is False and year4["on_behalf"] is False
    assert [r["code"] for r in year4["reasons"]] == ["year_not_eligible"] and "大四" in year4["reasons"][0]["message_zh"]

    # A counselor: every class of their college, on its behalf; none of the other college.
    counsel = _by_name(http.as_("counselor_me", "GET", url).json)
    assert {"软件2501班", "计算机2301班", "自动化2302班"} <= set(counsel)
    assert not {"会计2301班", "金融2401班"} & set(counsel)
    assert all(c["on_behalf"] for c in counsel.values())
    assert counsel["软件2501班"]["eligible"] is True and counsel["自动化2302班"]["eligible"] is False

    # core/roles.py lets the counselor apply for a class of their college, not another's.
    assert http.as_("counselor_em", "POST", f"/api/campaigns/{classes}/applications",
                    json={"applicant_id": "class_x", "form": {}}).status_code == 403
    made = http.as_("counselor_me", "POST", f"/api/campaigns/{classes}/applications",
                    json={"applicant_id": "class_x", "form": {}}, headers={"Idempotency-Key": "behalf-1"})
    assert made.status_code == 201, made.json
    app_id = made.json["id"]
    assert made.json["on_behalf_by"] == "p_counselor_me" and made.json["applicant_name"] == "软件2501班"
    # The counselor acts as its applicant: edits the draft and lists it; the monitor sees it too.
    assert http.as_("counselor_me", "PATCH", f"/api/applications/{app_id}", json={"form": {}}).status_code == 200
    listed = http.as_("counselor_me", "GET", f"/api/applications?campaign_id={classes}").json
    assert app_id in [a["id"] for a in listed]
    counsel = _by_name(http.as_("counselor_me", "GET", url).json)
    assert counsel["软件2501班"]["application"] == {"id": app_id, "state": "draft", "visible": True}
    assert [r["code"] for r in counsel["软件2501班"]["reasons"]] == ["already_applied"]
    # The counselor finds it under 我的申报 in their menu, like any applicant.
    web = gateway_app.test_client()
    _web_login(web, "counselor_me")
    mine = web.get("/my").get_data(as_text=True)
    assert 'href="/my"' in mine and "软件2501班" in mine and f"/applications/{app_id}" in mine
    assert _by_name(http.as_("mon_two", "GET", url).json)["软件2501班"]["application"]["visible"] is True
    # A second application for the same class is refused (one per applicant).
    again = http.as_("mon_two", "POST", f"/api/campaigns/{classes}/applications",
                     json={"applicant_id": "class_x", "form": {}}, headers={"Idempotency-Key": "behalf-2"})
    assert again.status_code == 409

    # Submitted with the same rule (the class is in year 2); the counselor who applied
    # does not review it, the college admin does.
    form = {"member_ids": ["p_mon_two"], "goals": "建设学风优良的先进班集体。", "measures": "每月主题班会，建立学习互助小组。",
            "expected_outputs": [{"id": "o1", "description": "全班无挂科"}]}
    assert http.as_("counselor_me", "PATCH", f"/api/applications/{app_id}", json={"form": form}).status_code == 200
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    assert http.as_("counselor_me", "POST", f"/api/applications/{app_id}/attachments", content_type="multipart/form-data",
                    data={"kind": "application_form", "file": (io.BytesIO(pdf), "申报表.pdf")}).status_code == 201
    submitted = http.as_("counselor_me", "POST", f"/api/applications/{app_id}/actions", json={"action": "submit"})
    assert submitted.status_code == 200, submitted.json
    own = http.as_("counselor_me", "POST", f"/api/applications/{app_id}/actions", json={"action": "college_approve"})
    assert own.status_code == 403 and "代为申报" in own.json["message_zh"] and "behalf" in own.json["message"]
    approved = http.as_("college_admin_me", "POST", f"/api/applications/{app_id}/actions",
                        json={"action": "college_approve"})
    assert approved.status_code == 200 and approved.json["state"] == "college_approved", approved.json

    # The page shows the same, in words: eligible, refused with its reason, on behalf.
    client = gateway_app.test_client()
    _web_login(client, "counselor_me")
    page = client.get(f"/campaigns/{classes}").get_data(as_text=True)
    assert "选择申报对象" in page and "不符合条件" in page and "大四" in page and "代为申报" in page
    assert "class_x" not in page.replace('value="class_x"', "")   # the id goes in the form only

    # A 寝室长 whose dorm won 环境优美型 last year: eligible, with a note naming that year.
    dorms = _campaign(http, "civilized_dorms")
    awards = io.StringIO()
    csv.writer(awards).writerows([
        ["对象类型", "对象编号", "对象名称", "项目", "称号", "代码", "类别", "级别", "学年", "日期", "来源", "来源编号"],
        ["寝室", "dorm_x", "北苑9号楼101", "civilized_dorms", "文明寝室（环境优美型）", "environment", "environment",
         "校级", PREVIOUS, "2026-06-20", "学生工作处", "XG-X"]])
    imported = http.as_("admin", "POST", "/api/records/awards/import", content_type="multipart/form-data",
                        data={"file": (io.BytesIO(awards.getvalue().encode("utf-8")), "历史文明寝室.csv")})
    assert imported.status_code == 200, imported.json
    dorm = http.as_("dx_leader", "GET", f"/api/campaigns/{dorms}/applicant-choices").json["candidates"]
    assert [d["name"] for d in dorm] == ["北苑9号楼101"] and dorm[0]["eligible"] is True
    assert [n["code"] for n in dorm[0]["notes"]] == ["won_last_year"]
    assert PREVIOUS in dorm[0]["notes"][0]["message_zh"] and "环境优美型" in dorm[0]["notes"][0]["message_zh"]
    leader = gateway_app.test_client()
    _web_login(leader, "dx_leader")
    page = leader.get(f"/campaigns/{dorms}").get_data(as_text=True)
    assert "符合条件" in page and PREVIOUS in page and f'action="/campaigns/{dorms}/apply"' in page
