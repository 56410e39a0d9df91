"""A whole 先进班集体 campaign through the gateway, on the whole platform: the 40 classes
of years 1-3 of 电子信息工程学院 (and three year-4 classes), from the application to the
titles and the recommendation to the school.

THE CLASSES c01..c43 (30 students each; student 01 is the monitor who applies):
    c01..c40  years 1, 2, 3 in turn (entry years START, START-1, START-2)
    c41..c43  year 4 (entry year START-3): refused at submission, naming 大四
    c40       drafts but never submits before the deadline (late: refused)

THE MARKS. Two working-group reviewers score civility, psych, sports_teams and
sports_activities (0-100): a class's "G" is their mean (they give G+1 and G-1). The
counselor, the league branch (团总支) and course teacher 1 rate 测评 (0-100), G unless
said otherwise; course teacher 2 rates c13 only. Without facts a class has
failure_rate 0 (100 points), fraud 0 (100 points) and work_results 0 (0 points):

    total = 0.35 G (reviewers) + 0.15 x 100 + 0.10 x 100 + 0.10 x 0 + 0.30 G (测评)
          = 25 + 0.65 G

    c01..c10  G = 95, 94, ..., 86         -> 86.75, 86.10, ..., 80.90
    c11       G = 72, and 工作成效 from its history: a school-level collective award (2)
              + a college-level one (1) + its students' dorm titled 文明寝室 last June
              (1) = 4 units -> 80 points; a national award 500 days old is outside the
              one-year window. 25 + 46.8 + 0.10 x 80 = 79.80 (71.80 without them)
    c12       G = 99 -> 89.35, but a student cheated in an exam: vetoed (诚信考试)
    c13  (X)  reviewers 81/79 -> 80; 测评 counselor 95, league branch 80, teachers 80
              and 90 (mean 85): 0.4 x 95 + 0.3 x 80 + 0.3 x 85 = 87.5
              total = 0.35 x 80 + 25 + 0.30 x 87.5 = 28 + 25 + 26.25 = 79.25
    c16  (Y)  reviewers 87/85 -> 86; 测评 82, 80, 79: 32.8 + 24 + 23.7 = 80.5
              total = 0.35 x 86 + 25 + 0.30 x 80.5 = 30.1 + 25 + 24.15 = 79.25
              (its failed course 400 days ago is outside the window)
    c14       G = 90, three of 30 students failed a course: 10% -> 100 - 4 x 10 = 60:
              0.15 x 60 + 10 + 0.65 x 90 = 9 + 10 + 58.5 = 77.50
    c15       G = 89, one student defrauded -> 100 - 50 = 50: 15 + 5 + 57.85 = 77.85
    c17..c39  G = 80, 79, ..., 58          -> 77.00, 76.35, ..., 62.70

THE SELECTION: 30% of the 40 classes of years 1-3 = 12 (the population is the
classes, not the 39 applicants). Ranked: c01..c10, c11 79.80, then c13 and c16 tie
at 79.25: the declared tie-break (测评 first) puts c13 (87.5) 12th, in, and c16
(80.5) 13th, out; with a plain mean of the raters c13 would have had 86.25 and
78.875, below c16 — the role weights decide it.

THEN: a 5-day notice; an objection to c07 is upheld (removed, re-noticed: 11 on the
list), c16's objection to c13 dismissed with the tie-break as the reply; the list
becomes final; the mid-term check; the final evaluation, which c05 fails; 10 titles
“电子信息工程学院先进班集体”, only after each class's final evaluation passed; the
college recommends c01, c02, c03 to the school's campaign (3 per college).
"""
import csv
import io
from datetime import datetime, timedelta, timezone

import eventlet
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from core.periods import academic_year_of
from deploy.demo_data import DEMO_PASSWORD, SCHOOL
from services.applications.directory import make_unit
from tests.integration.helpers import PDF
from tests.integration.helpers import finish_job
from tests.integration.helpers import as_job, job_outcome
from tests.integration.helpers import close_applications

# A whole campaign takes minutes on a busy 2-core machine (a slow run fails this test alone).
pytestmark = pytest.mark.timeout(480)

SHANGHAI = timezone(timedelta(hours=8))
ADMIN = "admin"                  # school admin (demo)
EE_ADMIN = "ee_admin"            # 电子信息工程学院 college admin: the college campaign's admin
COUNSELOR = "ee_counselor"
LEAGUE = "ee_league"             # 团总支 rater
TEACHERS = ("ee_teacher1", "ee_teacher2")
REVIEWERS = ("ee_rev1", "ee_rev2")
# 先进班集体's own rater roles (its declaration's rater_roles): the college admin grants
# them through the API in step 7, as a real college would, before the raters rate.
LEAGUE_ROLE, TEACHER_ROLE = "class_collectives:league_branch", "class_collectives:course_teacher"
STAFF_ROLES = {EE_ADMIN: "college_admin", COUNSELOR: "counselor", LEAGUE: None, TEACHERS[0]: None, TEACHERS[1]: None,
               REVIEWERS[0]: "reviewer", REVIEWERS[1]: "reviewer"}
RATERS = {LEAGUE: LEAGUE_ROLE, TEACHERS[0]: TEACHER_ROLE, TEACHERS[1]: TEACHER_ROLE}
COLLEGE = make_unit("college", "电子信息工程学院", SCHOOL, unit_id_="college_ee")
TITLE = "电子信息工程学院先进班集体"


@pytest.fixture
def program_names():
    return ["class_collectives"]


# -- the world ---------------------------------------------------------------------------
TODAY = datetime.now(SHANGHAI).date()
YEAR = academic_year_of(TODAY)
START = int(YEAR[:4])
KEYS = [f"c{k:02d}" for k in range(1, 44)]
ELIGIBLE = KEYS[:40]
YEAR_FOUR = KEYS[40:]
STUDENTS = 30


def grade(key):
    k = int(key[1:])
    return START - 3 if k > 40 else START - (k - 1) % 3


def class_id(key):
    return f"class_ee{key[1:]}"


def student(key, s):
    """Student s (1..30) of a class: login / 学号 ee<class><s>, person id p_<login>."""
    return f"ee{key[1:]}{s:02d}"


def monitor(key):
    return student(key, 1)


def members(key):
    return [f"p_{student(key, s)}" for s in range(1, STUDENTS + 1)]


def directory():
    units, people = [dict(COLLEGE)], []
    for key in KEYS:
        g = grade(key)
        klass = make_unit("class", f"电子{g % 100:02d}{key[1:]}班", COLLEGE, unit_id_=class_id(key), grade=g)
        units.append(klass)
        for d in range(1, 6):
            units.append(make_unit("dorm", f"明德{int(key[1:]) % 4 + 1}号楼{key[1:]}{d}", COLLEGE,
                                   unit_id_=f"dorm_ee{key[1:]}{d}"))
        for s in range(1, STUDENTS + 1):
            login = student(key, s)
            roles = [{"role": "student", "unit_id": klass["_id"]}]
            person = {"_id": f"p_{login}", "login": login, "name": f"{key}同学{s}", "student_no": login,
                      "school_id": SCHOOL["_id"], "college_id": COLLEGE["_id"], "class_id": klass["_id"],
                      "dorm_id": f"dorm_ee{key[1:]}{(s - 1) // 6 + 1}", "branch_id": None, "grade": g,
                      "political_status": "league_member", "veteran": False, "roles": roles}
            if s == 1:
                person["roles"] = roles + [{"role": "class_monitor", "unit_id": klass["_id"]}]
                person["password"] = DEMO_PASSWORD
            people.append(person)
    names = {EE_ADMIN: "钱书记", COUNSELOR: "孔辅导员", LEAGUE: "团总支曹老师", TEACHERS[0]: "严老师",
             TEACHERS[1]: "华老师", REVIEWERS[0]: "金老师", REVIEWERS[1]: "魏老师"}
    for login, role in STAFF_ROLES.items():
        people.append({"_id": f"p_{login}", "login": login, "name": names[login], "school_id": SCHOOL["_id"],
                       "college_id": COLLEGE["_id"], "password": DEMO_PASSWORD,
                       "roles": [{"role": role, "unit_id": COLLEGE["_id"]}] if role else []})
    return units, people


# -- the marks (see the module docstring) -------------------------------------------------
G = {**{f"c{k:02d}": 96 - k for k in range(1, 11)}, "c11": 72, "c12": 99, "c14": 90, "c15": 89,
     **{f"c{k:02d}": 97 - k for k in range(17, 41)}}
SPECIAL = {
    "c13": {"reviewers": (81, 79), "counselor": 95, LEAGUE_ROLE: 80, TEACHER_ROLE: (80, 90)},
    "c16": {"reviewers": (87, 85), "counselor": 82, LEAGUE_ROLE: 80, TEACHER_ROLE: (79,)},
}
REVIEWER_LEAVES = ("civility", "psych", "sports_teams", "sports_activities")


def marks(key):
    if key in SPECIAL:
        return SPECIAL[key]
    g = G[key]
    return {"reviewers": (g + 1, g - 1), "counselor": g, LEAGUE_ROLE: g, TEACHER_ROLE: (g,)}


EXPECTED = {**{f"c{k:02d}": round(25 + 0.65 * (96 - k), 2) for k in range(1, 11)},   # 86.75 ... 80.90
            "c11": 79.80, "c13": 79.25, "c16": 79.25, "c15": 77.85, "c14": 77.50,
            **{f"c{k:02d}": round(25 + 0.65 * (97 - k), 2) for k in range(17, 40)}}  # 77.00 ... 62.70
RANKING = [*[f"c{k:02d}" for k in range(1, 12)], "c13", "c16", "c15", "c14", *[f"c{k:02d}" for k in range(17, 40)]]


# -- helpers ------------------------------------------------------------------------------
def each(fn, items, size=20):
    """fn over items, 20 requests at a time (the integration process is monkey-patched)."""
    return list(eventlet.GreenPool(size).imap(fn, list(items)))


def csv_file(rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def upload(http, login, url, name, data, **fields):
    """The answer to an upload; for one that starts a job (facts), the job's outcome."""
    return job_outcome(http, login, http.as_(login, "POST", url, data={"file": (io.BytesIO(data), name), **fields},
                                             content_type="multipart/form-data"))


def ago(days):
    return (TODAY - timedelta(days=days)).isoformat()


def form(key):
    return {
        "member_ids": members(key), "head_teacher": "王老师",
        "foundation": "班级学风扎实，班委分工明确，坚持每周晚自习互助。",
        "goals": "建设学风优良、团结向上、特色鲜明的先进班集体。",
        "measures": "每周晚自习互助，每月一次主题班会，寝室结对帮扶，组织参加学院心理与体育活动。",
        "expected_outputs": [{"id": "o1", "description": "全班挂科率降至5%以下"},
                             {"id": "o2", "description": "获得院级及以上集体荣誉一项"}],
    }


class Clock:
    """The applications service's clock, moved forward: the deadline and the notice
    period pass without waiting (the platform runs in this process)."""

    def __init__(self, monkeypatch):
        import services.applications.service as module
        from core.envelope import utc_now
        self.offset = timedelta(0)
        monkeypatch.setattr(module, "utc_now", lambda: utc_now() + self.offset)

    def advance(self, delta):
        self.offset += delta


def walk(node):
    yield node
    for kid in node.get("children") or []:
        yield from walk(kid)


def seed(config, http, gateway_app):
    units, people = directory()
    with ClusterRpcProxy(config, timeout=120) as cluster:   # 1,300 people take a while on a busy machine
        cluster.applications.seed_directory(units, [])
        for start in range(0, len(people), 200):
            cluster.applications.seed_directory([], people[start:start + 200])
    # argon2 makes a log-in slow on purpose: the monitors get their tokens the way
    # /api/auth/login issues them; staff log in with their passwords.
    from gateway.auth import issue_token
    with gateway_app.app_context():
        for key in KEYS:
            http.tokens[monitor(key)] = issue_token({"id": f"p_{monitor(key)}", "name": f"{key}班长"})[0]
    for login in (ADMIN, *STAFF_ROLES):
        http.login(login)
    http.login(monitor("c16"))


# -- the campaign ---------------------------------------------------------------------------
def test_a_whole_campaign_from_application_to_title_and_recommendation(rpc, config, http, gateway_app, mongo,
                                                                        monkeypatch):
    clock = Clock(monkeypatch)
    seed(config, http, gateway_app)
    now = datetime.now(timezone.utc)

    # -- 1. the school's campaign (3 recommendations per college) and the college's ------
    def payload(unit_id, closes, **extra):
        return {"program": "class_collectives", "title": f"{YEAR} 学年先进班集体创建", "academic_year": YEAR,
                "unit_id": unit_id, "application_opens_at": (now - timedelta(hours=1)).isoformat(),
                "application_closes_at": closes.isoformat(), **extra}

    school = http.as_(ADMIN, "POST", "/api/campaigns",
                      json=payload(SCHOOL["_id"], now + timedelta(days=300), nomination_quota={"per_college": 3}))
    assert school.status_code == 201, school.json
    school_id = school.json["id"]
    assert school.json["level"] == "school"
    closes = now + timedelta(hours=2)
    opened = http.as_(EE_ADMIN, "POST", "/api/campaigns", json=payload(
        COLLEGE["_id"], closes, parent_campaign_id=school_id, settings={"classes_in_scope": 40}))
    assert opened.status_code == 201, opened.json
    campaign = opened.json
    cid = campaign["id"]
    assert campaign["level"] == "college" and campaign["settings"]["years_of_study"] == [1, 2, 3]
    assert campaign["settings"]["notice_days"] == 5 and campaign["settings"]["classes_in_scope"] == 40
    wrong = http.as_(EE_ADMIN, "POST", "/api/campaigns", json=payload(
        COLLEGE["_id"], closes, settings={"classes_in_scope": "四十"}))
    assert wrong.status_code == 422 and wrong.json["details"][0]["field"] == "settings.classes_in_scope"

    # -- 2. history and facts, imported as the offices keep them (dates: days ago) -------
    # The facts window is the year up to the deadline's date: [deadline day + 1 - 1 year, deadline day + 1).
    header = ["对象类型", "对象编号", "对象名称", "类别", "日期", "课程", "是否必修", "处分", "情况说明", "级别", "名称",
              "来源", "来源编号"]

    def row(kind_zh, subject_kind, subject, day, source, ref, **cols):
        cells = dict.fromkeys(header, "")
        cells.update({"对象类型": subject_kind, "对象编号": subject, "类别": kind_zh, "日期": day, "来源": source,
                      "来源编号": ref}, **cols)
        return [cells[h] for h in header]

    rows = [header,
            row("集体荣誉", "班级", class_id("c11"), ago(150), "校团委", "TW-1", 级别="校级", 名称="校级优良学风班"),
            row("集体荣誉", "班级", class_id("c11"), ago(60), "院团总支", "TZ-1", 级别="院级", 名称="院级五四红旗团支部"),
            row("集体荣誉", "班级", class_id("c11"), ago(500), "团中央", "TZY-1", 级别="国家级", 名称="全国活力团支部"),
            row("课程不及格", "个人", student("c14", 2), ago(100), "教务处", "JW-1", 课程="高等数学", 是否必修="是"),
            row("课程不及格", "个人", student("c14", 3), ago(90), "教务处", "JW-2", 课程="大学物理", 是否必修="是"),
            row("课程不及格", "个人", student("c14", 3), ago(80), "教务处", "JW-3", 课程="线性代数", 是否必修="是"),
            row("课程不及格", "个人", student("c14", 4), ago(70), "教务处", "JW-4", 课程="大学英语", 是否必修="否"),
            row("课程不及格", "个人", student("c16", 7), ago(400), "教务处", "JW-5", 课程="高等数学", 是否必修="是"),
            row("电信诈骗受害", "个人", student("c15", 5), ago(30), "保卫处", "BW-1", 情况说明="刷单返利诈骗"),
            row("违纪处分", "个人", student("c12", 6), ago(200), "教务处", "CF-1", 处分="记过",
                情况说明="期末考试作弊")]
    imported = upload(http, ADMIN, "/api/records/facts/import", "班级事实.csv", csv_file(rows))
    assert imported.status_code == 200, imported.json
    assert imported.json["created"] == len(rows) - 1 == 10
    dorm_titles = csv_file([
        ["对象类型", "对象编号", "对象名称", "项目", "称号", "代码", "类别", "级别", "日期", "成员", "来源", "来源编号"],
        ["寝室", "dorm_ee111", "明德4号楼111", "civilized_dorms", "文明寝室（环境优美型）", "environment", "environment",
         "院级", ago(160), "、".join(f"p_{student('c11', s)}" for s in range(1, 7)), "学生工作处", "WM-1"],
    ])
    imported = upload(http, ADMIN, "/api/records/awards/import", "历史文明寝室.csv", dorm_titles)
    assert imported.status_code == 200 and imported.json["created"] == 1, imported.json

    # -- 3. applications: each monitor drafts with the plan; years 1-3 only -----------------
    def draft(key):
        r = http.as_(monitor(key), "POST", f"/api/campaigns/{cid}/applications", json={"form": form(key)},
                     headers={"Idempotency-Key": f"draft-{key}"})
        assert r.status_code == 201, (key, r.json)
        attached = upload(http, monitor(key), f"/api/applications/{r.json['id']}/attachments", "立项申报表.pdf", PDF,
                          kind="application_form")
        assert attached.status_code == 201, (key, attached.json)
        return key, r.json["id"]

    app = dict(each(draft, KEYS))
    key_of = {v: k for k, v in app.items()}
    repeated = http.as_(monitor("c01"), "PATCH", f"/api/applications/{app['c01']}", json={"form": dict(
        form("c01"), expected_outputs=[{"id": "o1", "description": "全班挂科率降至5%以下"},
                                       {"id": "o1", "description": "获得集体荣誉"}])})
    assert repeated.status_code == 422
    assert repeated.json["details"][0]["field"] == "form.expected_outputs"
    assert repeated.json["details"][0]["message_zh"] == "预期成果编号不能重复：o1"

    def submit(key):
        return key, http.as_(monitor(key), "POST", f"/api/applications/{app[key]}/actions",
                             json={"action": "submit"}, headers={"Idempotency-Key": f"submit-{key}"})

    answers = dict(each(submit, [k for k in KEYS if k != "c40"]))
    refused = {k: r.json for k, r in answers.items() if r.status_code != 200}
    assert sorted(refused) == YEAR_FOUR, {k: v.get("message_zh") for k, v in refused.items()}
    for key in YEAR_FOUR:
        body = refused[key]
        assert answers[key].status_code == 422 and body["field"] == "eligibility"
        assert body["message_zh"] == (f"该班级（{START - 3}级）在 {YEAR} 学年为大四，仅大一、大二、大三班级可申报先进班集体")
        assert f"year 4 of study in {YEAR}" in body["message"]

    # -- 4. late: the deadline passes before c40 submits -----------------------------------
    clock.advance(timedelta(hours=3))
    late = submit("c40")[1]
    assert late.status_code == 409 and late.json["field"] == "application_closes_at", late.json
    assert "逾期不予受理" in late.json["message_zh"]
    submitted = [k for k in ELIGIBLE if k != "c40"]

    # -- 5. the counselor's check (辅导员审核把关) ---------------------------------------------
    def approve(key):
        r = http.as_(COUNSELOR, "POST", f"/api/applications/{app[key]}/actions", json={"action": "college_approve"},
                     headers={"Idempotency-Key": f"approve-{key}"})
        return r.status_code, r.json.get("state")

    assert set(each(approve, submitted)) == {(200, "college_approved")}

    # -- 6. scoring: the working group (2 reviewers a class) ---------------------------------
    base = f"/api/scoring/campaigns/{cid}"
    criteria = http.as_(EE_ADMIN, "GET", base + "/criteria").json
    assert criteria["leaf_shares"] == {"civility": 15.0, "failure_rate": 15.0, "psych": 10.0, "sports_teams": 5.0,
                                       "sports_activities": 5.0, "work_results": 10.0, "fraud": 10.0, "rating": 30.0}
    setup = http.as_(EE_ADMIN, "PUT", base + "/setup", json={
        "reviewers_per_application": 2, "reviewer_ids": [f"p_{r}" for r in REVIEWERS]})
    assert setup.status_code == 200, setup.json
    auto = finish_job(http, EE_ADMIN, http.as_(EE_ADMIN, "POST", base + "/assignments/auto"))
    assert auto["state"] == "succeeded" and len(auto["result"]["created"]) == 2 * 39, auto

    def review(item):
        login, key = item
        scores = {leaf: marks(key)["reviewers"][REVIEWERS.index(login)] for leaf in REVIEWER_LEAVES}
        r = http.as_(login, "POST", f"{base}/applications/{app[key]}/sheet/submit", json={"scores": scores})
        return r.status_code, r.json.get("state")

    assert set(each(review, [(login, key) for login in REVIEWERS for key in submitted])) == {(200, "submitted")}

    # -- 7. 测评 by the counselor, the league branch and the course teachers ----------------
    # The program's own rater roles, offered by their labels, granted by the college admin.
    offered = {r["role"]: r for r in http.as_(EE_ADMIN, "GET", "/api/people/roles").json}
    assert (offered[LEAGUE_ROLE]["label_zh"], offered[TEACHER_ROLE]["label_zh"]) == ("团总支（测评）", "任课教师（测评）")
    assert offered[LEAGUE_ROLE]["grantable"] and offered[TEACHER_ROLE]["program"] == "class_collectives"
    not_yet = http.as_(EE_ADMIN, "POST", base + "/assignments",
                       json={"application_id": app["c01"], "reviewer_id": f"p_{LEAGUE}", "role": LEAGUE_ROLE})
    assert not_yet.status_code == 422 and not_yet.json["field"] == "reviewer_id"     # holds no such role yet
    refused = http.as_(COUNSELOR, "POST", f"/api/people/p_{LEAGUE}/roles",
                       json={"role": LEAGUE_ROLE, "unit_id": COLLEGE["_id"], "reason": "团总支测评"})
    assert refused.status_code == 403                                               # a counselor grants nothing
    for login, role in RATERS.items():
        granted = http.as_(EE_ADMIN, "POST", f"/api/people/p_{login}/roles",
                           json={"role": role, "unit_id": COLLEGE["_id"], "reason": "先进班集体测评"})
        assert granted.status_code == 201, granted.json
    raters = [(COUNSELOR, "counselor", key) for key in submitted] + \
        [(LEAGUE, LEAGUE_ROLE, key) for key in submitted] + \
        [(TEACHERS[0], TEACHER_ROLE, key) for key in submitted] + [(TEACHERS[1], TEACHER_ROLE, "c13")]

    def assign(item):
        login, role, key = item
        r = http.as_(EE_ADMIN, "POST", base + "/assignments",
                     json={"application_id": app[key], "reviewer_id": f"p_{login}", "role": role})
        return r.status_code

    # One at a time: the scoring service lets one change of a campaign's assignments
    # through at once and tells a concurrent one to retry (409).
    assert {assign(item) for item in raters} == {201}
    imported_role = http.as_(EE_ADMIN, "POST", base + "/assignments", json={
        "application_id": app["c01"], "reviewer_id": f"p_{REVIEWERS[0]}", "role": "imported_fact"})
    assert imported_role.status_code == 422                 # facts are nobody's to score

    def rate(item):
        login, role, key = item
        value = marks(key)[role]
        if role == TEACHER_ROLE:
            value = value[TEACHERS.index(login)]
        r = http.as_(login, "POST", f"{base}/applications/{app[key]}/sheet/submit", json={"scores": {"rating": value}})
        return r.status_code, r.json.get("state")

    # A counselor rates 测评 only: a sheet that also scores 文明素养 is refused, nothing kept.
    wrong_leaf = http.as_(COUNSELOR, "POST", f"{base}/applications/{app['c01']}/sheet/submit",
                          json={"scores": {"rating": 95, "civility": 90}})
    assert wrong_leaf.status_code == 403 and "civility" in wrong_leaf.json["message"], wrong_leaf.json
    assert set(each(rate, raters)) == {(200, "submitted")}

    # -- 8. the results, as worked out in the module docstring ---------------------------------
    close_applications(http, EE_ADMIN, cid)
    published = as_job(http, EE_ADMIN, "POST", base + "/results/publish", json={})
    assert published.status_code == 200, published.json
    result = published.json
    assert result["quota"] == 12                             # 30% of 40 classes, not of 39 applicants
    assert [key_of[e["application_id"]] for e in result["selected"]] == RANKING[:12]
    for entry in result["selected"]:
        assert entry["total"] == pytest.approx(EXPECTED[key_of[entry["application_id"]]]), key_of[entry["application_id"]]
    assert [e["rank"] for e in result["selected"]] == list(range(1, 13))
    rest = {key_of[r["application_id"]]: r for r in result["rest"]}
    assert sorted(rest) == sorted(set(submitted) - set(RANKING[:12]))
    assert rest["c12"]["reason"] == "vetoed" and "诚信考试一票否决" in rest["c12"]["message_zh"]
    assert rest["c16"]["reason"] == "below_cut_line" and rest["c16"]["rank"] == 13
    for key in RANKING[12:]:
        assert rest[key]["total"] == pytest.approx(EXPECTED[key]), key
        assert rest[key]["rank"] == RANKING.index(key) + 1
    assert result["cut_line"] == {
        "last_selected": {"application_id": app["c13"], "rank": 12, "total": 79.25},
        "first_not_selected": {"application_id": app["c16"], "rank": 13, "total": 79.25}}

    # The admin's explanation shows the imported marks: c11's 工作成效 4 units -> 80 -> 8
    # points, c14's failure rate 10% -> 60 -> 9 points, and c13's 测评 per role.
    def leaves(key):
        r = http.as_(EE_ADMIN, "GET", f"{base}/applications/{app[key]}/explain")
        assert r.status_code == 200, r.json
        return {n["id"]: n for n in walk(r.json["breakdowns"][0]["tree"])}

    c11 = leaves("c11")
    assert (c11["work_results"]["value"], c11["work_results"]["points"]) == (pytest.approx(0.8), pytest.approx(8.0))
    assert c11["failure_rate"]["value"] == pytest.approx(1.0)
    assert leaves("c14")["failure_rate"]["points"] == pytest.approx(9.0)
    assert leaves("c15")["fraud"]["points"] == pytest.approx(5.0)
    c13 = leaves("c13")["rating"]
    assert c13["by_role"] == {"counselor": pytest.approx(0.95), LEAGUE_ROLE: pytest.approx(0.8),
                              TEACHER_ROLE: pytest.approx(0.85)}
    assert c13["score"] == pytest.approx(87.5)
    c16 = leaves("c16")
    assert c16["failure_rate"]["value"] == pytest.approx(1.0)     # its old failure is outside the window
    assert c16["rating"]["score"] == pytest.approx(80.5)          # 0.4 x 82 + 0.3 x 80 + 0.3 x 79
    theirs = http.as_(monitor("c16"), "GET", f"{base}/applications/{app['c16']}/explain").json
    assert theirs["status"] == "out" and theirs["reason"] == "below_cut_line" and theirs["rank"] == 13

    # -- 9. the public notice (公示, 5 days) and the objections ----------------------------------
    opened_notice = http.as_(EE_ADMIN, "POST", f"/api/campaigns/{cid}/notice", json={})
    assert opened_notice.status_code == 201, opened_notice.json
    v1 = opened_notice.json
    assert v1["days"] == 5 and [key_of[e["application_id"]] for e in v1["entries"]] == RANKING[:12]
    seen = http.as_(monitor("c16"), "GET", f"/api/campaigns/{cid}/notice")
    assert seen.status_code == 200 and len(seen.json["entries"]) == 12 and "objections" not in seen.json

    def object_to(login, key, reason, ref):
        r = http.as_(login, "POST", f"/api/notices/{v1['id']}/objections",
                     json={"application_id": app[key], "reason": reason}, headers={"Idempotency-Key": ref})
        assert r.status_code == 201, r.json
        return r.json

    against_c07 = object_to(monitor("c20"), "c07", "c07 班申报材料所列“校级文明班级”称号经查并未获得，材料不实", "obj-c07")
    against_c13 = object_to(monitor("c16"), "c13", "我班与 c13 班总分相同，应一并入选", "obj-c13")
    early = as_job(http, EE_ADMIN, "POST", f"/api/notices/{v1['id']}/finalise")
    assert early.status_code == 409
    upheld = http.as_(EE_ADMIN, "POST", f"/api/notices/{v1['id']}/objections/{against_c07['id']}/resolve",
                      json={"decision": "upheld", "reply": "经核实申报材料不实，取消该班入选资格", "change": {"remove": True}},
                      headers={"Idempotency-Key": "resolve-c07"})
    assert upheld.status_code == 200, upheld.json
    reply = "总分相同时按测评得分排序：c13 班测评 87.5 分，高于贵班 80.5 分；名额为 40 个班级的 30%，即 12 个"
    dismissed = http.as_(EE_ADMIN, "POST", f"/api/notices/{v1['id']}/objections/{against_c13['id']}/resolve",
                         json={"decision": "dismissed", "reply": reply}, headers={"Idempotency-Key": "resolve-c13"})
    assert dismissed.status_code == 200, dismissed.json
    v2 = http.as_(EE_ADMIN, "GET", f"/api/campaigns/{cid}/notice").json
    on_list = [k for k in RANKING[:12] if k != "c07"]
    assert v2["version"] == 2 and [key_of[e["application_id"]] for e in v2["entries"]] == on_list
    mine = http.as_(monitor("c16"), "GET", f"/api/notices/{v1['id']}/objections").json
    assert [(o["state"], o["resolution"]["reply"]) for o in mine] == [("dismissed", reply)]

    # -- 10. the period passes; the list becomes final ------------------------------------------
    clock.advance(timedelta(days=6))
    too_late = http.as_(monitor("c20"), "POST", f"/api/notices/{v2['id']}/objections",
                        json={"application_id": app["c01"], "reason": "迟到的异议"})
    assert too_late.status_code == 409 and too_late.json["field"] == "closes_at"
    final = as_job(http, EE_ADMIN, "POST", f"/api/notices/{v2['id']}/finalise")
    assert final.status_code == 200, final.json
    assert [key_of[e["application_id"]] for e in final.json["entries"]] == on_list
    states = {key: http.as_(EE_ADMIN, "GET", f"/api/applications/{app[key]}").json["state"]
              for key in ("c01", "c13", "c07", "c16", "c12")}
    assert states == {"c01": "approved", "c13": "approved", "c07": "rejected", "c16": "rejected", "c12": "rejected"}
    assert http.as_(EE_ADMIN, "GET", f"/api/awards?campaign_id={cid}").json == []   # titles wait for 评估考核

    # -- 11. building: the mid-term check, then the June evaluation (c05 falls short) ----------
    def report(stage, key):
        body = {"summary": f"{key} 班按计划开展创建工作：晚自习互助、主题班会、寝室结对。"}
        if stage == "final_evaluation":
            body["outputs"] = [{"id": "o1", "achieved": True, "evidence": "教务处成绩单：挂科率 0%"},
                               {"id": "o2", "achieved": key != "c05", "evidence": "院级优良学风班证书"}]
        r = http.as_(monitor(key), "PUT", f"/api/applications/{app[key]}/stages/{stage}/report", json=body)
        assert r.status_code == 200, (key, r.json)
        verdict = {"result": "pass"} if (stage == "midterm" or key != "c05") else \
            {"result": "fail", "comment": "未获得院级及以上集体荣誉，评定不达标"}
        r = http.as_(EE_ADMIN, "POST", f"/api/applications/{app[key]}/stages/{stage}/assess", json=verdict,
                     headers={"Idempotency-Key": f"assess-{stage}-{key}"})
        assert r.status_code == 200, (key, r.json)
        return key

    skipped = http.as_(monitor("c01"), "PUT", f"/api/applications/{app['c01']}/stages/final_evaluation/report",
                       json={"summary": "跳过中期检查"})
    assert skipped.status_code == 409                        # the mid-term check comes first
    each(lambda k: report("midterm", k), on_list)
    assert http.as_(EE_ADMIN, "GET", f"/api/awards?campaign_id={cid}").json == []
    unaddressed = http.as_(monitor("c01"), "PUT", f"/api/applications/{app['c01']}/stages/final_evaluation/report",
                           json={"summary": "总结", "outputs": [{"id": "o1", "achieved": True, "evidence": "成绩单"}]})
    assert unaddressed.status_code == 422
    assert [d["field"] for d in unaddressed.json["details"]] == ["outputs.o2"]
    assert "获得院级及以上集体荣誉一项" in unaddressed.json["details"][0]["message_zh"]
    report("final_evaluation", "c01")
    first = http.as_(EE_ADMIN, "GET", f"/api/awards?campaign_id={cid}").json
    assert [key_of[a["application_id"]] for a in first] == ["c01"]   # granted when its evaluation passed
    each(lambda k: report("final_evaluation", k), [k for k in on_list if k != "c01"])

    # -- 12. the titles -----------------------------------------------------------------------------
    awards = http.as_(EE_ADMIN, "GET", f"/api/awards?campaign_id={cid}").json
    titled = sorted(key_of[a["application_id"]] for a in awards)
    assert titled == sorted(k for k in on_list if k != "c05") and len(titled) == 10
    c01 = next(a for a in awards if a["application_id"] == app["c01"])
    assert (c01["id"], c01["title"], c01["level"], c01["recipient_id"], c01["code"]) == (
        f"award:{app['c01']}:advanced_class", TITLE, "college", class_id("c01"), "advanced_class")
    assert sorted(c01["member_ids"]) == sorted(members("c01"))
    stages = http.as_(monitor("c05"), "GET", f"/api/applications/{app['c05']}/stages").json
    assert stages["awards"] == [] and stages["stages"][1]["assessment"]["result"] == "fail"
    again = http.as_(EE_ADMIN, "POST", f"/api/applications/{app['c01']}/stages/final_evaluation/assess",
                     json={"result": "pass"})
    assert again.status_code == 409                          # assessed once; the title is not granted twice
    for _ in range(100):   # the records service keeps the title from the award.granted event
        history = http.as_(ADMIN, "GET", f"/api/records/awards?subject_id={class_id('c01')}&program=class_collectives")
        if history.status_code == 200 and history.json:
            break
        eventlet.sleep(0.1)
    else:
        raise AssertionError("the records service never recorded c01's title")
    assert [(h["title"], h["level"], h["academic_year"]) for h in history.json] == [(TITLE, "college", YEAR)]

    # -- 13. the recommendation to the school (3 per college) -------------------------------------
    nominated = as_job(http, EE_ADMIN, "POST", f"/api/campaigns/{cid}/nominations",
                         json={"application_ids": [app["c01"], app["c02"], app["c03"]]})
    assert nominated.status_code == 200, nominated.json
    over = as_job(http, EE_ADMIN, "POST", f"/api/campaigns/{cid}/nominations", json={"application_ids": [app["c04"]]})
    assert over.status_code == 409 and over.json["code"] == "quota_exceeded", over.json
    at_school = http.as_(ADMIN, "GET", f"/api/campaigns/{school_id}/nominations")
    assert at_school.status_code == 200, at_school.json
    text = str(at_school.json)
    assert all(app[k] in text for k in ("c01", "c02", "c03")) and app["c04"] not in text
    school_apps = {a["applicant_id"]: a for a in rpc.applications.internal_applications(school_id)}
    assert sorted(school_apps) == [class_id(k) for k in ("c01", "c02", "c03")]
    c02 = school_apps[class_id("c02")]
    assert c02["state"] == "college_approved" and c02["form"]["goals"] == form("c02")["goals"]
    assert (c02["nominated_from"]["rank"], c02["nominated_from"]["total"]) == (2, pytest.approx(86.10))
