"""对标争先 on its own: the declaration meets the typed contract, the notice's tiers and
closing materials, the form, and the two rules data cannot say (the budget under the
campaign's top cap, only a party branch applies), each refusal naming its field."""
from core.declaration import declaration_errors
from core.forms import validate_form
from plugins.pilot_branches.form import THEMES
from plugins.pilot_branches.program import PROGRAM, QUOTA_RULES, TIERS


def good_form(**changes):
    form = {"theme": THEMES[0], "title": "支部结对共建", "lead_role": "secretary",
            "goals": "建设一支学习型支部，带动班级学风。", "measures": "每月一次主题党日，结对帮扶两个班级。",
            "expected_outcomes": "形成一份工作案例并在校报发表。", "planned_budget_yuan": "3000.00",
            "faculty_advisor": {"name": "陈老师", "title": "副教授", "phone": "13800000000"}}
    form.update(changes)
    return form


def campaign(*caps_yuan):
    tiers = [dict(tier, cap_fen=cap * 100) for tier, cap in zip(TIERS, caps_yuan)] if caps_yuan else TIERS
    return {"campaign": {"settings": {"tiers": tiers}}}


def test_the_declaration_meets_the_contract():
    assert declaration_errors(PROGRAM.declaration()) == []


def test_the_tiers_are_the_notices():
    assert [(t["name"], t["cap_fen"] // 100) for t in TIERS] == [("重点", 5000), ("特色", 3000), ("一般", 1000)]
    materials = {t["code"]: set(t["closing_materials"]) for t in TIERS}
    assert materials["key"] == materials["featured"] == {"closing_report", "work_case", "article_link"}
    assert materials["general"] == {"closing_report", "activity_summary"}


def test_grades_are_shares_of_the_ranking_with_a_60_point_floor():
    grades = QUOTA_RULES[0]["grades"]
    assert [(g["name"], g.get("percent"), g.get("rest", False)) for g in grades] == [
        ("key", 20, False), ("featured", 30, False), ("general", None, True)]
    assert QUOTA_RULES[1] == {"kind": "min_score", "min": 60}


def test_the_form_accepts_a_complete_application_and_names_each_bad_field():
    assert validate_form(PROGRAM.form, good_form())[1] == []
    problems = validate_form(PROGRAM.form, good_form(theme="其他主题", planned_budget_yuan="5000.01"))[1]
    assert {p["field"] for p in problems} == {"theme", "planned_budget_yuan"}
    missing = validate_form(PROGRAM.form, {k: v for k, v in good_form().items() if k != "faculty_advisor"})[1]
    assert [p["field"] for p in missing] == ["faculty_advisor"]


def test_the_budget_may_not_exceed_the_campaigns_top_cap():
    hooks = PROGRAM.hooks
    assert hooks.validate_application(good_form(planned_budget_yuan="5000.00"), campaign()) == []
    (problem,) = hooks.validate_application(good_form(planned_budget_yuan="4000.00"), campaign(3500, 2000, 800))
    assert problem["field"] == "planned_budget_yuan" and "3500.00" in problem["message_zh"]
    assert hooks.validate_application(good_form(planned_budget_yuan="3500.00"), campaign(3500, 2000, 800)) == []


def test_only_a_party_branch_applies():
    hooks = PROGRAM.hooks
    assert hooks.check_eligibility({"applicant": {"kind": "branch", "id": "b1"}}) == []
    (refusal,) = hooks.check_eligibility({"applicant": {"kind": "class", "id": "c1"}})
    assert refusal["message_zh"] == "仅党支部可申报对标争先项目"
