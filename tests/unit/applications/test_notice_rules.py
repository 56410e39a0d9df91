"""Public notice (公示) and objection (异议) rules, without a database."""
from datetime import datetime, timedelta, timezone

import pytest

from core.errors import Conflict, DeadlinePassed, UnsupportedMediaType, ValidationFailed
from services.applications.domain import notice_rules as rules

NOW = datetime(2026, 10, 1, 1, 0, tzinfo=timezone.utc)  # 09:00 in Beijing
CAMPAIGN = {"_id": "cmp_1", "unit_id": "college_a", "unit_path": ["school", "college_a"]}
ENTRIES = [
    {"application_id": "app_1", "applicant_id": "branch_1", "applicant_name": "一支部", "college_id": "college_a",
     "grade": "key", "grade_name_zh": "重点", "category": None, "category_name_zh": None, "rank": 1, "total": 91.5},
    {"application_id": "app_2", "applicant_id": "branch_2", "applicant_name": "二支部", "college_id": "college_a",
     "grade": "general", "grade_name_zh": "一般", "category": None, "category_name_zh": None, "rank": 2, "total": 70.0},
]
NAMES = {"key": "重点", "featured": "特色", "general": "一般"}


def notice(version=1, days=5, opened=NOW, entries=ENTRIES):
    return {"_id": rules.notice_id("cmp_1", version), "version": version, "days": days, "entries": entries,
            "opens_at": opened, "closes_at": opened + timedelta(days=days)}


def test_days_come_from_the_request_then_the_settings_then_five():
    assert rules.notice_days(7, {"notice_days": 3}, {"notice_days": 4}) == 7
    assert rules.notice_days(None, {"notice_days": 3}, {"notice_days": 4}) == 3
    assert rules.notice_days(None, {}, {"notice_days": 4}) == 4
    assert rules.notice_days(None, {}, {}) == 5
    for bad in (0, 31, "5", True, 2.5):
        with pytest.raises(ValidationFailed) as error:
            rules.notice_days(bad, {}, {})
        assert error.value.field == "days"


def test_the_period_is_whole_days_and_objections_only_inside_it():
    opens, closes = rules.period(NOW, 5)
    assert (opens, closes) == (NOW, NOW + timedelta(days=5))
    n = notice()
    rules.require_open(n, NOW)
    rules.require_open(n, closes - timedelta(microseconds=1))
    with pytest.raises(DeadlinePassed) as late:
        rules.require_open(n, closes)
    assert late.value.field == "closes_at" and "2026-10-06 09:00" in late.value.message_zh
    with pytest.raises(DeadlinePassed) as early:
        rules.require_open(n, NOW - timedelta(seconds=1))
    assert early.value.field == "opens_at"
    assert rules.is_open(n, NOW) and not rules.is_open(n, closes)


def test_scope_is_inside_the_campaign_unit_or_above_it_by_a_role():
    student = {"school": ["school"], "college_a": ["school", "college_a"],
               "class_a1": ["school", "college_a", "class_a1"]}
    other_student = {"school": ["school"], "college_b": ["school", "college_b"],
                     "class_b1": ["school", "college_b", "class_b1"]}
    assert rules.in_scope(student, {}, CAMPAIGN)
    assert not rules.in_scope(other_student, {}, CAMPAIGN)  # the school is above, but not by a role
    assert rules.in_scope({}, {"school": ["school"]}, CAMPAIGN)  # a school admin
    assert rules.in_scope({}, {"class_a1": ["school", "college_a", "class_a1"]}, CAMPAIGN)  # a class monitor
    assert not rules.in_scope({}, {"college_b": ["school", "college_b"]}, CAMPAIGN)
    assert rules.in_scope(other_student, {}, dict(CAMPAIGN, unit_id="school", unit_path=["school"]))
    assert not rules.in_scope({}, {}, CAMPAIGN)


def test_entries_copy_the_shortlist_without_reviewer_marks():
    selected = [{"application_id": "app_1", "applicant_id": "branch_1", "applicant_name": "一支部", "grade": "key",
                 "grade_name_zh": "重点", "rank": 1, "total": 91.5, "scores": {"r1": 90}, "reviewer_ids": ["r1"]}]
    apps = {"app_1": {"applicant_id": "branch_1", "applicant_name": "一支部", "college_id": "college_a"}}
    [entry] = rules.entries_from_shortlist(selected, apps)
    assert entry == ENTRIES[0]
    assert set(entry) == set(rules.ENTRY_FIELDS)


def test_an_objection_needs_a_bounded_reason_and_an_entry_on_the_notice():
    assert rules.validate_objection(notice(), "app_1", "  成绩有误  ") == "成绩有误"
    with pytest.raises(ValidationFailed) as error:
        rules.validate_objection(notice(), "app_9", "  ")
    assert {d["field"] for d in error.value.details} == {"reason", "application_id"}
    with pytest.raises(ValidationFailed) as error:
        rules.validate_objection(notice(), "app_1", "长" * 1001)
    assert error.value.details[0]["field"] == "reason" and "1000" in error.value.details[0]["message_zh"]


def test_evidence_is_recognised_from_its_bytes():
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    meta = rules.check_evidence("证明.pdf", pdf, 1000)
    assert meta["type"] == "pdf" and meta["content_type"] == "application/pdf" and meta["size"] == len(pdf)
    with pytest.raises(UnsupportedMediaType):
        rules.check_evidence("证明.pdf", b"MZ\x90\x00 not a pdf", 1000)


def objection(state="pending", application_id="app_1"):
    return {"_id": "obj_1", "state": state, "application_id": application_id}


def test_a_resolution_needs_a_reply_and_a_sensible_change():
    plan = rules.plan_resolution(objection(), "dismissed", " 经核实，材料属实 ", None, notice(), NAMES)
    assert plan == {"decision": "dismissed", "reply": "经核实，材料属实", "change": None}
    plan = rules.plan_resolution(objection(), "upheld", "属实", {"grade": "featured"}, notice(), NAMES)
    assert plan["change"] == {"grade": "featured"}
    cases = [("dismissed", "", None, "reply"), ("maybe", "答复", None, "decision"),
             ("dismissed", "答复", {"remove": True}, "change"), ("upheld", "答复", {"grade": "gold"}, "change.grade"),
             ("upheld", "答复", {"remove": False}, "change.remove"),
             ("upheld", "答复", {"remove": True, "grade": "key"}, "change")]
    for decision, reply, change, field in cases:
        with pytest.raises(ValidationFailed) as error:
            rules.plan_resolution(objection(), decision, reply, change, notice(), NAMES)
        assert field in {d["field"] for d in error.value.details}, (decision, change)


def test_a_resolution_happens_once_and_only_changes_an_entry_still_listed():
    with pytest.raises(Conflict):
        rules.plan_resolution(objection("upheld"), "dismissed", "答复", None, notice(), NAMES)
    without_app_1 = notice(2, entries=[ENTRIES[1]])
    with pytest.raises(Conflict) as error:
        rules.plan_resolution(objection(), "upheld", "答复", {"remove": True}, without_app_1, NAMES)
    assert error.value.field == "change"
    # Upheld without a change is still possible (nothing to re-notice).
    assert rules.plan_resolution(objection(), "upheld", "已整改", None, without_app_1, NAMES)["change"] is None


def test_changes_remove_or_regrade_without_touching_the_input():
    removed = rules.apply_change(ENTRIES, "app_1", {"remove": True}, NAMES)
    assert [e["application_id"] for e in removed] == ["app_2"]
    regraded = rules.apply_change(ENTRIES, "app_2", {"grade": "featured"}, NAMES)
    assert regraded[1]["grade"] == "featured" and regraded[1]["grade_name_zh"] == "特色"
    assert ENTRIES[1]["grade"] == "general"
    assert rules.apply_change(removed, "app_1", {"remove": True}, NAMES) == removed


def test_grade_names_from_either_shape_of_quota_rules():
    flat = [{"kind": "grades", "grades": [{"name": "key", "name_zh": "重点"}]}, {"kind": "min_score", "min": 60}]
    assert rules.grade_names(flat) == {"key": "重点"}
    by_level = {"college": [{"grades": [{"name": "model", "name_zh": "标兵"}]}], "school": flat}
    assert rules.grade_names(by_level) == {"model": "标兵", "key": "重点"}
    assert rules.grade_names(None) == {}


def test_finalise_preconditions_name_what_is_missing():
    n = notice()
    states = {"app_1": "college_approved", "app_2": "college_approved"}
    after = n["closes_at"]
    rules.check_finalise(n, 1, [], after, states)
    with pytest.raises(Conflict) as error:
        rules.check_finalise(n, 1, [], after - timedelta(seconds=1), states)
    assert error.value.field == "closes_at"
    with pytest.raises(Conflict) as error:
        rules.check_finalise(n, 1, ["obj_2", "obj_1"], after, states)
    assert error.value.details == {"pending": ["obj_1", "obj_2"]} and "obj_1" in error.value.message_zh
    with pytest.raises(Conflict) as error:
        rules.check_finalise(n, 2, [], after, states)
    assert error.value.field == "notice_id"
    with pytest.raises(Conflict) as error:
        rules.check_finalise(n, 1, [], after, {"app_1": "approved", "app_2": "returned"})
    assert error.value.details == {"applications": {"app_2": "returned"}}


def test_the_final_plan_approves_the_listed_and_rejects_the_other_college_approved():
    apps = [
        {"_id": "app_1", "state": "college_approved"},
        {"_id": "app_2", "state": "college_approved",
         "review_result": {"outcome": "not_selected", "message_zh": "未达到最低分"}},
        {"_id": "app_3", "state": "college_approved", "review_result": {"outcome": "selected"}},
        {"_id": "app_4", "state": "college_approved"},
        {"_id": "app_5", "state": "submitted"},
        {"_id": "app_6", "state": "approved"},
    ]
    approve, reject = rules.final_plan([ENTRIES[0]], apps, {"app_3": "材料不实"})
    assert [(a["_id"], r) for a, r in approve] == [
        ("app_1", {"grade": "key", "grade_name_zh": "重点", "category": None, "rank": 1, "total": 91.5})]
    assert [(a["_id"], r) for a, r in reject] == [
        ("app_2", "未入选：未达到最低分"), ("app_3", "未入选（公示期异议成立：材料不实）"), ("app_4", "未入选")]
