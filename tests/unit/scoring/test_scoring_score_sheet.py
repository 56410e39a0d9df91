"""Score sheets: draft -> submitted (locked), audited admin changes, scale checks."""
import pytest

from core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from services.scoring.domain.aggregation import score_campaign
from core.declaration.criteria_tree import CriteriaTree
from tests.unit.scoring.conftest import ROLES
from services.scoring.domain.score_sheet import (
    ScoreSheet, admin_change, missing_leaves, new_sheet, reopen, save_draft, submit)

R1 = {"id": "r1", "roles": ["reviewer"]}
ADMIN = {"id": "boss", "roles": ["admin"]}
T0, T1 = "2023-10-25T01:00:00.000Z", "2023-10-26T01:00:00.000Z"


def test_draft_then_submit_then_locked(class_tree):
    s = new_sheet("a1", "r1", "reviewer", class_tree, sheet_id="s1", campaign_id="camp")
    s = save_draft(s, {"civility": 8, "academic": 7}, class_tree, R1)
    assert s.state == "draft" and s.version == 1 and missing_leaves(s, class_tree) == ["sports"]
    with pytest.raises(ValidationFailed) as e:
        submit(s, class_tree, R1)
    assert "'sports' (体育) is not scored yet" in e.value.message_en
    s = save_draft(s, {"sports": 90, "academic": None}, class_tree, R1)   # None clears
    assert s.scores == {"civility": 8, "sports": 90}
    s = save_draft(s, {"academic": 9}, class_tree, R1)
    done = submit(s, class_tree, R1, at=T0)
    assert done.state == "submitted" and done.submitted_at == T0
    assert done.audit == ({"action": "submitted", "by": "r1", "at": T0, "reason": None},)
    assert s.state == "draft"                                   # the input is untouched
    with pytest.raises(InvalidTransition):
        save_draft(done, {"civility": 9}, class_tree, R1)
    with pytest.raises(InvalidTransition):
        submit(done, class_tree, R1)


def test_only_the_reviewer_edits_and_scores_are_checked(class_tree):
    s = new_sheet("a1", "r1", "reviewer", class_tree)
    with pytest.raises(PermissionDenied):
        save_draft(s, {"civility": 8}, class_tree, {"id": "r2", "roles": ["reviewer"]})
    with pytest.raises(ValidationFailed) as e:
        save_draft(s, {"civility": 11, "sports": -5}, class_tree, R1)
    assert [d["field"] for d in e.value.details] == ["scores.civility", "scores.sports"]
    assert "0 to 100" in e.value.details[1]["message"]
    with pytest.raises(PermissionDenied):
        save_draft(s, {"rating": 80}, class_tree, R1)            # a counselor's leaf
    with pytest.raises(PermissionDenied):
        new_sheet("a1", "x", "dean", class_tree)


def test_category_leaves_only(dorm_tree):
    s = new_sheet("d1", "r1", "reviewer", dorm_tree, category="环境优美型")
    with pytest.raises(ValidationFailed) as e:
        save_draft(s, {"party_activity": 5}, dorm_tree, R1)
    assert "'party_activity' (示范活动) is not part of this application's category" in e.value.message_en
    assert missing_leaves(s, dorm_tree) == ["theory", "no_violation", "env"]


def _submitted(class_tree):
    s = new_sheet("a1", "r1", "reviewer", class_tree)
    s = save_draft(s, {"civility": 8, "academic": 7, "sports": 90}, class_tree, R1)
    return submit(s, class_tree, R1, at=T0)


def test_admin_change_needs_admin_and_reason_and_is_audited(class_tree):
    s = _submitted(class_tree)
    with pytest.raises(PermissionDenied):
        admin_change(s, {"civility": 9}, class_tree, R1, "typo")
    with pytest.raises(ValidationFailed):
        admin_change(s, {"civility": 9}, class_tree, ADMIN, "")
    with pytest.raises(ValidationFailed):
        admin_change(s, {"civility": 90}, class_tree, ADMIN, "typo")
    changed = admin_change(s, {"civility": 9, "academic": 7}, class_tree, ADMIN, "录入错误，原始纸质表为 9", at=T1)
    assert changed.state == "submitted" and changed.scores["civility"] == 9
    assert changed.audit[-1] == {"action": "changed", "by": "boss", "at": T1, "reason": "录入错误，原始纸质表为 9",
                                 "changes": [{"leaf": "civility", "old": 8, "new": 9}]}
    assert len(s.audit) == 1 and len(changed.audit) == 2
    with pytest.raises(InvalidTransition):
        admin_change(new_sheet("a1", "r1", "reviewer", class_tree), {"civility": 9}, class_tree, ADMIN, "x")


def test_reopen_is_audited_and_lets_the_reviewer_edit(class_tree):
    s = reopen(_submitted(class_tree), ADMIN, "评分漏项", at=T1)
    assert s.state == "draft" and s.audit[-1]["action"] == "reopened" and s.audit[-1]["reason"] == "评分漏项"
    save_draft(s, {"civility": 5}, class_tree, R1)


def test_another_criteria_version_is_refused(class_tree, class_data):
    s = _submitted(class_tree)
    class_data["children"][2]["scale"]["max"] = 10
    other = CriteriaTree.from_dict(class_data, ROLES)
    with pytest.raises(ValidationFailed) as e:
        admin_change(s, {"sports": 9}, other, ADMIN, "x")
    assert e.value.field == "criteria_fingerprint"


def test_round_trip_and_aggregation_reads_sheets(class_tree):
    s = _submitted(class_tree)
    assert ScoreSheet.from_dict(s.to_dict()) == s
    out = score_campaign(class_tree, [s], {"on_missing": "zero"})
    assert out["a1"]["leaves"]["civility"]["value"] == pytest.approx(0.8)


def test_the_comment_is_kept_cleared_and_locked(class_tree):
    from services.scoring.domain.score_sheet import ScoreSheet as Sheet
    s = new_sheet("a1", "r1", "reviewer", class_tree)
    s = save_draft(s, {"civility": 8}, class_tree, R1, comment="  学风扎实。 ")
    assert s.comment == "学风扎实。"
    s = save_draft(s, {"academic": 7}, class_tree, R1)                 # no comment sent: kept
    assert s.comment == "学风扎实。" and Sheet.from_dict(s.to_dict()).comment == "学风扎实。"
    assert save_draft(s, {}, class_tree, R1, comment="").comment is None   # "" clears
    done = submit(save_draft(s, {"sports": 80}, class_tree, R1), class_tree, R1, at=T0)
    with pytest.raises(InvalidTransition):
        save_draft(done, {}, class_tree, R1, comment="改")


def test_sheet_points_count_as_the_total_does(class_tree, dorm_tree):
    from services.scoring.domain.score_sheet import sheet_points
    # The reviewer scores civility and academic (15% of the total each) and sports (10%).
    empty = sheet_points({}, class_tree, "reviewer")
    assert empty["points"] is None and empty["max"] == pytest.approx(40)
    assert empty["shares"] == pytest.approx({"civility": 15, "academic": 15, "sports": 10})
    found = sheet_points({"civility": 8, "sports": 50, "academic": 11}, class_tree, "reviewer")
    assert found["points"] == pytest.approx(0.8 * 15 + 0.5 * 10)        # a score off its scale counts nothing
    # A pass counts the whole share; one category's tree; several categories: no one total.
    dorm = sheet_points({"theory": 8, "no_violation": True}, dorm_tree, "reviewer", "环境优美型")
    assert dorm["points"] == pytest.approx(0.8 * 30 + 30) and dorm["max"] == pytest.approx(100)
    assert sheet_points({}, dorm_tree, "reviewer", ["环境优美型", "党员示范型"]) is None
