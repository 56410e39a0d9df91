"""The pure computation behind results.compute: the program's scoring inputs woven
into aggregation, vetoes and selection, with numbers worked out by hand."""
import json

import pytest

from core.errors import Conflict, ValidationFailed
from services.scoring.domain import quota
from services.scoring.domain.computation import compute_results
from core.declaration.criteria_tree import CriteriaTree
from services.scoring.results import summary
from tests.unit.scoring.conftest import DORM_TREE

E, P = "环境优美型", "党员示范型"
NAMES = {E: "环境优美型寝室", P: "党员示范型寝室"}
VETO = {"id": "violation", "kind": "fact", "fact": "violation", "equals": True,
        "reason": "a member broke the rules this year", "reason_zh": "寝室成员本学年有违纪"}


def _apps(ids):
    return [{"id": a, "college_id": "college_me", "applicant_id": f"unit_{a}", "applicant_name": f"寝室 {a}",
             "submitted_at": f"2024-10-01T08:00:{i:02d}.000Z"} for i, a in enumerate(ids)]


def _sheets(marks, reviewer="r1", state="submitted"):
    assignments = [{"_id": f"c:{a}:{reviewer}", "application_id": a, "reviewer_id": reviewer} for a in marks]
    sheets = [{"_id": f"c:{a}:{reviewer}", "application_id": a, "reviewer_id": reviewer, "role": "reviewer",
               "scores": m, "state": state} for a, m in marks.items()]
    return assignments, sheets


# -- civilized dorms: categories, imported marks, a fact veto, per-category quota -------
# Basic part 60% (theory 0-10, no violation pass/fail: half each), type part 40%:
# 环境优美型 = env 0-10; 党员示范型 = party member (imported, pass/fail) and activity 0-10.
DORM_MARKS = {
    "d1": {"theory": 9, "no_violation": True, "env": 9.5, "party_activity": 8},  # 57 + 38 = 95 | 57 + 36 = 93
    "d2": {"theory": 10, "no_violation": True, "env": 10},                        # 60 + 40 = 100
    "d3": {"theory": 8, "no_violation": True, "env": 9},                          # 54 + 36 = 90
    "d4": {"theory": 7, "no_violation": True, "party_activity": 6},               # 51 + 0 + 12 = 63
    "d5": {"theory": 5, "no_violation": False, "party_activity": 5},              # 15 + 20 + 10 = 45
}
DORM_INPUTS = {"applications": {
    "d1": {"category": [E, P], "marks": {"party_member": True}},
    "d2": {"category": E}, "d3": {"category": [E]},
    "d4": {"category": P, "marks": {"party_member": False}},
    "d5": {"category": P, "marks": {"party_member": True}},
    "d6": {"category": E, "facts": {"violation": True}},          # vetoed: needs no sheet
    "elsewhere": {"category": E},                                 # not under review: ignored
}}
DORM_RULES = [{"kind": "per_category", "ranges": {E: [1, 2], P: [1, 2]}, "total": 3, "names": NAMES},
              {"kind": "min_score", "min": 60}]


def _dorms(inputs=DORM_INPUTS, rules=DORM_RULES, marks=DORM_MARKS, ids=("d1", "d2", "d3", "d4", "d5", "d6")):
    assignments, sheets = _sheets(marks)
    return compute_results(CriteriaTree.from_dict(DORM_TREE), {"tie_breaks": [], "veto_rules": [VETO]}, rules,
                           {"method": "mean"}, _apps(ids), assignments, sheets, {}, inputs,
                           now="2024-11-01T00:00:00.000Z")


def test_dorms_are_scored_in_their_types_and_placed_where_the_sum_is_best():
    out = _dorms()
    totals = {a: [round(r["total"], 6) for r in s["results"]] for a, s in out["scores"].items()}
    assert totals == {"d1": [95.0, 93.0], "d2": [100.0], "d3": [90.0], "d4": [63.0], "d5": [45.0]}
    assert out["scores"]["d1"]["leaves"]["party_member"]["marks"] == [
        {"reviewer_id": "imported_fact", "role": "imported_fact", "raw": True, "normalised": 1.0, "value": 1.0}]

    sel = out["selection"]
    # Greedy by best score would put d1 in 环境优美型 (95) beside d2 and leave d3 out:
    # 100 + 95 + 63 = 258. The optimum puts d1 in 党员示范型: 100 + 90 + 93 = 283.
    assert sel["categories"] == {E: ["d2", "d3"], P: ["d1"]} and sel["selected"] == ["d2", "d3", "d1"]
    assert sel["quota"] == {"total": 3, "ranges": {E: [1, 2], P: [1, 2]}}
    o = sel["outcomes"]
    assert (o["d1"]["status"], o["d1"]["category"], o["d1"]["category_rank"], o["d1"]["total"]) == ("in", P, 1, 93.0)
    assert o["d3"]["category_rank"] == 3 and o["d1"]["message_zh"] == "以 93.00 分入选党员示范型寝室，类别内排名第 1"
    assert o["d4"]["reason"] == "below_cut_line"
    assert o["d4"]["message_zh"] == "未在所申报的类别中入选（党员示范型寝室：得分 63.00，类别内排名第 2，入选最低分 93.00）"
    assert (o["d5"]["reason"], o["d5"]["message"]) == ("below_min_score", "best score 45.00 is below the required 60")
    assert (o["d6"]["reason"], o["d6"]["message_zh"]) == ("vetoed", "一票否决：寝室成员本学年有违纪")
    assert out["vetoes"]["d6"][0]["by"] == "rule:violation" and "d6" not in out["scores"]
    line = sel["cut_lines"][P]
    assert (line["last_selected"]["application_id"], line["first_not_selected"]) == \
        ("d1", {"application_id": "d4", "rank": 2, "total": 63.0})
    assert sel["cut_lines"][E]["first_not_selected"] is None
    assert [e["application_id"] for e in sel["ranking"]] == ["d2", "d1", "d3", "d4", "d5"]
    assert json.loads(json.dumps(out)) == out


def test_the_summary_carries_categories_and_ranks_within_them():
    out = _dorms()
    computed = {"campaign_id": "c", "program": "dorms", "program_version": "v1", "level": "school",
                "applications": {a["id"]: {"applicant_id": a["applicant_id"], "applicant_name": a["applicant_name"]}
                                 for a in _apps(["d1", "d2", "d3", "d4", "d5", "d6"])},
                "grade_names_zh": {}, "category_names_zh": NAMES, **out}
    s = summary(computed)
    assert [(e["application_id"], e["category"], e["category_name_zh"], e["rank"], e["total"])
            for e in s["selected"]] == [("d2", E, NAMES[E], 1, 100.0), ("d3", E, NAMES[E], 3, 90.0),
                                        ("d1", P, NAMES[P], 1, 93.0)]
    assert [(r["application_id"], r["reason"], r["total"], r["category"]) for r in s["rest"]] == [
        ("d4", "below_cut_line", 63.0, None), ("d5", "below_min_score", 45.0, None), ("d6", "vetoed", None, None)]
    assert s["cut_lines"][E]["last_selected"] == {"application_id": "d3", "rank": 3, "total": 90.0}
    assert s["quota"] == {"total": 3, "ranges": {E: [1, 2], P: [1, 2]}} and s["grade_cut_lines"] is None


def test_a_type_with_fewer_dorms_than_its_minimum_takes_them_all():
    rules = [dict(DORM_RULES[0], ranges={E: [1, 3], P: [2, 3]}, total=4), DORM_RULES[1]]
    sel = _dorms(rules=rules)["selection"]
    # Only d1 and d4 stand in 党员示范型 above 60: both go there; 环境优美型 takes d2, d3.
    assert sel["categories"] == {E: ["d2", "d3"], P: ["d1", "d4"]}


@pytest.mark.parametrize("marks, field, words", [
    ({"party_member": 2}, "marks.party_member", "2 is not pass/fail"),
    ({"nope": 1}, "marks.nope", "'nope' is not a leaf"),
    ({"env": 5}, "marks.env", "is scored by reviewer, not imported from facts"),
])
def test_imported_marks_are_checked_against_their_leaf(marks, field, words):
    inputs = {"applications": dict(DORM_INPUTS["applications"], d4={"category": P, "marks": marks})}
    with pytest.raises(ValidationFailed) as e:
        _dorms(inputs=inputs)
    detail = e.value.details[0]
    assert detail["field"] == f"scoring_inputs.applications.d4.{field}" and words in detail["message"]
    assert "d4" in detail["message"] and "d4" in detail["message_zh"]


def test_an_imported_mark_outside_the_dorms_types_or_a_missing_type_is_refused():
    inputs = {"applications": dict(DORM_INPUTS["applications"], d2={"category": E, "marks": {"party_member": True}})}
    with pytest.raises(ValidationFailed) as e:
        _dorms(inputs=inputs)
    assert "not part of its categories" in e.value.details[0]["message"]
    inputs = {"applications": dict(DORM_INPUTS["applications"], d3={})}
    with pytest.raises(ValidationFailed) as e:
        _dorms(inputs=inputs)
    assert e.value.details[0]["field"] == "scoring_inputs.applications.d3.category"
    assert "no category for application 'd3'" in e.value.details[0]["message"]


def test_sheets_are_needed_except_from_vetoed_dorms():
    marks = {k: v for k, v in DORM_MARKS.items() if k != "d3"}
    with pytest.raises(Conflict) as e:
        _dorms(marks=marks)
    assert e.value.details["unscored"] == ["d3"]
    # d6 is vetoed by its facts before anyone scores it: no sheet needed, none asked for.
    assert _dorms()["selection"]["outcomes"]["d6"]["reason"] == "vetoed"


# -- class-leading members: imported study marks, grades eligibility, unit caps ------
MEMBER_TREE = CriteriaTree.from_dict({"id": "member", "name": "带班党员考核", "children": [
    {"id": "work", "name": "带班工作", "weight": 80, "scale": {"kind": "range", "min": 0, "max": 100},
     "scorer_role": "reviewer"},
    {"id": "study", "name": "学业成绩", "weight": 20, "scale": {"kind": "range", "min": 0, "max": 100},
     "scorer_role": "imported_fact"}]})
WORK = {"m1": 90, "m2": 95, "m3": 85, "m4": 80, "m5": 70}
STUDY = {"m1": 100, "m2": 70, "m3": 90, "m4": 100, "m5": 50}
# totals 0.8 work + 0.2 study: m1 92, m2 90, m3 86, m4 84, m5 66
CLASSES = {"m1": "c1", "m2": "c1", "m3": "c2", "m4": "c3", "m5": "c3"}
GRADES = [{"kind": "grades", "of": "population", "grades": [{"name": "标兵", "percent": 20},
                                                           {"name": "优秀", "rest": True}]}]


def _members(rules, inputs, population=None, ids=tuple(WORK)):
    assignments, sheets = _sheets({m: {"work": WORK[m]} for m in WORK if m in ids})
    return compute_results(MEMBER_TREE, {"tie_breaks": []}, rules, {"method": "mean"}, _apps(ids), assignments,
                           sheets, {}, inputs, population=population)


def _member_inputs(**extra):
    apps = {m: {"marks": {"study": STUDY[m]}, "units": {"led_class_id": CLASSES[m]}} for m in WORK}
    apps["m1"]["grades_eligible"] = ["优秀"]          # a failed course: not 标兵
    return {"applications": apps, **extra}


def test_grades_eligibility_and_the_population_come_from_the_program():
    out = _members(GRADES, _member_inputs(population=10))
    totals = {m: round(s["total"], 6) for m, s in out["scores"].items()}
    assert totals == {"m1": 92.0, "m2": 90.0, "m3": 86.0, "m4": 84.0, "m5": 66.0}
    # 标兵: 20% of 10 = 2, m1 does not qualify -> m2, m3; 优秀: the rest.
    assert out["population"] == 10
    assert out["selection"]["grades"] == {"标兵": ["m2", "m3"], "优秀": ["m1", "m4", "m5"]}
    # The setup's population wins over the program's: 20% of 20 = 4.
    out = _members(GRADES, _member_inputs(population=10), population=20)
    assert out["selection"]["grades"] == {"标兵": ["m2", "m3", "m4", "m5"], "优秀": ["m1"]}


def test_a_unit_cap_counts_a_unit_the_program_names():
    rules = [{"kind": "fixed", "count": 3}, {"kind": "per_unit_cap", "unit": "led_class_id", "max": 1}]
    sel = _members(rules, _member_inputs())["selection"]
    assert sel["selected"] == ["m1", "m3", "m4"]
    assert sel["outcomes"]["m2"]["reason"] == "unit_cap_reached" and "所带班级" in sel["outcomes"]["m2"]["message_zh"]
    assert sel["outcomes"]["m5"]["reason"] == "below_cut_line"


def test_without_inputs_the_selection_is_the_plain_one():
    # No imported marks: an imported leaf is then missing (on_missing: error) ...
    with pytest.raises(ValidationFailed) as e:
        _members([{"kind": "fixed", "count": 2}], None)
    assert e.value.details[0]["field"] == "scores.study"
    # ... and with a tree scored only by reviewers nothing changes.
    tree = CriteriaTree.from_dict({"id": "t", "name": "t", "children": [
        {"id": "work", "name": "带班工作", "weight": 100, "scale": {"kind": "range", "min": 0, "max": 100},
         "scorer_role": "reviewer"}]})
    assignments, sheets = _sheets({m: {"work": w} for m, w in WORK.items()})
    rules = [{"kind": "fixed", "count": 2}]
    for raw in (None, {"applications": {}, "population": None}):
        out = compute_results(tree, {}, rules, {"method": "mean"}, _apps(WORK), assignments, sheets, {}, raw)
        plain = quota.select([{"application_id": m, "total": float(w), "fields": {}, "units": {}}
                              for m, w in WORK.items()], rules)
        assert out["selection"]["selected"] == plain["selected"] == ["m2", "m1"]
        assert out["categories"] == {} and out["population"] is None


def test_an_application_scored_only_by_facts_needs_no_sheet():
    tree = CriteriaTree.from_dict({"id": "t", "name": "t", "children": [
        {"id": "awards", "name": "集体荣誉", "weight": 100,
         "scale": {"kind": "count", "formula": {"kind": "linear", "points_per_unit": 25, "max": 100}},
         "scorer_role": "imported_fact"}]})
    inputs = {"applications": {"a": {"marks": {"awards": 3}}, "b": {"marks": {"awards": 1}}}}
    out = compute_results(tree, {}, [{"kind": "fixed", "count": 1}], {"method": "mean"}, _apps(["a", "b"]), [], [],
                          {}, inputs)
    assert {k: s["total"] for k, s in out["scores"].items()} == {"a": 75.0, "b": 25.0}
    assert out["selection"]["selected"] == ["a"]
