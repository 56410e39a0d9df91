"""The array path of selection (quota_arrays) gives the dict path's result exactly,
and `quota.select` takes it only where it may."""
import json
import random

import pytest

from core.errors import ValidationFailed
from services.scoring.domain import quota, quota_arrays
from services.scoring.domain.quota import parse_quota_rules, select, select_from_ranking, veto_map
from services.scoring.domain.ranking import rank, validate_tie_breaks
from services.scoring.domain.vetoes import veto

ADMIN = {"id": "u-admin", "roles": ["admin"]}
TOTALS = [50, 60, 60.0, 60 + 4e-7, 60 + 2e-6, 70.25, 80.5, 90, 99.999999]
TIMES = ["2023-10-17T08:00:00.000Z", "2023-10-17T09:30:00.000Z", "2023-10-18T08:00:00.000Z"]
TIE_BREAKS = [{"indicator": "l0", "order": "desc"}, {"indicator": "l0", "order": "asc"},
              {"field": "submitted_at"}, {"field": "submitted_at", "order": "desc"},
              {"field": "points", "order": "desc"}, {"field": "weight"}]


def _campaign(rng):
    n = rng.randrange(0, 60)
    ids = rng.sample(range(1000), n)
    candidates = []
    for i in ids:
        c = {"application_id": f"a{i:03d}", "nodes": {}, "fields": {}, "units": {"class_id": f"c{rng.randrange(5)}"},
             "total": rng.choice(TOTALS) if rng.random() < 0.7 else round(rng.uniform(40, 100), rng.choice([1, 7]))}
        if rng.random() < 0.8:
            c["nodes"]["l0"] = rng.choice([5, 7.5, 7.5000001, 10])
        if rng.random() < 0.8:
            c["fields"]["submitted_at"] = rng.choice(TIMES)
        if rng.random() < 0.8:
            c["fields"]["points"] = rng.randrange(3)
        if rng.random() < 0.8:
            c["fields"]["weight"] = rng.choice([0.5, 1.25, 1.2500000001])
        candidates.append(c)
    vetoes = []
    for c in rng.sample(candidates, min(len(candidates), rng.randrange(4))):
        vetoes.append(c["application_id"] if rng.random() < 0.5 else
                      veto(c["application_id"], "宿舍违规使用电器", ADMIN))
    vetoes += [f"gone{k}" for k in range(rng.randrange(2))]       # vetoed, no longer a candidate
    count = rng.choice([{"kind": "percent", "percent": rng.choice([15, 30, 50]), "of": "applicants"},
                        {"kind": "percent", "percent": 30, "of": "population"},
                        {"kind": "fixed", "count": rng.randrange(0, 25)}])
    rules = [count]
    if rng.random() < 0.6:
        rules.append({"kind": "per_unit_cap", "unit": "class_id", "max": rng.randrange(1, 4)})
    if rng.random() < 0.4:
        rules.append({"kind": "min_score", "min": rng.choice([60, 60.0000004, 75])})
    return candidates, rules, rng.sample(TIE_BREAKS, rng.randrange(3)), vetoes, rng.randrange(10, 80)


def _dict_path(candidates, rules, tie_breaks, vetoes, population):
    vmap = veto_map(vetoes)
    applicants = len({c["application_id"] for c in candidates} | set(vmap))
    return select_from_ranking(rank(candidates, tie_breaks, vetoed=vmap), rules, vmap, population, applicants)


def test_the_array_path_gives_the_dict_paths_result_on_random_campaigns():
    rng = random.Random(20261207)
    taken = 0
    for _ in range(600):
        candidates, rules, tie_breaks, vetoes, population = _campaign(rng)
        rng.shuffle(candidates)
        expected = _dict_path(candidates, rules, tie_breaks, vetoes, population)
        assert quota_arrays.fits(candidates, parse_quota_rules(rules))
        got = select(candidates, rules, tie_breaks, vetoes, population)
        # the same values and the same order (outcomes as stored, key by key)
        assert json.dumps(got, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)
        taken += bool(got["outcomes"])
    assert taken > 500


def test_ties_break_on_indicator_then_field_then_id_and_missing_values_sort_last():
    c = [{"application_id": "b", "total": 80, "nodes": {"l0": 9}, "fields": {"t": "2023-01-02"}},
         {"application_id": "a", "total": 80, "nodes": {}, "fields": {"t": "2023-01-01"}},
         {"application_id": "d", "total": 80, "nodes": {"l0": 9}, "fields": {"t": "2023-01-01"}},
         {"application_id": "c", "total": 80, "nodes": {"l0": 9}, "fields": {}},
         {"application_id": "e", "total": 80.0000001, "nodes": {"l0": 1}, "fields": {"t": "2023-01-03"}}]
    out = select(c, [{"kind": "fixed", "count": 2}], [{"indicator": "l0"}, {"field": "t"}])
    # e's total ties at 1e-6 points and its indicator is lower; a has none, c no time
    assert [e["application_id"] for e in out["ranking"]] == ["d", "b", "c", "e", "a"]
    assert out["selected"] == ["d", "b"]
    assert out["cut_line"]["first_not_selected"]["application_id"] == "c"


def test_a_unit_cap_and_a_minimum_score_give_their_reasons():
    c = [{"application_id": f"a{i}", "total": 90 - i, "units": {"class_id": "c1" if i < 3 else "c2"}}
         for i in range(6)]
    out = select(c, [{"kind": "fixed", "count": 3}, {"kind": "per_unit_cap", "unit": "class_id", "max": 2},
                     {"kind": "min_score", "min": 85.5}], vetoes=["a1"])
    reasons = {aid: o["reason"] for aid, o in out["outcomes"].items()}
    assert reasons == {"a1": "vetoed", "a5": "below_min_score", "a0": "selected", "a2": "selected",
                       "a3": "selected", "a4": "below_cut_line"}
    assert out["selected"] == ["a0", "a2", "a3"] and out["outcomes"]["a3"]["rank"] == 3
    assert out["outcomes"]["a5"]["message_zh"] == "总分 85.00 低于达标线 85.5"
    assert out["outcomes"]["a4"]["message_zh"] == "排名第 4，未进入名额（名额 3 个）"
    floors = [dict(e, units={"floor": e["units"]["class_id"]}) for e in c]     # a unit with no label
    out = select(floors, [{"kind": "fixed", "count": 3}, {"kind": "per_unit_cap", "unit": "floor", "max": 1}])
    assert out["outcomes"]["a1"]["message_zh"] == "排名第 2，但其单位已入选 1 个，达到上限"
    assert out["outcomes"]["a1"]["message"] == "ranked 2, but its unit already has 1 selected, the most allowed"


def test_no_candidates_and_a_zero_quota():
    out = select([], [{"kind": "percent", "percent": 30, "of": "applicants"}], vetoes=["x"])
    assert out["selected"] == [] and out["ranking"] == [] and out["outcomes"]["x"]["reason"] == "vetoed"
    assert out["cut_line"] == {"last_selected": None, "first_not_selected": None}
    one = [{"application_id": "a", "total": 70}]
    out = select(one, [{"kind": "fixed", "count": 0}])
    assert out["outcomes"]["a"]["reason"] == "below_cut_line"
    assert out["cut_line"]["first_not_selected"]["application_id"] == "a"


@pytest.mark.parametrize("candidates, rules", [
    ([{"application_id": "a", "total": 70, "units": {"class_id": ["c1", "c2"]}}],       # a unit list
     [{"kind": "fixed", "count": 1}, {"kind": "per_unit_cap", "unit": "class_id", "max": 1}]),
    ([{"application_id": "a", "total": 70, "units": {}}],                               # no unit
     [{"kind": "fixed", "count": 1}, {"kind": "per_unit_cap", "unit": "class_id", "max": 1}]),
    ([{"application_id": "a", "total": 70, "units": {"class_id": "c", "college_id": "x"}}],   # two caps
     [{"kind": "fixed", "count": 1}, {"kind": "per_unit_cap", "unit": "class_id", "max": 1},
      {"kind": "per_unit_cap", "unit": "college_id", "max": 1}]),
    ([{"application_id": "a", "total": 70}],
     [{"kind": "grades", "of": "applicants", "grades": [{"name": "标兵", "percent": 50}, {"name": "优秀", "rest": True}]}]),
    ([{"application_id": "a", "total": 70}, {"application_id": "a", "total": 60}],      # duplicate ids
     [{"kind": "fixed", "count": 1}]),
    ([{"application_id": 7, "total": 70}], [{"kind": "fixed", "count": 1}]),           # an id that is not text
    ([{"application_id": "a", "total": float("nan")}], [{"kind": "fixed", "count": 1}]),
])
def test_what_the_array_path_does_not_take_goes_the_dict_way(candidates, rules):
    assert not quota_arrays.fits(candidates, parse_quota_rules(rules))


def test_the_dict_paths_refusals_stand():
    no_unit = [{"application_id": "a", "total": 70, "units": {}}]
    with pytest.raises(ValidationFailed) as e:
        select(no_unit, [{"kind": "fixed", "count": 1}, {"kind": "per_unit_cap", "unit": "class_id", "max": 1}])
    assert [d["field"] for d in e.value.details] == ["units.class_id"]
    with pytest.raises(ValidationFailed):
        select([{"application_id": "a", "total": 1}] * 2, [{"kind": "fixed", "count": 1}])
    with pytest.raises(ValidationFailed):
        select([], [{"kind": "fixed", "count": 1}], [{"order": "up"}])
    assert validate_tie_breaks([{"field": "t"}]) == [{"field": "t", "order": "asc"}]
    assert quota.REASONS[:5] == ("selected", "vetoed", "below_cut_line", "unit_cap_reached", "below_min_score")
