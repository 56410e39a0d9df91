"""Awards: from the award.granted event, from an import of history, and who may see what."""
import pytest

from core.envelope import make_event
from core.errors import PermissionDenied
from services.records.domain import access, awards, awards_import

HEADER = ["对象类型", "对象编号", "对象名称", "项目", "称号", "代码", "类别", "级别", "学年", "日期", "成员", "来源",
          "来源编号"]


def granted(**overrides):
    data = {"award_id": "award:app_1:party_model", "program": "civilized_dorms", "campaign_id": "cmp_1",
            "academic_year": "2023-2024", "recipient_kind": "dorm", "recipient_id": "dorm_me1",
            "recipient_name": "北苑3号楼301", "title": "文明寝室（党员示范型）", "level": "school",
            "code": "party_model", "category": "party_model", "application_id": "app_1",
            "member_ids": ["p_2", "p_1", "p_2"]}
    data.update(overrides)
    return make_event("award.granted", data, "applications", occurred_at=None)


def test_an_event_becomes_an_award_dated_in_shanghai():
    envelope = granted()
    envelope["occurred_at"] = "2024-06-19T16:30:00.000Z"  # 00:30 on 20 June in Shanghai
    record, problems = awards.from_event(envelope)
    assert problems == []
    assert record["_id"] == "award:app_1:party_model" and record["date"] == "2024-06-20"
    assert record["member_ids"] == ["p_1", "p_2"] and record["source"] == "platform"
    assert (record["subject_kind"], record["subject_id"], record["category"]) == ("dorm", "dorm_me1", "party_model")


def test_the_older_event_without_the_extra_fields_is_still_an_award():
    envelope = granted()
    for key in ("code", "category", "application_id", "member_ids"):
        del envelope["data"][key]
    record, problems = awards.from_event(envelope)
    assert problems == [] and record["member_ids"] == [] and record["code"] is None


def test_a_malformed_event_is_refused_with_reasons():
    _record, problems = awards.from_event(granted(recipient_kind="teacher", award_id="", member_ids="p_1"))
    assert problems == ["data.award_id is missing", "data.recipient_kind 'teacher' is not one of "
                        "person, class, dorm, branch", "data.member_ids must be a list of person ids"]
    assert awards.from_event({"id": "x"})[1] == ["the envelope has no data object"]


def test_import_rows():
    rows = [
        ["寝室", "dorm_me1", "北苑3号楼301", "civilized_dorms", "文明寝室（党员示范型）", None, "party_model", "校级",
         None, "2023-06-20", "2023010101、2023010102", "学工部", "XG-2023-031"],
        ["个人", "2021010101", "李四", "class_leading_assessment", "标兵", "model", None, "college", "2021-2022",
         "2022-06-01", None, "学工部", None],
        ["班级", "class_me1", "计算机2301班", "Class Collectives", "先进班集体", None, None, "市级", None, "2023-02-30",
         None, "", None],
    ]
    records, problems = awards_import.parse_rows(HEADER, rows)
    assert records == []
    assert {(p["row"], p["column"]) for p in problems} == {(4, "来源"), (4, "日期"), (4, "级别"), (4, "项目")}
    records, problems = awards_import.parse_rows(HEADER, rows[:2] + rows[:1])  # a repeated row is kept once
    assert problems == [] and len(records) == 2
    dorm, person = records
    assert dorm["academic_year"] == "2022-2023" and dorm["level"] == "school"
    assert dorm["member_ids"] == ["p_2023010101", "p_2023010102"]
    assert person["subject_id"] == "p_2021010101" and person["code"] == "model"
    assert dorm["_id"].startswith("award_import_") and dorm["_id"] != person["_id"]
    again, _ = awards_import.parse_rows(HEADER, rows[:1])
    assert again[0]["_id"] == dorm["_id"]  # importing the same file twice: the same ids


ME_COUNSELOR = {"id": "p_c", "roles": [{"role": "counselor", "unit_id": "college_me"}]}
ADMIN = {"id": "p_a", "roles": [{"role": "school_admin", "unit_id": "school_demo"}]}
MONITOR = {"id": "p_m", "roles": [{"role": "student", "unit_id": "class_em1"},
                                  {"role": "class_monitor", "unit_id": "class_em1"}]}


def test_who_sees_what():
    me = {"college_id": "college_me", "school_id": "school_demo"}
    em = {"college_id": "college_em", "school_id": "school_demo"}
    counselor, admin, monitor = (access.scope(a) for a in (ME_COUNSELOR, ADMIN, MONITOR))
    assert access.may_see_subject(counselor, "p_x", me) and not access.may_see_subject(counselor, "p_y", em)
    assert access.may_see_subject(admin, "p_y", em) and access.may_see_subject(admin, "gone", None)
    assert not access.may_see_subject(counselor, "gone", None)
    assert access.may_see_subject(monitor, "class_em1", {}) and access.may_see_subject(monitor, "p_m", {})
    assert not access.may_see_subject(monitor, "class_em2", em)
    with pytest.raises(PermissionDenied):
        access.require_school_admin(MONITOR)
    with pytest.raises(PermissionDenied):
        access.require_school_admin(ME_COUNSELOR)
    assert access.require_school_admin(ADMIN) == ["school_demo"]
