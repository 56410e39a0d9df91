"""Criteria tree: validation with the offending node named, scales, weights, fingerprint."""
import copy

import pytest

from core.errors import PermissionDenied, ValidationFailed
from core.declaration.criteria_tree import CriteriaTree
from tests.unit.scoring.conftest import ROLES, TEACHER
from core.declaration.scales import Scale


def test_weights_must_add_up_to_100_and_the_node_is_named(class_data):
    bad = class_data
    bad["children"][0]["children"][1]["weight"] = 40       # 学风建设: 50 + 40
    with pytest.raises(ValidationFailed) as e:
        CriteriaTree.from_dict(bad, ROLES)
    err = e.value
    assert "'study' (学风建设)" in err.message_en and "90" in err.message_en
    assert "学风建设" in err.message_zh and "应为 100" in err.message_zh
    assert err.details[0]["field"] == "criteria/root/study"


def test_top_level_weights_checked_too_and_every_bad_node_reported(class_data):
    bad = class_data
    bad["children"][1]["weight"] = 11                          # root: 101
    bad["children"][0]["children"][0]["weight"] = 51           # study: 101
    with pytest.raises(ValidationFailed) as e:
        CriteriaTree.from_dict(bad, ROLES)
    fields = [d["field"] for d in e.value.details]
    assert fields == ["criteria/root/study", "criteria/root"]


def test_tolerance_is_1e_minus_9():
    thirds = {"id": "r", "name": "R", "children": [
        {"id": f"l{i}", "name": f"L{i}", "weight": 100 / 3, "scale": {"kind": "pass_fail"},
         "scorer_role": "reviewer"} for i in range(3)]}
    CriteriaTree.from_dict(thirds, ROLES)                              # 99.99999999999999 passes
    thirds["children"][0]["weight"] += 1e-8
    with pytest.raises(ValidationFailed):
        CriteriaTree.from_dict(thirds, ROLES)


def test_role_weights_must_add_up_to_100(class_data):
    bad = class_data
    bad["children"][5]["role_weights"][TEACHER] = 20
    with pytest.raises(ValidationFailed) as e:
        CriteriaTree.from_dict(bad, ROLES)
    assert "'rating' (测评)" in e.value.message_en and "90" in e.value.message_en


@pytest.mark.parametrize("mutate, words", [
    (lambda t: t["children"][2].update(scorer_role="dean"), "scorer_role 'dean'"),
    (lambda t: t["children"][2].update(scale={"kind": "range", "min": 10, "max": 0}), "min < max"),
    (lambda t: t["children"][2].update(scale={"kind": "stars"}), "scale kind 'stars'"),
    (lambda t: t["children"][1].update(id="sports"), "used more than once"),
    (lambda t: t["children"][1].update(id="a.b"), "without '.'"),
    (lambda t: t["children"][1]["scale"]["formula"].update(kind="python"), "linear or thresholds"),
    (lambda t: t["children"][3]["scale"]["formula"]["table"].reverse(), "strictly increasing"),
    (lambda t: t["children"][2].pop("scale"), "exactly one of children, scale or by_category"),
])
def test_malformed_nodes_are_refused_with_the_node_named(class_data, mutate, words):
    bad = class_data
    mutate(bad)
    with pytest.raises(ValidationFailed) as e:
        CriteriaTree.from_dict(bad, ROLES)
    assert words in e.value.message_en


def test_category_subtrees_stand_for_their_parent(dorm_data):
    bad = dorm_data
    bad["children"][1]["by_category"]["环境优美型"]["weight"] = 40
    with pytest.raises(ValidationFailed) as e:
        CriteriaTree.from_dict(bad, ROLES)
    assert "'env' (环境优美)" in e.value.message_en


def test_leaf_weights_per_category(dorm_tree):
    # 60% basic (two halves) + 40% of the chosen type subtree
    assert dorm_tree.leaf_weights("环境优美型") == pytest.approx(
        {"theory": 0.3, "no_violation": 0.3, "env": 0.4})
    assert dorm_tree.leaf_weights("党员示范型") == pytest.approx(
        {"theory": 0.3, "no_violation": 0.3, "party_member": 0.2, "party_activity": 0.2})
    assert dorm_tree.categories == ("环境优美型", "党员示范型")
    with pytest.raises(ValidationFailed) as e:
        dorm_tree.leaf_weights("科研创新型")
    assert "'type_part' (类型条件)" in e.value.message_en


def test_evaluate_worked_example(dorm_tree):
    # theory 8/10 -> 0.8, no violation -> 1, env 9/10 -> 0.9:
    # 60 * (0.5*0.8 + 0.5*1) + 40 * 0.9 = 54 + 36 = 90
    r = dorm_tree.evaluate({"theory": 0.8, "no_violation": 1.0, "env": 0.9}, "环境优美型")
    assert r["total"] == pytest.approx(90)
    assert r["nodes"]["basic"] == pytest.approx(90) and r["nodes"]["type_part"] == pytest.approx(90)
    assert r["points"] == pytest.approx({"theory": 24, "no_violation": 30, "env": 36})


@pytest.mark.parametrize("scale, value, expected", [
    ({"kind": "range", "min": 0, "max": 10}, 7.5, 0.75),
    ({"kind": "range", "min": 60, "max": 100}, 90, 0.75),
    ({"kind": "pass_fail"}, True, 1.0),
    ({"kind": "pass_fail"}, 0, 0.0),
    ({"kind": "count", "formula": {"kind": "linear", "points_per_unit": 25, "max": 100}}, 3, 0.75),
    ({"kind": "count", "formula": {"kind": "linear", "points_per_unit": 25, "max": 100}}, 7, 1.0),   # capped
    ({"kind": "count", "formula": {"kind": "linear", "base": 100, "points_per_unit": -50}}, 1, 0.5),
    ({"kind": "count", "formula": {"kind": "linear", "base": 100, "points_per_unit": -50}}, 4, 0.0),  # floor 0
    ({"kind": "count", "formula": {"kind": "thresholds", "table": [
        {"at_least": 1, "score": 60}, {"at_least": 3, "score": 100}]}}, 0, 0.0),
    ({"kind": "count", "formula": {"kind": "thresholds", "table": [
        {"at_least": 1, "score": 60}, {"at_least": 3, "score": 100}]}}, 2, 0.6),
    ({"kind": "count", "formula": {"kind": "thresholds", "table": [
        {"at_least": 1, "score": 60}, {"at_least": 3, "score": 100}]}}, 3.0, 1.0),
])
def test_scales_normalise_to_0_1(scale, value, expected):
    s = Scale.from_dict(scale)
    assert s.problem(value) is None
    assert s.normalise(value) == pytest.approx(expected)


def test_out_of_scale_is_refused_naming_leaf_and_scale(class_tree):
    with pytest.raises(ValidationFailed) as e:
        class_tree.normalise("civility", 11)
    assert e.value.message_en == ("scores.civility: leaf 'civility' (文明素养): 11 is outside the scale: "
                                  "expected a number from 0 to 10")
    assert "0 至 10" in e.value.message_zh and "文明素养" in e.value.message_zh
    for leaf, value in (("psych", -1), ("psych", 2.5), ("psych", True), ("civility", "9"),
                        ("civility", float("nan"))):
        assert class_tree.score_problem(leaf, value) is not None
    with pytest.raises(ValidationFailed):
        class_tree.normalise("nope", 1)


def test_scorer_roles(class_tree):
    class_tree.check_scorer("rating", "counselor")
    class_tree.check_scorer("civility", "reviewer")
    with pytest.raises(PermissionDenied) as e:
        class_tree.check_scorer("civility", "counselor")
    assert "'civility' (文明素养)" in e.value.message_en


def test_fingerprint_is_canonical_and_changes_with_the_rules(class_data):
    a = CriteriaTree.from_dict(class_data, ROLES)
    reordered = {k: class_data[k] for k in reversed(list(class_data))}
    as_floats = copy.deepcopy(class_data)
    as_floats["children"][0]["weight"] = 30.0
    assert CriteriaTree.from_dict(reordered, ROLES).fingerprint == a.fingerprint
    assert CriteriaTree.from_dict(as_floats, ROLES).fingerprint == a.fingerprint
    assert len(a.fingerprint) == 64
    changed = copy.deepcopy(class_data)
    changed["children"][2]["scale"]["max"] = 10
    assert CriteriaTree.from_dict(changed, ROLES).fingerprint != a.fingerprint
    # round trip
    assert CriteriaTree.from_dict(a.to_dict(), ROLES).fingerprint == a.fingerprint
