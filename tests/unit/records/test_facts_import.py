"""The facts import parser: good rows become facts, every bad row is reported with its
row number, column and reason, and then nothing is returned to store."""
from datetime import date, datetime

import pytest

from core.errors import ValidationFailed
from services.records.domain import facts_import, subjects
from services.records.domain.table import cell_date, read_table

HEADER = ["对象类型", "对象编号", "对象名称", "类别", "日期", "学年", "等级", "级别", "名称", "课程", "是否必修",
          "月份", "是否获评", "来源", "来源编号", "备注"]


def row(kind, subject_kind="个人", subject_id="2023010101", day="2023-10-08", year=None, source="教务处", ref=None,
        note=None, **value):
    cells = dict.fromkeys(HEADER)
    cells.update({"对象类型": subject_kind, "对象编号": subject_id, "类别": kind, "日期": day, "学年": year,
                  "来源": source, "来源编号": ref, "备注": note}, **value)
    return [cells[h] for h in HEADER]


def test_good_rows_become_facts():
    records, problems = facts_import.parse_rows(HEADER, [
        row("奖学金", year="2022-2023", ref="JW-118", 等级="二等", 名称="三好学生奖学金"),
        row("failed_course", day=datetime(2024, 1, 15, 0, 0), 课程="高等数学", 是否必修="是"),
        [None] * len(HEADER),  # blank line
        row("月度文明寝室评比", subject_kind="寝室", subject_id="dorm_me1", day=45230, source="宿管中心",
            月份="2023-10", 是否获评="是"),
    ])
    assert problems == []
    scholarship, failed, rating = records
    assert scholarship == {"subject_kind": "person", "subject_id": "p_2023010101", "kind": "scholarship",
                           "value": {"level": "second", "name": "三好学生奖学金"}, "date": "2023-10-08",
                           "academic_year": "2022-2023", "source": "教务处", "source_ref": "JW-118", "note": None,
                           "row": 2}
    assert failed["date"] == "2024-01-15" and failed["academic_year"] == "2023-2024" and failed["row"] == 3
    assert failed["value"] == {"course": "高等数学", "required": True}
    # Excel serial 45230 is 2023-10-31 (serial 1 = 1900-01-01, with Excel's phantom 1900-02-29).
    assert rating["date"] == "2023-10-31" and rating["subject_id"] == "dorm_me1" and rating["row"] == 5
    assert rating["value"] == {"month": "2023-10", "won": True}


def test_every_bad_row_is_reported_and_nothing_comes_back():
    records, problems = facts_import.parse_rows(HEADER, [
        row("奖学金", 等级="二等", 名称="三好学生奖学金"),                                  # 2: good
        row("奖学金", 等级="四等", 名称="三好学生奖学金"),                                  # 3: bad level
        row("月度文明寝室评比", 月份="2023-10", 是否获评="是"),                              # 4: a person cannot
        row("挂科", 课程="高数", 是否必修="是"),                                          # 5: unknown kind
        row("failed_course", day="2023-02-30", 课程="高数", 是否必修="也许"),               # 6: date, yes/no
        row("failed_course", source="", 课程="高数", 是否必修="否", 级别="校级"),             # 7: source, stray column
        row("奖学金", subject_kind="老师", subject_id="", 等级="一等", 名称="x"),              # 8: kind, id
        row("奖学金", day="2023-10-08", year="2024-2025", 等级="一等", 名称="x"),            # 9: year not begun
    ])
    assert records == []
    assert [(p["row"], p["column"]) for p in problems] == [
        (3, "等级"), (4, "对象类型"), (5, "类别"), (6, "日期"), (6, "是否必修"), (7, "来源"), (7, "级别"),
        (8, "对象类型"), (8, "对象编号"), (9, "学年")]
    for p in problems:
        assert p["message"] and p["message_zh"] and p["message"] != p["message_zh"]
    assert "2023-02-30" in next(p for p in problems if p["row"] == 6 and p["column"] == "日期")["message_zh"]


def test_the_same_row_twice_is_one_fact_but_a_reused_source_ref_is_a_clash():
    same = row("奖学金", 等级="二等", 名称="三好学生奖学金")
    records, problems = facts_import.parse_rows(HEADER, [same, list(same)])
    assert problems == [] and len(records) == 1
    records, problems = facts_import.parse_rows(HEADER, [
        row("奖学金", ref="JW-1", 等级="二等", 名称="三好学生奖学金"),
        row("奖学金", ref="JW-1", 等级="一等", 名称="三好学生奖学金"),
    ])
    assert records == [] and [(p["row"], p["column"]) for p in problems] == [(3, "来源编号")]


def test_header_problems_stop_before_the_rows():
    _records, problems = facts_import.parse_rows(["对象编号", "类别", "日期", "颜色", "类别"], [["x"] * 5])
    assert {(p["row"], p["column"]) for p in problems} == {(1, "对象类型"), (1, "来源"), (1, "颜色"), (1, "类别")}
    _records, problems = facts_import.parse_rows(HEADER, [])
    assert problems[0]["message_zh"] == "文件中没有数据行"


def test_the_directory_check_joins_the_same_answer():
    found = {("person", "p_2023010101"): {"kind": "person", "school_id": "school_demo"},
             ("person", "p_2099"): None,
             ("dorm", "class_me1"): {"kind": "class", "school_id": "school_demo"}}

    def check(records):
        return subjects.row_problems(records, found, ["school_demo"])

    records, problems = facts_import.parse_rows(HEADER, [
        row("奖学金", 等级="二等", 名称="x"),
        row("奖学金", subject_id="2099", 等级="二等", 名称="x"),
        row("dorm_inspection", subject_kind="寝室", subject_id="class_me1", 等级=None),
        row("奖学金", 等级="九等", 名称="x"),
    ], check)
    assert records == []
    assert [(p["row"], p["column"]) for p in problems] == [(3, "对象编号"), (4, "违规类型"), (5, "等级")]
    assert "名录中不存在个人「p_2099」" == problems[0]["message_zh"]


def test_the_directory_check_refuses_a_unit_of_another_kind_or_school():
    found = {("dorm", "class_me1"): {"kind": "class", "school_id": "school_demo"},
             ("dorm", "dorm_x"): {"kind": "dorm", "school_id": "school_other"}}
    records = [{"row": 2, "subject_kind": "dorm", "subject_id": "class_me1"},
               {"row": 3, "subject_kind": "dorm", "subject_id": "dorm_x"}]
    problems = subjects.row_problems(records, found, ["school_demo"])
    assert [p["message_zh"] for p in problems] == ["「class_me1」是班级，不是寝室", "该对象属于其他学校"]


def test_cell_dates():
    assert cell_date("2023/9/1") == date(2023, 9, 1)
    assert cell_date("2023年9月1日") == date(2023, 9, 1)
    assert cell_date(45170) == date(2023, 9, 1)
    assert cell_date("45170") == date(2023, 9, 1)
    assert cell_date(datetime(2023, 9, 1, 8, 30)) == date(2023, 9, 1)
    assert cell_date("2023-13-01") is None and cell_date("next week") is None and cell_date(45170.5) is None
    assert cell_date(True) is None and cell_date("1800-01-01") is None


def test_reading_files():
    header, rows = read_table("facts.csv", "对象类型,对象编号\n个人,2023010101\n,\n".encode("gb18030"))
    assert header == ["对象类型", "对象编号"] and rows == [["个人", "2023010101"]]
    for name, data in (("facts.txt", b"a"), ("facts.xlsx", b"not a zip"), ("facts.csv", b"")):
        with pytest.raises(ValidationFailed) as caught:
            read_table(name, data)
        assert caught.value.field == "file"
