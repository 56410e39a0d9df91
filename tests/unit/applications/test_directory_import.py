from services.applications.domain.directory_import import parse_rows

HEADER = ["学号", "姓名", "学院", "班级", "年级", "宿舍", "政治面貌", "党支部", "退伍军人"]
COLLEGES = {"机电学院"}


def test_good_rows_become_records():
    records, problems = parse_rows(HEADER, [
        ["20230001", "李明", "机电学院", "计算机2301", "2023级", "北3-301", "中共党员", "第一支部", "是"],
        [20230002.0, "王芳", "机电学院", "计算机2301", 2023, None, None, None, None],
        [None] * 9,
    ], COLLEGES)
    assert problems == []
    assert records[0] == {"student_no": "20230001", "name": "李明", "college": "机电学院", "class": "计算机2301",
                          "grade": 2023, "dorm": "北3-301", "political_status": "party_member",
                          "branch": "第一支部", "veteran": True, "posts": []}
    assert records[1]["student_no"] == "20230002" and records[1]["veteran"] is False


def test_every_bad_row_is_reported_with_its_row_number():
    records, problems = parse_rows(HEADER, [
        ["20230001", "李明", "机电学院", "计算机2301", "2023", "", "", "", ""],
        ["20230001", "", "外星学院", "", "二三级", "", "党员", "", "maybe"],
    ], COLLEGES)
    assert records == []
    assert sorted((p["row"], p["column"]) for p in problems) == [
        (3, "姓名"), (3, "学号"), (3, "学院"), (3, "年级"), (3, "政治面貌"), (3, "班级"), (3, "退伍军人")]


def test_missing_columns_and_empty_files():
    _records, problems = parse_rows(["姓名", "班级"], [["a", "b"]], COLLEGES)
    assert {p["column"] for p in problems} == {"学号", "学院"}
    _records, problems = parse_rows(HEADER, [], COLLEGES)
    assert problems[0]["message_zh"] == "文件中没有数据行"


def test_a_whole_universitys_roster_fits_in_one_file():
    """30,000 students (a registrar's whole export) are one import; a file over the
    limit is refused as a whole with the limit named."""
    from core.excel import MAX_IMPORT_ROWS
    rows = [[f"2023{i:06d}", f"学生{i}", "机电学院", f"计算机{i % 300:03d}", "2023级", None, "共青团员", None, "否"]
            for i in range(30_000)]
    records, problems = parse_rows(HEADER, rows, COLLEGES)
    assert problems == [] and len(records) == 30_000
    too_many = rows + rows[:1] * (MAX_IMPORT_ROWS - len(rows) + 1)
    records, problems = parse_rows(HEADER, too_many, COLLEGES)
    assert records == [] and len(problems) == 1
    assert f"{MAX_IMPORT_ROWS:,}" in str(problems[0])
