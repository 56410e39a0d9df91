"""Criteria trees used across the scoring tests (worked examples in the tests)."""
import copy

import pytest

from core.declaration.criteria_tree import SCORER_ROLES, CriteriaTree

# Raters a program declares (core.declaration.rater_roles), as 先进班集体 does its own.
RATER_ROLES = [{"key": key, "label_zh": zh, "label_en": en, "scopes": ["college"], "granted_by": "college_admin"}
               for key, zh, en in (("league_branch", "团总支（测评）", "League branch (rating)"),
                                   ("course_teacher", "任课教师（测评）", "Course teacher (rating)"))]
LEAGUE, TEACHER = "collectives_test:league_branch", "collectives_test:course_teacher"
ROLES = SCORER_ROLES + (LEAGUE, TEACHER)

CLASS_TREE = {
    "id": "root", "name": "先进班集体", "children": [
        {"id": "study", "name": "学风建设", "weight": 30, "children": [
            {"id": "civility", "name": "文明素养", "weight": 50,
             "scale": {"kind": "range", "min": 0, "max": 10}, "scorer_role": "reviewer"},
            {"id": "academic", "name": "学业表现", "weight": 50,
             "scale": {"kind": "range", "min": 0, "max": 10}, "scorer_role": "reviewer"},
        ]},
        {"id": "psych", "name": "心理健康", "weight": 10,
         "scale": {"kind": "count", "formula": {"kind": "linear", "points_per_unit": 25, "max": 100}},
         "scorer_role": "imported_fact"},
        {"id": "sports", "name": "体育", "weight": 10,
         "scale": {"kind": "range", "min": 0, "max": 100}, "scorer_role": "reviewer"},
        {"id": "results", "name": "工作成效", "weight": 10,
         "scale": {"kind": "count", "formula": {"kind": "thresholds", "table": [
             {"at_least": 0, "score": 0}, {"at_least": 1, "score": 60}, {"at_least": 3, "score": 100}]}},
         "scorer_role": "imported_fact"},
        {"id": "fraud", "name": "防诈骗", "weight": 10,
         "scale": {"kind": "count", "formula": {"kind": "linear", "base": 100, "points_per_unit": -50}},
         "scorer_role": "imported_fact"},
        {"id": "rating", "name": "测评", "weight": 30,
         "scale": {"kind": "range", "min": 0, "max": 100},
         "role_weights": {"counselor": 40, LEAGUE: 30, TEACHER: 30}},
    ]}

DORM_TREE = {
    "id": "dorm", "name": "文明寝室", "children": [
        {"id": "basic", "name": "基本条件", "weight": 60, "children": [
            {"id": "theory", "name": "理论学习", "weight": 50,
             "scale": {"kind": "range", "min": 0, "max": 10}, "scorer_role": "reviewer"},
            {"id": "no_violation", "name": "无违纪", "weight": 50,
             "scale": {"kind": "pass_fail"}, "scorer_role": "reviewer"},
        ]},
        {"id": "type_part", "name": "类型条件", "weight": 40, "by_category": {
            "环境优美型": {"id": "env", "name": "环境优美", "scale": {"kind": "range", "min": 0, "max": 10},
                        "scorer_role": "reviewer"},
            "党员示范型": {"id": "party", "name": "党员示范", "children": [
                {"id": "party_member", "name": "有党员", "weight": 50, "scale": {"kind": "pass_fail"},
                 "scorer_role": "imported_fact"},
                {"id": "party_activity", "name": "示范活动", "weight": 50,
                 "scale": {"kind": "range", "min": 0, "max": 10}, "scorer_role": "reviewer"},
            ]},
        }},
    ]}


@pytest.fixture
def class_tree():
    return CriteriaTree.from_dict(CLASS_TREE, ROLES)


@pytest.fixture
def dorm_tree():
    return CriteriaTree.from_dict(DORM_TREE)



@pytest.fixture
def class_data():
    """A fresh, mutable copy of the 先进班集体 declaration."""
    return copy.deepcopy(CLASS_TREE)


@pytest.fixture
def dorm_data():
    return copy.deepcopy(DORM_TREE)
