"""The 申报书 schema: good input passes as it is; bad input names the field with the
reason in Chinese and English."""
from core.forms import validate_form
from plugins.benchmark_branches.form import BenchmarkBranchForm
from plugins.benchmark_branches.tests.unit.support import good_form


def _errors(form, partial=False):
    cleaned, errors = validate_form(BenchmarkBranchForm, form, partial=partial)
    return cleaned, {e["field"]: e for e in errors}


def test_a_good_form_passes_unchanged():
    form = good_form()
    cleaned, errors = _errors(form)
    assert errors == {}
    assert cleaned["basic_info"]["full_members"] == 9
    assert cleaned["creation_plan"]["measures"][1]["due"] == "2026-05-31"
    assert [o["id"] for o in cleaned["expected_outputs"]] == ["O1", "O2"]
    assert cleaned == form


def test_optional_parts_default():
    form = good_form()
    del form["basic_info"]["probationary_members"]
    del form["plan_implementation"]["results"]
    del form["expected_outputs"][0]["indicator"]
    cleaned, errors = _errors(form)
    assert errors == {}
    assert cleaned["basic_info"]["probationary_members"] == 0
    assert cleaned["plan_implementation"]["results"] == []
    assert cleaned["expected_outputs"][0]["indicator"] == ""


def test_missing_and_wrong_fields_are_named_in_both_languages():
    form = good_form()
    del form["expected_outputs"]
    form["basic_info"]["branch_type"] = "retired"
    form["basic_info"]["full_members"] = 2                     # a branch needs 3 full members
    form["organisational_life"]["party_lessons"] = -1
    form["organisational_life"]["democratic_review"] = "maybe"
    form["creation_plan"]["measures"][0]["due"] = "2024-13-01"
    form["duties"][0]["duty"] = "sing"
    form["duties"][1]["evidence"] = "短"
    form["colour"] = "red"
    cleaned, errors = _errors(form)
    assert cleaned is None
    assert errors["expected_outputs"]["message_zh"] == "必填项缺失"
    assert errors["basic_info.branch_type"]["message"] == "Must be one of: faculty, student."
    assert errors["basic_info.branch_type"]["message_zh"] == "须为以下之一：faculty, student"
    assert errors["basic_info.full_members"]["message_zh"] == "须在 3 到 1000 之间"
    assert errors["organisational_life.party_lessons"]["message_zh"] == "须在 0 到 366 之间"
    assert errors["organisational_life.democratic_review"]["message_zh"] == "不是有效的是/否值"
    assert errors["creation_plan.measures.0.due"]["message_zh"] == "不是有效的日期"
    assert errors["duties.0.duty"]["message"].startswith("Must be one of:")
    assert errors["duties.1.evidence"]["message_zh"] == "长度须在 10 到 1000 个字符之间"
    assert errors["colour"]["message_zh"] == "未知字段"
    assert len(errors) == 9


def test_counts_must_be_whole_numbers_and_outputs_at_least_one():
    form = good_form()
    form["organisational_life"]["theme_days"] = "12"          # strict: text is not a count
    form["expected_outputs"] = []
    _, errors = _errors(form)
    assert errors["organisational_life.theme_days"]["message_zh"] == "不是有效的整数"
    assert errors["expected_outputs"]["message"] == "Length must be between 1 and 20."


def test_a_draft_may_leave_required_parts_out_but_not_break_types():
    cleaned, errors = _errors({"basic_info": {"branch_type": "student"}}, partial=True)
    assert errors == {} and cleaned == {"basic_info": {"branch_type": "student"}}
    _, errors = _errors({"basic_info": {"full_members": "many"}}, partial=True)
    assert errors["basic_info.full_members"]["message_zh"] == "不是有效的整数"


def test_the_form_is_not_an_object():
    _, errors = _errors(["not", "a", "form"])
    assert errors["form"]["message_zh"] == "表单须为对象"


def test_the_roster_lists_at_least_three_people_with_known_posts():
    form = good_form()
    form["roster"] = form["roster"][:2]
    _, errors = _errors(form)
    assert errors["roster"]["message"] == "Length must be between 3 and 1000."
    form = good_form()
    form["roster"][2]["post"] = "treasurer"
    del form["roster"][3]["person_id"]
    _, errors = _errors(form)
    assert errors["roster.2.post"]["message_zh"].startswith("须为以下之一：secretary")
    assert errors["roster.3.person_id"]["message_zh"] == "必填项缺失"
    del form["roster"][4]["post"]                                  # a post defaults to member
    form["roster"][2]["post"] = "member"
    form["roster"][3]["person_id"] = "p_m3"
    cleaned, errors = _errors(form)
    assert errors == {} and cleaned["roster"][4]["post"] == "member"
