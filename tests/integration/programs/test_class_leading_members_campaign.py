"""学生带班党员 (seed 001) end to end, through the gateway, on the whole platform:

1. 选拔 (selection for 2026-2027, college_me): rising third-year party members,
   probationary members, development targets or activists; a second-year-to-be and a
   league member refused at submission with the reason; at most 2 per new class (the
   third candidate for one class is out); a bad-credit candidate vetoed; 5-day notice;
   the appointments granted and kept as history.
2. 考核 (assessment of 2025-2026 in two colleges, 20 + 10 members): 标兵 = 15% of each
   college's members (20 → 3, 10 → 1.5 → 2) among those whose facts meet the 标兵
   conditions; the best-scored member failed a course and is 优秀; a tie at the cut
   line; a vetoed member; a 5-day notice with an upheld and a dismissed objection; the
   school admin finalises (学校审批) and the titles are granted.
3. 案例征集 (case collection 2025-2026): 40% of each college's members (20 → 8,
   10 → 4); a case of 1501 characters and a case with 2 photos refused; a tie at the
   college cut line; nominated to the school campaign and graded 一/二/三等奖、优秀奖.
4. A late submission is refused.

The notice period passes by moving the stored notice's period back (the test cannot
wait 5 days); everything else is the platform's own behaviour.
"""
import csv
import io
from datetime import datetime, timedelta, timezone

import eventlet
import pytest

from deploy.demo_data import COLLEGES, DEMO_PASSWORD, SCHOOL
from services.applications.directory import make_unit
from tests.integration.helpers import finish_job
from tests.integration.helpers import as_job
from tests.integration.helpers import close_applications

# A whole campaign takes minutes on a busy 2-core machine (a slow run fails this test alone).
pytestmark = pytest.mark.timeout(480)

ADMIN = "admin"
COLLEGE_ADMIN = {"me": "college_admin_me", "em": "college_admin_em"}
COUNSELOR = {"me": "counselor_me", "em": "counselor_em"}
REVIEWER = {"me": "rev_clm_me", "em": "rev_clm_em", "school": "rev_clm_school"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(name):
    """A distinct photo per name: the same bytes re-sent for a slot count once (idempotent uploads)."""
    return PNG + name.encode()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

SELECTION_LEAVES = ("political", "character", "knowledge", "organising", "standing")
ASSESSMENT_LEAVES = ("political", "duties", "class_conduct", "distinctive", "essay")
CASE_LEAVES = ("theme", "authenticity", "typicality", "practice", "originality")


@pytest.fixture
def program_names():
    return ["class_leading_selection", "class_leading_assessment", "class_leading_cases"]


# -- the directory -------------------------------------------------------------------------
def member_login(college, i):
    """Class-leading members of 2025-2026 (entered 2023): 20 in college_me, 10 in college_em."""
    return f"20230{1 if college == 'me' else 2}90{i:02d}"


def led_class(college, i):
    """Member i leads class (i-1) % 10 + 1 of the 2025 intake (two members per class)."""
    return f"class_{college}25{(i - 1) % 10 + 1:02d}"


def _student(login, name, college, klass, grade, status):
    return {"_id": f"p_{login}", "login": login, "name": name, "student_no": login, "school_id": SCHOOL["_id"],
            "college_id": COLLEGES[college]["_id"], "class_id": klass, "grade": grade, "political_status": status,
            "veteran": False, "password": DEMO_PASSWORD, "roles": [{"role": "student", "unit_id": klass}]}


def _staff(login, name, role, unit_id, **extra):
    return {"_id": f"p_{login}", "login": login, "name": name, "school_id": SCHOOL["_id"], "password": DEMO_PASSWORD,
            "roles": [{"role": role, "unit_id": unit_id}], **extra}


SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许"


@pytest.fixture
def world(rpc):
    units = [make_unit("class", "计算机2401班", COLLEGES["me"], unit_id_="class_me2401", grade=2024),
             make_unit("class", "计算机2601班", COLLEGES["me"], unit_id_="class_me2601", grade=2026),
             make_unit("class", "计算机2602班", COLLEGES["me"], unit_id_="class_me2602", grade=2026)]
    units += [make_unit("class", f"机电25{n:02d}班", COLLEGES["me"], unit_id_=f"class_me25{n:02d}", grade=2025)
              for n in range(1, 11)]
    units += [make_unit("class", f"经管25{n:02d}班", COLLEGES["em"], unit_id_=f"class_em25{n:02d}", grade=2025)
              for n in range(1, 6)]
    people = [_staff("college_admin_em", "经管学院党委副书记", "college_admin", "college_em"),
              _staff(REVIEWER["me"], "机电学院考核组", "reviewer", "college_me", college_id="college_me"),
              _staff(REVIEWER["em"], "经管学院考核组", "reviewer", "college_em", college_id="college_em"),
              _staff(REVIEWER["school"], "学工部评审组", "reviewer", "school_demo")]
    for i in range(1, 21):
        people.append(_student(member_login("me", i), f"{SURNAMES[i - 1]}机{i}", "me", "class_me1", 2023,
                               "probationary_member" if i % 4 == 0 else "party_member"))
    for i in range(1, 11):
        people.append(_student(member_login("em", i), f"{SURNAMES[i - 1]}经{i}", "em", "class_em1", 2023,
                               "party_member"))
    # Not appointed for 2025-2026: may neither be assessed nor write a case.
    people.append(_student("2023019099", "未聘任", "me", "class_me1", 2023, "party_member"))
    # Selection candidates for 2026-2027 (entered 2024 = year 3 then), and two who are not.
    statuses = ["party_member", "probationary_member", "development_target", "activist", "activist", "party_member",
                "league_member"]
    for i, status in enumerate(statuses, start=1):
        people.append(_student(f"20240190{i:02d}", f"候选{i}", "me", "class_me2401", 2024, status))
    people.append(_student("2025019001", "大一党员", "me", "class_me2601", 2025, "party_member"))
    # A freshman of class_me2503 (led by m03 and m13), sanctioned in March 2026.
    people.append(_student("2025019301", "违纪新生", "me", "class_me2503", 2025, "league_member"))
    # In small batches: each call hashes the password and upserts within the RPC timeout.
    rpc.applications.seed_directory(units, [])
    for start in range(0, len(people), 8):
        rpc.applications.seed_directory([], people[start:start + 8])


# -- helpers ----------------------------------------------------------------------------
def local(delta):
    return (datetime.now(timezone.utc) + delta).isoformat()


def open_campaign(http, login, program, unit_id, academic_year, closes=timedelta(days=7), **extra):
    body = {"program": program, "title": f"{academic_year} {program} {unit_id}", "academic_year": academic_year,
            "unit_id": unit_id, "application_opens_at": local(timedelta(days=-1)),
            "application_closes_at": local(closes), **extra}
    response = http.as_(login, "POST", "/api/campaigns", json=body)
    assert response.status_code == 201, response.json
    return response.json


def create(http, login, campaign_id, form):
    return http.as_(login, "POST", f"/api/campaigns/{campaign_id}/applications", json={"form": form})


def upload(http, login, app_id, kind, name, data):
    return http.as_(login, "POST", f"/api/applications/{app_id}/attachments",
                    data={"kind": kind, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def act(http, login, app_id, action, **extra):
    return http.as_(login, "POST", f"/api/applications/{app_id}/actions", json={"action": action, **extra})


def run_all(func, items):
    """Many HTTP requests at once (the integration process is monkey-patched)."""
    return list(eventlet.GreenPool(20).imap(func, items))


def wait_until(fetch, done, seconds=20):
    deadline = eventlet.hubs.get_hub().clock() + seconds
    while True:
        value = fetch()
        if done(value):
            return value
        if eventlet.hubs.get_hub().clock() > deadline:
            raise AssertionError(f"gave up waiting; last value: {value!r}")
        eventlet.sleep(0.2)


def csv_file(header, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def import_appointments(http, logins, academic_year="2025-2026"):
    """History from before the platform: each college's 2025-2026 appointment list."""
    header = ["对象类型", "对象编号", "对象名称", "项目", "称号", "代码", "级别", "学年", "日期", "来源", "来源编号"]
    rows = [["个人", login, login, "class_leading_selection", "学生带班党员", "appointed", "院级", academic_year,
             f"{academic_year[:4]}-09-01", "学工部带班党员聘任名单", f"PR-{academic_year}-{login}"] for login in logins]
    response = http.as_(ADMIN, "POST", "/api/records/awards/import",
                        data={"file": (io.BytesIO(csv_file(header, rows)), "带班党员聘任名单.csv")},
                        content_type="multipart/form-data")
    assert response.status_code in (200, 201), response.json


FACT_HEADER = ["对象类型", "对象编号", "类别", "日期", "来源", "来源编号", "等级", "名称", "课程", "是否必修", "处分", "情况说明"]


def fact_row(subject_kind, subject, kind, day, ref, level="", name="", course="", required="", severity="", text=""):
    return [subject_kind, subject, kind, day, "教务处" if kind in ("奖学金", "课程不及格") else "学工部", ref, level, name,
            course, required, severity, text]


def import_facts(http, rows):
    response = as_job(http, ADMIN, "POST", "/api/records/facts/import",
                        data={"file": (io.BytesIO(csv_file(FACT_HEADER, rows)), "事实.csv")},
                        content_type="multipart/form-data")
    assert response.status_code in (200, 201), response.json


def score_all(http, campaign_id, admin, reviewer, marks):
    """One reviewer per application from a pool of one; `marks` {application id:
    {leaf: mark}}; returns the published results."""
    base = f"/api/scoring/campaigns/{campaign_id}"
    body = {"reviewers_per_application": 1, "reviewer_ids": [f"p_{reviewer}"]}
    saved = http.as_(admin, "PUT", base + "/setup", json=body)
    assert saved.status_code == 200, saved.json
    auto = finish_job(http, admin, http.as_(admin, "POST", base + "/assignments/auto"))
    assert auto["state"] == "succeeded", auto
    assert len(auto["result"]["created"]) == len(marks)

    def submit(item):
        app_id, scores = item
        return http.as_(reviewer, "POST", f"{base}/applications/{app_id}/sheet/submit", json={"scores": scores})
    for response in run_all(submit, list(marks.items())):
        assert response.status_code == 200, response.json
    close_applications(http, admin, campaign_id)
    published = as_job(http, admin, "POST", base + "/results/publish", json={})
    assert published.status_code == 200, published.json
    wait_until(lambda: http.as_(admin, "GET", f"/api/campaigns/{campaign_id}/shortlist"),
               lambda r: r.status_code == 200 and r.json.get("round") == published.json["round"])
    return published.json


def uniform(leaves, value):
    return {leaf: value for leaf in leaves}


def pass_notice_period(mongo, campaign_id):
    """The notice period is over: move the current notice's period back by its length
    and a minute (a whole-document replace, as the wire server wants for dates)."""
    db = mongo("applications")
    notice = db.notices.find_one({"campaign_id": campaign_id}, sort=[("version", -1)])
    shift = timedelta(days=notice["days"], minutes=1)
    notice["opens_at"] -= shift
    notice["closes_at"] -= shift
    db.notices.replace_one({"_id": notice["_id"]}, notice)


def open_notice(http, admin, campaign_id, days_expected):
    notice = http.as_(admin, "POST", f"/api/campaigns/{campaign_id}/notice", json={})
    assert notice.status_code == 201, notice.json
    opens, closes = (datetime.fromisoformat(notice.json[k].replace("Z", "+00:00")) for k in ("opens_at", "closes_at"))
    assert notice.json["days"] == days_expected and closes - opens == timedelta(days=days_expected)
    return notice.json


def finalise(http, mongo, admin, campaign_id, notice_id):
    early = as_job(http, admin, "POST", f"/api/notices/{notice_id}/finalise")
    assert early.status_code == 409 and early.json["field"] == "closes_at", early.json
    pass_notice_period(mongo, campaign_id)
    final = as_job(http, admin, "POST", f"/api/notices/{notice_id}/finalise")
    assert final.status_code == 200, final.json
    return final.json


def awards_of(http, login, campaign_id, count):
    return wait_until(lambda: http.as_(login, "GET", f"/api/awards?campaign_id={campaign_id}").json,
                      lambda a: isinstance(a, list) and len(a) >= count)


# == 1. selection ===========================================================================
def selection_form(led_class_id, led_class_name):
    return {"gender": "女", "major": "计算机科学与技术", "phone": "13800000001", "led_class_id": led_class_id,
            "led_class_name": led_class_name,
            "statement": "本人思想政治觉悟好，学习成绩优良，担任班级团支书两年，愿意带领新生班级成长。"}


def test_selection_of_new_class_leading_members(http, world, mongo):
    cadmin = COLLEGE_ADMIN["me"]
    campaign = open_campaign(http, cadmin, "class_leading_selection", "college_me", "2026-2027")
    assert campaign["level"] == "college" and campaign["settings"]["year_of_study"] == 3
    cid = campaign["id"]
    # c5 has a bad credit record from 2025-11-05 (inside [2024-09-01, deadline]).
    import_facts(http, [fact_row("个人", "2024019005", "不良信用记录", "2025-11-05", "XY-001", text="助学贷款逾期未还")])

    # -- two who may not lead a class: refused at submission, each reason named ------------
    second_year = create(http, "2025019001", cid, selection_form("class_me2601", "计算机2601班"))
    assert second_year.status_code == 201, second_year.json
    refused = act(http, "2025019001", second_year.json["id"], "submit")
    assert refused.status_code == 422 and refused.json["field"] == "eligibility"
    # Entered 2025: in 2026-2027 in year 2, not 3.
    assert "须为 2026-2027 学年即将升读三年级的学生（2024 级）；该生为 2025 级，届时为二年级" in refused.json["message_zh"]
    assert "will be in year 2" in refused.json["message"]
    league = create(http, "2024019007", cid, selection_form("class_me2602", "计算机2602班")).json
    refused = act(http, "2024019007", league["id"], "submit")
    assert refused.status_code == 422 and "该生政治面貌为共青团员" in refused.json["message_zh"]
    assert http.as_("2024019007", "GET", f"/api/applications/{league['id']}").json["state"] == "draft"

    # -- six eligible candidates, three of them for class_me2601 ---------------------------
    classes = {1: "class_me2601", 2: "class_me2601", 3: "class_me2601", 4: "class_me2602", 5: "class_me2602",
               6: "class_me2602"}

    def apply(i):
        login = f"20240190{i:02d}"
        app = create(http, login, cid, selection_form(classes[i], "新生班"))
        assert app.status_code == 201, app.json
        done = act(http, login, app.json["id"], "submit")
        assert done.status_code == 200, done.json
        approved = act(http, COUNSELOR["me"], app.json["id"], "college_approve")
        assert approved.status_code == 200, approved.json
        return app.json["id"]
    ids = dict(zip(classes, run_all(apply, list(classes))))

    # Every leaf the same mark, so the total is that mark: c5 95 (vetoed: bad credit),
    # c1 90, c2 85, c3 80 (third for class_me2601: out), c4 75, c6 55 (< 60).
    totals = {1: 90, 2: 85, 3: 80, 4: 75, 5: 95, 6: 55}
    results = score_all(http, cid, cadmin, REVIEWER["me"],
                        {ids[i]: uniform(SELECTION_LEAVES, t) for i, t in totals.items()})
    assert [(s["application_id"], s["rank"], s["total"]) for s in results["selected"]] == [
        (ids[1], 1, 90.0), (ids[2], 2, 85.0), (ids[4], 4, 75.0)]
    rest = {r["application_id"]: r for r in results["rest"]}
    assert rest[ids[3]]["reason"] == "unit_cap_reached" and "所带班级" in rest[ids[3]]["message_zh"]
    assert "class_me2601" not in rest[ids[3]]["message_zh"] + rest[ids[3]]["message"]   # the unit by its label, no id
    assert rest[ids[6]]["reason"] == "below_min_score"
    assert rest[ids[5]]["reason"] == "vetoed" and "有不良诚信记录" in rest[ids[5]]["message_zh"]
    assert results["quota"] == 6   # 100% of the 6 applicants, capped at 2 per class

    # -- 5-day notice, then the list is final and the appointments are granted -------------
    notice = open_notice(http, cadmin, cid, 5)
    assert [e["application_id"] for e in notice["entries"]] == [ids[1], ids[2], ids[4]]
    final = finalise(http, mongo, cadmin, cid, notice["id"])
    assert [e["application_id"] for e in final["entries"]] == [ids[1], ids[2], ids[4]]
    awards = awards_of(http, cadmin, cid, 3)
    assert sorted((a["recipient_id"], a["title"], a["level"], a["academic_year"]) for a in awards) == [
        (f"p_20240190{i:02d}", "学生带班党员", "college", "2026-2027") for i in (1, 2, 4)]
    assert http.as_(ADMIN, "GET", f"/api/applications/{ids[3]}").json["state"] == "rejected"
    # The appointment is history: next year's assessment asks the records for it.
    history = wait_until(lambda: http.as_(ADMIN, "GET", "/api/records/awards?subject_id=p_2024019001"
                                                        "&program=class_leading_selection").json,
                         lambda a: isinstance(a, list) and len(a) == 1)
    assert history[0]["academic_year"] == "2026-2027" and history[0]["title"] == "学生带班党员"


# == 2. assessment ==========================================================================
def assessment_form(led_class_id):
    return {"gender": "男", "phone": "13800000002", "led_class_id": led_class_id, "led_class_name": "新生班",
            "work_summary": "一学年来每周深入班级开展主题班会，组织学习经验交流会六次，帮助新生适应大学生活，"
                            "协助班委建设学风，开展志愿服务与党史学习活动，带领班级获评院级优良学风班。",
            "distinctive_work": "首创朋辈学业导师结对制度，新生普遍认可，在新生中具有较高威信。",
            "class_conduct": "班级无违纪，学风浓厚，期末平均绩点全年级第一，班级凝聚力强。",
            "essay_title": "与新生一起成长"}


def assessment_facts():
    """m = college_me member, e = college_em member (see member_login, led_class).
    Scholarships (2025-10-20, third class, m02 first) for all but m05; m01 failed a
    required course in January 2026; m02's failed course is of the year before (not
    counted); a student of class_me2503 (led by m03 and m13) was sanctioned in March
    2026; m20 has a bad credit record."""
    rows = []
    for college, count in (("me", 20), ("em", 10)):
        for i in range(1, count + 1):
            if (college, i) == ("me", 5):
                continue
            level = "一等" if (college, i) == ("me", 2) else "三等"
            rows.append(fact_row("个人", member_login(college, i), "奖学金", "2025-10-20", f"JX-{college}{i}",
                                 level=level, name="三好学生奖学金"))
    rows += [
        fact_row("个人", member_login("me", 1), "课程不及格", "2026-01-15", "BJG-1", course="高等数学A", required="是"),
        fact_row("个人", member_login("me", 2), "课程不及格", "2025-06-20", "BJG-2", course="线性代数", required="是"),
        fact_row("个人", "2025019301", "违纪处分", "2026-03-10", "WJ-1", severity="警告", text="晚归并在宿舍使用违章电器"),
        fact_row("个人", member_login("me", 20), "不良信用记录", "2026-04-01", "XY-2", text="助学贷款逾期未还"),
    ]
    return rows


def assessment_marks(college, i):
    """college_me: m01 95, m02 94, ..., m06 90, m07 90 too (duties 92 and class conduct
    86.5: 0.15·90 + 0.35·92 + 0.20·86.5 + 0.20·90 + 0.10·90 = 90), m08 89, ..., m20 77.
    college_em: e01 88, e02 87, ..., e10 79."""
    if college == "em":
        return uniform(ASSESSMENT_LEAVES, 89 - i)
    if i == 7:
        return {"political": 90, "duties": 92, "class_conduct": 86.5, "distinctive": 90, "essay": 90}
    return uniform(ASSESSMENT_LEAVES, 96 - i if i <= 6 else 97 - i)


def _assessment_applications(http, college, campaign, count):
    """Each member applies with the essay attached; the counselor approves."""
    def apply(i):
        login = member_login(college, i)
        app = create(http, login, campaign["id"], assessment_form(led_class(college, i)))
        assert app.status_code == 201, app.json
        assert upload(http, login, app.json["id"], "essay", "带班征文.pdf", PDF).status_code == 201
        done = act(http, login, app.json["id"], "submit")
        assert done.status_code == 200, done.json
        assert act(http, COUNSELOR[college], app.json["id"], "college_approve").status_code == 200
        return app.json["id"]
    return dict(zip(range(1, count + 1), run_all(apply, range(1, count + 1))))


def test_assessment_of_30_members_in_two_colleges(http, world, mongo):
    import_appointments(http, [member_login("me", i) for i in range(1, 21)] +
                        [member_login("em", i) for i in range(1, 11)])
    import_facts(http, assessment_facts())
    me = open_campaign(http, COLLEGE_ADMIN["me"], "class_leading_assessment", "college_me", "2025-2026")

    # Someone who was not appointed for 2025-2026 is not assessed.
    stranger = create(http, "2023019099", me["id"], assessment_form("class_me2501")).json
    upload(http, "2023019099", stranger["id"], "essay", "征文.pdf", PDF)
    refused = act(http, "2023019099", stranger["id"], "submit")
    assert refused.status_code == 422 and refused.json["field"] == "eligibility"
    assert "仅 2025-2026 学年的学生带班党员可参加" in refused.json["message_zh"]

    m = _assessment_applications(http, "me", me, 20)
    em = open_campaign(http, COLLEGE_ADMIN["em"], "class_leading_assessment", "college_em", "2025-2026")
    e = _assessment_applications(http, "em", em, 10)

    # -- college_me: 15% x 20 = 3 标兵 ----------------------------------------------------
    # Rank: m01 95, m02 94, m03 93, m04 92, m05 91, m07 90 (duties 92 > 90), m06 90,
    # m08 89, ..., m19 78; m20 vetoed (bad credit). 标兵 conditions fail for m01 (failed
    # course), m03 and m13 (class_me2503's violation), m05 (no scholarship). The three
    # best who qualify: m02, m04, m07 — m06 ties m07 on total and is left at the cut
    # line. 优秀: every other member reaching 60: 19 - 3 = 16, m01 (the best) among them.
    results = score_all(http, me["id"], COLLEGE_ADMIN["me"], REVIEWER["me"],
                        {m[i]: assessment_marks("me", i) for i in m})
    assert results["quota"] == {"model": 3, "excellent": None}
    graded = {s["application_id"]: s["grade"] for s in results["selected"]}
    assert [s["application_id"] for s in results["selected"] if s["grade"] == "model"] == [m[2], m[4], m[7]]
    assert graded[m[1]] == "excellent" and graded[m[3]] == "excellent" and graded[m[5]] == "excellent"
    assert sorted(a for a, g in graded.items() if g == "excellent") == sorted(
        m[i] for i in (1, 3, 5, 6, *range(8, 20)))
    ranks = {s["application_id"]: (s["rank"], s["total"]) for s in results["selected"]}
    assert ranks[m[1]] == (1, 95.0) and ranks[m[7]] == (6, 90.0) and ranks[m[6]] == (7, 90.0)
    assert results["grade_cut_lines"]["model"]["last_selected"]["application_id"] == m[7]
    assert results["grade_cut_lines"]["model"]["first_not_selected"]["application_id"] == m[6]
    assert [(r["application_id"], r["reason"]) for r in results["rest"]] == [(m[20], "vetoed")]

    # -- college_em: 15% x 10 = 1.5 -> 2 标兵 (half up): e01, e02; 8 优秀 -------------------
    results_em = score_all(http, em["id"], COLLEGE_ADMIN["em"], REVIEWER["em"],
                           {e[i]: assessment_marks("em", i) for i in e})
    assert results_em["quota"] == {"model": 2, "excellent": None}
    assert [(s["application_id"], s["grade"]) for s in results_em["selected"]] == \
        [(e[1], "model"), (e[2], "model")] + [(e[i], "excellent") for i in range(3, 11)]

    # -- the 5-day notice in college_me, two objections --------------------------------------
    notice = open_notice(http, COLLEGE_ADMIN["me"], me["id"], 5)
    assert len(notice["entries"]) == 19
    objector = member_login("me", 10)
    upheld = http.as_(objector, "POST", f"/api/notices/{notice['id']}/objections",
                      json={"application_id": m[4], "reason": "该同学所带班级4月有同学夜不归宿被通报，未计入考核。"})
    assert upheld.status_code == 201, upheld.json
    tie = http.as_(objector, "POST", f"/api/notices/{notice['id']}/objections",
                   json={"application_id": m[7], "reason": "与第7名同分，为何其为标兵？"})
    assert tie.status_code == 201, tie.json
    base = f"/api/notices/{notice['id']}/objections"
    dismissed = http.as_(COLLEGE_ADMIN["me"], "POST", f"{base}/{tie.json['id']}/resolve", json={
        "decision": "dismissed", "reply": "两人总分同为90分，按考核规则同分时带班职责履行得分高者排前（92分对90分）。"})
    assert dismissed.status_code == 200 and dismissed.json["state"] == "dismissed"
    regraded = http.as_(COLLEGE_ADMIN["me"], "POST", f"{base}/{upheld.json['id']}/resolve", json={
        "decision": "upheld", "reply": "经核实所带班级存在违纪，不符合标兵条件，改评为优秀。", "change": {"grade": "excellent"}})
    assert regraded.status_code == 200 and regraded.json["state"] == "upheld"
    renoticed = http.as_(objector, "GET", f"/api/campaigns/{me['id']}/notice").json
    assert renoticed["version"] == 2 and renoticed["id"] != notice["id"]
    assert [x["application_id"] for x in renoticed["entries"] if x["grade"] == "model"] == [m[2], m[7]]
    assert next(x for x in renoticed["entries"] if x["application_id"] == m[4])["grade"] == "excellent"
    mine = http.as_(objector, "GET", f"/api/notices/{notice['id']}/objections").json
    assert {o["state"] for o in mine} == {"upheld", "dismissed"}

    # -- the school approves: its admin finalises after the (new) period ---------------------
    final = finalise(http, mongo, ADMIN, me["id"], renoticed["id"])
    assert len(final["entries"]) == 19
    awards = awards_of(http, ADMIN, me["id"], 19)
    titles = sorted((a["recipient_id"], a["title"]) for a in awards)
    models = [member_login("me", i) for i in (2, 7)]
    assert [t for t in titles if t[1] == "学生带班党员标兵"] == [(f"p_{x}", "学生带班党员标兵") for x in models]
    assert sum(1 for t in titles if t[1] == "优秀学生带班党员") == 17
    assert {a["level"] for a in awards} == {"school"}
    assert http.as_(ADMIN, "GET", f"/api/applications/{m[20]}").json["state"] == "rejected"

    notice_em = open_notice(http, COLLEGE_ADMIN["em"], em["id"], 5)
    finalise(http, mongo, ADMIN, em["id"], notice_em["id"])
    awards_em = awards_of(http, ADMIN, em["id"], 10)
    assert sorted(a["recipient_id"] for a in awards_em if a["code"] == "model") == \
        [f"p_{member_login('em', i)}" for i in (1, 2)]


# == 3. case collection =====================================================================
def case_form(title, evaluation_chars=None):
    """Five sections; 10 + 400 + 500 + 400 + evaluation characters (default 90 → 1400)."""
    return {"led_class_id": "class_me2501", "led_class_name": "机电2501班", "topic": "党员带班",
            "title": title[:10].ljust(10, "例"), "background": "背" * 400, "approach": "做" * 500, "effect": "效" * 400,
            "evaluation": "评" * (evaluation_chars if evaluation_chars is not None else 90)}


def _cases(http, college, campaign_id, authors, photos=3):
    def write(i):
        login = member_login(college, i)
        app = create(http, login, campaign_id, case_form(f"案例{college}{i:02d}"))
        assert app.status_code == 201, app.json
        for n in range(photos):
            assert upload(http, login, app.json["id"], "photo", f"{n}.png", png(f"{n}.png")).status_code == 201
        done = act(http, login, app.json["id"], "submit")
        assert done.status_code == 200, done.json
        assert act(http, COUNSELOR[college], app.json["id"], "college_approve").status_code == 200
        return app.json["id"]
    return dict(zip(authors, run_all(write, authors)))


def test_case_collection_from_colleges_to_school_prizes(http, world, mongo):
    import_appointments(http, [member_login("me", i) for i in range(1, 21)] +
                        [member_login("em", i) for i in range(1, 11)])
    school = open_campaign(http, ADMIN, "class_leading_cases", "school_demo", "2025-2026",
                           nomination_quota={"per_college": 8})
    me = open_campaign(http, COLLEGE_ADMIN["me"], "class_leading_cases", "college_me", "2025-2026",
                       parent_campaign_id=school["id"])
    em = open_campaign(http, COLLEGE_ADMIN["em"], "class_leading_cases", "college_em", "2025-2026",
                       parent_campaign_id=school["id"])

    # -- refused: 1501 characters (10 + 400 + 500 + 400 + 191; nothing stored), 2 photos,
    # a 6th photo, a non-member ---------------------------------------------------------
    long = create(http, member_login("me", 1), me["id"], case_form("太长的案例", evaluation_chars=191))
    assert long.status_code == 422 and long.json["details"][0]["field"] == "form.body"
    assert "案例文字共 1501 字，超过 1500 字的上限（多 1 字）" in long.json["message_zh"]
    assert "1501 characters" in long.json["message"]
    assert http.as_(member_login("me", 1), "GET", "/api/applications").json == []
    two = create(http, member_login("me", 2), me["id"], case_form("两张图片")).json
    for n in range(2):
        upload(http, member_login("me", 2), two["id"], "photo", f"{n}.png", png(f"{n}.png"))
    short = act(http, member_login("me", 2), two["id"], "submit")
    assert short.status_code == 422 and short.json["field"] == "attachments.photo"
    assert "案例图片至少需要 3 个，已上传 2 个" in short.json["message_zh"]
    stranger = create(http, "2023019099", me["id"], case_form("非带班党员")).json
    for n in range(3):
        upload(http, "2023019099", stranger["id"], "photo", f"{n}.png", png(f"{n}.png"))
    refused = act(http, "2023019099", stranger["id"], "submit")
    assert refused.status_code == 422 and "仅 2025-2026 学年的学生带班党员可参加" in refused.json["message_zh"]

    # The 2-photo draft gets its third photo and goes through like the others.
    assert upload(http, member_login("me", 2), two["id"], "photo", "2.png", png("2.png")).status_code == 201
    sixth = [upload(http, member_login("me", 2), two["id"], "photo", f"x{n}.png", png(f"x{n}.png")) for n in range(3)]
    assert [r.status_code for r in sixth[:2]] == [201, 201] and sixth[2].status_code == 422
    assert "案例图片最多 5 个" in sixth[2].json["message_zh"]
    assert act(http, member_login("me", 2), two["id"], "submit").status_code == 200
    assert act(http, COUNSELOR["me"], two["id"], "college_approve").status_code == 200

    c = _cases(http, "me", me["id"], [1, *range(3, 13)])
    c[2] = two["id"]
    d = _cases(http, "em", em["id"], list(range(1, 7)))

    # -- college_me: 40% x 20 members = 8 (its 20 appointments in the records; 12 cases) --
    # Totals m01 92, m02 90, ..., m08 78 and m09 78 too, with typicality 76 (theme 80.5:
    # 0.20·80.5 + 0.15·78 + 0.25·76 + 0.25·78 + 0.15·78 = 78), so m08 (typicality 78)
    # ranks first at the cut line; m10 70, m11 65, m12 55 (< 60).
    totals = {1: 92, 2: 90, 3: 88, 4: 86, 5: 84, 6: 82, 7: 80, 8: 78, 10: 70, 11: 65, 12: 55}
    marks = {c[i]: uniform(CASE_LEAVES, t) for i, t in totals.items()}
    marks[c[9]] = {"theme": 80.5, "authenticity": 78, "typicality": 76, "practice": 78, "originality": 78}
    results = score_all(http, me["id"], COLLEGE_ADMIN["me"], REVIEWER["me"], marks)
    assert results["quota"] == 8
    assert [s["application_id"] for s in results["selected"]] == [c[i] for i in range(1, 9)]
    assert results["cut_line"] == {"last_selected": {"application_id": c[8], "rank": 8, "total": 78.0},
                                   "first_not_selected": {"application_id": c[9], "rank": 9, "total": 78.0}}
    rest = {r["application_id"]: r["reason"] for r in results["rest"]}
    assert rest == {c[9]: "below_cut_line", c[10]: "below_cut_line", c[11]: "below_cut_line",
                    c[12]: "below_min_score"}

    # -- college_em: 40% x 10 members = 4 (6 cases): e01 91, e02 87, e03 83, e04 79 in -----
    results_em = score_all(http, em["id"], COLLEGE_ADMIN["em"], REVIEWER["em"],
                           {d[i]: uniform(CASE_LEAVES, 95 - 4 * i) for i in d})
    assert results_em["quota"] == 4
    assert [s["application_id"] for s in results_em["selected"]] == [d[i] for i in (1, 2, 3, 4)]

    # -- each college's short notice (3 days), final list, nomination to the school ----------
    for college, campaign, count in (("me", me, 8), ("em", em, 4)):
        notice = open_notice(http, COLLEGE_ADMIN[college], campaign["id"], 3)
        finalise(http, mongo, COLLEGE_ADMIN[college], campaign["id"], notice["id"])
        recommended = awards_of(http, COLLEGE_ADMIN[college], campaign["id"], count)
        assert {(a["title"], a["level"]) for a in recommended} == {("学生带班党员优秀案例（学院推荐）", "college")}
    off_list = as_job(http, COLLEGE_ADMIN["me"], "POST", f"/api/campaigns/{me['id']}/nominations",
                        json={"application_ids": [c[9]]})
    assert off_list.status_code == 422
    nominated_me = as_job(http, COLLEGE_ADMIN["me"], "POST", f"/api/campaigns/{me['id']}/nominations",
                            json={"application_ids": [c[i] for i in range(1, 9)]})
    assert nominated_me.status_code == 200, nominated_me.json
    nominated_em = as_job(http, COLLEGE_ADMIN["em"], "POST", f"/api/campaigns/{em['id']}/nominations",
                            json={"application_ids": [d[i] for i in range(1, 5)]})
    assert nominated_em.status_code == 200, nominated_em.json
    listing = http.as_(ADMIN, "GET", f"/api/campaigns/{school['id']}/nominations").json
    assert sorted((g["college_id"], g["used"]) for g in listing["colleges"]) == [("college_em", 4), ("college_me", 8)]
    school_ids = {n["nominated_from"]["application_id"]: n["id"]
                  for n in nominated_me.json["nominations"] + nominated_em.json["nominations"]}

    # -- the school grades the 12 cases: 一等奖 10% x 12 = 1.2 -> 1, 二等奖 20% = 2.4 -> 2,
    # 三等奖 30% = 3.6 -> 4, 优秀奖 the other 5 (all reach 60). School marks:
    # e01 96 | m03 93, m01 90 | e02 88, m02 86, m05 84, m04 82 | e03 80, m06 77, m07 74, m08 72, e04 68.
    school_totals = {d[1]: 96, c[3]: 93, c[1]: 90, d[2]: 88, c[2]: 86, c[5]: 84, c[4]: 82, d[3]: 80, c[6]: 77,
                     c[7]: 74, c[8]: 72, d[4]: 68}
    graded = score_all(http, school["id"], ADMIN, REVIEWER["school"],
                       {school_ids[a]: uniform(CASE_LEAVES, t) for a, t in school_totals.items()})
    assert graded["quota"] == {"first": 1, "second": 2, "third": 4, "merit": None}
    by_grade = {}
    for s in graded["selected"]:
        by_grade.setdefault(s["grade"], []).append(s["application_id"])
    expect = {"first": [d[1]], "second": [c[3], c[1]], "third": [d[2], c[2], c[5], c[4]],
              "merit": [d[3], c[6], c[7], c[8], d[4]]}
    assert by_grade == {g: [school_ids[a] for a in ids] for g, ids in expect.items()}

    notice = open_notice(http, ADMIN, school["id"], 3)
    finalise(http, mongo, ADMIN, school["id"], notice["id"])
    prizes = awards_of(http, ADMIN, school["id"], 12)
    names = sorted((a["application_id"], a["title"]) for a in prizes)
    assert (school_ids[d[1]], "学生带班党员优秀案例一等奖") in names
    assert (school_ids[c[3]], "学生带班党员优秀案例二等奖") in names
    assert sum(1 for _a, t in names if t == "学生带班党员优秀案例三等奖") == 4
    assert sum(1 for _a, t in names if t == "学生带班党员优秀案例优秀奖") == 5
    assert {a["level"] for a in prizes} == {"school"}


# == 4. a late submission ===================================================================
def test_a_late_submission_is_refused(http, world):
    campaign = open_campaign(http, COLLEGE_ADMIN["me"], "class_leading_selection", "college_me", "2026-2027",
                             closes=timedelta(seconds=4))
    draft = create(http, "2024019001", campaign["id"], selection_form("class_me2601", "计算机2601班"))
    assert draft.status_code == 201, draft.json
    eventlet.sleep(4.5)
    late = act(http, "2024019001", draft.json["id"], "submit")
    assert late.status_code == 409 and late.json["code"] == "deadline_passed"
    assert late.json["field"] == "application_closes_at" and "逾期不予受理" in late.json["message_zh"]
    assert http.as_("2024019001", "GET", f"/api/applications/{draft.json['id']}").json["state"] == "draft"
    again = create(http, "2024019002", campaign["id"], selection_form("class_me2601", "计算机2601班"))
    assert again.status_code == 409 and again.json["code"] == "deadline_passed"

