"""Importing and adding facts through the gateway, with the real records and
applications services: counts, idempotency, all-or-nothing, permissions."""
from datetime import datetime

from tests.integration.records.conftest import (
    FACT_HEADER, csv_bytes, fact_row, upload, xlsx_bytes,
)

IMPORT = "/api/records/facts/import"


def test_import_facts_csv_and_xlsx_idempotent_and_all_or_nothing(http, mongo):
    facts = mongo("records").facts
    rows = [
        fact_row("奖学金", ref="JW-2023-118", 学年="2022-2023", 等级="二等", 名称="三好学生奖学金"),
        fact_row("failed_course", subject_id="2023010102", day="2024-01-15", 课程="高等数学", 是否必修="是"),
        fact_row("月度文明寝室评比", subject_kind="寝室", subject_id="dorm_me1", day="2023/10/31", source="宿管中心",
                 月份="2023-10", 是否获评="是"),
    ]
    first = upload(http, "admin", IMPORT, "facts.csv", csv_bytes(FACT_HEADER, rows))
    assert first.status_code == 200, first.json
    assert first.json == {"imported": 3, "created": 3, "updated": 0, "unchanged": 0}
    scholarship = facts.find_one({"kind": "scholarship"})
    assert scholarship["subject_id"] == "p_2023010101" and scholarship["subject_name"] == "李明"
    assert scholarship["value"] == {"level": "second", "name": "三好学生奖学金"}
    assert (scholarship["date"], scholarship["academic_year"]) == ("2023-10-08", "2022-2023")
    assert scholarship["college_id"] == "college_me" and scholarship["imported_by"] == "p_admin"
    assert facts.find_one({"kind": "dorm_monthly_rating"})["date"] == "2023-10-31"

    # The same file again stores nothing new; a corrected row (same 来源编号) updates its fact.
    again = upload(http, "admin", IMPORT, "facts.csv", csv_bytes(FACT_HEADER, rows))
    assert again.json == {"imported": 3, "created": 0, "updated": 0, "unchanged": 3}
    rows[0] = fact_row("奖学金", ref="JW-2023-118", 学年="2022-2023", 等级="一等", 名称="三好学生奖学金")
    corrected = upload(http, "admin", IMPORT, "facts.csv", csv_bytes(FACT_HEADER, rows))
    assert corrected.json == {"imported": 3, "created": 0, "updated": 1, "unchanged": 2}
    assert facts.count_documents({}) == 3
    assert facts.find_one({"kind": "scholarship"})["value"]["level"] == "first"

    # XLSX with real date cells and an Excel serial number (45170 = 2023-09-01).
    book = xlsx_bytes(FACT_HEADER, [
        fact_row("表彰", subject_kind="党支部", subject_id="branch_me1", day=datetime(2022, 7, 1), source="党委组织部",
                 级别="校级", 名称="先进基层党组织"),
        fact_row("个人荣誉", subject_id="2023020101", day=45170, source="学工部", 级别="省级", 名称="省优秀共青团员"),
    ])
    imported = upload(http, "admin", IMPORT, "荣誉.xlsx", book)
    assert imported.status_code == 200, imported.json
    assert imported.json["created"] == 2 and facts.count_documents({}) == 5
    honour = facts.find_one({"kind": "honour"})
    assert (honour["date"], honour["academic_year"], honour["college_id"]) == ("2023-09-01", "2023-2024", "college_em")

    # One good row among bad ones: every bad row reported, nothing stored.
    bad = csv_bytes(FACT_HEADER, [
        fact_row("奖学金", subject_id="2023020101", 等级="三等", 名称="单项奖学金"),            # 2: good
        fact_row("奖学金", subject_id="2099999999", 等级="三等", 名称="单项奖学金"),            # 3: no such student
        fact_row("月度文明寝室评比", subject_kind="寝室", subject_id="class_me1", 月份="2023-10", 是否获评="否"),  # 4
        fact_row("奖学金", 等级="四等", 名称="单项奖学金"),                                    # 5: no such level
        fact_row("failed_course", day="2023-02-30", 课程="线性代数", 是否必修="是"),            # 6: no such day
    ])
    refused = upload(http, "admin", IMPORT, "facts.csv", bad)
    assert refused.status_code == 422
    body = refused.json
    assert body["field"] == "file" and "未导入任何数据" in body["message_zh"]
    assert {(p["row"], p["column"]) for p in body["details"]} == {(3, "对象编号"), (4, "对象编号"), (5, "等级"),
                                                                  (6, "日期")}
    by_row = {p["row"]: p for p in body["details"]}
    assert by_row[3]["message_zh"] == "名录中不存在个人「p_2099999999」"
    assert by_row[4]["message_zh"] == "「class_me1」是班级，不是寝室"
    assert facts.count_documents({}) == 5

    # A student may not import, even a good file.
    denied = upload(http, "2023010101", IMPORT, "facts.csv", csv_bytes(FACT_HEADER, rows))
    assert denied.status_code == 403 and denied.json["code"] == "permission_denied"
    assert facts.count_documents({}) == 5


def test_one_fact_lists_by_scope_and_kinds(http, mongo):
    fact = {"subject_kind": "person", "subject_id": "2023010101", "kind": "disciplinary",
            "value": {"severity": "warning", "description": "考试作弊"}, "date": "2024-03-01", "source": "学工部"}
    added = http.as_("admin", "POST", "/api/records/facts", json=fact)
    assert added.status_code == 200, added.json
    assert added.json["status"] == "created" and added.json["fact"]["subject_id"] == "p_2023010101"
    assert added.json["fact"]["academic_year"] == "2023-2024"
    assert http.as_("admin", "POST", "/api/records/facts", json=fact).json["status"] == "unchanged"

    wrong = http.as_("admin", "POST", "/api/records/facts", json=dict(fact, value={"severity": "death"}))
    assert wrong.status_code == 422
    assert {d["field"] for d in wrong.json["details"]} == {"value.severity", "value.description"}
    assert all(d["message_zh"] for d in wrong.json["details"])
    stranger = http.as_("admin", "POST", "/api/records/facts", json=dict(fact, subject_id="2099999999"))
    assert stranger.status_code == 422 and stranger.json["field"] == "subject_id"
    assert http.as_("2023010101", "POST", "/api/records/facts", json=fact).status_code == 403
    assert mongo("records").facts.count_documents({}) == 1

    def listed(login, query=""):
        response = http.as_(login, "GET", f"/api/records/facts{query}")
        return response.status_code, [f["id"] for f in response.json] if response.status_code == 200 else None

    mine = [added.json["fact"]["id"]]
    assert listed("2023010101", "?subject_id=p_2023010101") == (200, mine)     # the person themself
    assert listed("counselor_me", "?subject_id=p_2023010101") == (200, mine)   # their college's counselor
    assert listed("counselor_me") == (200, mine)
    assert listed("counselor_em", "?subject_id=p_2023010101")[0] == 403        # another college
    assert listed("counselor_em") == (200, [])
    assert listed("2023020101") == (200, [])                                   # another student sees only theirs
    assert listed("2023020101", "?subject_id=p_2023010101")[0] == 403
    assert listed("admin", "?kind=disciplinary") == (200, mine)
    assert listed("admin", "?kind=scholarship") == (200, [])
    assert listed("admin", "?kind=nonsense")[0] == 422

    kinds = http.as_("2023010101", "GET", "/api/records/kinds")
    assert kinds.status_code == 200 and len(kinds.json["kinds"]) == 21
    scholarship = next(k for k in kinds.json["kinds"] if k["code"] == "scholarship")
    assert scholarship["label_zh"] == "奖学金" and scholarship["subjects"] == ["person"]
