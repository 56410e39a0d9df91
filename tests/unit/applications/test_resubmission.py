"""What changed between a return and now: field by field, attachments added/removed."""
from datetime import datetime, timezone

from core.decision_rules import decided_by_final_list, require_direct_decision_allowed
from core.errors import InvalidTransition
from services.applications.domain import resubmission

AT = datetime(2026, 12, 6, tzinfo=timezone.utc)


def _att(att_id, kind="photo", name="a.png"):
    return {"_id": att_id, "kind": kind, "filename": name, "sha256": att_id * 2}


def test_changes_name_each_field_and_each_file():
    form = {"title": "旧题目", "faculty_advisor": {"name": "陈老师", "phone": "13800000000"},
            "themes": ["a", "b"], "outputs": [{"d": "x"}, {"d": "y"}], "note": "删掉的"}
    kept = resubmission.snapshot({"form": form}, [_att("a1"), _att("a2")], AT)
    form["title"] = "不会影响快照"   # the snapshot is a copy
    now = {"title": "新题目", "faculty_advisor": {"name": "陈老师", "phone": "13900000000"},
           "themes": ["a"], "outputs": [{"d": "x"}, {"d": "z"}], "budget": "2500.00"}
    found = resubmission.changes(kept, now, [_att("a2"), _att("a3", "application_form", "新.pdf")])
    assert found["fields"] == [
        {"field": "title", "old": "旧题目", "new": "新题目"},
        {"field": "faculty_advisor.phone", "old": "13800000000", "new": "13900000000"},
        {"field": "themes", "old": ["a", "b"], "new": ["a"]},
        {"field": "outputs.1.d", "old": "y", "new": "z"},
        {"field": "budget", "old": None, "new": "2500.00"},
        {"field": "note", "old": "删掉的", "new": None},
    ]
    assert [a["id"] for a in found["added"]] == ["a3"] and found["added"][0]["filename"] == "新.pdf"
    assert [a["id"] for a in found["removed"]] == ["a1"]


def test_nothing_changed_and_never_returned():
    kept = resubmission.snapshot({"form": {"title": "同"}}, [_att("a1")], AT)
    assert resubmission.changes(kept, {"title": "同", "empty": ""}, [_att("a1")]) == {
        "fields": [], "added": [], "removed": []}
    assert resubmission.changes_of({"form": {}}, []) is None
    app = {"form": {"title": "新"}, "returned_snapshot": kept, "resubmitted_at": AT}
    found = resubmission.changes_of(app, [_att("a1")])
    assert found["returned_at"] == AT and found["resubmitted_at"] == AT and len(found["fields"]) == 1


def test_final_list_decides_only_scored_programs_with_a_notice():
    scored_noticed = {"criteria": {"id": "x"}, "stages": ["application", "review", "notice"]}
    assert decided_by_final_list(scored_noticed)
    assert not decided_by_final_list({"criteria": {"id": "x"}, "stages": ["application", "school_review"]})
    assert not decided_by_final_list({"criteria": None, "stages": ["application", "notice"]})
    for action in ("approve", "reject"):
        try:
            require_direct_decision_allowed(scored_noticed, action, "college_approved")
        except InvalidTransition as exc:
            assert "正式名单" in exc.message_zh and "final list" in exc.message_en
        else:
            raise AssertionError(f"{action} was allowed")
    require_direct_decision_allowed(scored_noticed, "return", "college_approved")
    require_direct_decision_allowed(scored_noticed, "reject", "submitted")   # the college's own refusal
