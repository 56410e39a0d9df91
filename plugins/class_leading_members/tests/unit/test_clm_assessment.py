"""考核: who is assessed (the year's members, from history), the 标兵 conditions from
facts, grades worked out by hand through the scoring domain's selection."""
from plugins.class_leading_members import rules
from plugins.class_leading_members.program import ASSESSMENT
from services.scoring.domain.quota import quota_size, select
from plugins.class_leading_members.tests.unit.fake_directory import FakeDirectory, student
from plugins.class_leading_members.tests.unit.fake_records import FakeRecords, appointment, fact

# Assessing 2025-2026, closing 2026-06-22 17:00 Beijing time: facts from 2025-09-01 up
# to and including 2026-06-22.
CAMPAIGN = {"academic_year": "2025-2026", "application_closes_at": "2026-06-22T09:00:00.000Z",
            "settings": ASSESSMENT.settings, "level": "college", "unit_id": "college_me"}
WINDOW = {"since": "2025-09-01", "until": "2026-06-23"}


def eligibility(records, person_id, applicant=None):
    """At submission: applicant {"kind": "person"}, the person's record the one member."""
    members = [student(person_id, grade=2023)] if person_id else []
    return ASSESSMENT.hooks.bind(records, FakeDirectory()).check_eligibility(
        {"applicant": applicant or {"kind": "person"}, "members": members, "campaign": CAMPAIGN})


def test_only_the_years_members_are_assessed():
    records = FakeRecords(awards=[appointment("p_a", "2025-2026"), appointment("p_b", "2024-2025"),
                                  appointment("p_c", "2025-2026", source="某学院2025年聘任名单")])
    assert eligibility(records, "p_a") == []
    assert eligibility(records, "p_c") == []     # imported history counts
    (reason,) = eligibility(records, "p_b")       # last year's member
    assert reason["code"] == "not_a_class_leading_member"
    assert reason["message_zh"] == "仅 2025-2026 学年的学生带班党员可参加；记录中没有该生该学年的带班党员聘任"
    assert records.calls[0] == ("awards", ["p_a"], "class_leading_selection", None, ["2025-2026"])
    assert eligibility(records, None)[0]["code"] == "applicant_unknown"
    assert eligibility(records, "p_a", applicant={"kind": "dorm", "_id": "dorm_1"})[0]["code"] == "not_a_person"


def scholarship(person, day, level="third"):
    return fact(person, "scholarship", day, {"level": level, "name": "三好学生奖学金"})


def test_model_conditions_from_facts():
    # Every condition met: a third-class scholarship in the year, no failed course, no
    # violation in the class led.
    assert rules.model_shortfalls([scholarship("p", "2025-10-15")], []) == []
    codes = [s["code"] for s in rules.model_shortfalls(
        [scholarship("p", "2025-10-15", "first"), fact("p", "failed_course", "2026-01-20", {"course": "高数"}),
         fact("p", "bad_credit", "2026-03-01", {"description": "x"})],
        [fact("class_1", "disciplinary", "2026-04-01", {"severity": "warning"}, "class")])]
    assert codes == ["bad_credit", "failed_course", "class_discipline"]
    assert [s["code"] for s in rules.model_shortfalls([], [])] == ["no_scholarship"]


def test_scholarship_levels():
    assert [rules.scholarship_rank(v) for v in ({"level": "special"}, {"level": "first"}, "二等", "三好学生三等奖学金",
                                                 3, {"level": "励志"}, None, True)] == [0, 1, 2, 3, 3, None, None, None]


def _app(aid, person, klass):
    return {"id": aid, "applicant_id": person, "college_id": "college_me", "form": {"led_class_id": klass}}


def test_scoring_inputs_grade_eligibility_facts_and_population():
    apps = [_app("a1", "p_1", "class_1"), _app("a2", "p_2", "class_2"), _app("a3", "p_3", "class_3"),
            _app("a4", "p_4", "class_4"), _app("a5", "p_5", "class_5"), _app("a6", "p_6", "class_6")]
    records = FakeRecords(facts=[
        scholarship("p_1", "2025-10-15"),                                         # a1: qualifies
        scholarship("p_2", "2025-10-15", "first"),
        fact("p_2", "failed_course", "2026-01-20", {"course": "大学物理", "required": True}),  # a2: failed
        scholarship("p_3", "2024-10-15", "first"),                               # a3: last year's only
        scholarship("p_4", "2025-10-15"),
        fact("class_4", "disciplinary", "2026-05-10", {"severity": "warning", "description": "晚归"}, "class"),
        scholarship("p_5", "2025-10-15"),
        fact("class_5", "disciplinary", "2025-06-10", {"severity": "warning", "description": "上学年"}, "class"),
        scholarship("p_6", "2025-10-15"),
        fact("p_6", "bad_credit", "2026-06-22", {"description": "助学贷款逾期"}),  # on the deadline: counts
        fact("p_1", "failed_course", "2026-06-23", {"course": "补考", "required": True}),  # after: not counted
        # A freshman of class_1 (led by p_1) was sanctioned after the deadline: not counted;
        # one of class_2 (led by p_2) within the year: counts against the class.
        fact("p_fresh1", "disciplinary", "2026-07-01", {"severity": "warning", "description": "暑期"}),
        fact("p_fresh2", "disciplinary", "2026-05-20", {"severity": "warning", "description": "夜不归宿"}),
    # Appointed members of college_me who did not apply (p_7) and of college_em (p_em1),
    # and last year's member p_8: the population is college_me's 6 applicants + p_7 = 7.
    ], awards=[appointment(p, "2025-2026") for p in ("p_1", "p_2", "p_3", "p_4", "p_5", "p_6", "p_7", "p_em1")]
        + [appointment("p_8", "2024-2025")])
    directory = FakeDirectory(people=[
        *[student(f"p_{i}", class_id="class_me1") for i in range(1, 9)], student("p_em1", "college_em", "class_em1"),
        student("p_fresh1", class_id="class_1"), student("p_fresh2", class_id="class_2")])
    out = ASSESSMENT.hooks.bind(records, directory).scoring_inputs({"campaign": CAMPAIGN, "applications": apps})
    got = {aid: (e["grades_eligible"], e["facts"]["bad_credit"], e["facts"]["model_conditions_unmet"])
           for aid, e in out["applications"].items()}
    assert got == {
        "a1": (["model", "excellent"], False, []),
        "a2": (["excellent"], False, ["failed_course", "class_discipline"]),
        "a3": (["excellent"], False, ["no_scholarship"]),
        "a4": (["excellent"], False, ["class_discipline"]),
        "a5": (["model", "excellent"], False, []),
        "a6": (["excellent"], True, ["bad_credit"]),
    }
    assert out["population"] == 7
    classes = ["class_1", "class_2", "class_3", "class_4", "class_5", "class_6"]
    assert records.calls[:2] == [
        ("facts", ["p_1", "p_2", "p_3", "p_4", "p_5", "p_6"], ["bad_credit", "failed_course", "scholarship"], WINDOW),
        ("facts", sorted(classes + ["p_fresh1", "p_fresh2"]), ["disciplinary"], WINDOW)]
    assert directory.calls == [("members", classes), ("members", ["college_me"])]


def test_a_school_level_campaign_has_no_college_population():
    out = ASSESSMENT.hooks.bind(FakeRecords(), FakeDirectory()).scoring_inputs(
        {"campaign": dict(CAMPAIGN, level="school", unit_id="school_demo"), "applications": []})
    assert out == {"applications": {}, "population": None}


def test_grades_worked_by_hand_the_best_with_a_failed_course_is_excellent():
    # 20 members: 标兵 = 15% x 20 = 3. Totals 95, 94, ..., 76 in rank order m01..m20.
    # m01 (best) failed a course: not 标兵. The three best who qualify: m02, m03, m04.
    # Everyone else reaching 60 is 优秀, m01 included; m20 is vetoed (bad credit).
    candidates = [{"application_id": f"m{i:02d}", "total": 96.0 - i,
                   "grades_eligible": ["excellent"] if i == 1 else ["model", "excellent"]} for i in range(1, 21)]
    result = select(candidates, ASSESSMENT.quota_rules, vetoes=["m20"], population=20)
    assert result["quota"] == {"model": 3, "excellent": None}
    assert result["grades"]["model"] == ["m02", "m03", "m04"]
    assert result["grades"]["excellent"] == ["m01"] + [f"m{i:02d}" for i in range(5, 20)]
    assert result["outcomes"]["m20"]["reason"] == "vetoed"
    # 10 members: 15% x 10 = 1.5 -> 2 (half up).
    small = select(candidates[:10], ASSESSMENT.quota_rules, population=10)
    assert small["quota"]["model"] == 2 and small["grades"]["model"] == ["m02", "m03"]
    # 30 members: 15% x 30 = 4.5 -> 5 (half up; banker's rounding would give 4).
    assert quota_size(ASSESSMENT.quota_rules, population=30) == {"model": 5, "excellent": None}


def test_titles_by_grade():
    model = ASSESSMENT.hooks.award_titles({"campaign": CAMPAIGN, "entry": {"grade": "model", "grade_name_zh": "标兵"}})
    excellent = ASSESSMENT.hooks.award_titles({"campaign": CAMPAIGN, "entry": {"grade": "excellent"}})
    assert [(t["code"], t["title"], t["level"]) for t in model + excellent] == [
        ("model", "学生带班党员标兵", "school"), ("excellent", "优秀学生带班党员", "school")]
