"""scoring_inputs: imported-fact marks, the exam-integrity fact and the population,
from an in-memory records service, with every number worked out by hand.

The campaign closes 2023-10-18 17:00 Beijing time (09:00 UTC) and looks back one
year, so the window is [2022-10-19, 2023-10-19): facts dated on the closing day count,
facts a year and a day old do not.
"""
import pytest

from plugins.class_collectives.hooks import (
    ClassCollectiveHooks, facts_window, failure_rate_percent, is_exam_offence,
)
from plugins.class_collectives.program import PROGRAM, SETTINGS
from core.declaration import scorer_roles_of
from core.declaration.criteria_tree import CriteriaTree
from services.scoring.domain.plugin_inputs import normalise
from plugins.class_collectives.tests.unit.fake_records import FakeRecords

TREE = CriteriaTree.from_dict(PROGRAM.criteria, scorer_roles_of(PROGRAM.declaration()))
CAMPAIGN = {"id": "cmp1", "academic_year": "2023-2024", "application_closes_at": "2023-10-18T09:00:00.000Z",
            "unit_name": "机电与信息工程学院", "level": "college", "settings": dict(SETTINGS, classes_in_scope=40)}

A_MEMBERS = [f"pa{n:02d}" for n in range(1, 41)]   # 40 students
B_MEMBERS = [f"pb{n:02d}" for n in range(1, 31)]   # 30 students
C_MEMBERS = [f"pc{n:02d}" for n in range(1, 36)]   # 35 students


def app(aid, class_id, members):
    return {"id": aid, "applicant_kind": "class", "applicant_id": class_id, "form": {"member_ids": members}}


APPS = [app("a1", "class_a", A_MEMBERS), app("b1", "class_b", B_MEMBERS), app("c1", "class_c", C_MEMBERS)]

FACTS = [
    # class A: two students failed (pa01 twice), pa03's failure is a year and a day old.
    {"subject_id": "pa01", "kind": "failed_course", "date": "2023-01-10", "value": {"course": "高等数学", "required": True}},
    {"subject_id": "pa01", "kind": "failed_course", "date": "2023-06-30", "value": {"course": "大学物理", "required": True}},
    {"subject_id": "pa02", "kind": "failed_course", "date": "2023-07-01", "value": {"course": "线性代数", "required": True}},
    {"subject_id": "pa03", "kind": "failed_course", "date": "2022-10-18", "value": {"course": "C语言", "required": True}},
    {"subject_id": "pa05", "kind": "fraud_victim", "date": "2023-03-01",
     "value": {"amount_fen": 120000, "description": "刷单返利诈骗"}},
    {"subject_id": "class_a", "subject_kind": "class", "kind": "collective_award", "date": "2023-05-20",
     "value": {"level": "school", "name": "校级优良学风班"}},
    {"subject_id": "class_a", "subject_kind": "class", "kind": "collective_award", "date": "2023-10-18",
     "value": {"level": "college", "name": "院级团日活动优秀班级"}},
    {"subject_id": "class_a", "subject_kind": "class", "kind": "collective_award", "date": "2021-05-20",
     "value": {"level": "national", "name": "全国活力团支部"}},
    # class B: one failure, an exam cheat, a late return that is no exam offence.
    {"subject_id": "pb01", "kind": "failed_course", "date": "2023-01-12", "value": {"course": "高等数学", "required": True}},
    {"subject_id": "pb02", "kind": "disciplinary", "date": "2023-01-15",
     "value": {"severity": "demerit", "description": "期末考试作弊"}},
    {"subject_id": "pb03", "kind": "disciplinary", "date": "2023-03-15",
     "value": {"severity": "warning", "description": "多次晚归"}},
    # someone outside every roster
    {"subject_id": "px01", "kind": "fraud_victim", "date": "2023-03-01", "value": {"description": "冒充客服"}},
]

def dorm_award(dorm, category, day, members):
    return {"subject_id": dorm, "program": "civilized_dorms", "category": category, "date": day,
            "member_ids": members}


AWARDS = [
    # dA1 (pa01-pa04 live there): two types in 2022-2023 — one dorm in one year counts
    # once — and an old title; dA2 (pa05 and a student of class C) likewise old.
    dorm_award("dA1", "环境优美型", "2023-06-15", ["pa01", "pa02", "pa03", "pa04"]),
    dorm_award("dA1", "求真学问型", "2023-06-15", ["pa01", "pa02", "pa03", "pa04"]),
    dorm_award("dA1", "环境优美型", "2021-06-15", ["pa01", "pa02", "pa03", "pa04"]),
    dorm_award("dA2", "知行合一型", "2021-06-16", ["pa05", "pc01"]),
    # dA9: nobody of these classes lives there.
    dorm_award("dA9", "环境优美型", "2023-06-15", ["px01", "px02"]),
    # dB1 (pb01, pb02): titles in two academic years (2022-2023 and 2023-2024) count twice.
    dorm_award("dB1", "知行合一型", "2022-11-01", ["pb01", "pb02"]),
    dorm_award("dB1", "党员示范型", "2023-09-20", ["pb01", "pb02"]),
    # class B's own title last year (college level) on this platform.
    {"subject_id": "class_b", "subject_kind": "class", "program": "class_collectives", "code": "advanced_class",
     "title": "机电与信息工程学院先进班集体", "level": "college", "date": "2023-06-20"},
]


@pytest.fixture
def result():
    records = FakeRecords(FACTS, AWARDS)
    hooks = ClassCollectiveHooks().bind(records)
    out = hooks.scoring_inputs({"campaign": CAMPAIGN, "applications": APPS})
    return out, records


def test_the_window_ends_with_the_deadline_day_in_beijing_time():
    assert facts_window(CAMPAIGN, 1) == {"last_years": 1, "until": "2023-10-19"}
    # 23:30 UTC on the 17th is already the 18th in Beijing.
    late = dict(CAMPAIGN, application_closes_at="2023-10-17T23:30:00.000Z")
    assert facts_window(late, 3) == {"last_years": 3, "until": "2023-10-19"}
    # A deadline without a time zone is UTC, as everywhere (core.plugin_kit), not Beijing time:
    # 2023-10-18 20:00 UTC is already the 19th in Beijing.
    naive = dict(CAMPAIGN, application_closes_at="2023-10-18T20:00:00")
    assert facts_window(naive, 1) == {"last_years": 1, "until": "2023-10-20"}


def test_failure_rate_is_rounded_half_up_to_whole_percent():
    assert failure_rate_percent(2, 40) == 5       # 5%
    assert failure_rate_percent(1, 40) == 3       # 2.5% -> 3 (never banker's 2)
    assert failure_rate_percent(3, 40) == 8       # 7.5% -> 8
    assert failure_rate_percent(1, 30) == 3       # 3.33% -> 3
    assert failure_rate_percent(0, 0) == 0


def test_exam_offences_are_read_from_the_description():
    assert is_exam_offence({"value": {"description": "期末考试作弊"}})
    assert is_exam_offence({"value": {"description": "英语四级替考"}})
    assert not is_exam_offence({"value": {"description": "多次晚归"}})


def test_class_a_marks_worked_out_by_hand(result):
    out, _ = result
    a = out["applications"]["a1"]
    # failed: pa01, pa02 (pa03 is outside the window) -> 2 / 40 = 5%
    # fraud: pa05 -> 1 (px01 is not in the class)
    # work results: school award 2 + college award on the closing day 1 (the 2021
    # national one is too old) + dA1 titled in 2022-2023 once = 4
    assert a["marks"] == {"failure_rate": 5, "fraud": 1, "work_results": 4}
    assert a["facts"]["exam_cheating"] is False
    assert a["facts"]["class_size"] == 40 and a["facts"]["failed_students"] == 2
    assert a["facts"]["collective_award_units"] == 3 and a["facts"]["civilized_dorm_units"] == 1
    assert a["facts"]["collective_awards"] == ["校级优良学风班（school）", "院级团日活动优秀班级（college）"]
    assert a["facts"]["civilized_dorm_titles"] == ["dA1 2022-2023"]
    # points on the leaves' scales: 100 - 4 x 5 = 80; 100 - 50 x 1 = 50; 20 x 4 = 80
    assert TREE.normalise("failure_rate", 5) == pytest.approx(0.80)
    assert TREE.normalise("fraud", 1) == pytest.approx(0.50)
    assert TREE.normalise("work_results", 4) == pytest.approx(0.80)


def test_class_b_marks_and_exam_cheating(result):
    out, _ = result
    b = out["applications"]["b1"]
    # failed: pb01 -> 1 / 30 = 3.33% -> 3; no fraud; last year's college title 1 +
    # dB1 titled in 2022-2023 and in 2023-2024 = 2 -> 3
    assert b["marks"] == {"failure_rate": 3, "fraud": 0, "work_results": 3}
    assert b["facts"]["exam_cheating"] is True and len(b["facts"]["exam_cheating_records"]) == 1
    assert b["facts"]["civilized_dorm_titles"] == ["dB1 2022-2023", "dB1 2023-2024"]
    assert TREE.normalise("work_results", 3) == pytest.approx(0.60)


def test_a_class_without_records_gets_full_marks_for_failures_and_fraud_and_none_for_results(result):
    out, _ = result
    c = out["applications"]["c1"]
    assert c["marks"] == {"failure_rate": 0, "fraud": 0, "work_results": 0}
    assert [TREE.normalise(k, v) for k, v in c["marks"].items()] == [1.0, 1.0, 0.0]


def test_population_and_shape_are_what_the_scoring_service_accepts(result):
    out, _ = result
    assert out["population"] == 40
    entries, population = normalise(out, ["a1", "b1", "c1"])
    assert population == 40 and entries["b1"]["facts"]["exam_cheating"] is True
    for entry in entries.values():
        for leaf, value in entry["marks"].items():
            assert TREE.score_problem(leaf, value) is None
            assert "imported_fact" in TREE.leaf(leaf).scorer_roles()


def test_no_population_when_the_campaign_does_not_give_it():
    records = FakeRecords()
    campaign = dict(CAMPAIGN, settings=dict(SETTINGS))
    out = ClassCollectiveHooks().bind(records).scoring_inputs({"campaign": campaign, "applications": APPS})
    assert out["population"] is None


def test_four_queries_for_the_whole_campaign_each_with_the_deadline_window(result):
    _, records = result
    window = {"last_years": 1, "until": "2023-10-19"}
    assert [(c[0], c[-1]) for c in records.calls] == [("facts", window)] * 2 + [("awards", window)] * 2
    people = records.calls[0][1]
    assert len(people) == 105 and set(records.calls[0][2]) == {"failed_course", "fraud_victim", "disciplinary"}
    # the dorm titles are asked for by the students of every class (award members)
    assert records.calls[3][1:3] == (people, "civilized_dorms")


def test_a_longer_lookback_reaches_older_records():
    campaign = dict(CAMPAIGN, settings=dict(CAMPAIGN["settings"], lookback_years=3))
    out = ClassCollectiveHooks().bind(FakeRecords(FACTS, AWARDS)).scoring_inputs(
        {"campaign": campaign, "applications": APPS})
    a = out["applications"]["a1"]
    # window [2020-10-19, 2023-10-19): pa03 now counts (3 / 40 = 7.5% -> 8); the 2021
    # national award adds 3, dA1's and dA2's 2020-2021 titles 1 each: 4 + 3 + 2 = 9
    assert a["marks"] == {"failure_rate": 8, "fraud": 1, "work_results": 9}
    # class C shares dA2 with class A (pc01 lived there): its 2020-2021 title counts for both
    assert out["applications"]["c1"]["marks"]["work_results"] == 1
