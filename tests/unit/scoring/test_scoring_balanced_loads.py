"""Automatic assignment by maximum flows (balanced_loads.py) against an exact MILP of
the same problem: on random campaigns with conflicts and existing assignments, every
application gets its reviewers, none twice or in conflict, and the spread of the loads
(highest - lowest) is the MILP's optimum, not just "<= 1 when it can be"."""
import random

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from services.scoring.domain.assignment import auto_assign, conflicts, loads
from services.scoring.domain.balanced_loads import balanced_pairs


def least_spread(need, pi, pj, existing):
    """The least max - min of the loads over all assignments: a MILP minimising U - L."""
    nv, na, nr = len(pi), len(need), len(existing)
    rows = np.concatenate([pi, na + pj, na + nr + pj])
    matrix = coo_matrix((np.ones(3 * nv), (rows, np.concatenate([np.arange(nv)] * 3))),
                        shape=(na + 2 * nr, nv + 2)).tolil()
    for j in range(nr):
        matrix[na + j, nv] = -1.0
        matrix[na + nr + j, nv + 1] = -1.0
    lo = np.concatenate([need, np.full(nr, -np.inf), -existing])
    hi = np.concatenate([need, -existing, np.full(nr, np.inf)])
    c = np.zeros(nv + 2)
    c[nv], c[nv + 1] = 1.0, -1.0
    res = milp(c, integrality=np.ones(nv + 2), bounds=Bounds(0, np.concatenate([np.ones(nv), [np.inf, np.inf]])),
               constraints=LinearConstraint(matrix.tocsr(), lo, hi), options={"mip_rel_gap": 0.0})
    assert res.status == 0
    return round(res.x[nv] - res.x[nv + 1])


def test_flows_reach_the_least_spread_on_random_graphs():
    rng = random.Random(5)
    tight = 0
    for case in range(150):
        na, nr = rng.randint(1, 25), rng.randint(2, 9)
        density = rng.choice([0.3, 0.6, 0.95])
        pairs = [(i, j) for i in range(na) for j in range(nr) if rng.random() < density]
        if not pairs:
            continue
        pi, pj = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
        degree = np.bincount(pi, minlength=na)
        need = np.array([rng.randint(0, d) for d in degree])
        existing = np.array([rng.choice([0, 0, 1, 3, 7]) for _ in range(nr)])
        chosen = balanced_pairs(need, pi, pj, existing)
        assert (np.bincount(pi[chosen], minlength=na) == need).all(), case
        got = existing + np.bincount(pj[chosen], minlength=nr)
        best = least_spread(need, pi, pj, existing)
        assert got.max() - got.min() == best, (case, got, best)
        tight += best > 1
    assert tight >= 20, tight      # the cases where the conflicts force a spread were there


def test_a_school_sized_assignment_is_balanced_and_conflict_free():
    revs = [{"reviewer_id": f"r{j:02d}", "units": {"class_id": f"c{j}"}} for j in range(10)]
    apps = [{"application_id": f"a{i:05d}", "units": {"class_id": f"c{i % 40}"}} for i in range(3000)]
    out = auto_assign(apps, revs, 5)
    by_app = {}
    for a in out:
        by_app.setdefault(a["application_id"], set()).add(a["reviewer_id"])
    rmap = {r["reviewer_id"]: r for r in revs}
    assert len(out) == 15000 and all(len(v) == 5 for v in by_app.values())
    assert not any(conflicts(rmap[a["reviewer_id"]], apps[int(a["application_id"][1:])]) for a in out)
    assert set(loads(out, list(rmap)).values()) == {1500}
