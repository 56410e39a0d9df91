"""Who may apply: classes in years 1-3 of study of the campaign's academic year."""
import pytest

from plugins.class_collectives.hooks import ClassCollectiveHooks, year_of_study

HOOKS = ClassCollectiveHooks()
CAMPAIGN = {"academic_year": "2023-2024", "settings": {"years_of_study": [1, 2, 3]}}


def klass(grade, kind="class"):
    return {"_id": f"class_{grade}", "kind": kind, "name": f"计算机{str(grade)[2:]}01班", "grade": grade}


@pytest.mark.parametrize("grade, year", [(2023, 1), (2022, 2), (2021, 3), (2020, 4), (2024, 0)])
def test_year_of_study_is_the_academic_years_first_year_minus_the_entry_year_plus_one(grade, year):
    # 2023-2024: 2023 - 2023 + 1 = 1 (大一) ... 2023 - 2020 + 1 = 4 (大四)
    assert year_of_study(grade, "2023-2024") == year


@pytest.mark.parametrize("grade", [2023, 2022, 2021])
def test_years_one_to_three_may_apply(grade):
    assert HOOKS.check_eligibility({"applicant": klass(grade), "campaign": CAMPAIGN}) == []


def test_a_year_four_class_is_refused_naming_its_year():
    [reason] = HOOKS.check_eligibility({"applicant": klass(2020), "campaign": CAMPAIGN})
    assert reason["code"] == "year_not_eligible"
    assert reason["message_zh"] == "该班级（2020级）在 2023-2024 学年为大四，仅大一、大二、大三班级可申报先进班集体"
    assert "year 4 of study in 2023-2024" in reason["message"] and "years 1, 2, 3" in reason["message"]


def test_the_same_class_is_eligible_or_not_depending_on_the_campaigns_year():
    # A 2021 class is in year 3 in 2023-2024 but in year 4 in 2024-2025.
    assert HOOKS.check_eligibility({"applicant": klass(2021), "campaign": CAMPAIGN}) == []
    later = dict(CAMPAIGN, academic_year="2024-2025")
    [reason] = HOOKS.check_eligibility({"applicant": klass(2021), "campaign": later})
    assert "大四" in reason["message_zh"]


def test_a_class_that_has_not_started_yet_is_refused():
    [reason] = HOOKS.check_eligibility({"applicant": klass(2024), "campaign": CAMPAIGN})
    assert reason["code"] == "year_not_eligible" and "year 0 of study" in reason["message"]
    assert reason["message_zh"].startswith("该班级（2024级）在 2023-2024 学年尚未入学，")


def test_a_campaign_may_narrow_the_years():
    campaign = dict(CAMPAIGN, settings={"years_of_study": [1, 2]})
    [reason] = HOOKS.check_eligibility({"applicant": klass(2021), "campaign": campaign})
    assert reason["message_zh"].endswith("仅大一、大二班级可申报先进班集体")


def test_a_class_without_a_recorded_grade_is_refused_with_the_reason():
    unit = klass(2023)
    unit.pop("grade")
    [reason] = HOOKS.check_eligibility({"applicant": unit, "campaign": CAMPAIGN})
    assert reason["code"] == "grade_unknown" and "未登记年级" in reason["message_zh"]


def test_only_classes_apply():
    [reason] = HOOKS.check_eligibility({"applicant": klass(2023, kind="dorm"), "campaign": CAMPAIGN})
    assert reason["code"] == "not_a_class" and reason["message_zh"] == "仅班级可申报先进班集体创建"
