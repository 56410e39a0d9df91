"""Importing facts from a spreadsheet (CSV or XLSX), as student-affairs offices keep
them: one row per fact, columns in Chinese.

    对象类型 | 对象编号 | 对象名称 | 类别 | 日期 | 学年 | <value columns> | 来源 | 来源编号 | 备注
    个人     | 2023010101 | 李明   | 奖学金 | 2023-10-08 | 2022-2023 | 等级=二等, 名称=三好学生奖学金 | 教务处 | JW-2023-118 |

对象类型: 个人/班级/寝室/党支部 (or person/class/dorm/branch); 对象编号: the platform id
of the unit, or for a person the 学号/工号 (or ``p_<学号>``); 类别: a kind's code or
Chinese label (`kinds.py`); 日期: YYYY-MM-DD, YYYY/M/D or an Excel date; 学年: optional,
defaults to the academic year of 日期; the value columns each kind reads are in
`kinds.py` (e.g. 等级 and 名称 for a scholarship); 来源 is required (教务处, 宿管中心,
党委组织部…); 来源编号 is the source's own record number (re-importing it updates
rather than duplicates); 对象名称/姓名/序号 are for people reading the sheet and are
not checked.

All or nothing: every row is checked and every problem is reported with its row
number (as the spreadsheet shows it, the header being row 1), its column and the
reason in Chinese and English; when there is any, nothing is stored.
"""
from services.records.domain import facts, kinds
from services.records.domain.table import cell_date, cell_text, is_blank

BASE = {"对象类型": "subject_kind", "对象编号": "subject_id", "类别": "kind", "日期": "date", "学年": "academic_year",
        "来源": "source", "来源编号": "source_ref", "备注": "note"}
REQUIRED = ("对象类型", "对象编号", "类别", "日期", "来源")
INFORMATIONAL = ("对象名称", "姓名", "序号")
COLUMN_OF = {key: column for column, key in BASE.items()}


def problem(row, column, en, zh):
    return {"row": row, "column": column, "message": en, "message_zh": zh}


def check_header(header):
    """Problems of the header row: required columns missing, unknown or repeated ones."""
    known = set(BASE) | set(INFORMATIONAL) | kinds.value_columns()
    problems = [problem(1, col, f"Missing column {col}.", f"缺少列「{col}」") for col in REQUIRED if col not in header]
    seen = set()
    for name in header:
        if not name:
            continue
        if name not in known:
            problems.append(problem(1, name, f"Unknown column {name!r}; see GET /api/records/kinds for the columns "
                                             "each kind reads.",
                                    f"无法识别的列「{name}」，各类别可用的列见 /api/records/kinds"))
        elif name in seen:
            problems.append(problem(1, name, f"Column {name} appears twice.", f"列「{name}」重复"))
        seen.add(name)
    return problems


def parse_rows(header, rows, subject_problems=None):
    """(records, problems). Each record is a checked fact (`facts.check`) plus its
    ``row``; a row that repeats an earlier one is dropped (`dedupe`).
    `subject_problems(records)` (optional) returns the problems of the good rows'
    subjects (the directory check), so one answer lists every problem of the file.
    Records come back only when there are no problems."""
    header = [cell_text(h) for h in header]
    problems = check_header(header)
    if problems:
        return [], problems
    records = []
    for number, cells in enumerate(rows, start=2):
        values = {header[i]: c for i, c in enumerate(cells) if i < len(header) and header[i]}
        if all(is_blank(v) for v in values.values()):
            continue  # blank lines in exports mean nothing
        record, row_problems = parse_row(number, values)
        problems.extend(row_problems)
        if record:
            records.append(record)
    if not records and not problems:
        problems.append(problem(2, None, "The file has no data rows.", "文件中没有数据行"))
    records, clashes = dedupe(records)
    problems.extend(clashes)
    if subject_problems is not None and records:
        problems.extend(subject_problems(records))
    return ([], sorted(problems, key=_order)) if problems else (records, [])


def parse_row(number, values):
    """(record with ``row``, problems) of one data row {column: cell}."""
    problems = []
    kind = kinds.kind_code(cell_text(values.get("类别")))
    subject_kind = kinds.subject_kind_code(cell_text(values.get("对象类型")))
    raw = {key: cell_text(values.get(column)) for column, key in BASE.items()}
    raw.update(kind=kind or raw["kind"], subject_kind=subject_kind or raw["subject_kind"], validate_value=False)
    if kind is not None:
        value, value_problems = kinds.value_from_cells(kind, values)
        problems.extend(problem(number, col, en, zh) for col, en, zh in value_problems)
        raw["value"] = value
    date_cell = values.get("日期")
    if not is_blank(date_cell):
        day = cell_date(date_cell)
        if day is None:
            problems.append(problem(number, "日期", f"Not a date {cell_text(date_cell)!r}; use YYYY-MM-DD.",
                                    f"日期「{cell_text(date_cell)}」无效，格式须为 YYYY-MM-DD"))
        raw["date"] = day
    else:
        raw["date"] = None
    record, checked = facts.check(raw)
    for key, en, zh in checked:
        if key == "date" and any(p["column"] == "日期" for p in problems):
            continue  # already said, with the cell's text
        problems.append(problem(number, COLUMN_OF.get(key, key), en, zh))
    if problems:
        return None, problems
    return dict(record, row=number), []


def dedupe(records):
    """(records without repeats, problems). The same fact twice (same id and the same
    content) is kept once; the same 来源编号 with different content is a clash."""
    kept, first = [], {}
    clashes = []
    for record in records:
        ident = facts.fact_id(record)
        if ident in first:
            earlier = first[ident]
            if _content(earlier) == _content(record):
                continue
            if record["source_ref"]:
                clashes.append(problem(record["row"], "来源编号",
                                       f"Source reference {record['source_ref']!r} of {record['source']} is also in "
                                       f"row {earlier['row']} with different content.",
                                       f"来源编号「{record['source_ref']}」与第 {earlier['row']} 行重复但内容不同"))
            else:
                clashes.append(problem(record["row"], "备注",
                                       f"The same fact as row {earlier['row']} with a different 学年 or 备注.",
                                       f"与第 {earlier['row']} 行是同一条记录，但学年或备注不同"))
            continue
        first[ident] = record
        kept.append(record)
    return kept, clashes


def _content(record):
    return {k: v for k, v in record.items() if k != "row"}


def _order(p):
    return (p["row"], p["column"] or "")
