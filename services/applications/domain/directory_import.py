"""Bulk import of students as a registrar exports them (学号, 姓名, 学院, 班级, …).

All or nothing: every row is checked first; when any row is bad the import returns
every bad row with its number (as the spreadsheet shows it, the header being row 1)
and stores nothing.
"""
import re

from core.excel import MAX_IMPORT_ROWS

COLUMNS = {
    "学号": "student_no", "姓名": "name", "学院": "college", "班级": "class", "年级": "grade",
    "宿舍": "dorm", "政治面貌": "political_status", "党支部": "branch", "退伍军人": "veteran", "职务": "posts",
}
# The posts a registrar's export carries in 职务 (several joined by 、 or ，), the role
# each gives and the unit of the row it is held at.
POSTS = {
    "寝室长": ("dorm_leader", "dorm"), "班长": ("class_monitor", "class"), "团支书": ("league_secretary", "class"),
    "团支部书记": ("league_secretary", "class"), "支部书记": ("branch_secretary", "branch"),
    "党支部书记": ("branch_secretary", "branch"), "支部副书记": ("branch_deputy", "branch"),
    "党支部副书记": ("branch_deputy", "branch"),
}
_POST_UNIT_COLUMN = {"dorm": "宿舍", "class": "班级", "branch": "党支部"}
REQUIRED = ("学号", "姓名", "学院", "班级")
POLITICAL_STATUS = {
    "中共党员": "party_member", "中共预备党员": "probationary_member", "预备党员": "probationary_member",
    "发展对象": "development_target", "入党积极分子": "activist", "共青团员": "league_member",
    "团员": "league_member", "群众": "masses",
}
YES = {"是", "y", "yes", "true", "1"}
NO = {"否", "n", "no", "false", "0", ""}


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _problem(row, column, en, zh):
    return {"row": row, "column": column, "message": en, "message_zh": zh}


def check_header(header):
    """Problems with the header row (missing required columns)."""
    names = [_text(h) for h in header]
    return [
        _problem(1, col, f"Missing column {col}.", f"缺少列「{col}」")
        for col in REQUIRED if col not in names
    ]


def parse_rows(header, rows, known_colleges):
    """Check every data row. Returns (records, problems); records only when no problems.

    `rows` are lists of cell values in header order; `known_colleges` the college
    names the directory already has (a row naming another college is refused rather
    than creating a college from a typo).
    """
    problems = check_header(header)
    if problems:
        return [], problems
    names = [_text(h) for h in header]
    if len(rows) > MAX_IMPORT_ROWS:
        return [], [_problem(1, None, f"At most {MAX_IMPORT_ROWS:,} rows per import.", f"每次最多导入 {MAX_IMPORT_ROWS:,} 行")]
    records, seen = [], {}
    for index, cells in enumerate(rows, start=2):
        values = {names[i]: _text(c) for i, c in enumerate(cells) if i < len(names)}
        if not any(values.values()):
            continue  # blank lines in exports are common and mean nothing
        record, row_problems = _parse_row(index, values, known_colleges)
        number = values.get("学号")
        if number and number in seen:
            row_problems.append(_problem(index, "学号", f"Duplicate student number (also in row {seen[number]}).",
                                         f"学号重复（与第 {seen[number]} 行相同）"))
        if number:
            seen.setdefault(number, index)
        problems.extend(row_problems)
        if not row_problems:
            records.append(record)
    if not records and not problems:
        problems.append(_problem(2, None, "The file has no data rows.", "文件中没有数据行"))
    return ([], problems) if problems else (records, [])


def _parse_row(index, values, known_colleges):
    problems = []
    for col in REQUIRED:
        if not values.get(col):
            problems.append(_problem(index, col, f"{col} is required.", f"「{col}」不能为空"))
    student_no = values.get("学号", "")
    if student_no and not re.fullmatch(r"[0-9A-Za-z]{4,20}", student_no):
        problems.append(_problem(index, "学号", "Student number must be 4-20 letters or digits.", "学号须为 4-20 位字母或数字"))
    if len(values.get("姓名", "")) > 30:
        problems.append(_problem(index, "姓名", "Name is longer than 30 characters.", "姓名超过 30 个字符"))
    college = values.get("学院", "")
    if college and college not in known_colleges:
        problems.append(_problem(index, "学院", f"Unknown college {college!r}.", f"学院「{college}」不存在"))
    grade = None
    if values.get("年级"):
        match = re.fullmatch(r"(\d{4})级?", values["年级"])
        if not match:
            problems.append(_problem(index, "年级", "Grade must be a year like 2023 or 2023级.", "年级须为 2023 或 2023级 这样的年份"))
        else:
            grade = int(match.group(1))
    status = values.get("政治面貌", "")
    if status and status not in POLITICAL_STATUS:
        problems.append(_problem(index, "政治面貌", f"Unknown political status {status!r}.",
                                 f"政治面貌「{status}」无法识别，可选：{'、'.join(POLITICAL_STATUS)}"))
    veteran = values.get("退伍军人", "").lower()
    if veteran not in YES | NO:
        problems.append(_problem(index, "退伍军人", "Veteran must be 是 or 否.", "退伍军人须填「是」或「否」"))
    posts = []
    for post in [p.strip() for p in re.split(r"[、，,；;/ ]+", values.get("职务", "")) if p.strip()]:
        if post not in POSTS:
            problems.append(_problem(index, "职务", f"Unknown post {post!r}.",
                                     f"职务「{post}」无法识别，可选：{'、'.join(POSTS)}"))
            continue
        role, unit_kind = POSTS[post]
        if not values.get(_POST_UNIT_COLUMN[unit_kind]):
            column = _POST_UNIT_COLUMN[unit_kind]
            problems.append(_problem(index, column, f"{post} needs the {column} column filled in.",
                                     f"职务为「{post}」时「{column}」不能为空"))
        elif (role, unit_kind) not in posts:
            posts.append((role, unit_kind))
    if problems:
        return None, problems
    return {"posts": posts,
        "student_no": student_no, "name": values["姓名"], "college": college, "class": values["班级"],
        "grade": grade, "dorm": values.get("宿舍") or None,
        "political_status": POLITICAL_STATUS.get(status) if status else None,
        "branch": values.get("党支部") or None, "veteran": veteran in YES,
    }, []
