"""案例征集 hooks, and the three declarations: they register with the scoring domain,
resolve through their entry points, and their quotas give the notice's numbers."""
from importlib.metadata import entry_points

import pytest

from plugins.class_leading_members.program import ASSESSMENT, CASES, PROGRAMS, SELECTION
from core import uploads as attachments
from services.scoring.domain.quota import quota_size, rules_for_level, select
from services.scoring.programs import definition_from_declaration
from plugins.class_leading_members.tests.unit.fake_directory import FakeDirectory, student
from plugins.class_leading_members.tests.unit.fake_records import FakeRecords, appointment

CAMPAIGN = {"academic_year": "2025-2026", "application_closes_at": "2026-06-22T09:00:00.000Z",
            "settings": CASES.settings, "level": "college", "unit_id": "college_me"}


def test_a_case_is_written_by_a_member_of_the_year():
    records = FakeRecords(awards=[appointment("p_a", "2025-2026")])
    hooks = CASES.hooks.bind(records, FakeDirectory())

    def context(person_id):
        return {"applicant": {"kind": "person"}, "members": [student(person_id)], "campaign": CAMPAIGN}
    assert hooks.check_eligibility(context("p_a")) == []
    (reason,) = hooks.check_eligibility(context("p_x"))
    assert reason["code"] == "not_a_class_leading_member"


def test_forty_percent_is_of_the_colleges_members_not_of_its_cases():
    # college_me appointed 20 for 2025-2026 (p_m01..p_m20), college_em 10; 3 cases came in.
    # Population 20 -> 40% = 8 (however few cases the college received).
    me = [f"p_m{i:02d}" for i in range(1, 21)]
    em = [f"p_e{i:02d}" for i in range(1, 11)]
    records = FakeRecords(awards=[appointment(p, "2025-2026") for p in me + em])
    directory = FakeDirectory(people=[student(p) for p in me] + [student(p, "college_em") for p in em]
                              + [student("p_other")])
    apps = [{"id": f"a{i}", "applicant_id": me[i], "form": {}} for i in range(3)]
    out = CASES.hooks.bind(records, directory).scoring_inputs({"campaign": CAMPAIGN, "applications": apps})
    assert out == {"applications": {}, "population": 20}
    assert quota_size(rules_for_level(CASES.quota_rules, "college"), population=out["population"]) == 8
    school = dict(CAMPAIGN, level="school", unit_id="school_demo")
    assert CASES.hooks.bind(records, directory).scoring_inputs({"campaign": school, "applications": apps}) == \
        {"applications": {}, "population": None}


def test_case_titles_by_level():
    (college,) = CASES.hooks.award_titles({"campaign": CAMPAIGN, "entry": {"rank": 1}})
    assert (college["code"], college["title"], college["level"]) == \
        ("college_recommended", "学生带班党员优秀案例（学院推荐）", "college")
    school = dict(CAMPAIGN, level="school")
    (first,) = CASES.hooks.award_titles({"campaign": school, "entry": {"grade": "first", "grade_name_zh": "一等奖"}})
    assert (first["code"], first["title"], first["level"]) == ("first", "学生带班党员优秀案例一等奖", "school")


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.name)
def test_each_declaration_registers_with_scoring(program):
    definition = definition_from_declaration(program.declaration())
    assert definition["name"] == program.name and definition["applicant_kind"] == "person"
    assert definition["scoring"]["veto_roles"] == ["school_admin", "college_admin"]


def test_the_entry_points_are_these_programs():
    found = {e.name: e for e in entry_points(group="chuangxian.programs")}
    assert found["class_leading_selection"].load() is SELECTION
    assert found["class_leading_assessment"].load() is ASSESSMENT
    assert found["class_leading_cases"].load() is CASES
    assert [p.settings["notice_days"] for p in PROGRAMS] == [5, 5, 3]


def test_quotas_give_the_notices_numbers():
    # Cases, college level: 40% of the members, half up: 20 -> 8, 10 -> 4, 11 -> 4.4 -> 4, 9 -> 3.6 -> 4.
    college = rules_for_level(CASES.quota_rules, "college")
    assert [quota_size(college, population=n) for n in (20, 10, 11, 9)] == [8, 4, 4, 4]
    # School level, 12 nominated cases: 一等奖 10% = 1.2 -> 1, 二等奖 20% = 2.4 -> 2,
    # 三等奖 30% = 3.6 -> 4, 优秀奖 the rest (5) reaching 60.
    school = rules_for_level(CASES.quota_rules, "school")
    assert quota_size(school, applicants=12) == {"first": 1, "second": 2, "third": 4, "merit": None}
    ranked = [{"application_id": f"c{i:02d}", "total": 90.0 - i} for i in range(1, 13)]
    graded = select(ranked, school)["grades"]
    assert [len(graded[g]) for g in ("first", "second", "third", "merit")] == [1, 2, 4, 5]


def test_selection_caps_two_per_new_class_worked_by_hand():
    # Three candidates for class_2601 ranked 1, 2, 3 and one for class_2602 ranked 4:
    # the third for class_2601 is out (unit cap), the one for class_2602 is in; 58 < 60 is out.
    ranked = [{"application_id": "s1", "total": 90.0, "units": {"led_class_id": "class_2601"}},
              {"application_id": "s2", "total": 88.0, "units": {"led_class_id": "class_2601"}},
              {"application_id": "s3", "total": 86.0, "units": {"led_class_id": "class_2601"}},
              {"application_id": "s4", "total": 70.0, "units": {"led_class_id": "class_2602"}},
              {"application_id": "s5", "total": 58.0, "units": {"led_class_id": "class_2602"}}]
    result = select(ranked, SELECTION.quota_rules)
    assert result["selected"] == ["s1", "s2", "s4"]
    assert result["outcomes"]["s3"]["reason"] == "unit_cap_reached"
    assert result["outcomes"]["s3"]["message_zh"] == "排名第 3，但其所带班级已入选 2 个，达到上限"   # no id
    assert result["outcomes"]["s5"]["reason"] == "below_min_score"


def test_cases_need_three_to_five_photos():
    photos = lambda n: [{"kind": "photo"} for _ in range(n)]  # noqa: E731
    assert attachments.missing_required(CASES.attachments, photos(2)) == [
        {"field": "attachments.photo", "message": "At least 3 file(s) of Case photo are needed; 2 uploaded.",
         "message_zh": "案例图片至少需要 3 个，已上传 2 个"}]
    assert attachments.missing_required(CASES.attachments, photos(3)) == []
    from core.errors import ValidationFailed
    with pytest.raises(ValidationFailed) as sixth:
        attachments.check_upload(CASES.attachments, "photo", "6.png", b"\x89PNG\r\n\x1a\n", 1000, photos(5))
    assert sixth.value.message_zh == "案例图片最多 5 个"
    # The assessment needs the essay.
    assert attachments.missing_required(ASSESSMENT.attachments, [])[0]["message_zh"] == "缺少带班征文"
