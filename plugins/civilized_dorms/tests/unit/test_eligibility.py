"""Who may apply for which type (check_eligibility), with hand-worked dates.

Campaign 2023-2024, deadline 2023-10-18 17:00 Beijing time: the previous academic year
is 2022-2023; "the last year" is 2022-10-19 <= date < 2023-10-19; "the last 4 years"
(innovation contests) is 2019-10-19 <= date < 2023-10-19.
"""
from plugins.civilized_dorms.tests.unit.support import (
    FakeRecords, award, campaign, dorm, fact, good_form, hooks, person,
)

MEMBERS = [person("p1", "party_member"), person("p2"), person("p3"), person("p4")]


def check(types, members=MEMBERS, records=None, camp=None, applicant=None):
    records = records or FakeRecords()
    reasons = hooks(records).check_eligibility({
        "applicant": applicant or dorm(members=members), "campaign": camp or campaign(),
        "form": good_form(types=types)})
    return reasons, records


def codes(reasons):
    return [r["code"] for r in reasons]


# -- the same type the next year ---------------------------------------------------------
def test_a_type_won_last_year_is_refused_naming_the_year_another_type_is_fine():
    records = FakeRecords(awards=[award("dorm_a", "environment", "2022-2023")])
    reasons, records = check(["environment"], records=records)
    assert codes(reasons) == ["won_last_year"]
    assert "2022-2023" in reasons[0]["message"] and "2022-2023" in reasons[0]["message_zh"]
    assert reasons[0]["message_zh"] == "该寝室已于 2022-2023 学年获评环境优美型文明寝室，次年不得重复申报该类型，请选择其他类型"
    # Asked exactly: this dorm, this program, the type (by code and by name), last year.
    assert records.calls[0] == ("awards", ["dorm_a"], "civilized_dorms", ["environment", "环境优美型"], None,
                                ["2022-2023"])
    assert check(["learning"], records=FakeRecords(awards=[award("dorm_a", "environment", "2022-2023")]))[0] == []


def test_two_types_only_the_one_won_is_refused_and_older_wins_do_not_count():
    records = FakeRecords(awards=[award("dorm_a", "环境优美型", "2022-2023"),        # imported, named in Chinese
                                  award("dorm_a", "learning", "2021-2022"),          # two years ago
                                  award("dorm_b", "party_model", "2022-2023"),       # another dorm
                                  award("dorm_a", "party_model", "2022-2023", program="class_collectives")])
    reasons, _ = check(["environment", "learning"], records=records)
    assert codes(reasons) == ["won_last_year"] and "环境优美型" in reasons[0]["message_zh"]
    assert check(["learning", "party_model"], records=records)[0] == []


def test_the_previous_year_follows_the_campaigns_academic_year():
    records = FakeRecords(awards=[award("dorm_a", "research", "2023-2024")])
    camp = dict(campaign(), academic_year="2024-2025", application_closes_at="2024-10-18T09:00:00.000Z")
    members = [person("p1", grade=2023), person("p9")]
    records._facts.append(fact("p1", "innovation_contest", "2024-05-01", name="互联网+"))
    reasons, records = check(["research"], members=members, records=records, camp=camp)
    assert codes(reasons) == ["won_last_year"] and "2023-2024" in reasons[0]["message"]


# -- the type conditions ---------------------------------------------------------------------
def test_party_model_needs_a_party_or_probationary_member():
    assert check(["party_model"])[0] == []
    probationary = [person("p1", "probationary_member"), person("p2")]
    assert check(["party_model"], members=probationary)[0] == []
    # An activist or a development target is not yet a member of the party.
    none = [person("p1", "activist"), person("p2", "development_target"), person("p3", "league_member")]
    reasons, _ = check(["party_model"], members=none)
    assert codes(reasons) == ["type_condition"]
    assert reasons[0]["message_zh"] == "党员示范型寝室须至少有 1 名成员为中共党员或中共预备党员，该寝室有 0 名"
    # A campaign may ask for more (setting kept with its type).
    reasons, _ = check(["party_model"], camp=campaign(party_model_min_party_members=2))
    assert "至少有 2 名" in reasons[0]["message_zh"] and "有 1 名" in reasons[0]["message_zh"]


def test_knowledge_action_needs_two_cadres_who_passed_their_review_in_the_last_year():
    facts = [fact("p1", "student_cadre_review", "2023-06-20", position="班长", result="passed"),
             fact("p2", "student_cadre_review", "2023-10-18", position="团支书", result="excellent"),  # deadline day
             fact("p3", "student_cadre_review", "2023-06-20", position="学习委员", result="failed"),
             fact("p4", "student_cadre_review", "2022-10-18", position="宣传委员", result="passed")]   # a day too old
    assert check(["knowledge_action"], records=FakeRecords(facts))[0] == []
    reasons, records = check(["knowledge_action"], records=FakeRecords(facts[1:]))
    assert codes(reasons) == ["type_condition"]
    assert reasons[0]["message_zh"] == "知行合一型寝室须至少有 2 名成员担任学生干部且考核合格，该寝室有 1 名"
    assert records.calls[-1] == ("facts", ["p1", "p2", "p3", "p4"], ["student_cadre_review", "failed_course"],
                                 {"last_years": 1, "until": "2023-10-19"})


def test_research_needs_an_innovation_contestant_in_the_last_four_years():
    old = fact("p2", "innovation_contest", "2019-10-18", name="挑战杯")           # a day before the 4 years
    assert codes(check(["research"], records=FakeRecords([old]))[0]) == ["type_condition"]
    recent = fact("p2", "innovation_contest", "2019-10-19", name="挑战杯", patent=True)
    reasons, records = check(["research"], records=FakeRecords([old, recent]))
    assert reasons == []
    assert records.calls[-1][3] == {"last_years": 4, "until": "2023-10-19"}


def test_learning_needs_no_failed_course_among_the_members():
    failed = fact("p3", "failed_course", "2023-07-01", course="高等数学", required=True, score=52.0)
    reasons, _ = check(["learning"], records=FakeRecords([failed]))
    assert reasons[0]["message_zh"] == "求真学问型寝室须全员无挂科，该寝室成员有 1 门课程不及格"
    assert check(["learning"], records=FakeRecords([dict(failed, subject_id="someone_else")]))[0] == []
    assert check(["environment"], records=FakeRecords([failed]))[0] == []  # not a condition of other types
    reasons, _ = check(["learning"], records=FakeRecords([failed]), camp=campaign(learning_max_failed_courses=1))
    assert reasons == []
    two = [failed, dict(failed, id="f2", subject_id="p4")]
    reasons, _ = check(["learning"], records=FakeRecords(two), camp=campaign(learning_max_failed_courses=1))
    assert reasons[0]["message_zh"] == "求真学问型寝室须成员不及格课程不超过 1 门，该寝室成员有 2 门课程不及格"


def test_every_unmet_condition_and_a_win_are_named_together():
    records = FakeRecords(awards=[award("dorm_a", "party_model", "2022-2023")])
    reasons, _ = check(["party_model", "knowledge_action"], members=[person("p1")], records=records)
    assert codes(reasons) == ["won_last_year", "type_condition", "type_condition"]


# -- who applies ------------------------------------------------------------------------------
def test_only_dorms_of_years_one_to_three():
    seniors = [person("p1", grade=2020), person("p2", grade=2020)]     # year 4 in 2023-2024
    reasons, _ = check(["environment"], members=seniors)
    assert codes(reasons) == ["not_years_1_to_3"] and "4" in reasons[0]["message_zh"]
    assert check(["environment"], members=[person("p1", grade=2020), person("p2", grade=2021)])[0] == []
    assert check(["environment"], members=[person("p1", grade=None)])[0] == []   # unknown grades: not refused


def test_members_come_in_the_context_as_the_applications_service_passes_them():
    records = FakeRecords()
    reasons = hooks(records).check_eligibility({
        "applicant": dorm(members=None), "campaign": campaign(), "form": good_form(types=["party_model"]),
        "members": [person("p1", "probationary_member"), person("p2")]})
    assert reasons == []
    reasons = hooks(records).check_eligibility({
        "applicant": dorm(members=None), "campaign": campaign(), "form": good_form(types=["party_model"]),
        "members": [person("p2")]})
    assert [r["code"] for r in reasons] == ["type_condition"]


def test_without_members_the_conditions_are_not_guessed():
    reasons, _ = check(["environment"], applicant=dorm(members=None))
    assert codes(reasons) == ["members_unknown"] and "寝室成员" in reasons[0]["message_zh"]


def test_only_a_dorm_applies():
    reasons, _ = check(["environment"], applicant={"_id": "class_x", "kind": "class", "members": []})
    assert codes(reasons) == ["not_a_dorm"]


def test_before_the_form_a_type_won_last_year_is_a_note_and_type_conditions_wait():
    """preview (the page where a 寝室长 picks whom to apply for): no types chosen yet."""
    records = FakeRecords(awards=[award("dorm_a", "environment", "2022-2023")])
    reasons = hooks(records).check_eligibility({
        "applicant": dorm(members=[person("p2")]), "campaign": campaign(), "form": {}, "preview": True})
    assert codes(reasons) == ["won_last_year"] and reasons[0]["blocking"] is False
    assert "2022-2023" in reasons[0]["message_zh"] and "环境优美型" in reasons[0]["message_zh"]
    # Years of study still refuse before the form.
    seniors = [person("p1", grade=2020)]
    reasons = hooks(FakeRecords()).check_eligibility({
        "applicant": dorm(members=seniors), "campaign": campaign(), "form": {}, "preview": True})
    assert codes(reasons) == ["not_years_1_to_3"] and reasons[0].get("blocking", True) is True
