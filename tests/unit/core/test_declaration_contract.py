"""The typed declaration (core/declaration): each bad part is refused with its path
and a message in both languages; unknown keys are refused at every level."""
import copy

import pytest

from core.declaration import check_declaration, declaration_errors
from core.errors import ValidationFailed
from plugins.class_collectives.program import PROGRAM as COLLECTIVES
from plugins.pilot_branches.program import PROGRAM as PILOT


def _broken(program, change):
    declaration = copy.deepcopy(program.declaration())
    change(declaration)
    return declaration_errors(declaration)


def _fields(errors):
    return [e["field"] for e in errors]


@pytest.mark.parametrize("change, field, en, zh", [
    (lambda d: d.update(titel_zh="x"), "titel_zh", "Unknown field", "未知字段"),
    (lambda d: d.update(applicant_kind="team"), "applicant_kind", "Must be one of", "须为以下之一"),
    (lambda d: d.pop("title_en"), "title_en", "Missing data", "必填项缺失"),
    (lambda d: d["attachments"][0].update(types=["exe"]), "attachments[0].types[0]", "Must be one of", "须为以下之一"),
    (lambda d: d["attachments"][0].update(max=2), "attachments[0].max", "Unknown field", "未知字段"),
    (lambda d: d.update(stages=["application", "reveiw"]), "stages[1]", "unknown stage 'reveiw'", "未知的环节"),
    (lambda d: d.update(stages=["review", "application"]), "stages[0]", "first stage must be application",
     "第一个环节"),
    (lambda d: d["settings"].update(notice_days="5"), "settings.notice_days", "Not a valid integer", "不是有效的整数"),
    (lambda d: d["settings"].update({"Notice-Days": 5}), "settings.Notice-Days", "lower-case code", "小写英文代码"),
    (lambda d: d["criteria"]["children"][0].update(wieght=30), "criteria.children[0].wieght", "Unknown field",
     "未知字段"),
    (lambda d: d["criteria"]["children"][0]["children"][0]["scale"].update(kind="rang"),
     "criteria.children[0].children[0].scale.kind", "scale kind 'rang' is not one of", "类型 'rang' 无效"),
    (lambda d: d["criteria"]["children"][0]["children"][0]["scale"].update(min=10, max=0),
     "criteria.children[0].children[0].scale.max", "min must be below max", "min 须小于 max"),
    (lambda d: d["criteria"]["children"][0]["children"][0].pop("scorer_role"),
     "criteria.children[0].children[0]", "needs exactly one of scorer_role or role_weights",
     "须且只能包含 scorer_role 或 role_weights 之一"),
    (lambda d: d.update(quota_rules=[{"kind": "percent", "percent": 30, "of": "everyone"}]),
     "quota_rules[0].of", "Must be one of: population, applicants", "须为以下之一"),
    (lambda d: d.update(quota_rules={"province": [{"kind": "fixed", "count": 3}]}), "quota_rules.province",
     "Unknown field", "未知字段"),
    (lambda d: d.update(quota_rules=[{"kind": "grades", "grades": [{"name": "a", "percent": 10, "rest": True}]}]),
     "quota_rules[0].grades[0]", "exactly one of percent, count or rest", "须且只能有 percent、count、rest 之一"),
    (lambda d: d["scoring"].update(reviewers=3), "scoring.reviewers", "Unknown field", "未知字段"),
    (lambda d: d["scoring"]["veto_rules"][0].update(kind="facts"), "scoring.veto_rules[0].kind",
     "veto rule kind 'facts' is not one of fact, leaf_failed, leaf_below", "veto rule 类型 'facts' 无效"),
    (lambda d: d.update(criteria=None), "criteria", "need a criteria tree", "须同时声明评分指标体系"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_each_bad_part_names_its_path(change, field, en, zh):
    errors = _broken(COLLECTIVES, change)
    match = [e for e in errors if e["field"] == field]
    assert match, errors
    assert en in match[0]["message"] and zh in match[0]["message_zh"]


def test_funding_rules_are_typed():
    errors = _broken(PILOT, lambda d: d["funding"]["tiers"][0].update(cap_fen="5000", cap=1))
    assert set(_fields(errors)) == {"funding.tiers[0].cap_fen", "funding.tiers[0].cap"}
    errors = _broken(PILOT, lambda d: d["funding"].update(claim_steps=["advisor", "dean"]))
    assert _fields(errors) == ["funding.claim_steps[1]"]


def test_every_problem_at_once_in_one_error_and_nothing_partial():
    declaration = copy.deepcopy(COLLECTIVES.declaration())
    declaration["settings"]["notice_days"] = 0
    declaration["stages"].append("award")
    with pytest.raises(ValidationFailed) as refused:
        check_declaration(declaration)
    assert {d["field"] for d in refused.value.details} == {"settings.notice_days", "stages"}
    assert "settings.notice_days" in refused.value.message_en and "环节重复" in refused.value.message_zh


def test_expected_outputs_field_names_a_form_field_and_form_fields_have_labels():
    assert _fields(_broken(COLLECTIVES, lambda d: d["settings"].update(expected_outputs_field="outputs"))) == [
        "settings.expected_outputs_field"]
    errors = _broken(COLLECTIVES, lambda d: d["form_schema"]["properties"]["goals"].pop("title"))
    assert _fields(errors) == ["form.goals"] and "title（中文）" in errors[0]["message_zh"]


def test_the_criteria_arithmetic_and_whole_quota_lists_are_checked_with_the_scoring_code():
    def heavier(d):
        d["criteria"]["children"][0]["weight"] += 10
    errors = _broken(COLLECTIVES, heavier)
    assert errors[0]["field"] == "criteria/class_collective" and "add up to 110, not 100" in errors[0]["message"]
    two_counts = [{"kind": "percent", "percent": 30, "of": "population"}, {"kind": "fixed", "count": 3}]
    errors = _broken(COLLECTIVES, lambda d: d.update(quota_rules=two_counts))
    assert errors[0]["field"] == "quota_rules" and "exactly one of percent, fixed" in errors[0]["message"]
