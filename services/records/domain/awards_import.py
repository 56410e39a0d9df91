"""Importing awards from before the platform (历史荣誉), CSV or XLSX, columns in Chinese:

    对象类型 | 对象编号 | 对象名称 | 项目 | 称号 | 代码 | 类别 | 级别 | 学年 | 日期 | 成员 | 来源 | 来源编号 | 备注
    寝室 | dorm_me1 | 北苑3号楼301 | civilized_dorms | 文明寝室（党员示范型） | | party_model | 校级 |
        2022-2023 | 2023-06-20 | 2023010101、2023010102 | 学工部 | XG-2023-031 |      (one row)

Required: 对象类型, 对象编号, 对象名称, 项目 (the program's code), 称号, 级别 (院级/校级/
省级/国家级/部级 or college/school/province/national/ministry), 日期, 来源. 学年 defaults
to the academic year of 日期; 类别 is the program's category (e.g. the dorm type), which
rules like "not the same type next year" read; 成员 lists the people (学号 or ids,
separated by 、 , ; or spaces) so each person's history includes the title.
All or nothing, every bad row reported with its row number, column and reason.
"""
import re

from services.records.domain import awards
from services.records.domain.facts_import import problem
from services.records.domain.kinds import subject_kind_code
from services.records.domain.table import cell_date, cell_text, is_blank

COLUMNS = {"对象类型": "subject_kind", "对象编号": "subject_id", "对象名称": "subject_name", "项目": "program",
           "称号": "title", "代码": "code", "类别": "category", "级别": "level", "学年": "academic_year",
           "日期": "date", "成员": "member_ids", "来源": "source", "来源编号": "source_ref", "备注": "note"}
REQUIRED = ("对象类型", "对象编号", "对象名称", "项目", "称号", "级别", "日期", "来源")
INFORMATIONAL = ("序号",)
COLUMN_OF = {key: column for column, key in COLUMNS.items()}


def check_header(header):
    problems = [problem(1, col, f"Missing column {col}.", f"缺少列「{col}」") for col in REQUIRED if col not in header]
    seen = set()
    for name in header:
        if not name:
            continue
        if name not in COLUMNS and name not in INFORMATIONAL:
            problems.append(problem(1, name, f"Unknown column {name!r}; the columns are {', '.join(COLUMNS)}.",
                                    f"无法识别的列「{name}」，可用的列：{'、'.join(COLUMNS)}"))
        elif name in seen:
            problems.append(problem(1, name, f"Column {name} appears twice.", f"列「{name}」重复"))
        seen.add(name)
    return problems


def parse_rows(header, rows, subject_problems=None):
    """(records, problems); records (each with ``_id`` and ``row``) only when there
    are no problems. A row repeating an earlier one is kept once.
    `subject_problems(records)` as in facts_import.parse_rows."""
    header = [cell_text(h) for h in header]
    problems = check_header(header)
    if problems:
        return [], problems
    records, first = [], {}
    for number, cells in enumerate(rows, start=2):
        values = {header[i]: c for i, c in enumerate(cells) if i < len(header) and header[i]}
        if all(is_blank(v) for v in values.values()):
            continue
        record, row_problems = parse_row(number, values)
        problems.extend(row_problems)
        if record is None:
            continue
        if record["_id"] in first:
            earlier = first[record["_id"]]
            if _content(earlier) != _content(record):
                problems.append(problem(number, "来源编号", f"The same award as row {earlier['row']} with different "
                                                           "content.",
                                        f"与第 {earlier['row']} 行是同一条荣誉（来源编号相同）但内容不同"))
            continue
        first[record["_id"]] = record
        records.append(record)
    if not records and not problems:
        problems.append(problem(2, None, "The file has no data rows.", "文件中没有数据行"))
    if subject_problems is not None and records:
        problems.extend(subject_problems(records))
    return ([], sorted(problems, key=lambda p: (p["row"], p["column"] or ""))) if problems else (records, [])


def parse_row(number, values):
    raw = {key: cell_text(values.get(column)) for column, key in COLUMNS.items()}
    raw["subject_kind"] = subject_kind_code(raw["subject_kind"]) or raw["subject_kind"]
    raw["member_ids"] = [m for m in re.split(r"[,，、;；\s]+", raw["member_ids"]) if m]
    problems = []
    raw["date"] = None
    if not is_blank(values.get("日期")):
        raw["date"] = cell_date(values["日期"])
        if raw["date"] is None:
            problems.append(problem(number, "日期", f"Not a date {cell_text(values['日期'])!r}; use YYYY-MM-DD.",
                                    f"日期「{cell_text(values['日期'])}」无效，格式须为 YYYY-MM-DD"))
    record, checked = awards.check(raw)
    for key, en, zh in checked:
        if key == "date" and problems:
            continue  # already said, with the cell's text
        problems.append(problem(number, COLUMN_OF.get(key, key), en, zh))
    if problems:
        return None, problems
    return dict(record, row=number), []


def _content(record):
    return {k: v for k, v in record.items() if k != "row"}
