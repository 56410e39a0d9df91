"""scoring_inputs (the veto fact), award_titles, and the declaration as the shared
services take it."""
from core.forms import form_json_schema
from plugins.benchmark_branches.hooks import INCIDENT_FACT, BenchmarkBranchHooks
from plugins.benchmark_branches.program import PROGRAM
from plugins.benchmark_branches.tests.unit.fake_records import FakeRecords, fact
from plugins.benchmark_branches.tests.unit.support import MEMBERS, campaign

APPS = [{"id": "a1", "applicant_id": "branch_me_s1"}, {"id": "a2", "applicant_id": "branch_me_f1"},
        {"id": "a3", "applicant_id": "branch_em_s1"}]


def _inputs(facts, members=None, applications=APPS, **campaign_overrides):
    records = FakeRecords(facts)
    context = {"campaign": campaign(**campaign_overrides), "applications": applications}
    if members is not None:
        context["members"] = members
    return BenchmarkBranchHooks().bind(records).scoring_inputs(context), records


def _flags(result):
    return {aid: entry["facts"][INCIDENT_FACT] for aid, entry in result["applications"].items()}


def test_the_veto_fact_covers_a_year_before_the_deadline_to_the_end_of_the_review():
    # closes 2024-05-20 (Beijing); the review closes 2024-06-10 17:00 Beijing time, so
    # the window is [2023-05-20, 2024-06-11): the review's last day is inside.
    facts = [
        fact("branch_me_f1", "incident", "2024-06-10", "branch", severity="major_incident", description="审核期间"),
        fact("branch_em_s1", "incident", "2024-06-11", "branch", severity="major_incident", description="评审结束后"),
        fact("branch_me_s1", "incident", "2023-05-19", "branch", severity="serious_violation", description="一年零一天前"),
    ]
    result, records = _inputs(facts)
    assert _flags(result) == {"a1": False, "a2": True, "a3": False}
    assert result["population"] is None
    assert records.calls == [("facts", ["branch_em_s1", "branch_me_f1", "branch_me_s1"], ["incident"],
                              {"since": "2023-05-20", "until": "2024-06-11"})]


def test_members_incidents_count_when_the_directory_gives_the_members():
    facts = [fact("p_m2", "incident", "2024-02-02", severity="serious_violation", description="成员严重违纪"),
             fact("p_m1", "incident", "2024-02-02", severity="prominent_problem", description="x")]
    # without members (and no roster in these views) only the branches are asked about
    result, records = _inputs(facts)
    assert _flags(result) == {"a1": False, "a2": False, "a3": False}
    # the application's roster stands in for the directory
    with_roster = [dict(APPS[0], form={"roster": [{"person_id": "p_m2", "name": "张同学", "post": "member"}]}),
                   *APPS[1:]]
    result, _ = _inputs(facts, applications=with_roster)
    assert _flags(result) == {"a1": True, "a2": False, "a3": False}
    result, records = _inputs(facts, members={"a1": MEMBERS})
    assert _flags(result) == {"a1": True, "a2": False, "a3": False}
    assert records.calls[0][1] == ["branch_em_s1", "branch_me_f1", "branch_me_s1", "p_m1", "p_m2", "p_sec"]
    # a severity the campaign does not count is no veto
    narrowed = {"counted_severities": ["major_incident"]}
    assert _flags(_inputs(facts, members={"a1": MEMBERS}, settings=narrowed)[0])["a1"] is False


def test_without_a_review_window_the_veto_window_ends_with_the_deadline_day():
    result, records = _inputs([], review_closes_at=None)
    assert records.calls[0][3] == {"since": "2023-05-20", "until": "2024-05-21"}
    records = FakeRecords([])
    empty = BenchmarkBranchHooks().bind(records).scoring_inputs({"campaign": campaign(), "applications": []})
    assert empty == {"applications": {}, "population": None} and records.calls == []


def test_the_title_of_a_school_list_and_none_for_a_college_list():
    hooks = BenchmarkBranchHooks()
    entry = {"grade": None, "grade_name_zh": None, "category": None, "rank": 1, "total": 88.0}
    school = hooks.award_titles({"campaign": campaign(level="school"), "entry": entry, "application": {}})
    assert school == [{"code": "benchmark_branch", "title": "校级党建工作样板支部",
                       "title_en": "Benchmark party branch (school level)", "level": "school", "category": None}]
    assert hooks.award_titles({"campaign": campaign(level="college"), "entry": entry}) == []


def test_the_declaration_names_the_expected_outputs_field_and_its_shape():
    declaration = PROGRAM.declaration()
    assert declaration["applicant_kind"] == "branch" and declaration["funding"] is None
    assert declaration["settings"]["notice_days"] == 5
    field = declaration["settings"]["expected_outputs_field"]
    schema = form_json_schema(PROGRAM.form)
    item = schema["properties"][field]["items"]
    assert {"id", "description"} <= set(item["required"])
    assert {"midterm", "final_evaluation", "nomination"} <= set(declaration["stages"])
    required = [a["kind"] for a in declaration["attachments"] if a["required"]]
    assert required == ["application_form", "organisational_life_record"]


def test_the_criteria_weights_and_the_scoring_registration():
    from core.declaration.criteria_tree import CriteriaTree
    from services.scoring.programs import definition_from_declaration

    tree = CriteriaTree.from_dict(PROGRAM.criteria)
    shares = {k: round(100 * v, 9) for k, v in tree.leaf_weights().items()}
    assert shares == {"duties": 20, "organisation": 20, "school_plan": 20, "exemplary": 15, "creation_plan": 15,
                      "outputs": 10}
    # marks 9, 8, 8, 7, 9, 6 of 10: 2·9 + 2·8 + 2·8 + 1.5·7 + 1.5·9 + 6 = 80.0
    marks = {"duties": 9, "organisation": 8, "school_plan": 8, "exemplary": 7, "creation_plan": 9, "outputs": 6}
    assert round(tree.evaluate({k: v / 10 for k, v in marks.items()})["total"], 9) == 80.0
    definition = definition_from_declaration(PROGRAM.declaration())   # must not raise
    assert definition["scoring"]["veto_rules"][0]["fact"] == INCIDENT_FACT
    assert definition["quota_rules"]["school"][1] == {"kind": "min_score", "min": 80}
