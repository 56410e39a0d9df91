"""The 先进集体创建立项申报表: good and bad input, errors in Chinese and English."""
from plugins.class_collectives.program import PROGRAM


def good_form(**overrides):
    form = {
        "member_ids": [f"p_20230101{n:02d}" for n in range(1, 31)],
        "head_teacher": "王老师",
        "foundation": "班级学风扎实，上学年无人挂科。",
        "goals": "建设学风优良、团结向上的先进班集体。",
        "measures": "每周晚自习互助，每月一次主题班会，寝室结对帮扶。",
        "expected_outputs": [{"id": "o1", "description": "全班挂科率为零"},
                             {"id": "o2", "description": "获得院级及以上集体荣誉一项"}],
    }
    form.update(overrides)
    return form


def errors_by_field(errors):
    return {e["field"]: e for e in errors}


def test_a_complete_plan_passes_and_comes_back_clean():
    cleaned, errors = PROGRAM.validate(good_form(), {})
    assert errors == []
    assert cleaned["goals"] == "建设学风优良、团结向上的先进班集体。"
    assert [o["id"] for o in cleaned["expected_outputs"]] == ["o1", "o2"]
    assert len(cleaned["member_ids"]) == 30


def test_a_draft_may_lack_required_fields_but_not_break_lengths():
    cleaned, errors = PROGRAM.validate({"goals": "建设先进班集体的目标与计划"}, {}, partial=True)
    assert errors == [] and cleaned["goals"].startswith("建设")
    _, errors = PROGRAM.validate({"goals": "太短"}, {}, partial=True)
    assert errors_by_field(errors)["goals"]["message_zh"] == "长度须在 10 到 2000 个字符之间"


def test_the_plan_needs_goals_measures_and_expected_outputs():
    form = good_form()
    for name in ("goals", "measures", "expected_outputs", "member_ids"):
        form.pop(name)
    _, errors = PROGRAM.validate(form, {})
    found = errors_by_field(errors)
    assert set(found) == {"goals", "measures", "expected_outputs", "member_ids"}
    assert found["goals"]["message"] == "Missing data for required field."
    assert found["goals"]["message_zh"] == "必填项缺失"


def test_bad_values_are_named_field_by_field():
    _, errors = PROGRAM.validate(good_form(
        expected_outputs=[{"id": "o1", "description": "短"}], member_ids=[], unknown=1), {})
    found = errors_by_field(errors)
    assert found["expected_outputs.0.description"]["message_zh"] == "长度须在 4 到 300 个字符之间"
    assert found["member_ids"]["message"].startswith("Length must be between 1 and 200")
    assert found["unknown"]["message_zh"] == "未知字段"


def test_repeated_output_ids_or_members_are_refused_in_both_languages():
    _, errors = PROGRAM.validate(good_form(
        expected_outputs=[{"id": "o1", "description": "全班挂科率为零"}, {"id": "o1", "description": "集体荣誉一项"}],
        member_ids=["p_1", "p_2", "p_1"]), {})
    found = errors_by_field(errors)
    assert found["expected_outputs"]["message_zh"] == "预期成果编号不能重复：o1"
    assert "repeated: o1" in found["expected_outputs"]["message"]
    assert found["member_ids"]["message_zh"] == "班级学生名单中有重复：p_1"


def test_too_many_expected_outputs():
    outputs = [{"id": f"o{i}", "description": f"预期成果第{i}项"} for i in range(11)]
    _, errors = PROGRAM.validate(good_form(expected_outputs=outputs), {})
    assert errors_by_field(errors)["expected_outputs"]["message"] == "Length must be between 1 and 10."
