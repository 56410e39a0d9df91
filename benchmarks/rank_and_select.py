"""Benchmark of the scoring domain core (issue 3).

1. 100,000 applications x 5 reviewers x 10 leaves: aggregation (array path, with
   trimmed mean + per-reviewer z-scores, and with a plain mean), ranking with two
   tie-breaks and 1% vetoed, selection of 30% of the applicants with at most 12 per
   class; against the floor of a plain NumPy weighted sum over the same numbers.
   The target (issue 17) is the line marked: aggregation with trimmed means and
   z-scores, ranking, and selection with reason codes, all on arrays, within 5x the
   floor. The reference selection on dicts (select_from_ranking, which the array
   path is checked against) is timed beside it.
   Also what the scoring service runs after the array aggregation: quota.select on
   candidates as dicts, which ranks and selects on arrays (quota_arrays) and writes
   the ranking and an outcome with its messages for each application.
2. Per-category selection (MILP): 5,000 dorms, each in 1-2 of 5 types, 15-25 per
   type and 100 in total (and 150-250 / 1,000 to show how it scales; with --dorms,
   3-5% of the dorms a type and a fifth in total).

Each stage is timed on its own run and its peak memory measured on a second run
under tracemalloc (which slows Python code down, so it is not timed).

    .venv/bin/python benchmarks/rank_and_select.py [--apps 100000] [--seed 1]
"""
import argparse
import os
import random
import resource
import sys
import time
import tracemalloc

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from services.scoring.domain import bulk  # noqa: E402
from services.scoring.domain.category_selection import select_by_category  # noqa: E402
from core.declaration.criteria_tree import CriteriaTree  # noqa: E402
from services.scoring.domain.quota import select as quota_select, select_from_ranking  # noqa: E402

WEIGHTS = [15, 15, 10, 10, 10, 10, 10, 10, 5, 5]
TYPES = ["环境优美型", "求真学问型", "党员示范型", "知行合一型", "科研创新型"]


def measure(fn, repeat=3):
    """(cold seconds, warm seconds, peak MiB, result): the first call, the best of
    `repeat` further calls, and the peak traced memory of one more call."""
    t0 = time.perf_counter()
    result = fn()
    cold = time.perf_counter() - t0
    warm = cold
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        warm = min(warm, time.perf_counter() - t0)
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return cold, warm, peak, result


def make_campaign(n_apps, seed):
    rng = np.random.default_rng(seed)
    tree = CriteriaTree.from_dict({"id": "root", "name": "基准", "children": [
        {"id": f"l{j}", "name": f"指标{j}", "weight": w, "scale": {"kind": "range", "min": 0, "max": 10},
         "scorer_role": "reviewer"} for j, w in enumerate(WEIGHTS)]})
    leaf_ids = [f"l{j}" for j in range(len(WEIGHTS))]
    n_reviewers = 2000
    values = rng.integers(0, 11, size=(n_apps, 5, len(WEIGHTS))) / 10.0      # 0..10 scores, normalised
    base = rng.integers(0, n_reviewers, size=(n_apps, 1))
    reviewer_codes = (base + np.arange(5) * 397) % n_reviewers              # 5 distinct reviewers
    role_codes = np.zeros((n_apps, 5), dtype=int)                            # all "reviewer"
    ids = np.array([f"app{i:06d}" for i in rng.permutation(n_apps)])
    submitted = rng.integers(0, 7 * 86400, size=n_apps).astype(float)
    classes = [f"class{c:04d}" for c in rng.integers(0, 3000, size=n_apps)]
    vetoed = rng.random(n_apps) < 0.01
    return tree, leaf_ids, values, reviewer_codes, role_codes, ids, submitted, classes, vetoed


def run_campaign(n_apps, seed):
    tree, leaf_ids, values, rcodes, role_codes, ids, submitted, classes, vetoed = make_campaign(n_apps, seed)
    weights = bulk.weight_matrix(tree, leaf_ids)
    roles = ["reviewer"]

    def aggregate(policy):
        return lambda: bulk.score_arrays(tree, leaf_ids, values, policy, weights, rcodes, role_codes, roles)

    def floor():
        return 100.0 * (values.mean(axis=1) @ weights)

    t_floor, w_floor, m_floor, floor_totals = measure(floor)
    t_mean, w_mean, m_mean, (mean_totals, _) = measure(aggregate({"method": "mean"}))
    assert np.allclose(mean_totals, floor_totals)
    t_agg, w_agg, m_agg, (totals, leaf_vals) = measure(
        aggregate({"method": "trimmed_mean", "reviewer_normalisation": "zscore"}))

    # Ids and units as integer codes, assembled once with the marks (a campaign's ids
    # and classes do not change between computations); the order of the codes is the
    # order of the ids, so ties break the same way.
    id_codes = np.unique(ids, return_inverse=True)[1]

    def ranking():
        return bulk.rank_order(totals, id_codes, [(leaf_vals[:, 0], "desc"), (submitted, "asc")],
                               excluded=vetoed)

    t_rank, w_rank, m_rank, order = measure(ranking)
    assert np.array_equal(order, bulk.rank_order(totals, ids, [(leaf_vals[:, 0], "desc"), (submitted, "asc")],
                                                 excluded=vetoed))      # codes rank as the ids do
    t_trim, w_trim, m_trim, _ = measure(aggregate({"method": "trimmed_mean"}))

    def selection():
        entries = [{"application_id": ids[i], "rank": r + 1, "total": float(totals[i]),
                    "units": {"class_id": classes[i]}} for r, i in enumerate(order.tolist())]
        return select_from_ranking(entries, [{"kind": "percent", "percent": 30, "of": "applicants"},
                                             {"kind": "per_unit_cap", "unit": "class_id", "max": 12}],
                                   vetoes=[str(ids[i]) for i in np.flatnonzero(vetoed)], applicants=n_apps)

    t_sel, w_sel, m_sel, result = measure(selection)
    capped = sum(1 for o in result["outcomes"].values() if o["reason"] == "unit_cap_reached")
    unit_codes = np.unique(classes, return_inverse=True)[1]       # assembled once, like the marks

    def array_selection():
        return bulk.select_count(order, totals, round(n_apps * 0.3), excluded=vetoed, unit_codes=unit_codes,
                                 unit_max=12)

    t_asel, w_asel, m_asel, (chosen, reasons) = measure(array_selection)
    assert [str(ids[i]) for i in chosen] == result["selected"]       # the same selection
    assert int((reasons == bulk.UNIT_CAP_REACHED).sum()) == capped    # and the same reasons

    # What the scoring service runs after the array aggregation (computation.py):
    # quota.select on candidates as dicts (the array path inside, quota_arrays), the
    # ranking and an outcome with its messages for each application.
    candidates = [{"application_id": str(ids[i]), "total": float(totals[i]), "nodes": {"l0": float(leaf_vals[i, 0])},
                   "fields": {"submitted_at": float(submitted[i])}, "units": {"class_id": classes[i]}}
                  for i in range(n_apps)]

    def service_path():
        return quota_select(candidates, [{"kind": "percent", "percent": 30, "of": "applicants"},
                                         {"kind": "per_unit_cap", "unit": "class_id", "max": 12}],
                            [{"indicator": "l0", "order": "desc"}, {"field": "submitted_at", "order": "asc"}],
                            [str(ids[i]) for i in np.flatnonzero(vetoed)])

    t_svc, w_svc, m_svc, service = measure(service_path, repeat=1)
    assert service["selected"] == result["selected"]                  # the same selection again
    print(f"== {n_apps:,} applications x 5 reviewers x {len(WEIGHTS)} leaves "
          f"({values.size:,} marks, {int(vetoed.sum())} vetoed)")
    rows = [("floor: NumPy weighted sum (mean over reviewers @ weights)", t_floor, w_floor, m_floor),
            ("aggregation, mean (array path)", t_mean, w_mean, m_mean),
            ("aggregation, trimmed mean (array path)", t_trim, w_trim, m_trim),
            ("aggregation, trimmed mean + per-reviewer z-score", t_agg, w_agg, m_agg),
            ("ranking (total, indicator, submitted_at, id; vetoed out)", t_rank, w_rank, m_rank),
            ("selection 30%, <= 12 per class, reason codes (array path)", t_asel, w_asel, m_asel),
            ("the same, reference path on dicts (select_from_ranking)", t_sel, w_sel, m_sel),
            ("the service's ranking + selection (quota.select, outcomes)", t_svc, w_svc, m_svc)]
    print(f"  {'stage':<60} {'cold s':>8} {'warm s':>8} {'peak MiB':>9} {'warm/floor':>11}")
    for name, t, w, m in rows:
        print(f"  {name:<60} {t:8.3f} {w:8.3f} {m:9.1f} {w / w_floor:10.1f}x")
    cold, warm = t_agg + t_rank + t_asel, w_agg + w_rank + w_asel
    print(f"  {'aggregation (trimmed+z) + ranking + selection with reasons':<60} {cold:8.3f} {warm:8.3f} "
          f"{max(m_agg, m_rank, m_asel):9.1f} {warm / w_floor:10.1f}x   <- the target, <= 5x")
    cold, warm = t_agg + t_rank + t_sel, w_agg + w_rank + w_sel
    print(f"  {'the same with the reference selection on dicts':<60} {cold:8.3f} {warm:8.3f} "
          f"{max(m_agg, m_rank, m_sel):9.1f} {warm / w_floor:10.1f}x")
    cold, warm = t_agg + t_svc, w_agg + w_svc
    label = "the service's path: trimmed+z + quota.select (worded)"
    print(f"  {label:<60} {cold:8.3f} {warm:8.3f} "
          f"{max(m_agg, m_svc):9.1f} {warm / w_floor:10.1f}x")
    cold, warm = t_mean + t_rank + t_asel, w_mean + w_rank + w_asel
    print(f"  {'mean aggregation + ranking + array selection':<60} {cold:8.3f} {warm:8.3f} "
          f"{max(m_mean, m_rank, m_asel):9.1f} {warm / w_floor:10.1f}x")
    cold, warm = t_trim + t_rank + t_asel, w_trim + w_rank + w_asel
    print(f"  {'trimmed-mean aggregation + ranking + array selection':<60} {cold:8.3f} {warm:8.3f} "
          f"{max(m_trim, m_rank, m_asel):9.1f} {warm / w_floor:10.1f}x")
    print(f"  quota {result['quota']:,}, selected {len(result['selected']):,}, unit cap hit {capped:,}, "
          f"cut line {result['cut_line']['last_selected']['total']:.4f} / "
          f"{result['cut_line']['first_not_selected']['total']:.4f}")


def run_category(n_dorms, lo, hi, total, seed):
    rng = random.Random(seed)
    dorms = [{"application_id": f"dorm{i:05d}",
              "scores": {t: round(rng.uniform(40, 100), 2) for t in rng.sample(TYPES, rng.choice([1, 2]))}}
             for i in range(n_dorms)]
    t, w, m, out = measure(lambda: select_by_category(dorms, {c: [lo, hi] for c in TYPES}, total=total))
    print(f"== per-category selection: {n_dorms:,} dorms, 5 types, {lo}-{hi} per type, total {total}")
    print(f"  {'HiGHS, 3 lexicographic passes':<60} {t:8.3f} {w:8.3f} {m:9.1f}   (cold s, warm s, peak MiB)")
    print(f"  counts {out['counts']}, total score {out['total_score']:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=100_000)
    parser.add_argument("--dorms", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} cpus")
    run_campaign(args.apps, args.seed)
    run_category(args.dorms, 15, 25, 100, args.seed)
    # ten times as many places (150-250 / 1,000 of 5,000 dorms), to the scale of --dorms
    run_category(args.dorms, args.dorms * 3 // 100, args.dorms // 20, args.dorms // 5, args.seed)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
