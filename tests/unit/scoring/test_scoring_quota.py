"""Quotas: half-up rounding, apportionment, quota rules, selection with reasons."""
import random
from decimal import Decimal
from fractions import Fraction

import pytest

from core.errors import QuotaExceeded, ValidationFailed
from services.scoring.domain.quota import (
    apportion, ensure_within_quota, percent_of, quota_size, round_half_up, select)
from services.scoring.domain import selection_outcomes
from services.scoring.domain.vetoes import veto


def test_round_half_up_is_not_bankers_rounding():
    assert round(2.5) == 2 and round(4.5) == 4                 # what we must not do
    assert [round_half_up(x) for x in (0.5, 1.5, 2.5, 4.5, 7.5)] == [1, 2, 3, 5, 8]
    assert round_half_up(1.4999) == 1 and round_half_up(Decimal("2.5")) == 3
    assert round_half_up(Fraction(9, 2)) == 5 and round_half_up("7.5") == 8


def test_percent_of_worked_examples():
    assert percent_of(15, 30) == 5        # 4.5 -> 5
    assert percent_of(40, 5) == 2         # 2.0
    assert percent_of(30, 25) == 8        # 7.5 -> 8
    assert percent_of(30, 35) == 11       # 10.5 -> 11
    assert percent_of(15, 10) == 2        # 1.5 -> 2
    assert percent_of(15.0, 30) == 5 and round(0.15 * 30) == 4   # banker's round would give 4


def test_apportion_largest_remainder_by_hand():
    # shares 5, 3.33, 1.67 -> floors 5, 3, 1; the one seat left goes to the largest remainder (C)
    assert apportion(10, {"A": 15, "B": 10, "C": 5}) == {"A": 5, "B": 3, "C": 2}
    # equal remainders: larger size first ...
    assert apportion(2, {"a": 1, "b": 3}) == {"a": 0, "b": 2}
    # ... then unit id
    assert apportion(10, {"c": 1, "b": 1, "a": 1}) == {"a": 4, "b": 3, "c": 3}
    assert apportion(0, {"a": 1}) == {"a": 0}
    with pytest.raises(ValidationFailed):
        apportion(5, {"a": 0, "b": 0})


def test_apportion_parts_always_add_up():
    rng = random.Random(3)
    for _ in range(300):
        sizes = {f"u{i}": rng.randint(0, 50) for i in range(rng.randint(1, 9))}
        if not sum(sizes.values()):
            continue
        total = rng.randint(0, 200)
        parts = apportion(total, sizes)
        assert sum(parts.values()) == total
        for u, s in sizes.items():
            exact = Fraction(total * s, sum(sizes.values()))
            assert parts[u] in (exact.numerator // exact.denominator, -(-exact.numerator // exact.denominator))


def test_quota_sizes():
    assert quota_size([{"kind": "percent", "percent": 30, "of": "population"}], population=25) == 8
    assert quota_size([{"kind": "percent", "percent": 40, "of": "applicants"}], applicants=5) == 2
    assert quota_size([{"kind": "fixed", "count": 100}]) == 100
    grades = {"kind": "grades", "of": "population", "grades": [{"name": "标兵", "percent": 15},
                                                               {"name": "优秀", "rest": True}]}
    assert quota_size([grades], population=30) == {"标兵": 5, "优秀": None}
    with pytest.raises(ValidationFailed) as e:
        quota_size([{"kind": "percent", "percent": 30, "of": "population"}])
    assert e.value.field == "population"


def test_bad_rules_are_named():
    with pytest.raises(ValidationFailed) as e:
        quota_size([{"kind": "fixed", "count": -1}, {"kind": "per_unit_cap", "unit": "class_id"},
                    {"kind": "lottery"}])
    assert [d["field"] for d in e.value.details] == ["quota_rules[0]", "quota_rules[1]", "quota_rules[2]"]
    with pytest.raises(ValidationFailed):
        quota_size([{"kind": "fixed", "count": 1}, {"kind": "fixed", "count": 2}])
    with pytest.raises(ValidationFailed) as e:
        quota_size([{"kind": "grades", "grades": [{"name": "优秀", "rest": True}, {"name": "标兵", "percent": 15}]}])
    assert "only the last grade" in e.value.message_en


def c(aid, total, study=50, units=None, grades=None):
    body = {"application_id": aid, "total": total, "nodes": {"study": study}, "units": units or {}}
    if grades is not None:
        body["grades_eligible"] = grades
    return body


def test_percent_of_population_with_veto_tie_break_and_cut_line():
    # 12 classes of years 1-3 -> 30% = 3.6 -> 4 places; c1 is vetoed despite the best score
    cands = [c("c1", 95), c("c2", 90), c("c3", 88, study=60), c("c4", 88, study=70), c("c5", 85),
             c("c6", 80), c("c7", 79), c("c8", 60)]
    out = select(cands, [{"kind": "percent", "percent": 30, "of": "population"}],
                 tie_breaks=[{"indicator": "study", "order": "desc"}],
                 vetoes=[veto("c1", "考试作弊", {"id": "u1", "roles": ["admin"]})], population=12)
    assert out["quota"] == 4
    assert out["selected"] == ["c2", "c4", "c3", "c5"]               # c4 beats c3 on 学风建设
    assert out["cut_line"] == {"last_selected": {"application_id": "c5", "rank": 4, "total": 85},
                               "first_not_selected": {"application_id": "c6", "rank": 5, "total": 80}}
    assert out["outcomes"]["c1"]["reason"] == "vetoed" and "考试作弊" in out["outcomes"]["c1"]["message_zh"]
    assert out["outcomes"]["c1"]["rank"] is None
    assert out["outcomes"]["c6"]["reason"] == "below_cut_line" and out["outcomes"]["c6"]["rank"] == 5
    assert [e["application_id"] for e in out["ranking"]] == ["c2", "c4", "c3", "c5", "c6", "c7", "c8"]


def test_percent_of_applicants_counts_vetoed_applications():
    cands = [c(f"a{i}", 90 - i) for i in range(5)]
    out = select(cands, [{"kind": "percent", "percent": 40, "of": "applicants"}], vetoes=["a0"])
    assert out["quota"] == 2 and out["selected"] == ["a1", "a2"]


def test_per_unit_cap_at_most_two_per_class():
    cands = [c("m1", 90, units={"class_id": "A"}), c("m2", 89, units={"class_id": "A"}),
             c("m3", 88, units={"class_id": "A"}), c("m4", 87, units={"class_id": "B"}),
             c("m5", 86, units={"class_id": "B"}), c("m6", 85, units={"class_id": "C"})]
    rules = [{"kind": "fixed", "count": 4}, {"kind": "per_unit_cap", "unit": "class_id", "max": 2}]
    out = select(cands, rules)
    assert out["selected"] == ["m1", "m2", "m4", "m5"]
    assert out["outcomes"]["m3"]["reason"] == "unit_cap_reached"
    assert "its class already has 2 selected" in out["outcomes"]["m3"]["message"]
    assert out["outcomes"]["m3"]["message_zh"] == "排名第 3，但其班级已入选 2 个，达到上限"   # no field, no id
    assert out["outcomes"]["m6"]["reason"] == "below_cut_line"
    assert out["cut_line"]["first_not_selected"]["application_id"] == "m6"
    with pytest.raises(ValidationFailed):
        select([c("x", 1)], rules)                                   # no class_id to cap on


def test_min_score_threshold():
    out = select([c("a", 90), c("b", 70), c("c", 59.999)],
                 [{"kind": "fixed", "count": 3}, {"kind": "min_score", "min": 60}])
    assert out["selected"] == ["a", "b"] and out["outcomes"]["c"]["reason"] == "below_min_score"


def test_nested_grades_model_within_excellent():
    # 20 class-leading members -> 标兵 = 15% of 20 = 3, chosen among those who qualify
    both, only = ["标兵", "优秀"], ["优秀"]
    cands = [c("g1", 95, grades=both), c("g2", 94, grades=only), c("g3", 93, grades=both),
             c("g4", 92, grades=both), c("g5", 91, grades=both), c("g6", 99, grades=[]), c("g7", 98)]
    rule = {"kind": "grades", "of": "population",
            "grades": [{"name": "标兵", "percent": 15}, {"name": "优秀", "rest": True}]}
    out = select(cands, [rule], vetoes=["g7"], population=20)
    assert out["quota"] == {"标兵": 3, "优秀": None}
    assert out["grades"] == {"标兵": ["g1", "g3", "g4"], "优秀": ["g2", "g5"]}
    assert out["selected"] == ["g1", "g2", "g3", "g4", "g5"]
    assert out["outcomes"]["g6"]["reason"] == "not_qualified"
    assert out["outcomes"]["g7"]["reason"] == "vetoed"
    assert out["outcomes"]["g5"]["grade"] == "优秀"
    assert out["grade_cut_lines"]["标兵"]["first_not_selected"]["application_id"] == "g5"
    # 30 members -> 4.5 -> 5 标兵, but only 4 qualify
    out30 = select(cands, [rule], vetoes=["g7"], population=30)
    assert out30["grades"]["标兵"] == ["g1", "g3", "g4", "g5"] and out30["grades"]["优秀"] == ["g2"]


def test_ensure_within_quota():
    ensure_within_quota(3, 1, 4)
    with pytest.raises(QuotaExceeded) as e:
        ensure_within_quota(4, 1, 4, "先进班集体")
    assert e.value.details == {"quota": 4, "count": 4, "adding": 1}
    assert "名额 4" in e.value.message_zh


def test_outcome_words_keep_a_figure_with_braces_as_it_is():
    """A figure is put into the words as it is, braces and all: only the rank's place
    is filled per application."""
    out = selection_outcomes.ranked("below_cut_line", [7, 12], quota="{rank} {0}")
    assert [o["message_zh"] for o in out] == ["排名第 7，未进入名额（名额 {rank} {0} 个）",
                                              "排名第 12，未进入名额（名额 {rank} {0} 个）"]
    assert out[1]["message"] == "ranked 12, below the cut line (quota {rank} {0})"
    assert [o["rank"] for o in out] == [7, 12] and out[0] is not out[1]
