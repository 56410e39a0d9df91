"""Fact kinds a program declares join the catalog as <program>:<code>: values and
spreadsheet rows are read with their fields; clashes are refused."""
import pytest

from core.declaration import declaration_errors
from services.records.domain import kinds as catalog

SPEC = {"code": "assessment", "label_zh": "综合测评", "label_en": "Comprehensive assessment", "subjects": ["person"],
        "fields": [{"name": "rank", "label_zh": "班级排名", "type": "integer", "minimum": 1, "columns": ["班级排名"]},
                   {"name": "score", "label_zh": "测评成绩", "type": "number", "required": False}]}


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(catalog, "KINDS", dict(catalog.KINDS))
    monkeypatch.setattr(catalog, "LABELS", dict(catalog.LABELS))


def test_a_program_kind_reads_values_and_rows(fresh):
    kind = catalog.kind_from_spec("merit_students:assessment", SPEC)
    assert catalog.kind_conflicts([kind]) == []
    catalog.register([kind])
    assert catalog.kind_code("综合测评") == "merit_students:assessment"
    assert catalog.validate_value("merit_students:assessment", {"rank": 3, "score": 91.5}) == ({"rank": 3,
                                                                                                 "score": 91.5}, [])
    _, problems = catalog.validate_value("merit_students:assessment", {"rank": 0, "grade": "A"})
    assert [p[0] for p in problems] == ["value.grade", "value.rank"]
    assert catalog.value_from_cells("merit_students:assessment", {"班级排名": "2", "测评成绩": "88"}) == (
        {"rank": 2, "score": 88}, [])
    assert "merit_students:assessment" in [k["code"] for k in catalog.catalog()["kinds"]]


def test_a_built_in_code_or_a_label_of_another_kind_is_refused(fresh):
    clash = catalog.kind_from_spec("merit_students:x", dict(SPEC, label_zh="课程不及格"))
    assert "已被记录类别 failed_course 使用" in catalog.kind_conflicts([clash])[0][2]
    built_in = catalog.kind_from_spec("scholarship", SPEC)
    assert "内置" in catalog.kind_conflicts([built_in])[0][2]


def test_the_declaration_types_fact_kinds():
    from plugins.merit_students.program import MERIT
    declaration = MERIT.declaration()
    declaration["fact_kinds"] = [dict(SPEC, fields=[{"name": "rank", "label_zh": "排名", "type": "int"}])]
    assert [e["field"] for e in declaration_errors(declaration)] == ["fact_kinds[0].fields[0].type"]
