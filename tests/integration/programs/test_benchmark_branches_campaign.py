"""党建工作样板支部 (seed 004) end to end through the gateway, on the whole platform.

Twelve party branches of two colleges nominate themselves in their college's campaign
(faculty and student branches); their facts are imported through the records HTTP API
with dates worked out against each campaign's closing date D (Asia/Shanghai):
condition 4 looks at [D - 3 years, D), condition 5 at [D - 1 year, D).

    college_me
      me_f1 faculty  eligible: the branch commended (校级) 2 years before D
      me_f2 faculty  eligible: the secretary commended (省级) exactly 3 years before D
      me_f3 faculty  REFUSED 1 + 4: five duties of six; a commendation 3 years and 1 day
                     before D, and only a college-level honour among its members
      me_s1 student  eligible: a "好" in the secretary review; vetoed later at school
      me_s2 student  REFUSED 2 + 3 + 5: two member meetings, no result of the plan, a
                     member's serious violation exactly 1 year before D (another one,
                     1 year and 1 day before, is not named)
      me_s3 student  eligible, but submits after the deadline: REFUSED (late)
    college_em
      em_f1, em_f2 faculty, em_s1, em_s2, em_s3 student  eligible
      em_f3 faculty  REFUSED 4 only: commended, but no member holds a school-level honour
                     (a non-member's honour does not help)

College review (every branch reaching 70 is on the college's list; the school allows 3
nominations per college), then the school's working group, a 5-day notice with an
upheld objection, the final list, the mid-term check and the final evaluation of the
expected outputs; the title 校级党建工作样板支部 goes to the branch that passes and is in
its history (and its members').

Time: passing a notice period needs days, and the late submission needs the deadline
to have passed; the test moves the notice's `closes_at` (and college_me's
`application_closes_at`, after its other branches submitted) a second into the past
in the database — what waiting would do — and nothing else. The closing dates D the
facts were dated against are read before, so the windows do not move.
"""
import csv
import io
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import eventlet
import pytest

from core.periods import years_before
from deploy.demo_data import COLLEGES, DEMO_PASSWORD, SCHOOL
from plugins.benchmark_branches.duties import DUTIES
from services.applications.directory import make_unit
from tests.integration.helpers import PDF, docx_bytes
from tests.integration.helpers import finish_job
from tests.integration.helpers import as_job
from tests.integration.helpers import close_applications

# A whole campaign takes minutes on a busy 2-core machine (a slow run fails this test alone).
pytestmark = pytest.mark.timeout(480)

SHANGHAI = ZoneInfo("Asia/Shanghai")
ADMIN = "admin"
COLLEGE_ADMIN = {"me": "college_admin_me", "em": "college_admin_em"}   # em seeded below
COUNSELOR = {"me": "counselor_me", "em": "counselor_em"}

BRANCH_KEYS = ["me_f1", "me_f2", "me_f3", "me_s1", "me_s2", "me_s3",
               "em_f1", "em_f2", "em_f3", "em_s1", "em_s2", "em_s3"]
BRANCH_NAMES = {"f": "教工第{n}党支部", "s": "本科生第{n}党支部"}
COLLEGE_NAME = {"me": "机电学院", "em": "经管学院"}
REVIEWERS = {"school": ["rev_s1", "rev_s2", "rev_s3"], "me": ["rev_me1", "rev_me2", "rev_me3"],
             "em": ["rev_em1", "rev_em2", "rev_em3"]}


@pytest.fixture
def program_names():
    return ["benchmark_branches"]


# -- the directory ------------------------------------------------------------------------
def branch_id(key):
    return f"branch_{key}"


def secretary(key):
    return f"{key}_sec"


def member(key, n):
    return f"{key}_m{n}"


def directory():
    """12 branches (typed faculty/student), each with a secretary and 3 members; the
    reviewers of the school and both colleges; a college admin for college_em."""
    units, people = [], []
    for key in BRANCH_KEYS:
        college, kind = key[:2], key[3]
        name = COLLEGE_NAME[college] + BRANCH_NAMES[kind].format(n=key[-1])
        units.append(make_unit("branch", name, COLLEGES[college], unit_id_=branch_id(key),
                               branch_type="faculty" if kind == "f" else "student"))
        base = {"school_id": SCHOOL["_id"], "college_id": COLLEGES[college]["_id"], "branch_id": branch_id(key),
                "political_status": "party_member", "password": DEMO_PASSWORD}
        people.append(dict(base, _id=f"p_{secretary(key)}", login=secretary(key), name=f"{key}书记",
                           roles=[{"role": "branch_secretary", "unit_id": branch_id(key)}]))
        for n in (1, 2, 3):
            people.append(dict(base, _id=f"p_{member(key, n)}", login=member(key, n), name=f"{key}党员{n}",
                               roles=[]))
    for group, logins in REVIEWERS.items():
        unit = SCHOOL["_id"] if group == "school" else COLLEGES[group]["_id"]
        for login in logins:
            people.append({"_id": f"p_{login}", "login": login, "name": f"评审{login}", "school_id": SCHOOL["_id"],
                           "college_id": None if group == "school" else unit, "password": DEMO_PASSWORD,
                           "roles": [{"role": "reviewer", "unit_id": unit}]})
    people.append({"_id": "p_college_admin_em", "login": "college_admin_em", "name": "经管学院党委", "password":
                   DEMO_PASSWORD, "school_id": SCHOOL["_id"],
                   "roles": [{"role": "college_admin", "unit_id": COLLEGES["em"]["_id"]}]})
    return units, people


# -- the 申报书 ------------------------------------------------------------------------------
def application_form(key, closes):
    """A complete 申报书 for branch `key`; me_f3 attests five of its six duties, me_s2
    held two member meetings and reports no result of the school's plan."""
    kind = "faculty" if key[3] == "f" else "student"
    duties = [{"duty": d, "evidence": f"{key}：围绕该项职责制定计划并按期落实，形成工作台账。"} for d in DUTIES[kind]]
    results = [{"description": "党员结对帮扶，形成特色做法", "evidence": "工作台账"}]
    meetings = 4
    if key == "me_f3":
        duties = duties[:5]                   # staff_liaison not attested
    if key == "me_s2":
        results, meetings = [], 2
    cycle_end = closes + timedelta(days=700)  # within the 24-month creation cycle
    return {
        "basic_info": {"branch_type": kind, "secretary_name": f"{key}书记", "host_unit": f"{key} 所在系/年级",
                       "full_members": 3, "probationary_members": 1,
                       "introduction": f"{key} 支部现有正式党员3名、预备党员1名。"},
        "roster": [{"person_id": f"p_{secretary(key)}", "name": f"{key}书记", "post": "secretary"},
                   *({"person_id": f"p_{member(key, n)}", "name": f"{key}党员{n}", "post": "member"}
                     for n in (1, 2, 3))],
        "duties": duties,
        "organisational_life": {"member_meetings": meetings, "committee_meetings": 0, "party_lessons": 4,
                                "theme_days": 12, "life_meetings": 1, "democratic_review": True,
                                "innovations": "推行组织生活清单化管理，建立党员积分制度。"},
        "plan_implementation": {"approach": "对照“一融双高”实施方案，党建与业务同谋划同推进。", "results": results},
        "creation_plan": {"ideas": "以党建引领事业发展为主线，打造特色品牌。",
                          "measures": [{"content": "建立党员先锋岗", "due": (closes + timedelta(days=180)).isoformat()},
                                       {"content": "总结形成工作法", "due": cycle_end.isoformat()}]},
        "expected_outputs": [
            {"id": "O1", "category": "experience", "description": f"{key}：形成可复制可推广的“一融双高”经验做法",
             "indicator": "经验材料 1 份"},
            {"id": "O2", "category": "case", "description": f"{key}：申报校级“一融双高”典型案例",
             "indicator": "案例 1 项"},
        ],
    }


# -- facts: dates against the closing date D -------------------------------------------------
def facts_csv(d_me, d_em):
    """Every fact of the test as the office would import them (one CSV)."""
    def years(day, n, minus_days=0):
        return (years_before(day, n) - timedelta(days=minus_days)).isoformat()

    rows = []

    def add(subject_kind, subject, kind, day, **value):
        rows.append({"对象类型": subject_kind, "对象编号": subject, "类别": kind, "日期": day, "来源": "党委组织部",
                     "来源编号": f"ZZB-{len(rows) + 1:03d}", **value})

    def branch(k):
        return branch_id(k)

    def person(login):
        return f"p_{login}"

    honour = {"级别": "校级", "名称": "优秀共产党员"}
    # college_me, D = d_me
    add("党支部", branch("me_f1"), "表彰", years(d_me, 2), 级别="校级", 名称="先进基层党组织")
    add("个人", person(member("me_f1", 1)), "个人荣誉", years(d_me, 1), **honour)
    add("个人", person(secretary("me_f2")), "表彰", years(d_me, 3), 级别="省级", 名称="优秀党务工作者")
    add("个人", person(member("me_f2", 2)), "个人荣誉", years(d_me, 2), 级别="国家级", 名称="全国优秀教师")
    add("个人", person(secretary("me_f3")), "表彰", years(d_me, 3, 1), 级别="校级", 名称="优秀党务工作者")
    add("个人", person(member("me_f3", 1)), "个人荣誉", years(d_me, 1), 级别="院级", 名称="院优秀党员")
    add("个人", person(secretary("me_s1")), "书记述职评议", years(d_me, 1), 评议等次="好")
    add("个人", person(member("me_s1", 1)), "个人荣誉", years(d_me, 1), 级别="校级", 名称="三好学生")
    add("党支部", branch("me_s2"), "表彰", years(d_me, 2), 级别="校级", 名称="先进基层党组织")
    add("个人", person(member("me_s2", 1)), "个人荣誉", years(d_me, 1), 级别="校级", 名称="优秀学生干部")
    add("个人", person(member("me_s2", 2)), "问题与违纪违法", years(d_me, 1), 性质="严重违纪违法", 情况说明="受到党内严重警告处分")
    add("个人", person(member("me_s2", 3)), "问题与违纪违法", years(d_me, 1, 1), 性质="重大事故", 情况说明="一年零一天前")
    add("党支部", branch("me_s3"), "表彰", years(d_me, 1), 级别="校级", 名称="先进基层党组织")
    add("个人", person(member("me_s3", 1)), "个人荣誉", years(d_me, 1), **honour)
    # college_em, D = d_em
    add("党支部", branch("em_f1"), "表彰", years(d_em, 2), 级别="部级（教育部）", 名称="全国党建工作样板支部培育创建单位")
    add("个人", person(member("em_f1", 1)), "个人荣誉", years(d_em, 1), 级别="校级", 名称="师德典型")
    add("党支部", branch("em_f2"), "书记述职评议", years(d_em, 2), 评议等次="好")
    add("个人", person(member("em_f2", 2)), "个人荣誉", years(d_em, 1), 级别="省级", 名称="优秀共产党员")
    add("个人", person(secretary("em_f3")), "表彰", years(d_em, 1), 级别="校级", 名称="优秀党务工作者")
    add("个人", person(member("em_f3", 1)), "个人荣誉", years(d_em, 1), 级别="院级", 名称="院优秀党员")
    add("个人", person(member("em_f2", 3)), "个人荣誉", years(d_em, 1), **honour)   # not em_f3's member
    add("个人", person(secretary("em_s1")), "表彰", years(d_em, 2), 级别="校级", 名称="优秀党务工作者")
    add("个人", person(member("em_s1", 1)), "个人荣誉", years(d_em, 1), 级别="校级", 名称="三好学生")
    add("党支部", branch("em_s2"), "书记述职评议", years(d_em, 1), 评议等次="好")
    add("个人", person(member("em_s2", 3)), "个人荣誉", years(d_em, 1), 级别="校级", 名称="优秀学生干部")
    add("党支部", branch("em_s3"), "表彰", years(d_em, 2), 级别="国家级", 名称="全国先进基层党组织")
    add("个人", person(member("em_s3", 1)), "个人荣誉", years(d_em, 1), **honour)

    columns = ["对象类型", "对象编号", "类别", "日期", "级别", "名称", "评议等次", "性质", "情况说明", "来源", "来源编号"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8"), len(rows)


# -- small helpers -----------------------------------------------------------------------------
def local_date(iso):
    return datetime.fromisoformat(iso).astimezone(SHANGHAI).date()


def parallel(fn, items):
    pool = eventlet.GreenPool(20)
    return list(pool.imap(fn, items))


def upload(http, login, app_id, kind, filename, data):
    response = http.as_(login, "POST", f"/api/applications/{app_id}/attachments",
                        data={"kind": kind, "file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    return response


def act(http, login, app_id, action, reason=None):
    body = {"action": action, **({"reason": reason} if reason else {})}
    return http.as_(login, "POST", f"/api/applications/{app_id}/actions", json=body)


def wait_for(probe, what, seconds=20):
    """Poll `probe` until it returns something truthy (events cross services)."""
    for _ in range(int(seconds / 0.2)):
        value = probe()
        if value:
            return value
        eventlet.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def campaign_payload(title, unit_id, closes_in, **extra):
    now = datetime.now(timezone.utc)
    closes = now + closes_in
    year = now.astimezone(SHANGHAI).year
    return {"program": "benchmark_branches", "title": title, "academic_year": f"{year}-{year + 1}",
            "unit_id": unit_id, "application_opens_at": (now - timedelta(days=1)).isoformat(),
            "application_closes_at": closes.isoformat(),
            "review_opens_at": (closes + timedelta(minutes=1)).isoformat(),
            "review_closes_at": (closes + timedelta(days=10)).isoformat(), **extra}


def score(http, campaign_id, reviewers, marks, setup):
    """Set the scoring up (the campaign's admin), assign every reviewer of the pool to
    every application, and have each reviewer submit `marks[application_id]`."""
    admin = setup.pop("admin")
    saved = http.as_(admin, "PUT", f"/api/scoring/campaigns/{campaign_id}/setup", json=setup)
    assert saved.status_code == 200, saved.json
    auto = finish_job(http, admin, http.as_(admin, "POST", f"/api/scoring/campaigns/{campaign_id}/assignments/auto"))
    assert auto["state"] == "succeeded", auto
    assert len(auto["result"]["created"]) == len(marks) * len(reviewers)

    def submit(pair):
        login, app_id = pair
        url = f"/api/scoring/campaigns/{campaign_id}/applications/{app_id}/sheet/submit"
        done = http.as_(login, "POST", url, json={"scores": marks[app_id]})
        assert done.status_code == 200, done.json
    parallel(submit, [(r, a) for r in reviewers for a in marks])


def publish(http, admin, campaign_id):
    close_applications(http, admin, campaign_id)
    published = as_job(http, admin, "POST", f"/api/scoring/campaigns/{campaign_id}/results/publish", json={})
    assert published.status_code == 200, published.json
    return published.json


def open_notice(http, admin, campaign_id):
    def probe():
        opened = http.as_(admin, "POST", f"/api/campaigns/{campaign_id}/notice", json={})
        return opened if opened.status_code == 201 else None
    return wait_for(probe, "the shortlist to reach the applications service").json


def end_notice_period(mongo, notice_id):
    """What five days of waiting would do: the period ends a second ago."""
    db = mongo("applications")
    doc = db.notices.find_one({"_id": notice_id})
    now = datetime.now(timezone.utc)
    doc["closes_at"] = now - timedelta(seconds=1)
    doc["opens_at"] = doc["closes_at"] - timedelta(days=doc["days"])
    assert db.notices.replace_one({"_id": notice_id}, doc).modified_count == 1


def end_application_window(mongo, campaign_id):
    """What waiting for the deadline would do: the window closed a second ago."""
    db = mongo("applications")
    doc = db.campaigns.find_one({"_id": campaign_id})
    doc["application_closes_at"] = datetime.now(timezone.utc) - timedelta(seconds=1)
    assert db.campaigns.replace_one({"_id": campaign_id}, doc).modified_count == 1


def uniform(mark):
    return {leaf: mark for leaf in ("duties", "organisation", "school_plan", "exemplary", "creation_plan", "outputs")}


def marks6(duties, organisation, school_plan, exemplary, creation_plan, outputs):
    return {"duties": duties, "organisation": organisation, "school_plan": school_plan, "exemplary": exemplary,
            "creation_plan": creation_plan, "outputs": outputs}


# -- the campaign --------------------------------------------------------------------------------
def test_a_benchmark_branch_campaign_from_self_nomination_to_the_title(http, rpc, mongo):
    units, people = directory()
    rpc.applications.seed_directory(units, [])
    for start in range(0, len(people), 10):       # argon2 is slow on purpose: small batches
        rpc.applications.seed_directory([], people[start:start + 10])

    # -- campaigns: the school's (3 nominations per college) and one per college ------------
    school = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload(
        "2024年校级党建工作样板支部评选", SCHOOL["_id"], timedelta(hours=3), nomination_quota={"per_college": 3}))
    assert school.status_code == 201, school.json
    school = school.json
    assert school["level"] == "school" and school["settings"]["notice_days"] == 5
    me = http.as_(COLLEGE_ADMIN["me"], "POST", "/api/campaigns", json=campaign_payload(
        "机电学院党建工作样板支部推荐对象遴选", "college_me", timedelta(hours=2), parent_campaign_id=school["id"]))
    assert me.status_code == 201, me.json
    me = me.json
    em = http.as_(COLLEGE_ADMIN["em"], "POST", "/api/campaigns", json=campaign_payload(
        "经管学院党建工作样板支部推荐对象遴选", "college_em", timedelta(hours=2), parent_campaign_id=school["id"]))
    assert em.status_code == 201, em.json
    em = em.json
    campaigns = {"me": me, "em": em}
    d_me, d_em = local_date(me["application_closes_at"]), local_date(em["application_closes_at"])

    # -- facts through the records HTTP API (one CSV, all or nothing) -----------------------
    data, count = facts_csv(d_me, d_em)
    imported = as_job(http, ADMIN, "POST", "/api/records/facts/import",
                        data={"file": (io.BytesIO(data), "党支部表彰与荣誉.csv")}, content_type="multipart/form-data")
    assert imported.status_code == 200, imported.json
    assert (imported.json["imported"], imported.json["created"]) == (count, count)

    # -- self-nomination: a draft, the 申报书 and the organisational life record -----------
    def draft(key):
        campaign = campaigns[key[:2]]
        created = http.as_(secretary(key), "POST", f"/api/campaigns/{campaign['id']}/applications",
                           json={"form": application_form(key, local_date(campaign["application_closes_at"]))})
        assert created.status_code == 201, created.json
        upload(http, secretary(key), created.json["id"], "application_form",
               f"党建工作样板支部申报书-{key}.docx", docx_bytes())
        upload(http, secretary(key), created.json["id"], "organisational_life_record", "组织生活记录.pdf", PDF)
        return key, created.json["id"]

    def submit(key):
        return key, act(http, secretary(key), apps[key], "submit")

    me_keys = [k for k in BRANCH_KEYS if k.startswith("me")]
    em_keys = [k for k in BRANCH_KEYS if k.startswith("em")]
    apps = dict(parallel(draft, me_keys))
    submitted = dict(parallel(submit, [k for k in me_keys if k != "me_s3"]))   # me_s3 will be late
    apps.update(parallel(draft, em_keys))
    submitted.update(parallel(submit, em_keys))

    eligible = ["me_f1", "me_f2", "me_s1", "em_f1", "em_f2", "em_s1", "em_s2", "em_s3"]
    for key in eligible:
        assert submitted[key].status_code == 200 and submitted[key].json["state"] == "submitted", \
            (key, submitted[key].json)

    # -- refusals: every failed condition named, in Chinese and English ----------------------
    def refusal(key):
        response = submitted[key]
        assert response.status_code == 422 and response.json["field"] == "eligibility", (key, response.json)
        return [(d["message_zh"], d["message"]) for d in response.json["details"]]

    d3, d1 = years_before(d_me, 3), years_before(d_me, 1)
    last = d_me - timedelta(days=1)
    me_f3 = refusal("me_f3")
    assert [zh[:3] for zh, _ in me_f3] == ["条件一", "条件四"]
    assert me_f3[0][0].endswith("密切联系师生员工，维护其正当权益") and "“六项职责”" in me_f3[0][0]
    assert me_f3[0][1].startswith("Condition 1: a faculty branch fulfils 6 duties")
    # the secretary's commendation of D - 3 years - 1 day is outside [D - 3 years, D)
    assert me_f3[1][0] == (f"条件四：近 3 年（{d3} 至 {last}）党支部或党支部书记未获得校级（含）以上表彰，"
                           "且书记述职评议考核未获得“好”等次；没有支部成员获评校级（含）以上荣誉称号")
    me_s2 = refusal("me_s2")
    assert [zh[:3] for zh, _ in me_s2] == ["条件二", "条件三", "条件五"]
    assert me_s2[0][0] == "条件二：近一年组织生活不够规范：支部党员大会 2 次（至少 4 次）"
    assert me_s2[1][0] == "条件三：申报书列出落实“一融双高”实施方案的阶段性成效 0 项，至少需要 1 项"
    # the violation of exactly D - 1 year counts; the incident a day earlier does not
    assert me_s2[2][0] == f"条件五：近 1 年（{d1} 至 {last}）党支部或其成员出现过：{d1} 严重违纪违法（me_s2党员2）"
    assert me_s2[2][1].startswith("Condition 5: in the last 1 year(s)")
    em_f3 = refusal("em_f3")
    assert len(em_f3) == 1 and em_f3[0][0].endswith("没有支部成员获评校级（含）以上荣誉称号")
    assert em_f3[0][1].endswith("no member holds a school-level or higher honour.")
    refused = http.as_(secretary("me_f3"), "GET", f"/api/applications/{apps['me_f3']}").json
    assert refused["state"] == "draft"              # a refusal changes nothing

    # -- the late submission: me_s3's draft is submitted after college_me's deadline ----------
    end_application_window(mongo, me["id"])
    late = act(http, secretary("me_s3"), apps["me_s3"], "submit")
    assert late.status_code == 409 and late.json["code"] == "deadline_passed", late.json
    assert late.json["field"] == "application_closes_at" and "逾期不予受理" in late.json["message_zh"]

    # -- college review: counselors approve, each college's reviewers score ------------------
    parallel(lambda k: act(http, COUNSELOR[k[:2]], apps[k], "college_approve"), eligible)
    # every leaf the same mark m gives a total of 10·m
    college_marks = {"me_f1": 9, "me_s1": 8.5, "me_f2": 7.5,
                     "em_f1": 9, "em_s1": 8.8, "em_f2": 8.4, "em_s2": 7.2, "em_s3": 6}
    for college in ("me", "em"):
        keys = [k for k in college_marks if k.startswith(college)]
        score(http, campaigns[college]["id"], REVIEWERS[college], {apps[k]: uniform(college_marks[k]) for k in keys},
              {"admin": COLLEGE_ADMIN[college], "reviewers_per_application": 3,
               "reviewer_ids": [f"p_{r}" for r in REVIEWERS[college]],
               "conflict": {"fields": ["branch_id"], "same_college": False}})
    results = {c: publish(http, COLLEGE_ADMIN[c], campaigns[c]["id"]) for c in ("me", "em")}
    # college list: every branch reaching 70 (100% of the applicants, min 70)
    assert [(s["application_id"], s["rank"]) for s in results["me"]["selected"]] == [
        (apps["me_f1"], 1), (apps["me_s1"], 2), (apps["me_f2"], 3)]
    assert [s["total"] for s in results["em"]["selected"]] == pytest.approx([90.0, 88.0, 84.0, 72.0])
    assert [(r["application_id"], r["reason"]) for r in results["em"]["rest"]] == [(apps["em_s3"], "below_min_score")]

    # -- each college's list on notice, then final -------------------------------------------
    finals = {}
    for college in ("me", "em"):
        notice = open_notice(http, COLLEGE_ADMIN[college], campaigns[college]["id"])
        assert notice["days"] == 5
        end_notice_period(mongo, notice["id"])
        final = as_job(http, COLLEGE_ADMIN[college], "POST", f"/api/notices/{notice['id']}/finalise")
        assert final.status_code == 200, final.json
        finals[college] = [e["application_id"] for e in final.json["entries"]]
    assert finals["em"] == [apps[k] for k in ("em_f1", "em_s1", "em_f2", "em_s2")]

    # -- nomination: at most 3 per college ---------------------------------------------------------
    four = as_job(http, COLLEGE_ADMIN["em"], "POST", f"/api/campaigns/{em['id']}/nominations",
                    json={"application_ids": finals["em"]})
    assert four.status_code == 409 and four.json["code"] == "quota_exceeded" and four.json["details"]["quota"] == 3
    nominated = {}
    for college in ("me", "em"):
        done = as_job(http, COLLEGE_ADMIN[college], "POST", f"/api/campaigns/{campaigns[college]['id']}/nominations",
                        json={"application_ids": finals[college][:3]})
        assert done.status_code == 200, done.json
        assert (done.json["used"], done.json["quota"]) == (3, 3)
        for n in done.json["nominations"]:
            nominated[n["applicant_id"].removeprefix("branch_")] = n["id"]
    assert sorted(nominated) == ["em_f1", "em_f2", "em_s1", "me_f1", "me_f2", "me_s1"]
    overview = http.as_(ADMIN, "GET", f"/api/campaigns/{school['id']}/nominations").json
    assert overview["per_college"] == 3 and sorted(g["used"] for g in overview["colleges"]) == [3, 3]
    from_em = next(g for g in overview["colleges"] if g["college_id"] == "college_em")
    assert [(n["nominated_from"]["rank"], n["nominated_from"]["total"]) for n in from_em["nominations"]] == \
        [(1, pytest.approx(90.0)), (2, pytest.approx(88.0)), (3, pytest.approx(84.0))]

    # -- a major incident by a member of me_s1, recorded after its nomination -----------------------
    today = datetime.now(SHANGHAI).date().isoformat()
    incident = http.as_(ADMIN, "POST", "/api/records/facts", json={
        "subject_kind": "person", "subject_id": f"p_{member('me_s1', 2)}", "kind": "incident",
        "value": {"severity": "major_incident", "description": "实验室安全重大事故"}, "date": today,
        "source": "保卫处", "source_ref": "BWC-2024-07"})
    assert incident.status_code == 200 and incident.json["status"] == "created", incident.json

    # -- the school's working group -----------------------------------------------------------------
    # total = 2·duties + 2·organisation + 2·school_plan + 1.5·exemplary + 1.5·creation_plan + outputs
    school_marks = {
        "me_s1": uniform(9),                  # 90.0, vetoed (the incident)
        "em_f1": marks6(9, 9, 9, 8, 9, 8),    # 18+18+18+12+13.5+8 = 87.5
        "me_f1": marks6(9, 8, 9, 8, 8, 8),    # 18+16+18+12+12+8 = 84.0
        "em_s1": marks6(8, 8, 9, 8, 8, 8),    # 16+16+18+12+12+8 = 82.0, school_plan 9
        "me_f2": marks6(9, 8, 8, 8, 8, 8),    # 18+16+16+12+12+8 = 82.0, school_plan 8: loses the tie
        "em_f2": uniform(7),                  # 70.0 < 80
    }
    score(http, school["id"], REVIEWERS["school"], {nominated[k]: m for k, m in school_marks.items()},
          {"admin": ADMIN, "reviewers_per_application": 3, "reviewer_ids": [f"p_{r}" for r in REVIEWERS["school"]]})
    body = publish(http, ADMIN, school["id"])
    # 6 nominees (the vetoed one counted): 50% x 6 = 3
    assert body["quota"] == 3
    assert [(s["application_id"], s["rank"]) for s in body["selected"]] == [
        (nominated["em_f1"], 1), (nominated["me_f1"], 2), (nominated["em_s1"], 3)]
    assert [s["total"] for s in body["selected"]] == pytest.approx([87.5, 84.0, 82.0])
    assert body["cut_line"]["last_selected"]["application_id"] == nominated["em_s1"]
    assert body["cut_line"]["first_not_selected"] == {"application_id": nominated["me_f2"], "rank": 4,
                                                      "total": pytest.approx(82.0)}
    rest = {r["application_id"]: r for r in body["rest"]}
    assert rest[nominated["me_f2"]]["reason"] == "below_cut_line"
    assert rest[nominated["em_f2"]]["reason"] == "below_min_score"
    assert rest[nominated["me_s1"]]["reason"] == "vetoed"
    assert "重大事件或严重违纪违法" in rest[nominated["me_s1"]]["message_zh"]

    # -- the 5-day notice; an objection upheld ----------------------------------------------------
    notice = open_notice(http, ADMIN, school["id"])
    assert notice["days"] == 5 and [e["application_id"] for e in notice["entries"]] == \
        [nominated[k] for k in ("em_f1", "me_f1", "em_s1")]
    opens, closes = datetime.fromisoformat(notice["opens_at"]), datetime.fromisoformat(notice["closes_at"])
    assert closes - opens == timedelta(days=5)
    objection = http.as_(member("em_f2", 1), "POST", f"/api/notices/{notice['id']}/objections", json={
        "application_id": nominated["em_s1"], "reason": "该支部所报“阶段性成效”中的帮扶数据与学院台账不符。"})
    assert objection.status_code == 201, objection.json
    upheld = http.as_(ADMIN, "POST", f"/api/notices/{notice['id']}/objections/{objection.json['id']}/resolve", json={
        "decision": "upheld", "reply": "经核实，帮扶数据有误，取消其样板支部资格。", "change": {"remove": True}})
    assert upheld.status_code == 200, upheld.json
    current = http.as_(ADMIN, "GET", f"/api/campaigns/{school['id']}/notice").json
    assert current["version"] == 2 and current["id"] != notice["id"]
    assert [e["application_id"] for e in current["entries"]] == [nominated["em_f1"], nominated["me_f1"]]
    mine = http.as_(member("em_f2", 1), "GET", f"/api/notices/{notice['id']}/objections").json
    assert mine[0]["state"] == "upheld" and mine[0]["resolution"]["reply"].startswith("经核实")

    early = as_job(http, ADMIN, "POST", f"/api/notices/{current['id']}/finalise")
    assert early.status_code == 409, early.json
    end_notice_period(mongo, current["id"])
    too_late = http.as_(member("em_f2", 1), "POST", f"/api/notices/{current['id']}/objections", json={
        "application_id": nominated["me_f1"], "reason": "公示期结束后提出的异议"})
    assert too_late.status_code == 409 and too_late.json["field"] == "closes_at"
    final = as_job(http, ADMIN, "POST", f"/api/notices/{current['id']}/finalise")
    assert final.status_code == 200, final.json
    assert [e["application_id"] for e in final.json["entries"]] == [nominated["em_f1"], nominated["me_f1"]]
    states = {k: http.as_(ADMIN, "GET", f"/api/applications/{a}").json["state"] for k, a in nominated.items()}
    assert states == {"em_f1": "approved", "me_f1": "approved", "em_s1": "rejected", "me_f2": "rejected",
                      "em_f2": "rejected", "me_s1": "rejected"}
    # no title yet: the program has a final evaluation
    assert http.as_(ADMIN, "GET", f"/api/awards?campaign_id={school['id']}").json == []

    # -- the creation cycle: mid-term check, then the final evaluation of the expected outputs ----
    winner, failing = nominated["em_f1"], nominated["me_f1"]
    for key, app_id in (("em_f1", winner), ("me_f1", failing)):
        report = http.as_(secretary(key), "PUT", f"/api/applications/{app_id}/stages/midterm/report",
                          json={"summary": "创建举措按计划推进，党员先锋岗已建立。"})
        assert report.status_code == 200, report.json
        passed = http.as_(ADMIN, "POST", f"/api/applications/{app_id}/stages/midterm/assess",
                          json={"result": "pass", "comment": "按期推进"})
        assert passed.status_code == 200, passed.json
    missing = http.as_(secretary("em_f1"), "PUT", f"/api/applications/{winner}/stages/final_evaluation/report",
                       json={"summary": "两年创建期满。", "outputs": [
                           {"id": "O1", "achieved": True, "evidence": "经验材料已在全校推广"}]})
    assert missing.status_code == 422, missing.json
    assert [d["field"] for d in missing.json["details"]] == ["outputs.O2"]
    assert "em_f1：申报校级“一融双高”典型案例" in missing.json["details"][0]["message_zh"]
    complete = [{"id": "O1", "achieved": True, "evidence": "经验材料已在全校推广"},
                {"id": "O2", "achieved": True, "evidence": "入选校级典型案例"}]
    for key, app_id in (("em_f1", winner), ("me_f1", failing)):
        report = http.as_(secretary(key), "PUT", f"/api/applications/{app_id}/stages/final_evaluation/report",
                          json={"summary": "两年创建期满，预期成效逐项说明如下。", "outputs": complete})
        assert report.status_code == 200, report.json
    passed = http.as_(ADMIN, "POST", f"/api/applications/{winner}/stages/final_evaluation/assess",
                      json={"result": "pass", "comment": "成效显著"})
    assert passed.status_code == 200, passed.json
    failed = http.as_(ADMIN, "POST", f"/api/applications/{failing}/stages/final_evaluation/assess",
                      json={"result": "fail", "comment": "标志性成果未达到申报书承诺"})
    assert failed.status_code == 200, failed.json

    # -- the title: only the branch that passed, in its history and its members' -------------------
    awards = http.as_(ADMIN, "GET", f"/api/awards?campaign_id={school['id']}").json
    assert [(a["recipient_id"], a["title"], a["level"]) for a in awards] == [
        (branch_id("em_f1"), "校级党建工作样板支部", "school")]
    assert awards[0]["id"] == f"award:{winner}:benchmark_branch"
    assert sorted(awards[0]["member_ids"]) == sorted(
        [f"p_{secretary('em_f1')}", *(f"p_{member('em_f1', n)}" for n in (1, 2, 3))])

    def history(subject):
        found = http.as_(ADMIN, "GET", f"/api/records/awards?subject_id={subject}&program=benchmark_branches").json
        return found or None
    branch_history = wait_for(lambda: history(branch_id("em_f1")), "the award to reach the records service")
    assert [(a["title"], a["level"], a["campaign_id"]) for a in branch_history] == [
        ("校级党建工作样板支部", "school", school["id"])]
    assert [a["title"] for a in wait_for(lambda: history(f"p_{member('em_f1', 2)}"), "a member's history")] == \
        ["校级党建工作样板支部"]
    assert http.as_(ADMIN, "GET", f"/api/records/awards?subject_id={branch_id('me_f1')}"
                                  "&program=benchmark_branches").json == []
