"""validate_application: the cross-field rules of the 申报书 (zh + en)."""
from plugins.benchmark_branches.hooks import BenchmarkBranchHooks, creation_cycle
from plugins.benchmark_branches.tests.unit.support import BRANCH, FACULTY, campaign, good_form

HOOKS = BenchmarkBranchHooks()


def _check(form, applicant=BRANCH, **campaign_overrides):
    errors = HOOKS.validate_application(form, {"campaign": campaign(**campaign_overrides), "applicant": applicant})
    return {e["field"]: e for e in errors}


def test_a_good_form_has_no_problem():
    assert _check(good_form()) == {}
    assert _check(good_form("faculty"), applicant=FACULTY) == {}


def test_duties_and_outputs_are_listed_once_each():
    form = good_form()
    form["duties"].append({"duty": "policy", "evidence": "重复填写的职责说明，内容不少于十个字。"})
    form["expected_outputs"].append({"id": "O1", "category": "other", "description": "重复编号的成果"})
    errors = _check(form)
    assert errors["duties.5.duty"]["message_zh"] == "职责“宣传和执行党的路线方针政策及上级党组织决议”重复填写"
    assert "listed twice" in errors["duties.5.duty"]["message"]
    assert errors["expected_outputs.2.id"]["message_zh"] == "预期成效编号“O1”重复填写"
    assert len(errors) == 2


def test_output_ids_are_short_codes():
    form = good_form()
    form["expected_outputs"][1]["id"] = "成果 2"
    errors = _check(form)
    assert set(errors) == {"expected_outputs.1.id"}
    assert "字母、数字" in errors["expected_outputs.1.id"]["message_zh"]
    assert "letters, digits" in errors["expected_outputs.1.id"]["message"]


def test_the_type_must_agree_with_the_directory_and_duties_with_the_type():
    # A student branch (the directory says so) calling itself a faculty branch and
    # attesting the faculty-only duty of political checks on staff decisions.
    form = good_form("faculty")
    errors = _check(form, applicant=BRANCH)
    assert errors["basic_info.branch_type"]["message_zh"] == "组织名录中该支部为学生党支部"
    assert errors["basic_info.branch_type"]["message"] == "The directory records this branch as a student branch."
    # faculty duties: policy, decision_making, member_education, recruitment, teacher_ethics, staff_liaison
    assert set(errors) == {"basic_info.branch_type", "duties.1.duty", "duties.4.duty", "duties.5.duty"}
    assert errors["duties.1.duty"]["message_zh"] == "“参与本单位重大问题决策并进行政治把关”不是学生党支部的职责"


def test_without_a_directory_type_the_form_type_decides_the_duties():
    untyped = {k: v for k, v in BRANCH.items() if k != "branch_type"}
    assert _check(good_form("faculty"), applicant=untyped) == {}
    form = good_form("student")
    form["duties"].append({"duty": "teacher_ethics", "evidence": "加强师德师风建设，做好思想政治工作。"})
    assert set(_check(form, applicant=untyped)) == {"duties.5.duty"}


def test_the_creation_cycle_runs_from_the_deadline_month_for_24_months():
    # closes 2024-05-20 10:00 Beijing time -> the cycle is 2024-05-01 .. 2026-05-31
    first, last = creation_cycle(campaign(), 24)
    assert (str(first), str(last)) == ("2024-05-01", "2026-05-31")
    # 2024-05-19 18:00 UTC is already 2024-05-20 02:00 in Beijing: the same cycle
    assert creation_cycle(campaign(application_closes_at="2024-05-19T18:00:00Z"), 24)[0].isoformat() == "2024-05-01"
    # December 2023 + 26 months is February 2026, whose last day is the 28th
    assert str(creation_cycle(campaign(application_closes_at="2023-12-10T02:00:00+00:00"), 26)[1]) == "2026-02-28"


def test_every_measure_is_due_within_the_cycle():
    form = good_form()
    form["creation_plan"]["measures"] = [
        {"content": "周期首日开始", "due": "2024-05-01"},          # first day: inside
        {"content": "周期末日完成", "due": "2026-05-31"},          # last day: inside
        {"content": "周期结束后才完成", "due": "2026-06-01"},      # one day late
        {"content": "早于创建周期", "due": "2024-04-30"},          # one day early
    ]
    errors = _check(form)
    assert set(errors) == {"creation_plan.measures.2.due", "creation_plan.measures.3.due"}
    assert errors["creation_plan.measures.2.due"]["message_zh"] == "完成时限须在创建周期内（2024-05-01 至 2026-05-31）"
    assert "2024-05-01 to 2026-05-31" in errors["creation_plan.measures.2.due"]["message"]


def test_a_campaign_may_set_a_shorter_cycle():
    form = good_form()
    errors = _check(form, settings={"creation_cycle_months": 12})
    assert set(errors) == {"creation_plan.measures.1.due"}       # 2026-05-31 is past 2025-05-31


def test_drafts_and_edits_without_campaign_or_type_are_checked_as_far_as_possible():
    # an edit passes only {"id"} for the applicant; a partial draft may lack parts
    errors = HOOKS.validate_application({"basic_info": {"branch_type": "student"}},
                                        {"campaign": campaign(), "applicant": {"id": "branch_me_s1"}, "partial": True})
    assert errors == []
    errors = HOOKS.validate_application(good_form(), {"applicant": {"id": "branch_me_s1"}})
    assert errors == []


def test_the_roster_names_one_secretary_and_everyone_the_counts_count():
    form = good_form()
    form["roster"][1]["post"] = "secretary"
    form["roster"].append(dict(form["roster"][2]))
    errors = HOOKS.validate_application(form, {"campaign": campaign(), "applicant": BRANCH})
    by_field = {}
    for e in errors:
        by_field.setdefault(e["field"], []).append(e["message_zh"])
    assert by_field == {
        "roster.13.person_id": ["人员“p_m2”重复填写"],
        "roster": ["支部党员名单须有且仅有一名书记，现有 2 名",
                   "支部党员名单列出 14 人，但基本情况中正式党员与预备党员合计 13 人"],
    }
    assert "(9 full + 4 probationary)" in next(e["message"] for e in errors if "lists 14" in e["message"])


def test_a_draft_roster_may_be_incomplete():
    draft = {"roster": [{"person_id": "p_m1", "name": "王同学", "post": "member"}],
             "basic_info": {"full_members": 9}}
    assert HOOKS.validate_application(draft, {"applicant": BRANCH, "partial": True}) == []
    assert {e["field"] for e in HOOKS.validate_application(draft, {"applicant": BRANCH})} == {"roster"}
