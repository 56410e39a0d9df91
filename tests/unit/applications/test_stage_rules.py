"""Mid-term check (中期检查) and final evaluation (评估考核) rules, without a database."""
import pytest

from core.errors import Conflict, NotFound, ValidationFailed
from services.applications.domain import stage_rules as rules

BOTH = ["application", "school_review", "midterm", "final_evaluation"]
EXPECTED = [{"id": "o1", "description": "发表工作案例一篇"}, {"id": "o2", "description": "建成党员活动室"}]


def doc(result=None, report=True):
    return {"report": {"summary": "s", "outputs": []} if report else None,
            "assessment": {"result": result} if result else None}


def test_declared_stages_and_when_awards_come():
    assert rules.declared(BOTH) == ["midterm", "final_evaluation"]
    assert rules.declared(["final_evaluation", "midterm"]) == ["midterm", "final_evaluation"]
    assert rules.declared(["application", "closing"]) == []
    assert rules.awards_at(BOTH) == "final_evaluation"
    assert rules.awards_at(["application", "midterm"]) == "final_list"
    with pytest.raises(NotFound) as error:
        rules.require_declared("midterm", [])
    assert error.value.field == "stage"


def test_midterm_first_then_the_final_evaluation():
    stages = rules.declared(BOTH)
    assert rules.stage_status("midterm", stages, "approved", {}) == "open"
    assert rules.stage_status("final_evaluation", stages, "approved", {}) == "waiting"
    assert rules.stage_status("final_evaluation", stages, "approved", {"midterm": doc()}) == "waiting"
    assert rules.stage_status("final_evaluation", stages, "approved", {"midterm": doc("pass")}) == "open"
    assert rules.stage_status("final_evaluation", stages, "approved", {"midterm": doc("fail")}) == "failed_earlier"
    assert rules.stage_status("midterm", stages, "approved", {"midterm": doc("pass")}) == "assessed"
    assert rules.stage_status("midterm", stages, "college_approved", {}) == "waiting"
    # Without a mid-term check the final evaluation is open at once.
    assert rules.stage_status("final_evaluation", ["final_evaluation"], "approved", {}) == "open"


def test_reports_only_on_an_open_stage():
    stages = rules.declared(BOTH)
    rules.require_reportable("midterm", stages, "approved", {"midterm": doc()})  # replaceable until assessed
    for stage, state, docs, field in [("final_evaluation", "approved", {}, "stage"),
                                      ("midterm", "approved", {"midterm": doc("fail")}, "stage"),
                                      ("midterm", "rejected", {}, "state")]:
        with pytest.raises(Conflict) as error:
            rules.require_reportable(stage, stages, state, docs)
        assert error.value.field == field


def test_the_final_report_addresses_every_expected_output():
    expected = rules.expected_outputs({"outputs": EXPECTED + [{"description": "no id"}, "junk"]}, "outputs")
    assert expected == EXPECTED
    assert rules.expected_outputs({"outputs": "text"}, "outputs") == []
    assert rules.expected_outputs({}, None) == []
    good = [{"id": "o1", "achieved": True, "evidence": "链接"}, {"id": "o2", "achieved": False}]
    report = rules.validate_report("final_evaluation", " 总结 ", good, expected)
    assert report == {"summary": "总结", "outputs": [{"id": "o1", "achieved": True, "evidence": "链接"},
                                                   {"id": "o2", "achieved": False, "evidence": ""}]}
    assert rules.unmet(report, expected) == ["o2"]
    with pytest.raises(ValidationFailed) as error:
        rules.validate_report("final_evaluation", "总结", [{"id": "o1", "achieved": True, "evidence": "链接"},
                                                           {"id": "o9", "achieved": False}], expected)
    problems = {d["field"]: d["message_zh"] for d in error.value.details}
    assert set(problems) == {"outputs.o2", "outputs.o9"} and "建成党员活动室" in problems["outputs.o2"]
    # The mid-term report is not held to the expected outputs.
    assert rules.validate_report("midterm", "进展顺利", [], expected)["outputs"] == []


def test_report_shape_problems_are_all_named():
    with pytest.raises(ValidationFailed) as error:
        rules.validate_report("midterm", "  ", [{"id": "o1", "achieved": True}, {"id": "o1", "achieved": False}], [])
    assert {d["field"] for d in error.value.details} == {"summary", "outputs.o1.evidence", "outputs.o1"}


def test_assessment_once_per_stage_fail_needs_a_comment():
    stages = rules.declared(BOTH)
    assert rules.plan_assessment("midterm", stages, "approved", {"midterm": doc()}, "pass", "", False) == {
        "result": "pass", "comment": None, "revised": False}
    with pytest.raises(ValidationFailed) as error:
        rules.plan_assessment("midterm", stages, "approved", {"midterm": doc()}, "fail", " ", False)
    assert error.value.field == "comment"
    with pytest.raises(ValidationFailed):
        rules.plan_assessment("midterm", stages, "approved", {"midterm": doc()}, "maybe", "x", False)
    with pytest.raises(Conflict) as error:
        rules.plan_assessment("midterm", stages, "approved", {}, "pass", None, False)
    assert "尚未提交" in error.value.message_zh
    with pytest.raises(Conflict) as error:
        rules.plan_assessment("midterm", stages, "approved", {"midterm": doc("pass")}, "fail", "材料不足", False)
    assert error.value.details == {"result": "pass"}


def test_revising_needs_a_comment_and_stops_where_it_would_undo_later_steps():
    stages = rules.declared(BOTH)
    revised = rules.plan_assessment("midterm", stages, "approved", {"midterm": doc("fail")}, "pass", "补充材料后通过",
                                    True)
    assert revised == {"result": "pass", "comment": "补充材料后通过", "revised": True}
    with pytest.raises(ValidationFailed):
        rules.plan_assessment("midterm", stages, "approved", {"midterm": doc("fail")}, "pass", "", True)
    with pytest.raises(Conflict):
        rules.plan_assessment("midterm", stages, "approved", {"midterm": doc()}, "pass", "x", True)
    with pytest.raises(Conflict):  # the titles were granted on the pass
        rules.plan_assessment("final_evaluation", stages, "approved",
                              {"midterm": doc("pass"), "final_evaluation": doc("pass")}, "fail", "撤销", True)
    with pytest.raises(Conflict):  # the final evaluation already built on the mid-term result
        rules.plan_assessment("midterm", stages, "approved",
                              {"midterm": doc("pass"), "final_evaluation": doc("fail")}, "fail", "撤销", True)


def test_a_return_needs_a_reason_and_opens_the_stage_again():
    stages = rules.declared(BOTH)
    with pytest.raises(ValidationFailed) as error:
        rules.plan_assessment("midterm", stages, "approved", {"midterm": doc()}, "return", "  ", False)
    assert error.value.details[0]["field"] == "comment" and "理由" in error.value.details[0]["message_zh"]
    assert rules.plan_assessment("midterm", stages, "approved", {"midterm": doc()}, "return", "照片不清晰", False) == {
        "result": "return", "comment": "照片不清晰", "revised": False}
    returned = {"midterm": doc("return")}
    assert rules.stage_status("midterm", stages, "approved", returned) == "returned"
    assert rules.stage_status("final_evaluation", stages, "approved", returned) == "waiting"
    rules.require_reportable("midterm", stages, "approved", returned)   # the applicant resubmits
    with pytest.raises(Conflict) as error:   # nothing new to assess until then
        rules.plan_assessment("midterm", stages, "approved", returned, "pass", None, False)
    assert error.value.details == {"result": "return"}
    with pytest.raises(ValidationFailed):    # a final result is not revised into a return
        rules.plan_assessment("midterm", stages, "approved", {"midterm": doc("fail")}, "return", "再交", True)


def test_progress_and_the_next_step_say_what_comes_next():
    stages = rules.declared(BOTH)

    def items(docs, state="approved"):
        return [{"stage": s, "progress": rules.progress(rules.stage_status(s, stages, state, docs), docs.get(s))}
                for s in stages]

    assert rules.next_step(items({}, "college_approved")) is None
    assert [i["progress"] for i in items({})] == ["to_submit", "waiting"]
    assert rules.next_step(items({})) == {"action": "submit", "stage": "midterm"}
    assert rules.next_step(items({"midterm": doc()})) == {"action": "await", "stage": "midterm"}
    assert rules.next_step(items({"midterm": doc("return")})) == {"action": "resubmit", "stage": "midterm"}
    assert rules.next_step(items({"midterm": doc("pass")})) == {"action": "submit", "stage": "final_evaluation"}
    assert [i["progress"] for i in items({"midterm": doc("fail")})] == ["failed", "failed_earlier"]
    assert rules.next_step(items({"midterm": doc("fail")})) == {"action": "closed", "stage": "midterm"}
    done = items({"midterm": doc("pass"), "final_evaluation": doc("pass")})
    assert [i["progress"] for i in done] == ["passed", "passed"] and rules.next_step(done) == {"action": "done"}
    # files alone (no report yet) still wait for the report
    assert rules.progress("open", {"report": None, "files": [{"id": "f"}]}) == "to_submit"
