"""The array path computes the same totals and order as the per-application path."""
import random

import numpy as np
import pytest

from core.errors import ValidationFailed
from services.scoring.domain import bulk
from services.scoring.domain.aggregation import marks_from_sheets, score_campaign, zscore_adjust
from tests.unit.scoring.conftest import LEAGUE, ROLES, TEACHER
from services.scoring.domain.ranking import rank


def random_class_campaign(seed, n_apps=40):
    rng = random.Random(seed)
    sheets = []
    for i in range(n_apps):
        a = f"a{i:03d}"
        for r in rng.sample(range(8), rng.randint(1, 5)):
            sheets.append({"application_id": a, "reviewer_id": f"r{r}", "role": "reviewer", "state": "submitted",
                           "scores": {"civility": rng.randint(4, 10), "academic": rng.choice([7, 7.5, 9]),
                                      "sports": rng.randint(50, 100)}})
        sheets.append({"application_id": a, "reviewer_id": "facts", "role": "imported_fact", "state": "submitted",
                       "scores": {"psych": rng.randint(0, 5), "results": rng.randint(0, 4), "fraud": rng.randint(0, 2)}})
        sheets.append({"application_id": a, "reviewer_id": f"c{rng.randint(0, 4)}", "role": "counselor",
                       "state": "submitted", "scores": {"rating": rng.randint(60, 100)}})
        sheets.append({"application_id": a, "reviewer_id": f"l{rng.randint(0, 2)}", "role": LEAGUE,
                       "state": "submitted", "scores": {"rating": rng.randint(60, 100)}})
        for t in rng.sample(range(6), rng.randint(1, 3)):
            sheets.append({"application_id": a, "reviewer_id": f"t{t}", "role": TEACHER,
                           "state": "submitted", "scores": {"rating": rng.randint(60, 100)}})
    return sheets


@pytest.mark.parametrize("method", ["mean", "median", "trimmed_mean"])
@pytest.mark.parametrize("normalisation", ["none", "zscore"])
def test_bulk_totals_equal_per_application_totals(class_tree, method, normalisation):
    policy = {"method": method, "reviewer_normalisation": normalisation}
    sheets = random_class_campaign(len(method) * 10 + len(normalisation))   # fixed seeds
    expected = score_campaign(class_tree, sheets, policy)
    ids = sorted(expected)
    leaf_ids = [leaf.id for leaf in class_tree.leaves()]
    roles = list(ROLES)
    marks = marks_from_sheets(class_tree, sheets)
    values, rcodes, role_codes, _ = bulk.arrays_from_marks(marks, ids, leaf_ids, roles)
    totals, leaf_vals = bulk.score_arrays(class_tree, leaf_ids, values, policy,
                                          bulk.weight_matrix(class_tree, leaf_ids),
                                          reviewer_codes=rcodes, role_codes=role_codes, roles=roles,
                                          application_ids=ids)
    assert totals == pytest.approx([expected[a]["total"] for a in ids], abs=1e-9)
    assert leaf_vals[:, leaf_ids.index("rating")] == pytest.approx(
        [expected[a]["leaves"]["rating"]["value"] for a in ids], abs=1e-12)


def test_bulk_zscore_matches_python_including_edge_cases(class_tree):
    # reviewer A: two marks; C: two equal marks (std 0); D: a single mark
    pairs = [("A", "x", .6), ("A", "y", .8), ("C", "p", .5), ("C", "q", .5), ("D", "r", .3)]
    from services.scoring.domain.aggregation import Mark
    marks = [Mark(a, "sports", r, "reviewer", v, v, v) for r, a, v in pairs]
    ids = ["p", "q", "r", "x", "y"]
    values, rcodes, role_codes, _ = bulk.arrays_from_marks(marks, ids, ["sports"], list(ROLES))
    out = bulk.zscore_array(values, rcodes, np.ones((1, 1, 1), dtype=bool))
    py = {m.application_id: m.value for m in zscore_adjust(class_tree, marks)}
    assert out[:, 0, 0] == pytest.approx([py[a] for a in ids])


def test_bulk_with_categories(dorm_tree):
    rng = random.Random(2)
    sheets, cats = [], {}
    for i in range(30):
        d = f"d{i:02d}"
        cats[d] = rng.choice(["环境优美型", "党员示范型"])
        for r in rng.sample(range(5), 3):
            scores = {"theory": rng.randint(0, 10), "no_violation": rng.random() < .9}
            scores.update({"env": rng.randint(0, 10)} if cats[d] == "环境优美型" else {"party_activity": rng.randint(0, 10)})
            sheets.append({"application_id": d, "reviewer_id": f"r{r}", "role": "reviewer", "state": "submitted",
                           "scores": scores})
        if cats[d] == "党员示范型":
            sheets.append({"application_id": d, "reviewer_id": "facts", "role": "imported_fact",
                           "state": "submitted", "scores": {"party_member": rng.random() < .5}})
    expected = score_campaign(dorm_tree, sheets, categories=cats)
    ids = sorted(expected)
    leaf_ids = [leaf.id for leaf in dorm_tree.leaves()]
    roles = list(ROLES)
    values, rcodes, role_codes, _ = bulk.arrays_from_marks(marks_from_sheets(dorm_tree, sheets, cats), ids,
                                                           leaf_ids, roles)
    categories = list(dorm_tree.categories)
    weights = bulk.weight_matrix(dorm_tree, leaf_ids, [categories.index(cats[a]) for a in ids], categories)
    totals, _ = bulk.score_arrays(dorm_tree, leaf_ids, values, {}, weights, rcodes, role_codes, roles)
    assert totals == pytest.approx([expected[a]["total"] for a in ids], abs=1e-9)


def test_bulk_missing_scores():
    vals = np.array([[0.5, np.nan]])
    with pytest.raises(ValidationFailed) as e:
        bulk.totals(vals, np.array([0.5, 0.5]), application_ids=["a9"])
    assert "'a9'" in e.value.message_en
    assert bulk.totals(vals, np.array([0.5, 0.5]), on_missing="zero") == pytest.approx([25.0])
    assert bulk.totals(vals, np.array([1.0, 0.0])) == pytest.approx([50.0])


def test_rank_order_equals_rank():
    rng = random.Random(4)
    n = 300
    ids = [f"a{i:04d}" for i in rng.sample(range(n), n)]
    totals = [rng.choice([70.0, 80.0, 80.0 + 1e-12, 90.0]) for _ in range(n)]
    study = [rng.choice([1.0, 2.0, float("nan")]) for _ in range(n)]
    sub = [rng.choice(["2023-10-01", "2023-10-02", "2023-10-03"]) for _ in range(n)]
    vetoed = np.array([rng.random() < .1 for _ in range(n)])
    tbs = [{"indicator": "study", "order": "desc"}, {"field": "submitted_at", "order": "asc"}]
    cands = [{"application_id": ids[i], "total": totals[i],
              "nodes": {} if np.isnan(study[i]) else {"study": study[i]}, "fields": {"submitted_at": sub[i]}}
             for i in range(n)]
    expected = [c["application_id"] for c in rank(cands, tbs, vetoed={ids[i] for i in range(n) if vetoed[i]})]
    order = bulk.rank_order(np.array(totals), np.array(ids),
                            [(np.array(study), "desc"), (np.array(sub), "asc")], excluded=vetoed)
    assert [ids[i] for i in order] == expected


@pytest.mark.parametrize("seed", range(40))
def test_select_count_equals_select_from_ranking(seed):
    """The array selection gives the dict path's selected list and every reason, on
    random campaigns: quotas from 0 to more than the candidates, caps of 1-3 per
    unit or none, a minimum score or none, vetoes, ties."""
    from services.scoring.domain.quota import REASONS, select_from_ranking
    rng = random.Random(seed)
    n = rng.randint(1, 120)
    ids = np.array([f"a{i:04d}" for i in rng.sample(range(n), n)])
    totals = np.array([rng.choice([55.0, 60.0, 70.0, 70.0 + 1e-9, 80.0, rng.uniform(40, 100)]) for _ in range(n)])
    units = np.array([rng.randrange(1 + n // 5) for _ in range(n)])
    vetoed = np.array([rng.random() < .1 for _ in range(n)])
    quota = rng.randint(0, n + 3)
    cap = rng.choice([None, 1, 2, 3])
    min_score = rng.choice([None, 60, 70.0])
    order = bulk.rank_order(totals, ids, excluded=vetoed)
    rules = [{"kind": "fixed", "count": quota}]
    if cap:
        rules.append({"kind": "per_unit_cap", "unit": "class_id", "max": cap})
    if min_score is not None:
        rules.append({"kind": "min_score", "min": min_score})
    ranking = [{"application_id": str(ids[i]), "rank": r + 1, "total": float(totals[i]),
                "units": {"class_id": f"c{units[i]}"}} for r, i in enumerate(order.tolist())]
    expected = select_from_ranking(ranking, rules, vetoes=[str(ids[i]) for i in np.flatnonzero(vetoed)],
                                   applicants=n)
    chosen, reasons = bulk.select_count(order, totals, quota, excluded=vetoed, unit_codes=units if cap else None,
                                        unit_max=cap, min_score=min_score)
    assert [str(ids[i]) for i in chosen] == expected["selected"]
    assert {str(ids[i]): REASONS[c] for i, c in enumerate(reasons.tolist())} == {
        aid: o["reason"] for aid, o in expected["outcomes"].items()}


@pytest.mark.parametrize("method", ["mean", "trimmed_mean"])
@pytest.mark.parametrize("normalisation", ["none", "zscore"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_slot_marked_takes_the_short_path_with_the_same_totals(method, normalisation, seed):
    """When every reviewer slot holds a mark (the usual campaign) the array path skips
    its NaN bookkeeping; totals still equal the per-application path's."""
    from core.declaration.criteria_tree import CriteriaTree
    rng = random.Random(seed)
    tree = CriteriaTree.from_dict({"id": "root", "name": "基准", "children": [
        {"id": f"l{j}", "name": f"指标{j}", "weight": w, "scale": {"kind": "range", "min": 0, "max": 10},
         "scorer_role": "reviewer"} for j, w in enumerate([30, 25, 25, 20])]})
    sheets = [{"application_id": f"a{i:03d}", "reviewer_id": f"r{(i + k) % 9}", "role": "reviewer",
               "state": "submitted", "scores": {f"l{j}": rng.randint(0, 10) for j in range(4)}}
              for i in range(60) for k in range(rng.choice([4, 5]) if seed == 3 else 5)]
    policy = {"method": method, "reviewer_normalisation": normalisation}
    expected = score_campaign(tree, sheets, policy)
    ids, leaf_ids = sorted(expected), [f"l{j}" for j in range(4)]
    values, rcodes, role_codes, _ = bulk.arrays_from_marks(marks_from_sheets(tree, sheets), ids, leaf_ids,
                                                           ["reviewer"])
    assert np.isnan(values).any() == (seed == 3)       # seed 3: some slots empty, the NaN path
    totals, _ = bulk.score_arrays(tree, leaf_ids, values, policy, bulk.weight_matrix(tree, leaf_ids),
                                  reviewer_codes=rcodes, role_codes=role_codes, roles=["reviewer"])
    assert totals == pytest.approx([expected[a]["total"] for a in ids], abs=1e-9)
