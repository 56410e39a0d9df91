"""Reviewer assignment: conflicts of interest, balanced automatic assignment, blind views."""
import copy
import random

import pytest

from core.errors import Conflict, PermissionDenied, ValidationFailed
from services.scoring.domain.assignment import (
    assign, assigned_application_ids, auto_assign, blind_view, conflicts, ensure_assigned, loads)


def rev(rid, **units):
    return {"reviewer_id": rid, "units": units}


def app(aid, members=(), **units):
    return {"application_id": aid, "units": units, "member_ids": list(members)}


def test_conflicts_by_unit_declared_and_membership():
    r = rev("t1", class_id="c1", dorm_id=["d1", "d2"], branch_id="b1", college_id="jd")
    assert conflicts(r, app("a1", class_id="c2", college_id="jd")) == []            # same college allowed
    assert conflicts(r, app("a1", class_id="c2", college_id="jd"), {"same_college": True}) == [
        ("same college (jd)", "同一学院（jd）")]
    assert [e for e, _ in conflicts(r, app("a2", class_id="c1"))] == ["same class (c1)"]
    assert [e for e, _ in conflicts(r, app("a3", dorm_id="d2"))] == ["same dorm (d2)"]
    assert [e for e, _ in conflicts(r, app("a4", branch_id="b1"))] == ["same branch (b1)"]
    assert [e for e, _ in conflicts(r, app("a5"), {"declared": [["t1", "a5"]]})] == ["declared conflict of interest"]
    assert [e for e, _ in conflicts(r, app("a6", members=["t1"]))] == ["is a member of the applicant"]


def test_manual_assignment_refuses_conflicts_and_duplicates():
    r, a = rev("t1", class_id="c1"), app("a1", class_id="c1")
    with pytest.raises(ValidationFailed) as e:
        assign([], a, r, actor={"id": "admin"})
    assert "reviewer 't1' has a conflict of interest with application 'a1': same class (c1)" in e.value.message_en
    assert "同一班级" in e.value.message_zh
    ok = assign([], app("a2", class_id="c9"), r, actor={"id": "admin"}, at="2023-10-20T00:00:00.000Z")
    assert ok == {"application_id": "a2", "reviewer_id": "t1", "source": "manual", "by": "admin",
                  "at": "2023-10-20T00:00:00.000Z"}
    with pytest.raises(Conflict):
        assign([ok], app("a2", class_id="c9"), r)


def _check(apps, revs, k, out, existing=(), policy=None):
    every = list(existing) + out
    by_app = {}
    for a in every:
        by_app.setdefault(a["application_id"], []).append(a["reviewer_id"])
    rmap = {r["reviewer_id"]: r for r in revs}
    for a in apps:
        got = by_app.get(a["application_id"], [])
        assert len(got) == len(set(got)) == max(k, len([e for e in existing if e["application_id"] == a["application_id"]]))
        for rid in got:
            assert not conflicts(rmap[rid], a, policy)
    return loads(every, rmap)


def test_auto_assignment_k_reviewers_balanced_by_hand():
    # 7 applications x 2 reviewers = 14 over 3 reviewers -> loads 5, 5, 4
    revs = [rev("r1", class_id="c1"), rev("r2", class_id="c2"), rev("r3", class_id="c3")]
    apps = [app(f"a{i}", class_id=f"c{4 + i}") for i in range(7)]
    out = auto_assign(apps, revs, 2)
    assert sorted(_check(apps, revs, 2, out).values()) == [4, 5, 5]
    assert all(a["source"] == "auto" for a in out)


def test_auto_assignment_never_conflicts_and_is_balanced_when_possible():
    rng = random.Random(11)
    refused = balanced = 0
    for case in range(25):
        revs = [rev(f"r{j}", class_id=f"c{rng.randint(0, 5)}", dorm_id=f"d{rng.randint(0, 5)}")
                for j in range(rng.randint(4, 9))]
        apps = [app(f"a{i}", class_id=f"c{rng.randint(0, 5)}", dorm_id=f"d{rng.randint(0, 5)}")
                for i in range(rng.randint(3, 30))]
        k = rng.randint(1, 3)
        try:
            out = auto_assign(apps, revs, k)
        except ValidationFailed as e:
            assert "conflict-free reviewers" in e.message_en
            refused += 1
            continue
        got = _check(apps, revs, k, out)
        # a reviewer with a conflict with most applications may make perfect balance impossible;
        # otherwise the spread is <= 1
        free = {r["reviewer_id"]: sum(not conflicts(r, a) for a in apps) for r in revs}
        target = -(-len(apps) * k // len(revs))
        if all(f >= target for f in free.values()):
            assert max(got.values()) - min(got.values()) <= 1, case
            balanced += 1
    assert balanced >= 10 and refused <= 10, (balanced, refused)


def test_imbalance_only_when_conflicts_force_it_and_existing_assignments_count():
    revs = [rev("r1"), rev("r2"), rev("r3", class_id="c1")]
    apps = [app(f"a{i}", class_id="c1") for i in range(4)]       # r3 conflicts with all
    out = auto_assign(apps, revs, 1)
    assert loads(out, ["r1", "r2", "r3"]) == {"r1": 2, "r2": 2, "r3": 0}
    # an existing manual assignment is kept and counted in the loads
    apps2 = [app(f"b{i}") for i in range(3)]
    existing = [{"application_id": "b0", "reviewer_id": "r1", "source": "manual"}]
    out2 = auto_assign(apps2, revs, 1, existing=existing)
    assert {a["application_id"] for a in out2} == {"b1", "b2"}
    assert sorted(_check(apps2, revs, 1, out2, existing).values()) == [1, 1, 1]


def test_auto_assignment_is_deterministic():
    revs = [rev(f"r{j}") for j in range(5)]
    apps = [app(f"a{i}") for i in range(12)]
    first = auto_assign(apps, revs, 2, at="t")
    assert auto_assign(list(reversed(apps)), list(reversed(revs)), 2, at="t") == first


def test_not_enough_conflict_free_reviewers_is_a_clear_error():
    revs = [rev("r1", class_id="c1"), rev("r2", class_id="c2"), rev("r3", class_id="c3")]
    apps = [app("a1", class_id="c1"), app("a2", class_id="c9")]
    with pytest.raises(ValidationFailed) as e:
        auto_assign(apps, revs, 3, policy={"declared": [["r2", "a1"]]})
    assert e.value.message_en == ("applications.a1: application 'a1' can get only 1 conflict-free reviewers, needs 3")
    assert "需要 3 名" in e.value.message_zh


def test_reviewer_sees_only_what_was_assigned():
    asg = [{"application_id": "a2", "reviewer_id": "r1"}, {"application_id": "a1", "reviewer_id": "r1"},
           {"application_id": "a3", "reviewer_id": "r2"}]
    assert assigned_application_ids(asg, "r1") == ["a1", "a2"]
    ensure_assigned(asg, "r1", "a1")
    with pytest.raises(PermissionDenied):
        ensure_assigned(asg, "r1", "a3")


def test_blind_view_strips_identifying_fields_at_any_depth():
    view = {"application_id": "a1", "applicant_name": "张三寝室", "units": {"class_id": "c1"},
            "form": {"plan": "创建目标……", "leader": "李四", "members": [{"name": "王五", "role": "室长"}]},
            "attachments": [{"file": "plan.pdf", "submitted_by": "s1"}]}
    before = copy.deepcopy(view)
    out = blind_view(view, alias="申报 #1")
    assert out == {"application_id": "a1", "form": {"plan": "创建目标……"},
                   "attachments": [{"file": "plan.pdf"}], "blind": True, "alias": "申报 #1"}
    assert view == before
