"""A whole 文明寝室 campaign through the gateway, on the whole platform: 300 dorms of
two colleges in six buildings, from the application to the titles.

THE DORMS (each of 4 students; the first is the dorm leader who applies):

    E01..E90  环境优美型 only   type marks m = 9.9 - 0.1(n-1)
    L01..L60  求真学问型 only   m = 9.85 - 0.1(n-1)
    P01..P40  党员示范型 only   m = 7.0 - 0.1(n-1)     (a party member each)
    K01..K40  知行合一型 only   m = 6.25 - 0.1(n-1)    (two cadres who passed their review each)
    R01..R30  科研创新型 only   m = 4.0 - 0.1(n-1)     (an innovation-contest participant each)
    X1        环境优美型 + 党员示范型, m = 9.95 and 8.0 (a veteran member)
    W         won 环境优美型 last year: refused for it, applies for 求真学问型 (m = 1.0)
    Q         党员示范型 without a party member: refused, applies for 环境优美型 (m = 1.0)
    S         fourth-year students: refused (申报对象：大一至大三)
    D01..D36  two types each, m = 1.0 in both (the also-rans)

THE ARITHMETIC. The one reviewer of each dorm gives the convention 10 and every item
of the dorm's type(s) m, so the type part is 40 x m/10 = 4m. The basic conditions
from facts: no make-up exam, no violation, health and fees: 10 each = 30; the
convention 10; no monthly rating and no theory study unless imported. So a dorm's
total is 40 + 4m:  E(n) = 79.6 - 0.4(n-1), L(n) = 79.4 - 0.4(n-1),
P(n) = 68 - 0.4(n-1), K(n) = 65 - 0.4(n-1), R(n) = 56 - 0.4(n-1), X1 79.8 / 72.0.
The imported facts change a few:
    E03  a high-power appliance (-10) and a monthly rating (+10): 78.8, but this campaign
         vetoes high-power appliances (setting inspection_veto_violations): out
    E05  a late return: 78.0 - 10 = 68.0 (not vetoed, just the item lost)
    K20  a monthly rating: 57.4 + 10 = 67.4, the best 知行合一型 dorm
    R16  theory study in 2 months (+2) and m = 2.1: 42 + 8.4 = 50.4 = R15's 56 - 5.6
    L02  vetoed by hand (79.0, out)
    E89, E90  never submitted before the deadline (late: refused)

THE SELECTION (100 dorms, each type 15-25, one type per dorm, best sum of totals):
    求真学问型 25 (its cap): L01, L03..L26 (L26 69.4; L27 69.0 out)
    科研创新型 15 (its floor): R01..R14 and R16, who ties R15 at 50.4 and wins the
               declared tie-break (basic conditions 42 > 40)
    知行合一型 15 (its floor): K20, K01..K14 (K14 59.8; K15 59.4 out)
    环境优美型 + 党员示范型 share 100 - 25 - 15 - 15 = 45 seats: 25 (cap) + 20.
      X1 in 环境优美型 (its best, 79.8) would push out E27 (69.2) and let P20 (60.4) in;
      X1 in 党员示范型 (72.0) pushes out P20 and lets E27 in:
      79.8 + 60.4 = 140.2 < 72.0 + 69.2 = 141.2, so X1 goes to 党员示范型.
    环境优美型 25: E01, E02, E04, E06..E27 (E27 69.2; E28 68.8 out; E05 68.0 out)
    党员示范型 20: X1, P01..P19 (P19 60.8; P20 60.4 out)
    25 + 15 + 15 + 25 + 20 = 100. 知行合一型 cannot take a 16th (K15 59.4) instead of
    P19 (60.8), nor 科研创新型 R15 (50.4) instead of anyone.

THEN: a public notice of 5 days; an objection to P04 is upheld (removed, re-noticed),
one to E01 dismissed; the list of 99 becomes final; every dorm reports at the mid-term
check and the final evaluation; L10 fails the evaluation; 98 type titles, plus the
veteran-dorm title for E01 and X1 (not E60, not selected; not P04, removed): 100
awards, of which 2 on top of the plan. Next year, E01 may not apply for 环境优美型.
"""
import csv
import io
from datetime import datetime, timedelta, timezone

import eventlet
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from core.periods import academic_year_of
from tests.integration.helpers import finish_job
from tests.integration.helpers import as_job, job_outcome
from tests.integration.helpers import close_applications
from deploy.demo_data import COLLEGES, DEMO_PASSWORD, SCHOOL
from services.applications.directory import make_unit

# A whole campaign takes minutes on a busy 2-core machine (a slow run fails this test alone).
pytestmark = pytest.mark.timeout(480)

SHANGHAI = timezone(timedelta(hours=8))
ADMIN = "admin"
COUNSELOR = {"me": "counselor_me", "em": "counselor_em"}
REVIEWERS = [f"rev{i:02d}" for i in range(1, 11)]
# Who logs in with a password (argon2 costs ~0.2 s a hash or a check, on purpose, and
# seed_directory hashes each person's password): the others get their tokens the way
# /api/auth/login issues them (gateway.auth.issue_token).
PASSWORD_LOGINS = ("E01", "rev01")
OBJECTOR = "2023020102"   # 杨帆, a student of the school (demo directory)
LEAVES = {
    "environment": ("env_beautification", "env_culture", "env_aesthetics"),
    "learning": ("learn_activities", "learn_results", "learn_clubs", "learn_wednesday_class"),
    "party_model": ("party_building_activities", "party_model_posts"),
    "knowledge_action": ("ka_activities", "ka_volunteering"),
    "research": ("research_contests", "research_patents"),
}


@pytest.fixture
def program_names():
    return ["civilized_dorms"]


# -- the world ---------------------------------------------------------------------------
TODAY = datetime.now(SHANGHAI).date()
YEAR = academic_year_of(TODAY)                  # the campaign's academic year
START = int(YEAR[:4])
PREVIOUS, TWO_AGO, NEXT = f"{START - 1}-{START}", f"{START - 2}-{START - 1}", f"{START + 1}-{START + 2}"


def ago(days):
    return (TODAY - timedelta(days=days)).isoformat()


def _dorm_specs():
    """key -> {"types", "marks": {type: m}, "grade", "party", "veteran"}, in a fixed order."""
    specs = {}

    def add(key, types, marks, **extra):
        specs[key] = {"types": types, "marks": marks, "grade": START - len(specs) % 3,
                      "party": "party_model" in types, "veteran": False, **extra}

    for prefix, code, count, top in (("E", "environment", 90, 9.9), ("L", "learning", 60, 9.85),
                                     ("P", "party_model", 40, 7.0), ("K", "knowledge_action", 40, 6.25),
                                     ("R", "research", 30, 4.0)):
        for n in range(1, count + 1):
            add(f"{prefix}{n:02d}", [code], {code: round(top - 0.1 * (n - 1), 2)})
    specs["R16"]["marks"]["research"] = 2.1
    add("X1", ["environment", "party_model"], {"environment": 9.95, "party_model": 8.0}, veteran=True)
    add("W", ["environment"], {"learning": 1.0})                   # will switch to 求真学问型
    add("Q", ["party_model"], {"environment": 1.0}, party=False)   # will switch to 环境优美型
    add("S", ["environment"], {"environment": 1.0}, grade=START - 3)
    pairs = [("environment", "learning"), ("learning", "research"), ("party_model", "knowledge_action"),
             ("knowledge_action", "research"), ("environment", "research"), ("learning", "party_model")]
    for n in range(1, 37):
        pair = list(pairs[(n - 1) % len(pairs)])
        add(f"D{n:02d}", pair, {t: 1.0 for t in pair})
    for key in ("E01", "E60", "P04"):
        specs[key]["veteran"] = True
    assert len(specs) == 300
    return specs


SPECS = _dorm_specs()
KEYS = list(SPECS)


def dorm_id(key):
    return f"dorm_cd_{KEYS.index(key):03d}"


def college_of(key):
    return "me" if KEYS.index(key) % 2 == 0 else "em"


def member_no(key, k):
    i = KEYS.index(key)
    return f"{SPECS[key]['grade']}{'01' if college_of(key) == 'me' else '02'}{i:03d}{k}"


def leader(key):
    return member_no(key, 0)


def directory():
    """Units (classes of four grades in each college, 300 dorms in six buildings) and
    people (4 students a dorm, 10 reviewers)."""
    units, people, classes = [], [], {}
    for c in ("me", "em"):
        for grade in range(START - 3, START + 1):
            for k in (1, 2):
                major = "计算机" if c == "me" else "会计"
                klass = make_unit("class", f"{major}{grade % 100:02d}0{k}班", COLLEGES[c],
                                  unit_id_=f"cls_cd_{c}_{grade}_{k}", grade=grade)
                classes[(c, grade, k)] = klass
                units.append(klass)
    for i, key in enumerate(KEYS):
        c, spec = college_of(key), SPECS[key]
        j = i // 2
        room = f"{(j // 3) // 10 + 1}{(j // 3) % 10 + 1:02d}"
        name = f"{'北苑' if c == 'me' else '南苑'}{j % 3 + 1}号楼{room}"
        dorm = make_unit("dorm", name, COLLEGES[c], unit_id_=dorm_id(key))
        units.append(dorm)
        klass = classes[(c, spec["grade"], i % 2 + 1)]
        for k in range(4):
            no = member_no(key, k)
            status = "party_member" if (k == 1 and spec["party"]) else "league_member"
            roles = [{"role": "student", "unit_id": klass["_id"]}]
            person = {"_id": f"p_{no}", "login": no, "name": f"{key}同学{k + 1}", "student_no": no,
                      "school_id": SCHOOL["_id"], "college_id": COLLEGES[c]["_id"], "class_id": klass["_id"],
                      "dorm_id": dorm["_id"], "branch_id": None, "grade": spec["grade"], "political_status": status,
                      "veteran": bool(k == 2 and spec["veteran"]), "roles": roles}
            if k == 0:
                person["roles"] = roles + [{"role": "dorm_leader", "unit_id": dorm["_id"]}]
                if key in PASSWORD_LOGINS:
                    person["password"] = DEMO_PASSWORD
            people.append(person)
    for login in REVIEWERS:
        people.append({"_id": f"p_{login}", "login": login, "name": f"评议组专家{login[-2:]}",
                       "school_id": SCHOOL["_id"], "roles": [{"role": "reviewer", "unit_id": SCHOOL["_id"]}],
                       **({"password": DEMO_PASSWORD} if login in PASSWORD_LOGINS else {})})
    return units, people


def form(types, key):
    return {
        "types": types, "culture_theme": f"{key} 寝室文化",
        "convention": "按时作息，互帮互助，保持整洁，节约水电，文明用语，拒绝违规电器。",
        "work_basis": "寝室坚持周四理论学习，成员团结，连续参加学院寝室文化活动。",
        "goals": "建设文明、和谐、积极向上的示范寝室。",
        "measures": "每周大扫除，每月一次寝室主题活动，党员联系寝室，互助学习。",
        "expected_outputs": [{"id": "o1", "description": "寝室文化墙一面"},
                             {"id": "o2", "description": "每月理论学习记录"}],
    }


def expected_total(key, category):
    """The hand-worked total (see the module docstring)."""
    basic = 40.0
    if key in ("E03", "K20"):
        basic += 10            # a monthly rating won
    if key in ("E03", "E05"):
        basic -= 10            # an inspection violation
    if key == "R16":
        basic += 2             # theory study in 2 months
    return round(basic + 4 * SPECS[key]["marks"][category], 2)


def keys_of(prefix, numbers):
    return [f"{prefix}{n:02d}" for n in numbers]


EXPECTED = {
    "environment": ["E01", "E02", "E04", *keys_of("E", range(6, 28))],
    "learning": ["L01", *keys_of("L", range(3, 27))],
    "party_model": ["X1", *keys_of("P", range(1, 20))],
    "knowledge_action": ["K20", *keys_of("K", range(1, 15))],
    "research": [*keys_of("R", range(1, 15)), "R16"],
}


# -- helpers ------------------------------------------------------------------------------
def each(fn, items, size=20):
    """fn over items, 20 requests at a time (the integration process is monkey-patched)."""
    return list(eventlet.GreenPool(size).imap(fn, list(items)))


def csv_file(rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def upload(http, url, name, data):
    """The answer to an upload; for one that starts a job (facts), the job's outcome."""
    return job_outcome(http, ADMIN, http.as_(ADMIN, "POST", url, data={"file": (io.BytesIO(data), name)},
                                             content_type="multipart/form-data"))


class Clock:
    """The applications service's clock, moved forward: windows and notice periods
    pass without waiting (the platform runs in this process)."""

    def __init__(self, monkeypatch):
        import services.applications.service as module
        from core.envelope import utc_now
        self.offset = timedelta(0)
        monkeypatch.setattr(module, "utc_now", lambda: utc_now() + self.offset)

    def advance(self, delta):
        self.offset += delta


# -- the campaign ---------------------------------------------------------------------------
def test_a_whole_campaign_from_application_to_award(rpc, config, http, gateway_app, monkeypatch):
    clock = Clock(monkeypatch)
    now = datetime.now(timezone.utc)

    # -- 1. the directory: 300 dorms, 1200 students, 10 reviewers ---------------------------
    units, people = directory()
    with ClusterRpcProxy(config, timeout=120) as cluster:   # 1,200 people take a while on a busy machine
        cluster.applications.seed_directory(units, [])
        for start in range(0, len(people), 200):
            cluster.applications.seed_directory([], people[start:start + 200])
    from gateway.auth import issue_token
    with gateway_app.app_context():
        for key in KEYS:
            http.tokens[leader(key)] = issue_token({"id": f"p_{leader(key)}", "name": f"{key}同学1"})[0]
        for login in REVIEWERS[1:]:
            http.tokens[login] = issue_token({"id": f"p_{login}", "name": login})[0]
    del http.tokens[leader("E01")]     # E01's leader logs in with a password like the staff
    for login in (ADMIN, *COUNSELOR.values(), OBJECTOR, "rev01", leader("E01")):
        http.login(login)
    dorm = {key: dorm_id(key) for key in KEYS}
    assert rpc.applications.internal_unit(dorm["X1"])["name"].startswith(("北苑", "南苑"))

    # -- 2. the campaign: school level, deadline in an hour, high-power appliances vetoed ---
    def campaign_payload(year, opens, closes, **settings):
        return {"program": "civilized_dorms", "title": f"{year} 学年文明寝室创建", "academic_year": year,
                "unit_id": SCHOOL["_id"], "application_opens_at": opens.isoformat(),
                "application_closes_at": closes.isoformat(),
                "review_opens_at": (closes + timedelta(minutes=1)).isoformat(),
                "review_closes_at": (closes + timedelta(days=30)).isoformat(), "settings": settings}

    wrong = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload(
        YEAR, now - timedelta(hours=1), now + timedelta(hours=1), inspection_veto_violations="high_power_appliance"))
    assert wrong.status_code == 422 and wrong.json["details"][0]["field"] == "settings.inspection_veto_violations"
    opened = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload(
        YEAR, now - timedelta(hours=1), now + timedelta(hours=1), inspection_veto_violations=["high_power_appliance"]))
    assert opened.status_code == 201, opened.json
    campaign = opened.json
    cid = campaign["id"]
    assert campaign["settings"]["notice_days"] == 5 and campaign["settings"]["years_of_study"] == [1, 2, 3]

    # -- 3. history and facts, imported as the offices keep them --------------------------
    awards_csv = csv_file([
        ["对象类型", "对象编号", "对象名称", "项目", "称号", "代码", "类别", "级别", "学年", "日期", "来源", "来源编号"],
        ["寝室", dorm["W"], "W", "civilized_dorms", "文明寝室（环境优美型）", "environment", "environment", "校级",
         PREVIOUS, f"{START}-06-20", "学生工作处", "XG-W"],
        ["寝室", dorm["E40"], "E40", "civilized_dorms", "文明寝室（环境优美型）", "environment", "environment", "校级",
         TWO_AGO, f"{START - 1}-06-20", "学生工作处", "XG-E40"],
    ])
    imported = upload(http, "/api/records/awards/import", "历史文明寝室.csv", awards_csv)
    assert imported.status_code == 200 and imported.json["created"] == 2, imported.json

    header = ["对象类型", "对象编号", "对象名称", "类别", "日期", "月份", "次数", "是否获评", "违规类型", "职务",
              "考核结果", "名称", "来源", "来源编号"]

    def row(kind_zh, subject_kind, subject, day, source, ref, **cols):
        cells = dict(zip(header, [subject_kind, subject, "", kind_zh, day] + [""] * 9))
        cells.update(cols, 来源=source, 来源编号=ref)
        return [cells[h] for h in header]

    rows = [header]
    for key, spec in SPECS.items():
        if "knowledge_action" in spec["types"]:
            for k, result in ((0, "合格"), (1, "优秀")):
                rows.append(row("学生干部考核", "个人", member_no(key, k), ago(150), "学生工作处",
                                f"GB-{key}-{k}", 职务="班长" if k == 0 else "学习委员", 考核结果=result))
        if "research" in spec["types"]:
            rows.append(row("创新创业竞赛", "个人", member_no(key, 0), ago(500), "创新创业学院", f"CX-{key}",
                            名称="“互联网+”大学生创新创业大赛"))
    month = lambda days: ago(days)[:7]  # noqa: E731
    rows += [
        row("周四理论学习", "寝室", dorm["R16"], ago(100), "学生工作处", "LL-R16-1", 月份=month(100), 次数="2"),
        row("周四理论学习", "寝室", dorm["R16"], ago(40), "学生工作处", "LL-R16-2", 月份=month(40), 次数="1"),
        row("月度文明寝室评比", "寝室", dorm["K20"], ago(60), "宿管中心", "YD-K20", 月份=month(60), 是否获评="是"),
        row("月度文明寝室评比", "寝室", dorm["E03"], ago(70), "宿管中心", "YD-E03", 月份=month(70), 是否获评="是"),
        row("月度文明寝室评比", "寝室", dorm["E05"], ago(70), "宿管中心", "YD-E05", 月份=month(70), 是否获评="否"),
        row("周五寝室检查违规", "寝室", dorm["E03"], ago(75), "大学生自律委员会", "JC-E03", 违规类型="大功率电器"),
        row("周五寝室检查违规", "寝室", dorm["E05"], ago(80), "大学生自律委员会", "JC-E05", 违规类型="晚归"),
    ]
    imported = upload(http, "/api/records/facts/import", "寝室事实.csv", csv_file(rows))
    assert imported.status_code == 200, imported.json
    assert imported.json["created"] == len(rows) - 1 == 52 * 2 + 48 + 7   # 40 + 12 知行合一, 30 + 18 科研创新
    e03 = http.as_(ADMIN, "GET", f"/api/records/facts?subject_id={dorm['E03']}").json
    assert sorted(f["kind"] for f in e03) == ["dorm_inspection", "dorm_monthly_rating"]

    # -- 4. applications: every dorm leader drafts; the window is enforced on the server --
    applied = {key: list(spec["types"]) for key, spec in SPECS.items()}

    def draft(key):
        types = applied[key]
        r = http.as_(leader(key), "POST", f"/api/campaigns/{cid}/applications", json={"form": form(types, key)},
                     headers={"Idempotency-Key": f"draft-{key}"})
        assert r.status_code == 201, (key, r.json)
        return key, r.json["id"]

    app = dict(each(draft, KEYS))
    again = http.as_(leader("E01"), "POST", f"/api/campaigns/{cid}/applications",
                     json={"form": form(["environment"], "E01")}, headers={"Idempotency-Key": "draft-E01"})
    assert again.status_code == 201 and again.json["id"] == app["E01"]   # a retry is the same draft

    def submit(key, attempt=1):
        return key, http.as_(leader(key), "POST", f"/api/applications/{app[key]}/actions", json={"action": "submit"},
                             headers={"Idempotency-Key": f"submit-{key}-{attempt}"})

    on_time = [k for k in KEYS if k not in ("E89", "E90")]
    first = http.as_(leader("E01"), "POST", f"/api/applications/{app['E01']}/actions", json={"action": "submit"})
    assert first.status_code == 200, first.json
    answers = dict(each(submit, [k for k in on_time if k != "E01"]))
    refused = {k: r.json for k, r in answers.items() if r.status_code != 200}
    assert sorted(refused) == ["Q", "S", "W"], {k: v.get("message_zh") for k, v in refused.items()}

    # The same type the year after winning it: refused, naming the year; E40 won it two years ago: fine.
    assert refused["W"]["field"] == "eligibility"
    assert refused["W"]["message_zh"] == (f"该寝室已于 {PREVIOUS} 学年获评环境优美型文明寝室，次年不得重复申报该类型，"
                                          "请选择其他类型")
    assert PREVIOUS in refused["W"]["message"]
    assert answers["E40"].status_code == 200
    # 党员示范型 without a party or probationary member; fourth-year students.
    assert refused["Q"]["message_zh"] == "党员示范型寝室须至少有 1 名成员为中共党员或中共预备党员，该寝室有 0 名"
    assert "申报对象为第 1、2、3 学年的学生寝室" in refused["S"]["message_zh"]
    # W and Q choose another type and are accepted; S cannot apply.
    for key, types in (("W", ["learning"]), ("Q", ["environment"])):
        applied[key] = types
        edited = http.as_(leader(key), "PATCH", f"/api/applications/{app[key]}", json={"form": form(types, key)})
        assert edited.status_code == 200, edited.json
        assert submit(key, attempt=2)[1].status_code == 200
    withdrawn = http.as_(leader("S"), "POST", f"/api/applications/{app['S']}/actions", json={"action": "withdraw"})
    assert withdrawn.status_code == 200

    # -- 5. late: the deadline passes; E89 and E90 never submitted in time --------------------
    clock.advance(timedelta(hours=2))
    for key in ("E89", "E90"):
        late = submit(key)[1]
        assert late.status_code == 409 and late.json["field"] == "application_closes_at", late.json
        assert "逾期不予受理" in late.json["message_zh"]
    submitted = [k for k in on_time if k != "S"]
    assert len(submitted) == 297

    # -- 6. the counselors' pre-review (初审), each of their own college --------------------
    other = "counselor_em" if college_of("E01") == "me" else "counselor_me"
    crossed = http.as_(other, "POST", f"/api/applications/{app['E01']}/actions", json={"action": "college_approve"})
    assert crossed.status_code == 404, crossed.json      # another college's application is not even visible
    returned = http.as_(COUNSELOR[college_of("K03")], "POST", f"/api/applications/{app['K03']}/actions",
                        json={"action": "return", "reason": "请补充学生干部考核证明材料"})
    assert returned.status_code == 200 and returned.json["state"] == "returned"
    # Fixed and resubmitted before the review closes (a new key: the first one's retry
    # would only return the returned application).
    assert submit("K03", attempt=2)[1].json["state"] == "submitted"

    def approve(key):
        r = http.as_(COUNSELOR[college_of(key)], "POST", f"/api/applications/{app[key]}/actions",
                     json={"action": "college_approve"}, headers={"Idempotency-Key": f"approve-{key}"})
        return (r.status_code, r.json.get("state")) if r.status_code == 200 else (r.status_code, r.json)

    approvals = each(approve, submitted)
    assert [a for a in approvals if a != (200, "college_approved")] == []

    # -- 7. the working group: one reviewer a dorm, sheets, a veto by hand ---------------------
    base = f"/api/scoring/campaigns/{cid}"
    setup = http.as_(ADMIN, "PUT", base + "/setup", json={"reviewers_per_application": 1, "aggregation": "mean",
                                                        "reviewer_ids": [f"p_{r}" for r in REVIEWERS]})
    assert setup.status_code == 200, setup.json
    auto = finish_job(http, ADMIN, http.as_(ADMIN, "POST", base + "/assignments/auto"))
    assert auto["state"] == "succeeded" and len(auto["result"]["created"]) == 297, auto
    loads = [auto["result"]["loads"].get(f"p_{r}", 0) for r in REVIEWERS]
    assert sum(loads) == 297 and max(loads) - min(loads) <= 1

    key_of = {v: k for k, v in app.items()}
    work = []
    for login in REVIEWERS:
        mine = http.as_(login, "GET", "/api/scoring/assignments/mine").json
        work += [(login, m["application_id"]) for m in mine if m["campaign_id"] == cid]
    assert len(work) == 297

    def score(item):
        login, aid = item
        key = key_of[aid]
        marks = {"convention": 10}
        for t in applied[key]:
            marks.update({leaf: SPECS[key]["marks"][t] for leaf in LEAVES[t]})
        r = http.as_(login, "POST", f"{base}/applications/{aid}/sheet/submit", json={"scores": marks})
        return r.status_code, r.json.get("state")

    assert set(each(score, work)) == {(200, "submitted")}
    vetoed = http.as_(ADMIN, "POST", f"{base}/applications/{app['L02']}/veto",
                      json={"reason": "实地考察发现寝室成员长期夜不归宿，一票否决"})
    assert vetoed.status_code == 201, vetoed.json

    # -- 8. the results, as worked out in the module docstring ----------------------------------
    close_applications(http, ADMIN, cid)
    published = as_job(http, ADMIN, "POST", base + "/results/publish", json={})
    assert published.status_code == 200, published.json
    result = published.json
    chosen = {}
    for entry in result["selected"]:
        chosen.setdefault(entry["category"], []).append(key_of[entry["application_id"]])
        assert entry["total"] == pytest.approx(expected_total(key_of[entry["application_id"]], entry["category"]))
    assert {c: sorted(ks) for c, ks in chosen.items()} == {c: sorted(ks) for c, ks in EXPECTED.items()}
    assert {c: len(ks) for c, ks in chosen.items()} == {"environment": 25, "learning": 25, "party_model": 20,
                                                         "knowledge_action": 15, "research": 15}
    assert len(result["selected"]) == 100
    names = {e["category"]: e["category_name_zh"] for e in result["selected"]}
    assert names["party_model"] == "党员示范型寝室"
    x1 = next(e for e in result["selected"] if key_of[e["application_id"]] == "X1")
    assert (x1["category"], x1["total"], x1["rank"]) == ("party_model", 72.0, 1)   # not its best type
    rest = {key_of[r["application_id"]]: r for r in result["rest"]}
    assert rest["E03"]["reason"] == "vetoed" and "一票否决" in rest["E03"]["message_zh"]
    assert rest["L02"]["reason"] == "vetoed" and "夜不归宿" in rest["L02"]["message_zh"]
    assert rest["E05"]["reason"] == "below_cut_line" and rest["E05"]["total"] == pytest.approx(68.0)
    # The tie at 科研创新型's cut line: R15 and R16 both 50.4; R16's basic conditions are better.
    assert rest["R15"]["reason"] == "below_cut_line" and rest["R15"]["total"] == pytest.approx(50.4)
    lines = result["cut_lines"]
    assert (key_of[lines["research"]["last_selected"]["application_id"]], lines["research"]["last_selected"]["total"],
            key_of[lines["research"]["first_not_selected"]["application_id"]],
            lines["research"]["first_not_selected"]["total"]) == ("R16", 50.4, "R15", 50.4)
    assert (key_of[lines["environment"]["last_selected"]["application_id"]],
            lines["environment"]["last_selected"]["total"]) == ("E27", 69.2)
    assert (key_of[lines["environment"]["first_not_selected"]["application_id"]],
            lines["environment"]["first_not_selected"]["total"]) == ("E28", 68.8)
    assert (key_of[lines["party_model"]["first_not_selected"]["application_id"]],
            lines["party_model"]["first_not_selected"]["total"]) == ("P20", 60.4)
    assert len(result["rest"]) == 297 - 100

    # -- 9. the public notice (公示, 5 days) and the objections ----------------------------------
    notice = http.as_(ADMIN, "POST", f"/api/campaigns/{cid}/notice", json={})
    assert notice.status_code == 201, notice.json
    v1 = notice.json
    assert len(v1["entries"]) == 100 and v1["version"] == 1
    opens, closes = (datetime.fromisoformat(v1[k].replace("Z", "+00:00")) for k in ("opens_at", "closes_at"))
    assert closes - opens == timedelta(days=5)
    assert "scores" not in str(v1["entries"][0]) and {e["category"] for e in v1["entries"]} == set(EXPECTED)
    seen = http.as_(OBJECTOR, "GET", f"/api/campaigns/{cid}/notice")
    assert seen.status_code == 200 and len(seen.json["entries"]) == 100

    def object_to(key, reason):
        r = http.as_(OBJECTOR, "POST", f"/api/notices/{v1['id']}/objections",
                     json={"application_id": app[key], "reason": reason},
                     headers={"Idempotency-Key": f"objection-{key}"})
        assert r.status_code == 201, r.json
        return r.json

    against_p04 = object_to("P04", "P04 寝室的党员成员本学期已转出该寝室，现寝室无党员，不符合党员示范型条件")
    against_e01 = object_to("E01", "E01 寝室曾晚归")
    early = as_job(http, ADMIN, "POST", f"/api/notices/{v1['id']}/finalise")
    assert early.status_code == 409                       # the period is not over, objections pending
    upheld = http.as_(ADMIN, "POST", f"/api/notices/{v1['id']}/objections/{against_p04['id']}/resolve",
                      json={"decision": "upheld", "reply": "经核实属实，取消该寝室入选资格", "change": {"remove": True}},
                      headers={"Idempotency-Key": "resolve-p04"})
    assert upheld.status_code == 200, upheld.json
    dismissed = http.as_(ADMIN, "POST", f"/api/notices/{v1['id']}/objections/{against_e01['id']}/resolve",
                         json={"decision": "dismissed", "reply": "经查周五检查记录，该寝室无晚归记录"},
                         headers={"Idempotency-Key": "resolve-e01"})
    assert dismissed.status_code == 200, dismissed.json
    v2 = http.as_(ADMIN, "GET", f"/api/campaigns/{cid}/notice").json
    assert v2["version"] == 2 and len(v2["entries"]) == 99
    assert app["P04"] not in {e["application_id"] for e in v2["entries"]}
    replies = {o["application_id"]: o for o in http.as_(OBJECTOR, "GET", f"/api/notices/{v1['id']}/objections").json}
    assert replies[app["E01"]]["resolution"]["reply"] == "经查周五检查记录，该寝室无晚归记录"

    # -- 10. the period passes; late objections are refused; the list becomes final -----------
    clock.advance(timedelta(days=6))
    too_late = http.as_(OBJECTOR, "POST", f"/api/notices/{v2['id']}/objections",
                        json={"application_id": app["E02"], "reason": "迟到的异议"})
    assert too_late.status_code == 409 and too_late.json["field"] == "closes_at"
    final = as_job(http, ADMIN, "POST", f"/api/notices/{v2['id']}/finalise")
    for _ in range(20):   # settling 297 applications may outlast the gateway's wait: finalising again is safe
        if final.status_code != 503:  # the gateway stopped waiting (service_unavailable)
            break
        eventlet.sleep(3)
        final = as_job(http, ADMIN, "POST", f"/api/notices/{v2['id']}/finalise")
    assert final.status_code == 200, final.json
    assert len(final.json["entries"]) == 99
    winners = [k for ks in EXPECTED.values() for k in ks if k != "P04"]
    states = {key: http.as_(ADMIN, "GET", f"/api/applications/{app[key]}").json["state"]
              for key in ("E01", "X1", "P04", "E28", "R15", "E03")}
    assert states == {"E01": "approved", "X1": "approved", "P04": "rejected", "E28": "rejected", "R15": "rejected",
                      "E03": "rejected"}
    assert http.as_(ADMIN, "GET", f"/api/awards?campaign_id={cid}").json == []     # titles wait for 评估考核

    # -- 11. building: mid-term check, then the final evaluation (L10 falls short) ------------
    def report(stage, key):
        body = {"summary": f"{key} 寝室按计划开展创建工作。"}
        if stage == "final_evaluation":
            body["outputs"] = [{"id": "o1", "achieved": True, "evidence": "文化墙照片"},
                               {"id": "o2", "achieved": key != "L10", "evidence": "理论学习记录"}]
        r = http.as_(leader(key), "PUT", f"/api/applications/{app[key]}/stages/{stage}/report", json=body)
        assert r.status_code == 200, (key, r.json)
        verdict = {"result": "pass"} if (stage == "midterm" or key != "L10") else \
            {"result": "fail", "comment": "理论学习记录不全，评定不达标"}
        r = http.as_(ADMIN, "POST", f"/api/applications/{app[key]}/stages/{stage}/assess", json=verdict,
                     headers={"Idempotency-Key": f"assess-{stage}-{key}"})
        return key, r.status_code, r.json

    missing = http.as_(leader("E01"), "PUT", f"/api/applications/{app['E01']}/stages/final_evaluation/report",
                       json={"summary": "跳过中期检查"})
    assert missing.status_code == 409                      # the mid-term check comes first
    assert [(k, body) for k, status, body in each(lambda k: report("midterm", k), winners) if status != 200] == []
    unaddressed = http.as_(leader("E01"), "PUT", f"/api/applications/{app['E01']}/stages/final_evaluation/report",
                           json={"summary": "总结", "outputs": [{"id": "o1", "achieved": True}]})
    assert unaddressed.status_code == 422 and "o2" in str(unaddressed.json)   # every expected outcome addressed
    assessed = each(lambda k: report("final_evaluation", k), winners)
    assert [(k, body) for k, status, body in assessed if status != 200] == []

    # -- 12. the titles: 98 of the types, 2 veteran-dorm titles on top of the plan -------------
    awards = http.as_(ADMIN, "GET", f"/api/awards?campaign_id={cid}").json
    type_titles = [a for a in awards if a["code"] != "veteran"]
    veteran = sorted(key_of[a["application_id"]] for a in awards if a["code"] == "veteran")
    assert len(type_titles) == 98 and veteran == ["E01", "X1"]
    by_key = {(key_of[a["application_id"]], a["code"]): a for a in awards}
    assert ("L10", "learning") not in by_key
    assert by_key[("X1", "party_model")]["title"] == "文明寝室（党员示范型）"
    assert by_key[("E01", "veteran")]["title"] == "退伍军人寝室"
    assert sorted(by_key[("E01", "environment")]["member_ids"]) == sorted(f"p_{member_no('E01', k)}" for k in range(4))
    assert len({a["id"] for a in awards}) == 100
    assert {a["category"] for a in type_titles} == set(EXPECTED)

    # -- 13. next year: E01 may not apply for 环境优美型 again, but for another type ------------
    for _ in range(100):       # the records service keeps the award from the award.granted event
        history = http.as_(ADMIN, "GET", f"/api/records/awards?subject_id={dorm['E01']}").json
        if any(h.get("category") == "environment" and h.get("academic_year") == YEAR for h in history):
            break
        eventlet.sleep(0.1)
    else:
        raise AssertionError("the records service never recorded E01's award")
    later = datetime.now(timezone.utc) + clock.offset
    following = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload(
        NEXT, later - timedelta(hours=1), later + timedelta(days=7)))
    assert following.status_code == 201, following.json
    nid = following.json["id"]
    next_app = http.as_(leader("E01"), "POST", f"/api/campaigns/{nid}/applications",
                        json={"form": form(["environment"], "E01")})
    assert next_app.status_code == 201
    act_url = f"/api/applications/{next_app.json['id']}/actions"
    refused = http.as_(leader("E01"), "POST", act_url, json={"action": "submit"})
    assert refused.status_code == 422 and f"已于 {YEAR} 学年获评环境优美型" in refused.json["message_zh"]
    edited = http.as_(leader("E01"), "PATCH", f"/api/applications/{next_app.json['id']}",
                      json={"form": form(["learning"], "E01")})
    assert edited.status_code == 200, edited.json
    accepted = http.as_(leader("E01"), "POST", act_url, json={"action": "submit"})
    assert accepted.status_code == 200 and accepted.json["state"] == "submitted", accepted.json
