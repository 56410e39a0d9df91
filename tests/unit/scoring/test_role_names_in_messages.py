"""Messages a person reads name roles by their names, never by their keys."""
import pytest

from core.declaration.criteria_tree import CriteriaTree
from core.errors import PermissionDenied
from core.roles import label
from services.scoring.domain import score_sheet

TREE = CriteriaTree.from_dict({"id": "root", "name": "测试", "children": [
    {"id": "civility", "name": "文明", "weight": 100, "scale": {"kind": "range", "min": 0, "max": 10},
     "scorer_role": "reviewer"}]})


def test_a_role_that_may_not_score_a_leaf_is_named():
    with pytest.raises(PermissionDenied) as info:
        TREE.check_scorer("civility", "counselor")
    text = f"{info.value.message_en} {info.value.message_zh}"
    assert label("counselor") in text and label("reviewer") in text and label("counselor", "en") in text
    assert "'counselor'" not in text and "reviewer" not in info.value.message_zh


def test_a_role_with_nothing_to_score_is_named():
    with pytest.raises(PermissionDenied) as info:
        score_sheet.new_sheet("a1", "p1", "counselor", TREE)
    assert label("counselor") in info.value.message_zh and "counselor" not in info.value.message_zh
