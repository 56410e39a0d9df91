"""The fact-kind catalog: every kind the contract names, values checked field by field."""
import pytest

from services.records.domain import facts, kinds

CONTRACT = {"scholarship", "failed_course", "makeup_exam", "disciplinary", "bad_credit", "honour", "commendation",
            "secretary_review", "dorm_monthly_rating", "dorm_inspection", "theory_study", "health_standard",
            "fee_arrears", "incident", "innovation_contest", "collective_award", "fraud_victim", "psych_activity",
            "sports_activity", "student_cadre_review", "veteran_activity"}


def test_the_catalog_has_exactly_the_documented_kinds_with_labels_and_subjects():
    assert set(kinds.KINDS) == CONTRACT
    for kind in kinds.KINDS.values():
        assert kind.label_zh and kind.label_en and kind.fields
        assert set(kind.subjects) <= set(kinds.SUBJECT_KINDS) and kind.subjects
        assert kinds.kind_code(kind.label_zh) == kind.code  # labels are unique
    assert kinds.KINDS["dorm_monthly_rating"].subjects == ("dorm",)
    assert "branch" in kinds.KINDS["incident"].subjects and "branch" in kinds.KINDS["commendation"].subjects
    described = kinds.catalog()
    assert [k["code"] for k in described["kinds"]][0] == "scholarship"
    scholarship = described["kinds"][0]
    assert scholarship["value"][0]["choices"] == {"special": "特等", "first": "一等", "second": "二等", "third": "三等"}


@pytest.mark.parametrize("kind,value,clean", [
    ("scholarship", {"level": "third", "name": " 三好学生奖学金 "}, {"level": "third", "name": "三好学生奖学金"}),
    ("failed_course", {"course": "高等数学", "required": True}, {"course": "高等数学", "required": True}),
    ("failed_course", {"course": "高等数学", "required": False, "score": 52}, {"course": "高等数学", "required": False,
                                                                         "score": 52.0}),
    ("secretary_review", {"grade": "好"}, {"grade": "好"}),
    ("dorm_monthly_rating", {"month": "2023-10", "won": True}, {"month": "2023-10", "won": True}),
    ("dorm_inspection", {"violation": "pet"}, {"violation": "pet"}),
    ("theory_study", {"month": "2023-11", "sessions": 2, "evidence": "DD-1"}, {"month": "2023-11", "sessions": 2,
                                                                           "evidence": "DD-1"}),
    ("incident", {"severity": "major_incident", "description": "实验室火灾"},
     {"severity": "major_incident", "description": "实验室火灾"}),
    ("honour", {"level": "province", "name": "省优秀共产党员"}, {"level": "province", "name": "省优秀共产党员"}),
    ("fee_arrears", {"amount_fen": 120050}, {"amount_fen": 120050}),
])
def test_good_values(kind, value, clean):
    assert kinds.validate_value(kind, value) == (clean, [])


@pytest.mark.parametrize("kind,value,fields", [
    ("scholarship", {"level": "fourth", "name": "x"}, ["value.level"]),
    ("scholarship", {"name": "x"}, ["value.level"]),
    ("failed_course", {"course": "高数", "required": "yes"}, ["value.required"]),
    ("failed_course", {"course": "高数", "required": True, "score": 101}, ["value.score"]),
    ("secretary_review", {"grade": "优秀"}, ["value.grade"]),
    ("dorm_monthly_rating", {"month": "2023-13", "won": True}, ["value.month"]),
    ("theory_study", {"month": "2023-11", "sessions": 1.5}, ["value.sessions"]),
    ("theory_study", {"month": "2023-11", "sessions": True}, ["value.sessions"]),
    ("fee_arrears", {"amount_fen": 0}, ["value.amount_fen"]),
    ("honour", {"level": "school", "name": "x", "colour": "red"}, ["value.colour"]),
    ("disciplinary", {"severity": "warning", "description": "x" * 501}, ["value.description"]),
])
def test_bad_values_name_the_field_in_both_languages(kind, value, fields):
    clean, problems = kinds.validate_value(kind, value)
    assert clean is None
    assert [p[0] for p in problems] == fields
    assert all(en and zh and en != zh for _f, en, zh in problems)


def test_cells_accept_chinese_labels_yes_no_months_and_yuan():
    assert kinds.value_from_cells("scholarship", {"等级": "二等", "名称": "三好学生奖学金"}) == (
        {"level": "second", "name": "三好学生奖学金"}, [])
    assert kinds.value_from_cells("honour", {"级别": "校级", "名称": "优秀党员"})[0]["level"] == "school"
    assert kinds.value_from_cells("makeup_exam", {"课程": "大学物理", "是否必修": "是", "是否通过": "否"})[0] == {
        "course": "大学物理", "required": True, "passed": False}
    assert kinds.value_from_cells("dorm_monthly_rating", {"月份": "2023年10月", "是否获评": True})[0] == {
        "month": "2023-10", "won": True}
    assert kinds.value_from_cells("fee_arrears", {"金额（元）": "1,200.5", "欠费项目": "住宿费"})[0] == {
        "amount_fen": 120050, "item": "住宿费"}
    assert kinds.value_from_cells("theory_study", {"月份": "2023-09", "次数": 3.0})[0]["sessions"] == 3


def test_cells_report_the_column_and_refuse_columns_of_other_kinds():
    _clean, problems = kinds.value_from_cells("scholarship", {"等级": "四等", "课程": "高数"})
    assert sorted(p[0] for p in problems) == ["名称", "等级", "课程"]
    _clean, problems = kinds.value_from_cells("fee_arrears", {"金额": "12.345"})
    assert problems[0][0] == "金额" and "分" in problems[0][2]


def test_stored_booleans_come_back_as_booleans():
    assert kinds.normalise_value("failed_course", {"course": "x", "required": 1}) == {"course": "x", "required": True}
    assert kinds.normalise_value("dorm_monthly_rating", {"month": "2023-10", "won": 0})["won"] is False


def test_fact_identity():
    base = {"subject_kind": "person", "subject_id": "p_1", "kind": "scholarship",
            "value": {"level": "first", "name": "x"}, "date": "2023-10-08", "academic_year": "2022-2023",
            "source": "教务处", "source_ref": None, "note": None}
    same = dict(base, note="补录", academic_year="2023-2024", value={"name": "x", "level": "first"})
    assert facts.fact_id(base) == facts.fact_id(same)  # note and year may be corrected
    assert facts.fact_id(base) != facts.fact_id(dict(base, date="2023-10-09"))
    with_ref = dict(base, source_ref="JW-1")
    assert facts.fact_id(with_ref) == facts.fact_id(dict(with_ref, value={"level": "second", "name": "x"}))
    assert facts.fact_id(with_ref) != facts.fact_id(dict(with_ref, source="学工部"))


def test_check_a_fact_sent_as_json():
    record, problems = facts.check({"subject_kind": "person", "subject_id": "2023010101", "kind": "failed_course",
                                    "value": {"course": "高数", "required": True}, "date": "2024-01-15",
                                    "source": "教务处"})
    assert problems == []
    assert record["subject_id"] == "p_2023010101" and record["academic_year"] == "2023-2024"
    _r, problems = facts.check({"subject_kind": "dorm", "subject_id": "dorm_1", "kind": "scholarship",
                                "value": {"level": "first", "name": "x"}, "date": "2024-01-15",
                                "academic_year": "2024-2025", "source": ""})
    assert sorted(p[0] for p in problems) == ["academic_year", "source", "subject_kind"]
