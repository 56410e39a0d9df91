"""Vetoes: manual (authorised, with reason, revocable with a reason) and rule-based."""
import pytest

from core.errors import PermissionDenied, ValidationFailed
from services.scoring.domain.aggregation import score_campaign
from services.scoring.domain.vetoes import (
    apply_veto_rules, revoke_veto, validate_veto_rules, veto, vetoed_ids)

ADMIN = {"id": "u1", "roles": ["admin"]}
AT = "2023-11-01T02:00:00.000Z"


def test_manual_veto_records_who_when_why():
    v = veto("a1", "实地考察发现违规电器", ADMIN, at=AT)
    assert v.to_dict() == {"application_id": "a1", "reason": "实地考察发现违规电器", "by": "u1", "at": AT,
                           "reason_zh": "实地考察发现违规电器", "rule_id": None, "revoked": None}
    with pytest.raises(PermissionDenied):
        veto("a1", "x", {"id": "u2", "roles": ["reviewer"]})
    with pytest.raises(ValidationFailed):
        veto("a1", "  ", ADMIN)


def test_revoked_vetoes_do_not_count_but_stay_recorded():
    v = veto("a1", "reason", ADMIN, at=AT)
    r = revoke_veto(v, ADMIN, "复核后撤销", at=AT)
    assert r.revoked == {"by": "u1", "at": AT, "reason": "复核后撤销"} and r.reason == "reason"
    assert vetoed_ids([v, veto("a2", "y", ADMIN)]) == {"a1", "a2"}
    assert vetoed_ids([r.to_dict()]) == set()
    with pytest.raises(ValidationFailed):
        revoke_veto(r, ADMIN, "again")


def test_rules_as_data(dorm_tree):
    rules = [{"id": "violation", "kind": "leaf_failed", "leaf": "no_violation",
              "reason": "Friday inspection failed", "reason_zh": "周五检查不合格"},
             {"id": "low_theory", "kind": "leaf_below", "leaf": "theory", "min": 60},
             {"id": "discipline", "kind": "fact", "fact": "serious_violation", "equals": True}]
    validate_veto_rules(rules, dorm_tree)
    sheets = [
        {"application_id": "d1", "reviewer_id": "r1", "role": "reviewer", "state": "submitted",
         "scores": {"theory": 9, "no_violation": True, "env": 9}},
        {"application_id": "d1", "reviewer_id": "r2", "role": "reviewer", "state": "submitted",
         "scores": {"theory": 9, "no_violation": False, "env": 9}},     # one fail: "any" vetoes
        {"application_id": "d2", "reviewer_id": "r1", "role": "reviewer", "state": "submitted",
         "scores": {"theory": 5, "no_violation": True, "env": 10}},      # theory 50 < 60
    ]
    scores = score_campaign(dorm_tree, sheets, categories={"d1": "环境优美型", "d2": "环境优美型"})
    v1 = apply_veto_rules(rules, scores["d1"], facts={"serious_violation": False}, at=AT)
    assert [(v.rule_id, v.by, v.reason_zh) for v in v1] == [("violation", "rule:violation", "周五检查不合格")]
    v2 = apply_veto_rules(rules, scores["d2"], facts={"serious_violation": True}, at=AT)
    assert [v.rule_id for v in v2] == ["low_theory", "discipline"]
    assert v2[0].reason == "indicator theory is below 60"
    all_mode = [dict(rules[0], mode="all")]
    assert apply_veto_rules(all_mode, scores["d1"]) == []


def test_bad_rules_are_refused(dorm_tree):
    with pytest.raises(ValidationFailed) as e:
        validate_veto_rules([{"id": "x", "kind": "leaf_failed", "leaf": "theory"},
                             {"id": "x", "kind": "fact", "fact": "f", "equals": 1},
                             {"kind": "magic"}], dorm_tree)
    fields = [d["field"] for d in e.value.details]
    assert fields == ["veto_rules[0]", "veto_rules[1]", "veto_rules[2]"]
    assert "not pass/fail" in e.value.details[0]["message"]
