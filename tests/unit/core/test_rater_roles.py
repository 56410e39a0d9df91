"""Rater roles a program declares (core/declaration/rater_roles.py, core/roles.py):
each bad declaration is refused with its path and both languages; a declared role is
namespaced by its program, may score the program's criteria leaves, and is granted by
whom it says at the units it says."""
import copy

import pytest

from core import roles
from core.declaration import check_declaration, declaration_errors, rater_role_key
from core.declaration.criteria_tree import CriteriaTree
from core.errors import ValidationFailed
from plugins.pilot_branches.program import PROGRAM as PILOT

TUTOR = {"key": "tutor", "label_zh": "导师（测评）", "label_en": "Tutor (rating)", "scopes": ["college", "class"],
         "granted_by": "college_admin"}


def _with_roles(*specs, criteria_role=None):
    declaration = copy.deepcopy(PILOT.declaration())
    declaration["rater_roles"] = [dict(s) for s in specs]
    if criteria_role:
        leaf = _first_leaf(declaration["criteria"])
        leaf["scorer_role"] = criteria_role
    return declaration


def _first_leaf(node):
    return node if "scale" in node else _first_leaf(node["children"][0])


@pytest.mark.parametrize("change, field, en, zh", [
    (lambda r: r.update(kye="tutor"), "rater_roles[0].kye", "Unknown field", "未知字段"),
    (lambda r: r.pop("label_en"), "rater_roles[0].label_en", "Missing data", "必填项缺失"),
    (lambda r: r.update(key="Tutor"), "rater_roles[0].key", "lower-case code", "小写英文代码"),
    (lambda r: r.update(key="a:b"), "rater_roles[0].key", "lower-case code", "小写英文代码"),
    (lambda r: r.update(scopes=[]), "rater_roles[0].scopes", "Shorter than minimum length 1", "长度"),
    (lambda r: r.update(scopes=["faculty"]), "rater_roles[0].scopes[0]", "Must be one of", "须为以下之一"),
    (lambda r: r.update(scopes=["class", "class"]), "rater_roles[0].scopes", "lists a kind of unit twice",
     "单位类型重复"),
    (lambda r: r.update(granted_by="counselor"), "rater_roles[0].granted_by", "Must be one of", "须为以下之一"),
    (lambda r: r.update(scopes=["school"]), "rater_roles[0].scopes", "held inside a college", "不能在学校任职"),
    (lambda r: r.update(label_zh="测" * 21), "rater_roles[0].label_zh", "Length must be between 1 and 20", "长度"),
    (lambda r: r.update(formerly="Old-Key"), "rater_roles[0].formerly", "lower-case code", "小写英文代码"),
    (lambda r: r.update(formerly="counselor"), "rater_roles[0].formerly", "'counselor' is a platform role",
     "counselor 是平台角色"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_each_bad_rater_role_names_its_path(change, field, en, zh):
    role = dict(TUTOR)
    change(role)
    errors = declaration_errors(_with_roles(role))
    match = [e for e in errors if e["field"] == field]
    assert match, errors
    assert en in match[0]["message"] and zh in match[0]["message_zh"], match


def test_a_role_or_a_former_key_is_declared_once():
    twice = declaration_errors(_with_roles(TUTOR, dict(TUTOR, label_zh="导师二")))
    assert [(e["field"], e["message_zh"]) for e in twice] == [("rater_roles", "评分角色重复声明")]
    former = declaration_errors(_with_roles(dict(TUTOR, formerly="tutor_rating"),
                                            dict(TUTOR, key="mentor", formerly="tutor_rating")))
    assert [e["field"] for e in former] == ["rater_roles"] and "formerly" in former[0]["message_zh"]


def test_criteria_leaves_may_name_the_programs_own_roles_by_their_stored_key_only():
    own = rater_role_key(PILOT.name, "tutor")
    assert own == "pilot_branches:tutor"
    assert declaration_errors(_with_roles(TUTOR, criteria_role=own)) == []
    for wrong in ("tutor", "class_collectives:tutor", "pilot_branches:mentor"):
        errors = declaration_errors(_with_roles(TUTOR, criteria_role=wrong))
        assert [e for e in errors if e["field"].startswith("criteria") and repr(wrong) in e["message"]
                and "评分角色" in e["message_zh"]], (wrong, errors)
    undeclared = declaration_errors(_with_roles(criteria_role=own))
    assert any(own in e["message"] for e in undeclared), undeclared


def test_a_stored_tree_loads_with_the_roles_it_was_registered_with():
    tree = _with_roles(criteria_role="old_platform_role")["criteria"]
    with pytest.raises(ValidationFailed):
        CriteriaTree.from_dict(tree)
    assert "old_platform_role" in CriteriaTree.from_dict(tree, None).leaves()[0].scorer_roles()


def test_declaring_rater_roles_leaves_the_version_of_a_program_without_any_unchanged():
    before = PILOT.declaration()
    assert "rater_roles" not in before
    changed = copy.deepcopy(PILOT)
    changed.rater_roles = [TUTOR]
    after = changed.declaration()
    assert after["rater_roles"] == [TUTOR] and after["version"] != before["version"]
    assert check_declaration(after)


@pytest.fixture
def declared():
    roles.declare("rater_test", [dict(TUTOR, formerly="tutor_rating"),
                                 dict(TUTOR, key="dean", label_zh="院长（测评）", label_en="Dean (rating)",
                                      scopes=["school"], granted_by="school_admin")])
    yield "rater_test:tutor", "rater_test:dean"
    roles.declare("rater_test", [])


COLLEGE = {"_id": "c1", "kind": "college", "path": ["s1", "c1"]}
CLASS = {"_id": "k1", "kind": "class", "path": ["s1", "c1", "k1"]}
SCHOOL = {"_id": "s1", "kind": "school", "path": ["s1"]}


def test_a_declared_role_is_granted_by_whom_and_where_it_says(declared):
    tutor, dean = declared
    college_admin, school_admin, counselor = [("college_admin", "c1")], [("school_admin", "s1")], [("counselor", "c1")]
    assert roles.grant_problem(college_admin, tutor, COLLEGE) is None
    assert roles.grant_problem(college_admin, tutor, CLASS) is None
    assert roles.grant_problem(school_admin, tutor, CLASS) is None
    assert roles.grant_problem(counselor, tutor, COLLEGE)[0] == "role"
    assert roles.grant_problem(college_admin, tutor, {"_id": "c2", "kind": "college", "path": ["s1", "c2"]})[0] == "role"
    wrong_unit = roles.grant_problem(college_admin, tutor, {"_id": "d1", "kind": "dorm", "path": ["s1", "c1", "d1"]})
    assert wrong_unit[0] == "unit_id" and "导师（测评）" in wrong_unit[2]
    assert roles.grant_problem(school_admin, dean, SCHOOL) is None
    assert roles.grant_problem(college_admin, dean, SCHOOL)[0] == "role"


def test_the_catalogue_labels_every_role_and_says_who_may_grant_it(declared):
    tutor, dean = declared
    rows = {r["role"]: r for r in roles.catalogue([("college_admin", "c1")])}
    assert rows[tutor] == {"role": tutor, "label_zh": "导师（测评）", "label_en": "Tutor (rating)",
                           "unit_kinds": ["college", "class"], "program": "rater_test",
                           "granted_by": "college_admin", "grantable": True}
    assert rows[dean]["granted_by"] == "school_admin" and not rows[dean]["grantable"]
    assert rows["counselor"]["grantable"] and rows["counselor"]["program"] is None
    assert not any(r["grantable"] for r in roles.catalogue([("counselor", "c1")]))
    assert roles.label(tutor, "en") == "Tutor (rating)" and roles.label("tutor_rating") == "导师（测评）"


def test_a_newer_declaration_replaces_the_programs_roles(declared):
    tutor, dean = declared
    roles.declare("rater_test", [dict(TUTOR, label_zh="班导师（测评）")])
    assert roles.label(tutor) == "班导师（测评）" and dean not in roles.ROLES
    assert roles.label("tutor_rating") == "tutor_rating"      # no longer its former key
    assert dean not in [r["role"] for r in roles.catalogue()]
