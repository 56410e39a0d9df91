"""The service's results, now computed on the array path, are those the per-application
path gave (kept as `reference_aggregation`), on random campaigns: random marks,
missing marks, categories, role weights, imported facts, z-score on and off, every
aggregation method and missing-score policy, veto rules on leaf thresholds, and
selection with caps and a minimum score.

Compared: the whole output of `compute_results` — scores (every leaf, per-role value,
mark, node, point and total), vetoes, selection with its ranks, reasons and cut
lines — or the error both raise. Numbers agree within 1e-12 (relative); without
z-scores the leaf values are the very same floats (so a threshold on a leaf, hit
exactly, decides the same way); everything else is equal."""
import math
import random

import numpy as np
import pytest

from core.declaration.criteria_tree import CriteriaTree
from core.errors import Conflict, ValidationFailed
from services.scoring.domain import aggregation, bulk, computation
from tests.unit.scoring import reference_aggregation
from tests.unit.scoring.conftest import CLASS_TREE, DORM_TREE, LEAGUE, ROLES, TEACHER

E, P = "环境优美型", "党员示范型"


def _same(new, old, path="", exact_leaves=False):
    """Assert `new` equals `old`: floats within 1e-12 (exactly for leaf values when
    `exact_leaves`), everything else equal, dict keys in the same order."""
    if isinstance(old, float) and isinstance(new, float):
        if exact_leaves:
            assert new == old, path
        else:
            assert math.isclose(new, old, rel_tol=1e-12, abs_tol=1e-12), f"{path}: {new!r} != {old!r}"
        return
    assert type(new) is type(old), f"{path}: {type(new)} != {type(old)}"
    if isinstance(old, dict):
        assert list(new) == list(old), path
        for k in old:
            _same(new[k], old[k], f"{path}.{k}", exact_leaves)
    elif isinstance(old, (list, tuple)):
        assert len(new) == len(old), path
        for i, (n, o) in enumerate(zip(new, old)):
            _same(n, o, f"{path}[{i}]", exact_leaves)
    else:
        assert new == old, f"{path}: {new!r} != {old!r}"


def _class_campaign(rng, n_apps):
    """先进班集体: range leaves by reviewers, count leaves from facts, a role-weighted
    rating (counselor 40, league 30, teachers 30)."""
    apps, sheets, inputs = [], [], {}
    for i in range(n_apps):
        a = f"a{i:03d}"
        apps.append({"id": a, "college_id": f"college{rng.randint(0, 3)}", "applicant_id": f"class{i}",
                     "submitted_at": f"2024-10-01T08:{rng.randint(0, 59):02d}:00.000Z"})
        for r in rng.sample(range(9), rng.randint(1, 6)):
            scores = {"civility": rng.randint(0, 10), "academic": rng.choice([6, 7, 7.5, 9, 10]),
                      "sports": rng.choice([50, 60, 70, 80, 90, 100])}
            for leaf in list(scores):
                roll = rng.random()
                if roll < 0.05:
                    scores[leaf] = None           # left blank
                elif roll < 0.1:
                    del scores[leaf]              # not on the sheet
            sheets.append(("reviewer", a, f"r{r}", scores))
        for role, who, k in (("counselor", "c", rng.choice([0, 1, 1, 1])), (LEAGUE, "l", rng.choice([0, 1, 1])),
                             (TEACHER, "t", rng.choice([0, 1, 2, 3]))):
            for t in rng.sample(range(5), k):
                sheets.append((role, a, f"{who}{t}", {"rating": rng.choice([60, 70, 80, 85, 90, 100])}))
        inputs[a] = {"marks": {"psych": rng.randint(0, 5), "results": rng.randint(0, 4), "fraud": rng.randint(0, 2)}}
    return CriteriaTree.from_dict(CLASS_TREE, ROLES), apps, sheets, {"applications": inputs}


def _dorm_campaign(rng, n_apps):
    """文明寝室: two categories (some dorms in both), pass/fail leaves, an imported
    pass/fail fact."""
    apps, sheets, inputs = [], [], {}
    for i in range(n_apps):
        a = f"d{i:03d}"
        cats = rng.choice([[E], [P], [E, P], [P, E]])
        apps.append({"id": a, "college_id": f"college{rng.randint(0, 3)}", "applicant_id": f"dorm{i}",
                     "submitted_at": f"2024-10-01T08:{rng.randint(0, 59):02d}:00.000Z"})
        for r in rng.sample(range(7), rng.randint(1, 5)):
            scores = {"theory": rng.randint(0, 10), "no_violation": rng.random() < 0.9}
            if E in cats:
                scores["env"] = rng.randint(0, 10)
            if P in cats:
                scores["party_activity"] = rng.randint(0, 10)
            if rng.random() < 0.1:
                scores.pop(rng.choice(sorted(scores)))
            sheets.append(("reviewer", a, f"r{r}", scores))
        inputs[a] = {"category": cats, "marks": {"party_member": rng.random() < 0.7} if P in cats else {},
                     "facts": {"violation": rng.random() < 0.05}}
    return CriteriaTree.from_dict(DORM_TREE), apps, sheets, {"applications": inputs}


def _campaign(seed):
    rng = random.Random(seed)
    dorms = seed % 3 == 2
    tree, apps, raw_sheets, inputs = (_dorm_campaign if dorms else _class_campaign)(rng, rng.randint(2, 40))
    sheets, assignments = [], []
    for role, app, reviewer, scores in raw_sheets:
        sid = f"c:{app}:{reviewer}"
        sheets.append({"_id": sid, "application_id": app, "reviewer_id": reviewer, "role": role, "scores": scores,
                       "state": "submitted"})
        assignments.append({"_id": sid, "application_id": app, "reviewer_id": reviewer})
    aggregation_policy = {"method": rng.choice(aggregation.METHODS),
                          "reviewer_normalisation": rng.choice(aggregation.NORMALISATIONS),
                          "on_missing": rng.choice(["zero", "zero", "error"])}
    if dorms:
        veto_rules = [{"id": "violation", "kind": "fact", "fact": "violation", "equals": True},
                      {"id": "failed", "kind": "leaf_failed", "leaf": "no_violation", "mode": rng.choice(["any", "all"])},
                      {"id": "theory", "kind": "leaf_below", "leaf": "theory", "min": rng.choice([40, 50, 60])}]
        quota_rules = [{"kind": "per_category", "ranges": {E: [1, 4], P: [1, 4]}, "total": rng.randint(2, 7)}]
        tie_breaks = [{"indicator": "basic", "order": "desc"}]
    else:
        veto_rules = [{"id": "civility", "kind": "leaf_below", "leaf": "civility", "min": rng.choice([50, 60, 70])},
                      {"id": "rating", "kind": "leaf_below", "leaf": "rating", "min": rng.choice([60, 70, 80])}]
        quota_rules = [rng.choice([{"kind": "fixed", "count": rng.randint(1, 10)},
                                   {"kind": "percent", "percent": 30, "of": "applicants"}]),
                       {"kind": "per_unit_cap", "unit": "college_id", "max": rng.randint(1, 4)},
                       {"kind": "min_score", "min": rng.choice([40, 60, 70])}]
        tie_breaks = [{"indicator": "study", "order": "desc"}, {"field": "submitted_at", "order": "asc"}]
    args = (tree, {"tie_breaks": tie_breaks, "veto_rules": veto_rules}, quota_rules, aggregation_policy, apps,
            assignments, sheets, {}, inputs)
    return args, aggregation_policy


def _outcome(args):
    try:
        return computation.compute_results(*args, now="2024-11-01T00:00:00.000Z"), None
    except (ValidationFailed, Conflict) as e:
        return None, (type(e).__name__, e.message_en, e.message_zh)


@pytest.mark.parametrize("seed", range(60))
def test_the_array_path_gives_the_results_of_the_per_application_path(seed, monkeypatch):
    args, policy = _campaign(seed)
    if seed % 2:
        monkeypatch.setattr(bulk, "CHUNK", 3)        # blocks of the long passes end mid-campaign
    new, new_error = _outcome(args)
    with monkeypatch.context() as m:
        m.setattr(computation.aggregation, "score_campaign", reference_aggregation.score_campaign)
        old, old_error = _outcome(args)
    assert new_error == old_error
    if old is None:
        return
    exact = policy["reviewer_normalisation"] == "none"
    for aid, score in old["scores"].items():
        for leaf_id, leaf in score["leaves"].items():
            _same(new["scores"][aid]["leaves"][leaf_id]["value"], leaf["value"], f"{aid}.{leaf_id}", exact)
            _same(new["scores"][aid]["leaves"][leaf_id]["by_role"], leaf["by_role"], f"{aid}.{leaf_id}", exact)
    _same(new, old)


def test_the_random_campaigns_cover_what_they_claim():
    """The seeds above reach every method, z-score on and off, both missing-score
    policies, errors, vetoes by leaf thresholds and selections."""
    seen = set()
    for seed in range(60):
        args, policy = _campaign(seed)
        out, error = _outcome(args)
        seen.add((policy["method"], policy["reviewer_normalisation"]))
        seen.add(policy["on_missing"])
        seen.add("error" if error else "result")
        if out:
            if any(v["by"].startswith("rule:") for vs in out["vetoes"].values() for v in vs):
                seen.add("rule veto")
            if out["selection"].get("selected"):
                seen.add("selected")
    assert {(m, n) for m in aggregation.METHODS for n in aggregation.NORMALISATIONS} <= seen
    assert {"zero", "error", "result", "rule veto", "selected"} <= seen


def three_ranged_leaves():
    """A tree of three reviewer-scored 0-10 leaves weighted 50/30/20."""
    return CriteriaTree.from_dict({"id": "root", "name": "根", "children": [
        {"id": f"l{j}", "name": f"指标{j}", "weight": w, "scale": {"kind": "range", "min": 0, "max": 10},
         "scorer_role": "reviewer"} for j, w in enumerate((50, 30, 20))]})


@pytest.mark.parametrize("seed", range(6))
def test_block_by_block_passes_give_the_reference_numbers(seed, monkeypatch):
    """Every slot marked (the benchmark's shape, the block-by-block passes) with
    blocks that end mid-campaign: means and trimmed means are math.fsum's, z-scores
    the per-application formulas' (single marks, reviewers who do not vary)."""
    monkeypatch.setattr(bulk, "CHUNK", 7)
    rng = random.Random(seed)
    tree = three_ranged_leaves()
    marks = []
    for a in range(23):
        for slot, r in enumerate(rng.sample(range(12), 5)):
            for j in range(3):
                v = 0.5 if r == 0 else rng.randint(0, 10) / 10    # reviewer r0 never varies
                if r == 11 and a:                                   # r11 marks one application only
                    r = 12 + a
                marks.append(reference_aggregation.Mark(f"a{a:02d}", f"l{j}", f"r{r}", "reviewer", v * 10, v, v))
    apps, leaf_ids = sorted({m.application_id for m in marks}), ["l0", "l1", "l2"]
    values, rcodes, role_codes, _ = bulk.arrays_from_marks(marks, apps, leaf_ids, ["reviewer"])
    assert not np.isnan(values).any()
    for method in ("mean", "trimmed_mean"):
        expected = [[reference_aggregation.aggregate(values[a, :, j].tolist(), method) for j in range(3)]
                    for a in range(len(apps))]
        assert bulk.nan_aggregate(values, method).tolist() == expected
    adjusted = bulk.zscore_array(values, rcodes, bulk.zscore_mask(tree, leaf_ids, role_codes, ["reviewer"]))
    where = bulk.mark_index(marks, apps, leaf_ids)[:3]
    expected = [m.value for m in reference_aggregation.zscore_adjust(tree, marks)]
    assert adjusted[where].tolist() == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert expected != [m.value for m in marks]


@pytest.mark.parametrize("seed", range(20))
def test_rank_order_sorts_ties_like_sorting_every_key(seed):
    """`bulk.rank_order` sorts by total and then only within ties: the order of one
    lexsort over every key, with many ties, NaN tie-break values and string ids."""
    rng = np.random.default_rng(seed)
    n = 2000
    total = rng.choice([60.0, 70.0, 70.0 + 1e-9, 80.0, 90.5], size=n) + rng.choice([0.0, 0.1234567], size=n)
    indicator = rng.choice([0.5, 0.7, np.nan], size=n)
    submitted = rng.choice(["2024-10-01T08:00:00.000Z", "2024-10-02T08:00:00.000Z"], size=n)
    ids = np.array([f"app{i:05d}" for i in rng.permutation(n)])
    excluded = rng.random(n) < 0.05
    ties = [(indicator, "desc"), (submitted, "asc")]
    keys = [np.unique(ids, return_inverse=True)[1].astype(float),
            np.unique(submitted, return_inverse=True)[1].astype(float),
            -np.round(indicator * 1e6), -np.round(total * 1e6)]
    expected = np.lexsort(keys)
    expected = expected[~excluded[expected]]
    assert bulk.rank_order(total, ids, ties, excluded=excluded).tolist() == expected.tolist()
    assert bulk.rank_order(total, ids, ties).tolist() == np.lexsort(keys).tolist()
