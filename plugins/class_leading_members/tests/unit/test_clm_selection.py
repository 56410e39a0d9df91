"""选拔: rising third-year party members, probationary members, development targets or
activists; the per-class unit and the bad-credit fact for scoring; the appointment title."""
import pytest

from plugins.class_leading_members import rules
from plugins.class_leading_members.program import SELECTION
from plugins.class_leading_members.tests.unit.fake_records import FakeRecords, fact

# Selecting for 2026-2027 (the year the new members lead); the form closes on
# 2026-06-20 17:00 Beijing time = 09:00 UTC.
CAMPAIGN = {"academic_year": "2026-2027", "application_closes_at": "2026-06-20T09:00:00.000Z",
            "settings": SELECTION.settings, "level": "college", "unit_id": "college_me"}


def person(**overrides):
    """A person view as the applications service gives it in `members` at submission."""
    record = {"id": "p_2024010101", "name": "李明", "grade": 2024, "political_status": "party_member",
              "college_id": "college_me", "class_id": "class_me2401"}
    record.update(overrides)
    return record


def reasons(member, campaign=CAMPAIGN, applicant=None):
    """At submission a person applicant is {"kind": "person"}; their record is the one member."""
    context = {"applicant": applicant or {"kind": "person"}, "members": [member], "campaign": campaign, "form": {}}
    return SELECTION.hooks.bind(FakeRecords()).check_eligibility(context)


def test_year_of_study_counts_from_the_entry_year():
    # Entered 2024: 2024-2025 year 1, 2025-2026 year 2, 2026-2027 year 3.
    assert rules.year_of_study(2024, "2026-2027") == 3
    assert rules.year_of_study(2025, "2026-2027") == 2
    assert rules.year_of_study("2023", "2026-2027") == 4
    with pytest.raises(ValueError):
        rules.start_year("2026-2028")


@pytest.mark.parametrize("status", ["party_member", "probationary_member", "development_target", "activist"])
def test_rising_third_years_of_the_four_statuses_are_eligible(status):
    assert reasons(person(political_status=status)) == []


def test_a_student_who_would_be_in_year_two_is_refused_naming_the_years():
    (reason,) = reasons(person(grade=2025))
    assert reason["code"] == "not_rising_third_year"
    assert reason["message_zh"] == "须为 2026-2027 学年即将升读三年级的学生（2024 级）；该生为 2025 级，届时为二年级"
    assert "entered in 2025 and will be in year 2" in reason["message"]


def test_a_league_member_is_refused_naming_the_status():
    (reason,) = reasons(person(political_status="league_member"))
    assert reason["code"] == "political_status"
    assert reason["message_zh"] == "候选人须为中共党员、中共预备党员、发展对象、入党积极分子；该生政治面貌为共青团员"
    assert "political status is league_member" in reason["message"]


def test_every_failed_condition_is_named():
    codes = [r["code"] for r in reasons(person(grade=2023, political_status="masses"))]
    assert codes == ["not_rising_third_year", "political_status"]
    codes = [r["code"] for r in reasons(person(grade=None, political_status=None))]
    assert codes == ["entry_year_unknown", "political_status"]


def test_only_a_person_applies():
    assert reasons(person(), applicant={"kind": "class", "_id": "class_me1"})[0]["code"] == "not_a_person"


def test_the_record_may_also_come_as_the_applicant():
    # When the caller passes the record as `applicant` (as at draft creation), it counts.
    context = {"applicant": dict(person(grade=2025), kind="person"), "campaign": CAMPAIGN}
    (reason,) = SELECTION.hooks.bind(FakeRecords()).check_eligibility(context)
    assert reason["code"] == "not_rising_third_year"


def test_a_campaign_may_change_the_year_and_the_statuses():
    campaign = dict(CAMPAIGN, settings=dict(SELECTION.settings, year_of_study=2, candidate_statuses=["party_member"]))
    assert reasons(person(grade=2025), campaign) == []
    assert reasons(person(grade=2025, political_status="activist"), campaign)[0]["code"] == "political_status"


def _apps():
    return [{"id": "a1", "applicant_id": "p_1", "form": {"led_class_id": "class_2601"}},
            {"id": "a2", "applicant_id": "p_2", "form": {"led_class_id": "class_2601"}},
            {"id": "a3", "applicant_id": "p_3", "form": {"led_class_id": "class_2602"}}]


def test_scoring_inputs_give_the_class_led_and_bad_credit_from_entry_to_the_deadline():
    # Entry of a rising third-year of 2026-2027: 2024. Window [2024-09-01, 2026-06-21):
    # p_1's record of 2025-03-02 counts; p_2's of 2024-08-31 (before entry) and p_3's of
    # 2026-06-21 (the day after the deadline) do not; p_3's of 2026-06-20 (the deadline) does.
    records = FakeRecords(facts=[
        fact("p_1", "bad_credit", "2025-03-02", {"description": "考试作弊"}),
        fact("p_2", "bad_credit", "2024-08-31", {"description": "入学前"}),
        fact("p_3", "bad_credit", "2026-06-21", {"description": "截止后"}),
    ])
    out = SELECTION.hooks.bind(records).scoring_inputs({"campaign": CAMPAIGN, "applications": _apps()})
    assert out == {"applications": {
        "a1": {"units": {"led_class_id": "class_2601"}, "facts": {"bad_credit": True}},
        "a2": {"units": {"led_class_id": "class_2601"}, "facts": {"bad_credit": False}},
        "a3": {"units": {"led_class_id": "class_2602"}, "facts": {"bad_credit": False}}}, "population": None}
    assert records.calls == [("facts", ["p_1", "p_2", "p_3"], ["bad_credit"],
                              {"since": "2024-09-01", "until": "2026-06-21"})]
    on_deadline = FakeRecords(facts=[fact("p_3", "bad_credit", "2026-06-20", {"description": "截止日"})])
    out = SELECTION.hooks.bind(on_deadline).scoring_inputs({"campaign": CAMPAIGN, "applications": _apps()})
    assert out["applications"]["a3"]["facts"] == {"bad_credit": True}


def test_the_appointment_is_the_title():
    (title,) = SELECTION.hooks.award_titles({"campaign": CAMPAIGN, "entry": {"grade": None, "rank": 1}})
    assert title == {"code": "appointed", "title": "学生带班党员", "title_en": "Class-leading student party member",
                     "level": "college", "category": None}
