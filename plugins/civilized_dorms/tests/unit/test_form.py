"""The dorm's application form: good input, bad input with Chinese and English errors,
and the cross-field checks of hooks.validate_application (drafts and submissions)."""
from plugins.civilized_dorms.program import PROGRAM

from plugins.civilized_dorms.tests.unit.support import good_form


def check(form, partial=False):
    return PROGRAM.validate(form, {"campaign": {}}, partial=partial)


def by_field(errors):
    return {e["field"]: e for e in errors}


def test_a_good_form_is_cleaned_and_kept():
    cleaned, errors = check(good_form(types=["environment", "research"],
                                      patents=[{"kind": "utility_model", "title": "一种寝室节能插座",
                                                "number": "ZL2023200000001"}]))
    assert errors == []
    assert cleaned["types"] == ["environment", "research"]
    assert cleaned["expected_outputs"][1] == {"id": "o2", "description": "形成寝室文化墙一面"}
    assert cleaned["patents"][0]["kind"] == "utility_model"


def test_field_errors_name_the_field_in_chinese_and_english():
    _, errors = check(good_form(types=["environment", "花园型"], convention="整洁", contact_phone="12345",
                                expected_outputs=[{"id": "o1"}]))
    errors = by_field(errors)
    assert errors["types.1"]["message"].startswith("Must be one of: environment, learning")
    assert errors["types.1"]["message_zh"].startswith("须为以下之一：environment")
    assert errors["convention"]["message_zh"] == "长度须在 10 到 1000 个字符之间"
    assert errors["contact_phone"]["message_zh"] == "不是有效的手机号码"
    assert errors["expected_outputs.0.description"]["message_zh"] == "必填项缺失"
    assert errors["expected_outputs.0.description"]["message"] == "Missing data for required field."


def test_one_or_two_types_without_repeats():
    _, none = check(good_form(types=[]))
    assert by_field(none)["types"]["message_zh"] == "请选择 1 至 2 个申报类型（当前 0 个）"
    assert "one or two" in by_field(none)["types"]["message"]
    _, three = check(good_form(types=["environment", "learning", "research"]))
    assert by_field(three)["types"]["message_zh"] == "请选择 1 至 2 个申报类型（当前 3 个）"
    _, twice = check(good_form(types=["party_model", "party_model"]))
    assert [e["message_zh"] for e in twice] == ["申报类型不能重复：党员示范型"]
    assert "repeated: party_model" in twice[0]["message"]
    assert check(good_form(types=["learning", "knowledge_action"]))[1] == []


def test_expected_outcomes_one_to_ten_with_unique_short_ids():
    _, none = check(good_form(expected_outputs=[]))
    assert by_field(none)["expected_outputs"]["message_zh"] == "预期成果须为 1 至 10 项（当前 0 项）"
    eleven = [{"id": f"o{i}", "description": f"成果{i}"} for i in range(11)]
    assert by_field(check(good_form(expected_outputs=eleven))[1])["expected_outputs"]["message"] == \
        "List one to 10 expected outcomes, not 11."
    _, bad = check(good_form(expected_outputs=[{"id": "o 1", "description": "成果一"},
                                               {"id": "o2", "description": "成果二"},
                                               {"id": "o2", "description": "成果三"}]))
    assert by_field(bad) == {
        "expected_outputs.0.id": {"field": "expected_outputs.0.id", "message": "Use letters, digits, - or _ only.",
                                  "message_zh": "编号只能包含字母、数字、- 或 _"},
        "expected_outputs.2.id": {"field": "expected_outputs.2.id", "message": "The id 'o2' is used twice.",
                                  "message_zh": "编号 o2 重复"}}


def test_a_draft_may_be_incomplete_but_not_wrong():
    cleaned, errors = check({"culture_theme": "书香雅居"}, partial=True)
    assert errors == [] and cleaned == {"culture_theme": "书香雅居"}
    assert check({"types": []}, partial=True)[1] == []          # still choosing
    _, errors = check({"types": ["environment", "learning", "research"]}, partial=True)
    assert [e["field"] for e in errors] == ["types"]
    # The same draft cannot be submitted: every required field is named.
    _, errors = check({"culture_theme": "书香雅居"})
    assert {"types", "convention", "work_basis", "goals", "measures", "expected_outputs"} <= set(by_field(errors))
