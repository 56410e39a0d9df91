"""Quota rules a program declares: the per_category rule, rules by campaign level,
and their validation at registration (every bad rule named, by level)."""
import copy

import pytest

from core.errors import ValidationFailed
from services.scoring import programs
from core.declaration.criteria_tree import CriteriaTree
from services.scoring.domain.quota import (
    parse_quota_rules, quota_size, rules_for_level, select, validate_quota_rules)
from tests.unit.scoring.conftest import RATER_ROLES, ROLES, CLASS_TREE, DORM_TREE

E, P = "环境优美型", "党员示范型"
PER_CATEGORY = {"kind": "per_category", "ranges": {E: [15, 25], P: [15, 25]}, "total": 40,
                "names": {E: "环境优美型寝室", P: "党员示范型寝室"}}


def _fields(exc):
    return [d["field"] for d in exc.value.details]


def test_per_category_rule_is_a_count_rule_combinable_with_min_score():
    parsed = parse_quota_rules([PER_CATEGORY, {"kind": "min_score", "min": 60}])
    assert parsed["count"] is PER_CATEGORY and parsed["min_score"] == 60 and parsed["caps"] == []
    assert quota_size([PER_CATEGORY]) == {"total": 40, "ranges": {E: [15, 25], P: [15, 25]}}
    # The ranking selection refuses it: it needs each application's categories.
    with pytest.raises(ValidationFailed):
        select([{"application_id": "a", "total": 1.0}], [PER_CATEGORY])


@pytest.mark.parametrize("change, field, words", [
    ({"ranges": {}}, "quota_rules[0]", "needs ranges"),
    ({"ranges": {E: [5, 3]}, "total": 4}, f"quota_rules[0].ranges.{E}", "0 <= lo <= hi"),
    ({"ranges": {E: [1, 2.5]}, "total": 2}, f"quota_rules[0].ranges.{E}", "whole numbers"),
    ({"ranges": {"a.b": [1, 2]}, "total": 2}, "quota_rules[0].ranges", "without '.'"),
    ({"total": -1}, "quota_rules[0].total", "whole number >= 0"),
    ({"total": True}, "quota_rules[0].total", "whole number >= 0"),
    ({"total": 60}, "quota_rules[0].total", "the ranges allow 30 to 50 in all, not the total 60"),
    ({"total": 20}, "quota_rules[0].total", "the ranges allow 30 to 50 in all, not the total 20"),
    ({"names": {"科研创新型": "科研"}}, "quota_rules[0].names.科研创新型", "needs a range"),
    ({"names": {E: " "}}, f"quota_rules[0].names.{E}", "non-empty name"),
])
def test_bad_per_category_rules_are_named(change, field, words):
    with pytest.raises(ValidationFailed) as e:
        parse_quota_rules([dict(PER_CATEGORY, **change)])
    detail = next(d for d in e.value.details if d["field"] == field)
    assert words in detail["message"] and detail["message_zh"]


def test_per_category_does_not_combine_with_a_unit_cap_or_another_count_rule():
    with pytest.raises(ValidationFailed) as e:
        parse_quota_rules([PER_CATEGORY, {"kind": "per_unit_cap", "unit": "class_id", "max": 2}])
    assert "per_unit_cap does not combine with per_category" in e.value.details[0]["message"]
    with pytest.raises(ValidationFailed) as e:
        parse_quota_rules([PER_CATEGORY, {"kind": "fixed", "count": 3}])
    assert "exactly one of percent, fixed, grades or per_category" in e.value.details[0]["message"]


def test_rules_by_level_are_each_validated_and_named_by_level():
    college = [{"kind": "percent", "percent": 15, "of": "population"}]
    school = [{"kind": "grades", "of": "applicants", "grades": [{"name": "一等奖", "count": 2},
                                                               {"name": "优秀奖", "rest": True}]}]
    parsed = validate_quota_rules({"college": college, "school": school})
    assert parsed["college"]["count"] == college[0] and parsed["school"]["count"] == school[0]
    assert list(validate_quota_rules(college)) == [None]

    with pytest.raises(ValidationFailed) as e:
        validate_quota_rules({"college": [{"kind": "percent", "percent": 150, "of": "population"}],
                              "school": [{"kind": "fixed", "count": -1}, {"kind": "min_score"}]})
    assert _fields(e) == ["quota_rules.school[0]", "quota_rules.school[1]", "quota_rules.college[0]"]
    with pytest.raises(ValidationFailed) as e:
        validate_quota_rules({"province": college})
    assert _fields(e) == ["quota_rules"] and "province" in e.value.details[0]["message"]
    with pytest.raises(ValidationFailed) as e:
        validate_quota_rules({"school": {"kind": "fixed", "count": 1}})
    assert _fields(e) == ["quota_rules.school"]


def test_the_campaign_level_picks_the_rules_school_when_absent():
    by_level = {"college": [{"kind": "fixed", "count": 1}], "school": [{"kind": "fixed", "count": 2}]}
    assert rules_for_level(by_level, "college") == [{"kind": "fixed", "count": 1}]
    assert rules_for_level(by_level, None) == [{"kind": "fixed", "count": 2}]
    assert rules_for_level([{"kind": "fixed", "count": 3}], "college") == [{"kind": "fixed", "count": 3}]
    with pytest.raises(ValidationFailed) as e:
        rules_for_level({"college": [{"kind": "fixed", "count": 1}]}, "school")
    assert "no quota rules for school-level campaigns" in e.value.message_en and "校级" in e.value.message_zh


def _declaration(criteria, quota_rules):
    return {"name": "collectives_test", "version": "v1", "criteria": copy.deepcopy(criteria),
            "quota_rules": quota_rules, "rater_roles": RATER_ROLES}


def test_registration_checks_every_level_and_the_categories_of_the_tree():
    rules = {"college": [PER_CATEGORY, {"kind": "min_score", "min": 60}],
             "school": [dict(PER_CATEGORY, ranges={E: [1, 2], P: [1, 2]}, total=3)]}
    definition = programs.definition_from_declaration(_declaration(DORM_TREE, rules))
    assert definition["quota_rules"] == rules

    wrong = dict(PER_CATEGORY, ranges={E: [15, 25], "科研创新型": [15, 25]}, names={})
    with pytest.raises(ValidationFailed) as e:
        programs.definition_from_declaration(_declaration(DORM_TREE, {"school": [wrong]}))
    assert _fields(e) == ["quota_rules.school.ranges"]
    assert f"missing ['{P}']" in e.value.details[0]["message"] and "科研创新型" in e.value.details[0]["message"]

    with pytest.raises(ValidationFailed) as e:
        programs.definition_from_declaration(_declaration(CLASS_TREE, {"college": [{"kind": "fixed"}]}))
    assert _fields(e) == ["quota_rules.college[0]"]
    # A tree without categories may still select by categories the program gives.
    assert programs.definition_from_declaration(_declaration(CLASS_TREE, [PER_CATEGORY]))["quota_rules"]
    assert CriteriaTree.from_dict(CLASS_TREE, ROLES).categories == ()
