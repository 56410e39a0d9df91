"""The three forms, good and bad input, with zh+en errors; the 1500-character case limit."""
from plugins.class_leading_members.program import ASSESSMENT, CASES, SELECTION

CAMPAIGN = {"academic_year": "2025-2026", "settings": CASES.settings, "level": "college"}


def selection_form(**overrides):
    form = {"gender": "女", "major": "计算机科学与技术", "phone": "13800000001", "led_class_id": "class_me2601",
            "led_class_name": "计算机2601班",
            "statement": "本人为中共预备党员，担任班级团支书两年，熟悉学院规章制度，愿意带领新生班级成长。"}
    form.update(overrides)
    return form


def assessment_form(**overrides):
    form = {"gender": "男", "phone": "13800000002", "led_class_id": "class_me2501", "led_class_name": "计算机2501班",
            "work_summary": "一学年来每周深入班级开展主题班会，组织学习经验交流会六次，帮助新生适应大学生活，"
                            "协助班委建设学风，开展志愿服务与党史学习活动。",
            "distinctive_work": "首创“朋辈学业导师”结对制度，新生普遍认可。",
            "class_conduct": "班级无违纪，学风浓厚，期末平均绩点全年级第一。",
            "essay_title": "与新生一起成长"}
    form.update(overrides)
    return form


def case_form(**overrides):
    form = {"led_class_id": "class_me2501", "led_class_name": "计算机2501班", "topic": "党员带班",
            "title": "朋辈导师结对助新生", "background": "新生入学后普遍存在学习方法不适应的问题，挂科风险较高。" * 2,
            "approach": "建立朋辈学业导师结对制度，每周开展一次学习交流，组织党员答疑。" * 2,
            "effect": "班级期末无人挂科，平均绩点提升明显，形成良好学风。" * 2,
            "evaluation": "做法简便易行，可在各学院推广。"}
    form.update(overrides)
    return form


def test_good_forms_pass():
    for program, form in ((SELECTION, selection_form()), (ASSESSMENT, assessment_form()), (CASES, case_form())):
        cleaned, errors = program.validate(form, {"campaign": CAMPAIGN})
        assert errors == [], (program.name, errors)
        assert cleaned["led_class_id"] == form["led_class_id"]


def test_selection_bad_input_names_fields_in_both_languages():
    _, errors = SELECTION.validate(selection_form(gender="x", phone="12345", statement="太短"), {"campaign": CAMPAIGN})
    by_field = {e["field"]: e for e in errors}
    assert set(by_field) == {"gender", "phone", "statement"}
    assert by_field["gender"]["message"] == "Must be one of: 男, 女."
    assert by_field["gender"]["message_zh"] == "须为以下之一：男, 女"
    assert by_field["phone"]["message_zh"] == "不是有效的手机号码"
    assert by_field["statement"]["message_zh"] == "长度须在 20 到 1500 个字符之间"


def test_selection_needs_the_class_to_lead():
    form = selection_form()
    del form["led_class_id"]
    _, errors = SELECTION.validate(form, {"campaign": CAMPAIGN})
    assert errors == [{"field": "led_class_id", "message": "Missing data for required field.", "message_zh": "必填项缺失"}]
    # A draft may leave it out.
    cleaned, errors = SELECTION.validate(form, {"campaign": CAMPAIGN}, partial=True)
    assert errors == [] and "led_class_id" not in cleaned


def test_assessment_needs_the_essay_title_and_a_real_summary():
    _, errors = ASSESSMENT.validate(assessment_form(essay_title="", work_summary="做了很多工作"), {"campaign": CAMPAIGN})
    fields = {e["field"]: e["message_zh"] for e in errors}
    assert fields == {"essay_title": "长度须在 2 到 60 个字符之间", "work_summary": "长度须在 50 到 3000 个字符之间"}


def _case_of_length(n):
    """A case whose five sections hold exactly n characters (whitespace not counted):
    title 10 + background 400 + approach 500 + effect 400 + evaluation n - 1310."""
    return case_form(title="案" * 10, background="背" * 400, approach="做" * 500, effect="效" * 400,
                     evaluation="评" * (n - 1310))


def test_a_case_of_1500_characters_is_fine_1501_is_refused_naming_the_count():
    cleaned, errors = CASES.validate(_case_of_length(1500), {"campaign": CAMPAIGN})
    assert errors == [] and cleaned is not None
    cleaned, errors = CASES.validate(_case_of_length(1501), {"campaign": CAMPAIGN})
    assert cleaned is None
    assert errors == [{"field": "body",
                       "message": "The case text is 1501 characters long; at most 1500 are allowed (1 too many).",
                       "message_zh": "案例文字共 1501 字，超过 1500 字的上限（多 1 字）"}]


def test_whitespace_is_not_counted_and_drafts_are_checked_too():
    spaced = _case_of_length(1500)
    spaced["evaluation"] = " \n".join(spaced["evaluation"])   # 190 characters with 189 separators
    assert CASES.validate(spaced, {"campaign": CAMPAIGN})[1] == []
    draft = {"title": "案" * 10, "background": "背" * 1491}    # 1501, other sections still missing
    _, errors = CASES.validate(draft, {"campaign": CAMPAIGN}, partial=True)
    assert [e["field"] for e in errors] == ["body"] and "1501" in errors[0]["message_zh"]


def test_a_campaign_may_set_another_limit():
    campaign = dict(CAMPAIGN, settings=dict(CASES.settings, case_max_chars=1400))
    _, errors = CASES.validate(_case_of_length(1401), {"campaign": campaign})
    assert errors[0]["message_zh"] == "案例文字共 1401 字，超过 1400 字的上限（多 1 字）"


def test_case_sections_are_each_required():
    form = case_form()
    del form["approach"]
    _, errors = CASES.validate(form, {"campaign": CAMPAIGN})
    assert errors == [{"field": "approach", "message": "Missing data for required field.", "message_zh": "必填项缺失"}]
