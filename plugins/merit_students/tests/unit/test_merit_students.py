"""三好学生 / 优秀学生干部 on their own: the declaration meets the typed contract, the
class quota by 综合测评 rank, the record conditions and the cadre review, each reason
named; the hooks read the directory and the records through fakes of those services."""
import pytest

from core.declaration import declaration_errors
from core.forms import validate_form
from plugins.merit_students import rules
from plugins.merit_students.program import CADRE, MERIT

CAMPAIGN = {"academic_year": "2025-2026", "application_closes_at": "2026-10-20T09:00:00Z",
            "program_version": None, "settings": MERIT.settings}
WINDOW = {"since": "2025-09-01", "until": "2026-09-01"}


class Records:
    """The records service as the hooks see it (core/records_client.py)."""

    def __init__(self, facts=()):
        self.stored = list(facts)
        self.calls = []

    def facts(self, subject_ids, kinds=None, window=None):
        self.calls.append((list(subject_ids), list(kinds or []), window))
        return [f for f in self.stored if f["subject_id"] in subject_ids and (not kinds or f["kind"] in kinds)]


class Directory:
    """The directory as the hooks see it (core/directory_client.py): a class of `size`."""

    def __init__(self, size):
        self.size = size

    def members(self, unit_ids):
        return [{"id": f"p_{i}", "class_id": unit_ids[0]} for i in range(self.size)]


def fact(kind, day, **value):
    return {"subject_id": "p_1", "kind": kind, "date": day, "value": value}


def eligibility(program, form, facts=(), size=30, rank=None):
    facts = list(facts) + ([fact("merit_students:assessment", "2026-07-01", rank=rank, score=90.5)] if rank else [])
    hooks = program.hooks.bind(Records(facts), Directory(size))
    return hooks.check_eligibility({"applicant": {"kind": "person", "_id": "p_1", "class_id": "class_1"},
                                    "campaign": dict(CAMPAIGN, settings=program.settings), "form": form})


def form(**extra):
    return {"deeds": "认真学习" * 20, **extra}


@pytest.mark.parametrize("program", [MERIT, CADRE], ids=lambda p: p.name)
def test_the_declaration_meets_the_contract(program):
    assert declaration_errors(program.declaration()) == []


def test_the_class_quota_is_a_percentage_half_up():
    assert [rules.class_quota(n, 10) for n in (30, 34, 35, 44, 45)] == [3, 3, 4, 4, 5]
    assert rules.class_quota(30, 5) == 2    # 1.5 → 2, never banker's rounding


def test_rank_within_the_class_quota_from_the_records():
    assert eligibility(MERIT, form(), rank=3) == []
    (outside,) = eligibility(MERIT, form(), rank=4)
    assert outside["code"] == "rank_outside_quota"
    assert outside["message_zh"] == "综合测评班级排名第 4 名，不在班级名额（30 人的 10%，共 3 名）之内"
    assert eligibility(MERIT, form(), rank=4, size=35) == []    # 3.5 → 4 places
    (missing,) = eligibility(MERIT, form())
    assert missing["code"] == "no_assessment" and missing["message_zh"] == "没有 2025-2026 学年综合测评结果的记录"


def test_the_assessment_is_the_programs_own_fact_kind():
    (kind,) = MERIT.declaration()["fact_kinds"]
    assert kind["code"] == "assessment" and kind["label_zh"] == "综合测评"
    assert CADRE.declaration()["fact_kinds"] == []   # it reads merit_students:assessment


def test_no_failed_course_and_no_sanction_in_the_year_each_named():
    reasons = eligibility(MERIT, form(), rank=1, facts=[fact("failed_course", "2026-01-12", course="高等数学", required=True),
                                                 fact("disciplinary", "2026-03-02", severity="warning")])
    assert [r["code"] for r in reasons] == ["failed_course", "disciplinary"]
    assert reasons[0]["message_zh"] == "2026-01-12 课程《高等数学》不及格"
    records = Records()
    MERIT.hooks.bind(records, Directory(30)).check_eligibility(
        {"applicant": {"kind": "person", "_id": "p_1", "class_id": "class_1"}, "campaign": CAMPAIGN, "form": form()})
    assert records.calls == [(["p_1"], ["merit_students:assessment"], WINDOW),
                             (["p_1"], ["failed_course", "disciplinary"], WINDOW)]


def test_a_cadre_needs_a_passed_review_and_the_smaller_quota():
    passed = fact("student_cadre_review", "2026-06-30", position="班长", result="passed")
    assert eligibility(CADRE, form(post="班长"), facts=[passed], rank=2) == []
    assert eligibility(CADRE, form(post="班长"), facts=[passed], rank=3)[0]["code"] == "rank_outside_quota"  # 5% of 30
    (none,) = eligibility(CADRE, form(post="班长"), rank=1)
    assert none["code"] == "no_cadre_review" and "2025-2026" in none["message_zh"]
    failed = fact("student_cadre_review", "2026-06-30", position="班长", result="failed")
    assert eligibility(CADRE, form(post="班长"), facts=[failed], rank=1)[0]["message_zh"] == \
        "2025-2026 学年学生干部考核结果为不合格"


def test_only_a_student_of_a_class_applies():
    hooks = MERIT.hooks.bind(Records(), Directory(30))
    (refused,) = hooks.check_eligibility({"applicant": {"kind": "class", "_id": "class_1"}, "campaign": CAMPAIGN})
    assert refused["code"] == "not_a_student"


def test_scoring_inputs_give_the_veto_facts():
    records = Records([fact("failed_course", "2026-05-02", course="大学物理", required=False)])
    out = MERIT.hooks.bind(records, Directory(30)).scoring_inputs(
        {"campaign": CAMPAIGN, "applications": [{"id": "app_1", "applicant_id": "p_1"},
                                                {"id": "app_2", "applicant_id": "p_2"}]})
    assert out["applications"] == {"app_1": {"facts": {"failed_course": True, "disciplinary": False}},
                                   "app_2": {"facts": {"failed_course": False, "disciplinary": False}}}


def test_the_forms():
    assert validate_form(MERIT.form, form())[1] == []
    problems = validate_form(CADRE.form, form(deeds="太短"))[1]
    assert {p["field"] for p in problems} == {"deeds", "post"}
