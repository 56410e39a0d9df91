"""Ranking: total order with declared tie-breaks, vetoed left out."""
import random

import pytest

from core.errors import ValidationFailed
from services.scoring.domain.ranking import rank, validate_tie_breaks


def cand(aid, total, nodes=None, submitted_at=None):
    return {"application_id": aid, "total": total, "nodes": nodes or {},
            "fields": {} if submitted_at is None else {"submitted_at": submitted_at}}


TIE_BREAKS = [{"indicator": "study", "order": "desc"}, {"field": "submitted_at", "order": "asc"}]


def test_total_then_indicator_then_submission_then_id():
    cands = [
        cand("e", 80.0, {"study": 70}, "2023-10-17T01:00:00.000Z"),
        cand("d", 80.0, {"study": 90}, "2023-10-18T01:00:00.000Z"),
        cand("c", 80.0, {"study": 70}, "2023-10-16T01:00:00.000Z"),
        cand("b", 80.0, {"study": 70}, "2023-10-16T01:00:00.000Z"),
        cand("a", 95.0, {"study": 10}, "2023-10-18T09:00:00.000Z"),
    ]
    out = rank(cands, TIE_BREAKS)
    # a: best total; d: best study among the 80s; b, c: earlier submission, then id; e last
    assert [c["application_id"] for c in out] == ["a", "d", "b", "c", "e"]
    assert [c["rank"] for c in out] == [1, 2, 3, 4, 5]


def test_order_does_not_depend_on_input_order():
    rng = random.Random(7)
    cands = [cand(f"x{i}", rng.choice([70.0, 80.0]), {"study": rng.choice([1, 2])},
                  rng.choice(["2023-10-01", "2023-10-02"])) for i in range(40)]
    expected = [c["application_id"] for c in rank(cands, TIE_BREAKS)]
    for _ in range(5):
        rng.shuffle(cands)
        assert [c["application_id"] for c in rank(cands, TIE_BREAKS)] == expected


def test_float_noise_ties_and_missing_values_sort_last():
    a = cand("a", 0.1 + 0.2, {"study": 50}, None)            # 0.30000000000000004
    b = cand("b", 0.3, {}, "2023-10-02")
    c = cand("c", 0.3, {"study": 50}, "2023-10-03")
    out = [x["application_id"] for x in rank([a, b, c], TIE_BREAKS)]
    # a and c tie on total and study; a has no submitted_at -> after c; b has no study -> last
    assert out == ["c", "a", "b"]
    desc = [x["application_id"] for x in rank([a, b, c], [{"field": "submitted_at", "order": "desc"}])]
    assert desc == ["c", "b", "a"]


def test_vetoed_are_left_out_whatever_their_score():
    out = rank([cand("a", 99.0), cand("b", 50.0)], vetoed={"a"})
    assert [(c["application_id"], c["rank"]) for c in out] == [("b", 1)]


def test_tie_breaks_are_validated(class_tree):
    assert validate_tie_breaks([{"indicator": "study"}, {"field": "submitted_at"}], class_tree) == [
        {"indicator": "study", "order": "desc"}, {"field": "submitted_at", "order": "asc"}]
    with pytest.raises(ValidationFailed) as e:
        validate_tie_breaks([{"indicator": "nope"}, {"field": "x", "order": "up"}, {}], class_tree)
    assert [d["field"] for d in e.value.details] == ["tie_breaks[0]", "tie_breaks[1]", "tie_breaks[2]"]
    with pytest.raises(ValidationFailed):
        rank([cand("a", 1.0), cand("a", 2.0)])
