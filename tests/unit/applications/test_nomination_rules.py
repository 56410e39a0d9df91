"""Nomination upward: which settings a campaign may hold, which applications may go
up, how nominees are named and listed."""
import pytest

from core.errors import QuotaExceeded, ValidationFailed
from services.applications.domain import nomination_rules as rules

SCHOOL = {"_id": "school", "kind": "school", "path": ["school"]}
COLLEGE = {"_id": "college_a", "kind": "college", "path": ["school", "college_a"]}
OTHER_SCHOOL = {"_id": "school_b", "kind": "school", "path": ["school_b"]}
PARENT = {"_id": "cmp_s", "program": "pilot", "level": "school", "unit_id": "school",
          "nomination_quota": {"per_college": 2}}


def fields_of(problems):
    return [p["field"] for p in problems]


@pytest.mark.parametrize("kind", ["class", "dorm", "branch"])
def test_a_campaign_is_opened_at_a_school_or_a_college_only(kind):
    assert rules.level_of(SCHOOL) == "school" and rules.level_of(COLLEGE) == "college"
    with pytest.raises(ValidationFailed) as refused:
        rules.level_of({"_id": f"{kind}_1", "kind": kind, "path": ["school", "college_a", f"{kind}_1"]})
    assert refused.value.field == "unit_id" and f"{kind}_1" in refused.value.message_en
    assert f"{kind}_1" in refused.value.message_zh


def test_a_college_campaign_may_name_a_school_campaign_of_its_program_above_it():
    assert rules.settings_errors("college", COLLEGE, "pilot", "cmp_s", PARENT, None) == []
    assert rules.settings_errors("school", SCHOOL, "pilot", None, None, {"per_college": 2}) == []


def test_a_parent_must_exist_share_the_program_be_school_level_and_lie_above():
    assert fields_of(rules.settings_errors("college", COLLEGE, "pilot", "cmp_x", None, None)) == ["parent_campaign_id"]
    other_program = rules.settings_errors("college", COLLEGE, "dorms", "cmp_s", PARENT, None)
    assert fields_of(other_program) == ["parent_campaign_id"] and "pilot" in other_program[0]["message"]
    college_parent = dict(PARENT, level="college", unit_id="college_a")
    problems = rules.settings_errors("college", COLLEGE, "pilot", "cmp_s", college_parent, None)
    assert len(problems) == 2  # not school-level, and not above the unit (it is the unit)
    elsewhere = dict(PARENT, unit_id="school_b")
    assert fields_of(rules.settings_errors("college", COLLEGE, "pilot", "cmp_s", elsewhere, None)) == [
        "parent_campaign_id"]
    # A school campaign has nothing above it.
    assert fields_of(rules.settings_errors("school", SCHOOL, "pilot", "cmp_s", PARENT, None)) == [
        "parent_campaign_id"]


def test_a_parent_opened_before_levels_counts_as_school_level():
    legacy = {k: v for k, v in PARENT.items() if k != "level"}
    assert rules.settings_errors("college", COLLEGE, "pilot", "cmp_s", legacy, None) == []


def test_only_a_school_campaign_holds_a_nomination_quota():
    problems = rules.settings_errors("college", COLLEGE, "pilot", None, None, {"per_college": 3})
    assert fields_of(problems) == ["nomination_quota"] and problems[0]["message_zh"]


def test_quota_of():
    assert rules.quota_of(PARENT) == 2
    assert rules.quota_of({"nomination_quota": None}) is None and rules.quota_of({}) is None


def test_only_applications_on_the_final_list_go_up_each_once_in_order():
    final = {"_id": "cmp_c", "entries": [{"application_id": "a1", "rank": 1}, {"application_id": "a2", "rank": 2}]}
    assert [e["application_id"] for e in rules.select_entries(final, ["a2", "a1", "a2"])] == ["a2", "a1"]
    with pytest.raises(ValidationFailed) as refused:
        rules.select_entries(final, ["a1", "a9", "a8"])
    assert [d["field"] for d in refused.value.details] == ["application_ids.1", "application_ids.2"]
    assert "a9" in refused.value.details[0]["message"] and "a9" in refused.value.details[0]["message_zh"]


def test_nominated_from_carries_the_college_results():
    campaign = {"_id": "cmp_c", "unit_id": "college_a"}
    entry = {"application_id": "a1", "college_id": "college_a", "rank": 1, "total": 91.5, "grade": "excellent",
             "grade_name_zh": "优秀", "applicant_name": "一支部"}
    assert rules.nominated_from(campaign, entry) == {
        "campaign_id": "cmp_c", "application_id": "a1", "college_id": "college_a", "rank": 1, "total": 91.5,
        "grade": "excellent", "grade_name_zh": "优秀"}
    # An entry without a college comes from the campaign's college.
    assert rules.nominated_from(campaign, {"application_id": "a2"})["college_id"] == "college_a"


def test_ids_are_deterministic_and_distinct():
    assert rules.nomination_id("cmp_s", "a1") == rules.nomination_id("cmp_s", "a1")
    assert len({rules.nomination_id("cmp_s", "a1"), rules.nomination_id("cmp_s", "a2"),
                rules.nomination_id("cmp_t", "a1")}) == 3
    assert rules.nomination_id("cmp_s", "a1").startswith("app_")
    assert rules.copied_attachment_id("n1", "att_1") != rules.copied_attachment_id("n2", "att_1")


def test_a_repeat_is_recognised_by_its_source():
    existing = {"campaign_id": "cmp_s", "nominated_from": {"application_id": "a1"}}
    assert rules.is_same_nomination(existing, "cmp_s", "a1")
    assert not rules.is_same_nomination(existing, "cmp_s", "a2")
    assert not rules.is_same_nomination({"campaign_id": "cmp_s"}, "cmp_s", "a1")  # applied directly


def test_quota_exceeded_names_the_quota():
    error = rules.quota_exceeded(2, 2, 1, "college_a", "cmp_s")
    assert isinstance(error, QuotaExceeded) and error.code == "quota_exceeded"
    assert error.field == "nomination_quota" and error.details["quota"] == 2
    assert "2" in error.message_en and "名额" in error.message_zh


def test_listing_groups_by_college_best_rank_first():
    def nominee(name, college, rank):
        return {"applicant_name": name, "nominated_from": {"college_id": college, "rank": rank}}

    found = [nominee("乙", "college_a", 2), nominee("甲", "college_a", 1), nominee("丙", "college_b", None)]
    groups = rules.group_by_college(found, {"college_a": 2}, 2, {"college_b": "B院", "college_a": "A院"})
    assert [(g["college_id"], g["used"], g["quota"]) for g in groups] == [("college_a", 2, 2), ("college_b", 0, 2)]
    assert [n["applicant_name"] for n in groups[0]["nominations"]] == ["甲", "乙"]
    assert [n["applicant_name"] for n in groups[1]["nominations"]] == ["丙"]
