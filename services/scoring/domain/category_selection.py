"""Per-category selection (分类型择优): each applicant stands in one or more categories
(a dorm applies for 1-2 types), each category has a range [lo, hi] and the whole
selection a total (100 civilized dorms, 15-25 per each of 5 types).

`select_by_category` chooses who is selected and in which ONE category, maximising
the sum of the selected scores subject to every range and the total. It is solved
exactly, not greedily: the model is a bipartite flow (applicant -> category, rows =
"one category per applicant", per-category ranges, the total), whose constraint
matrix is totally unimodular, so LP vertices are 0/1 selections.

Determinism on ties: three lexicographic objectives on one model built in a
canonical order (applicants sorted by id, categories in declared order):

1. maximise the total score, scores compared at 1e-6 points (like `ranking.py`);
2. among selections with that exact optimum, maximise sum of (N - position) over
   the selected applicants, position in the stable `order` (by default best score
   descending, then application id): equal-score applicants are preferred in that
   order;
3. among those, maximise how many sit in the category they listed first.

They are solved as three LPs with HiGHS's dual simplex (`scipy.optimize.linprog`),
each over the optimal face of the previous one (variables with a non-zero reduced
cost fixed, rows with a non-zero dual made tight: complementary slackness describes
every optimal solution, and the face keeps total unimodularity). The result is
certified (integral, feasible, first optimum kept exactly in integer arithmetic);
otherwise the same three passes run as MILPs (`scipy.optimize.milp`, HiGHS) with
the previous optimum as an extra constraint. Before solving, each category keeps only
its best total_hi candidates (by score, then `order`): a swap argument shows no
lexicographically optimal selection uses any other, which keeps 5,000 dorms small.

The input order of the applicants never changes the result. A tie left after pass 3
(rare, e.g. two swaps with equal position sums) is resolved by HiGHS's deterministic
pivoting on the canonical model, so the same input always gives the same output.
When the total is a range (or None), equal-score alternatives of different sizes
(zero scores) are broken towards selecting more applicants.

Infeasibility is detected before solving with the exact conditions of Hoffman's
circulation theorem for this network, checked over every subset U of categories
(up to 16 categories):

- sum of lo over U <= number of applicants eligible for some category in U
  (for one category: "type X has only 12 eligible applicants but needs 15");
- total_lo <= sum of hi over the other categories + applicants eligible for U;
- sum of all lo <= total_hi;

so the error names the constraint that cannot be met.

Input: ``applicants`` = [{"application_id": "d1", "scores": {"环境优美型": 88.5,
"科研创新型": 80}}] or [{"application_id": "d1", "categories": [...], "score": 85}];
``ranges`` = {"环境优美型": [15, 25], ...}; ``total`` = 100, [lo, hi] or None.

Output::

    {"selected": [{"application_id", "category", "score"}],   # by category, then score
     "by_category": {category: [ids]}, "counts": {category: n},
     "total_score": float, "cut_lines": {category: lowest selected score | None},
     "outcomes": {id: {"status": "in" | "out", "category", "reason", "message", "message_zh"}}}
"""
from decimal import ROUND_HALF_UP, Decimal
from itertools import combinations

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix, vstack

from core.errors import field_error, invalid

from .ranking import SCORE_SCALE
from core.declaration.scales import is_number
from .vetoes import vetoed_ids

MAX_ENUMERATED_CATEGORIES = 16


def _quantise(score):
    d = Decimal(repr(score)) if isinstance(score, float) else Decimal(score)
    return int((d * SCORE_SCALE).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _parse(applicants, ranges, total):
    errors = []
    cats = list(ranges)
    for c, r in ranges.items():
        if not (isinstance(r, (list, tuple)) and len(r) == 2 and all(isinstance(x, int) for x in r)
                and 0 <= r[0] <= r[1]):
            errors.append(field_error(f"ranges.{c}", f"range of {c} must be [lo, hi] whole numbers with 0 <= lo <= hi",
                                      f"{c} 的名额范围须为整数 [lo, hi]，且 0 <= lo <= hi"))
    if total is None:
        t = (0, sum(r[1] for r in ranges.values() if isinstance(r, (list, tuple)) and len(r) == 2))
    elif isinstance(total, int):
        t = (total, total)
    else:
        t = tuple(total)
    if not (len(t) == 2 and all(isinstance(x, int) for x in t) and 0 <= t[0] <= t[1]):
        errors.append(field_error("total", f"total must be a whole number or [lo, hi], got {total!r}",
                                  f"总名额须为整数或 [lo, hi]，实际为 {total!r}"))
    people, seen = [], set()
    for a in applicants:
        aid = a.get("application_id")
        if aid in seen:
            errors.append(field_error("application_id", f"application {aid!r} appears twice", f"申报 {aid!r} 重复"))
            continue
        seen.add(aid)
        if "scores" in a:
            scores = dict(a["scores"])
        else:
            scores = {c: a.get("score") for c in a.get("categories", [])}
        if not scores:
            errors.append(field_error(f"applicants.{aid}", f"application {aid!r} stands in no category",
                                      f"申报 {aid!r} 未选择任何类别"))
        for c, s in scores.items():
            if c not in ranges:
                errors.append(field_error(f"applicants.{aid}", f"application {aid!r}: category {c!r} has no range",
                                          f"申报 {aid!r}：类别 {c!r} 没有名额范围"))
            elif not is_number(s):
                errors.append(field_error(f"applicants.{aid}", f"application {aid!r}: score {s!r} in {c} is not a number",
                                          f"申报 {aid!r}：{c} 的得分 {s!r} 不是数字"))
        people.append((aid, scores))
    if errors:
        raise invalid(errors)
    return cats, people, t


def check_feasible(cats, ranges, people, total):
    """ValidationFailed naming the first constraint that cannot be met (see the
    module docstring); returns None when a selection exists."""
    lo = {c: ranges[c][0] for c in cats}
    hi = {c: ranges[c][1] for c in cats}
    errors = []
    if sum(lo.values()) > total[1]:
        errors.append(field_error(
            "total", f"the category minima add up to {sum(lo.values())} but the total allows at most {total[1]}",
            f"各类别最低名额之和为 {sum(lo.values())}，超过总名额上限 {total[1]}"))
    if len(cats) > MAX_ENUMERATED_CATEGORIES:
        if errors:
            raise invalid(errors)
        return
    bit = {c: 1 << i for i, c in enumerate(cats)}
    masks = {}
    for _, scores in people:
        m = sum(bit[c] for c in scores)
        masks[m] = masks.get(m, 0) + 1

    def eligible_any(u):
        um = sum(bit[c] for c in u)
        return sum(n for m, n in masks.items() if m & um)

    for size in range(1, len(cats) + 1):
        for u in combinations(cats, size):
            need, have = sum(lo[c] for c in u), eligible_any(u)
            if need > have:
                if size == 1:
                    errors.append(field_error(
                        f"ranges.{u[0]}", f"category {u[0]} has only {have} eligible applicants but needs at least {need}",
                        f"{u[0]} 仅有 {have} 个符合条件的申报，但至少需要 {need} 个"))
                else:
                    names = "、".join(u)
                    errors.append(field_error(
                        "ranges", f"categories {', '.join(u)} together need at least {need} but only {have} "
                        "applicants are eligible for any of them (each counts in one category)",
                        f"{names} 合计至少需要 {need} 个，但符合其中任一类别的申报仅 {have} 个（每个申报只能计入一个类别）"))
        if errors:
            raise invalid(errors)
    for size in range(0, len(cats) + 1):
        for u in combinations(cats, size):
            rest = [c for c in cats if c not in u]
            cap = sum(hi[c] for c in rest)
            most = cap + eligible_any(u)
            if most < total[0]:
                if size == 0:
                    en = f"the category maxima add up to {cap} but the total needs {total[0]}"
                    zh = f"各类别名额上限之和为 {cap}，不足总名额 {total[0]}"
                elif not rest:
                    en = f"only {most} applicants are eligible but the total needs {total[0]}"
                    zh = f"符合条件的申报仅 {most} 个，不足总名额 {total[0]}"
                else:
                    en = (f"at most {most} can be selected ({', '.join(rest)} take at most {cap}; only "
                          f"{most - cap} applicants are eligible for {', '.join(u)}) but the total needs {total[0]}")
                    zh = (f"最多只能选出 {most} 个（{'、'.join(rest)} 最多 {cap} 个，{'、'.join(u)} 仅有 "
                          f"{most - cap} 个符合条件的申报），不足总名额 {total[0]}")
                raise invalid([field_error("total", en, zh)])


def _solve(c, A, lo, hi, integrality):
    res = milp(c, integrality=integrality, bounds=Bounds(0, 1),
               constraints=LinearConstraint(A, lo, hi),
               options={"mip_rel_gap": 0.0, "presolve": True})
    if res.status != 0 or res.x is None:
        return None
    return np.round(res.x).astype(bool)


def select_by_category(applicants, ranges, total=None, order=None, vetoes=()):
    """Optimal one-category-per-applicant selection (see the module docstring).

    `order`: optional list of application ids, the stable priority for ties (e.g.
    from `ranking.rank` with the program's tie-breaks); ids not in it come after, by
    best score then id. `vetoes`: Veto records, dicts or ids; vetoed applicants are
    out whatever their scores. Raises ValidationFailed on bad input and when the
    ranges and the total cannot all be met.
    """
    vetoed = {v for v in vetoes if isinstance(v, str)} | vetoed_ids(v for v in vetoes if not isinstance(v, str))
    cats, people, t = _parse(applicants, ranges, total)
    outcomes = {aid: {"status": "out", "category": None, "reason": "vetoed",
                      "message": "vetoed (one-vote veto)", "message_zh": "一票否决"}
                for aid, _ in people if aid in vetoed}
    people = sorted((p for p in people if p[0] not in vetoed), key=lambda p: p[0])
    check_feasible(cats, ranges, people, t)

    rank_of = {aid: i for i, aid in enumerate(order or [])}
    default = sorted(people, key=lambda p: (-max(_quantise(s) for s in p[1].values()), p[0]))
    priority = sorted(default, key=lambda p: rank_of.get(p[0], len(rank_of)))
    n = len(people)
    weight = {aid: n - i for i, (aid, _) in enumerate(priority)}

    position = {aid: i for i, (aid, _) in enumerate(priority)}
    # Exact pruning: a category never needs more than total_hi candidates. If an
    # applicant outside the best total_hi of category c sat in c, one of those best
    # is unselected and swapping it in keeps every count and strictly improves pass 1
    # or pass 2; so every lexicographically optimal selection uses only these pairs.
    keep = set()
    for c in cats:
        ranked = sorted((-_quantise(s[c]), position[aid], aid) for aid, s in people if c in s)
        keep.update((aid, c) for _, _, aid in ranked[:t[1]])

    cat_index = {c: j for j, c in enumerate(cats)}
    var_app, var_cat, q, w, pref = [], [], [], [], []
    for i, (aid, scores) in enumerate(people):
        listed = list(scores)
        for c in sorted(scores, key=cat_index.get):
            if (aid, c) not in keep:
                continue
            var_app.append(i)
            var_cat.append(cat_index[c])
            q.append(_quantise(scores[c]))
            w.append(weight[aid])
            pref.append(len(listed) - listed.index(c))
    nv = len(q)
    rows = np.concatenate([np.asarray(var_app), n + np.asarray(var_cat), np.full(nv, n + len(cats))])
    cols = np.concatenate([np.arange(nv)] * 3)
    A = coo_matrix((np.ones(3 * nv), (rows, cols)), shape=(n + len(cats) + 1, nv)).tocsr()
    lo = np.concatenate([np.zeros(n), [ranges[c][0] for c in cats], [t[0]]])
    hi = np.concatenate([np.ones(n), [ranges[c][1] for c in cats], [t[1]]])
    q_arr, w_arr, p_arr = np.asarray(q, dtype=float), np.asarray(w, dtype=float), np.asarray(pref, dtype=float)

    if nv == 0:   # nobody to select, and the feasibility check allowed that
        return _report(cats, people, var_app, var_cat, np.zeros(0, dtype=bool), outcomes)
    x = _lexicographic_lp(A, lo, hi, [q_arr, w_arr, p_arr])
    if x is None:
        x = _lexicographic_milp(A, lo, hi, q, w, q_arr, w_arr, p_arr)
    return _report(cats, people, var_app, var_cat, x, outcomes)


def _lexicographic_milp(A, lo, hi, q, w, q_arr, w_arr, p_arr):
    """Fallback: the three passes as MILPs, each keeping the previous optimum with an
    extra objective row (exact, slower: the extra row breaks total unimodularity)."""
    ones = np.ones(len(q))
    x = _solve(-q_arr / SCORE_SCALE, A, lo, hi, ones)
    if x is None:
        raise invalid([field_error("ranges", "no selection meets every range and the total",
                                   "无法同时满足各类别名额范围和总名额")])
    best_q = sum(qi for qi, xi in zip(q, x) if xi)
    A2 = _stack(A, q_arr / SCORE_SCALE)
    x2 = _solve(-w_arr, A2, np.append(lo, (best_q - 0.5) / SCORE_SCALE), np.append(hi, np.inf), ones)
    if x2 is not None and sum(qi for qi, xi in zip(q, x2) if xi) == best_q:
        x = x2
        best_w = sum(wi for wi, xi in zip(w, x) if xi)
        A3 = _stack(A2, w_arr)
        x3 = _solve(-p_arr, A3, np.append(np.append(lo, (best_q - 0.5) / SCORE_SCALE), best_w - 0.5),
                    np.append(hi, [np.inf, np.inf]), ones)
        if x3 is not None and sum(qi for qi, xi in zip(q, x3) if xi) == best_q \
                and sum(wi for wi, xi in zip(w, x3) if xi) == best_w:
            x = x3
    return x


def _lp_on_face(objective, A, lo, hi, lb, ub):
    """Maximise `objective` over {lo <= A x <= hi, lb <= x <= ub} by dual simplex.
    Returns (x, face) where face = (lo, hi, lb, ub) describes the set of ALL optimal
    solutions: by complementary slackness with the (integral, basic) optimal duals,
    a variable with a non-zero reduced cost is fixed at its bound and a row with a
    non-zero dual is tight. Fixing bounds keeps the matrix totally unimodular."""
    eq = lo == hi
    up = ~eq & np.isfinite(hi)
    dn = ~eq & np.isfinite(lo)
    A_ub = vstack([A[up], -A[dn]]).tocsr() if (up.any() or dn.any()) else None
    b_ub = np.concatenate([hi[up], -lo[dn]]) if A_ub is not None else None
    A_eq = A[eq] if eq.any() else None
    b_eq = lo[eq] if eq.any() else None
    res = linprog(-objective, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq,
                  bounds=np.column_stack([lb, ub]), method="highs-ds")
    if res.status != 0:
        return None, None
    lb2, ub2, lo2, hi2 = lb.copy(), ub.copy(), lo.copy(), hi.copy()
    at_lb = res.lower.marginals > 0.5
    at_ub = res.upper.marginals < -0.5
    ub2[at_lb], lb2[at_ub] = lb[at_lb], ub[at_ub]
    if A_ub is not None:
        m = res.ineqlin.marginals
        iu, idn = np.flatnonzero(up), np.flatnonzero(dn)
        tight_up, tight_dn = iu[m[:len(iu)] < -0.5], idn[m[len(iu):] < -0.5]
        lo2[tight_up] = hi[tight_up]
        hi2[tight_dn] = lo[tight_dn]
    return res.x, (lo2, hi2, lb2, ub2)


def _lexicographic_lp(A, lo, hi, objectives):
    """The lexicographic passes as three LPs, each over the optimal face of the
    previous one; every vertex is integral (TU), so no branching. Returns None (and
    the caller falls back to `_lexicographic_milp`) unless the result is integral,
    feasible and keeps the first optimum exactly."""
    lb, ub = np.zeros(A.shape[1]), np.ones(A.shape[1])
    face, first, x = (lo, hi, lb, ub), None, None
    for objective in objectives:
        x, face = _lp_on_face(objective, A, *face)
        if x is None or np.abs(x - np.round(x)).max(initial=0) > 1e-6:
            return None
        x = np.round(x)
        if first is None:
            first = x
    act = A @ x
    q = np.rint(objectives[0]).astype(np.int64)
    if (act < lo - 1e-9).any() or (act > hi + 1e-9).any():
        return None
    if int(q @ x.astype(np.int64)) != int(q @ first.astype(np.int64)):
        return None
    return x.astype(bool)


def applicants_from_scores(scores, categories=None):
    """[{"application_id", "scores": {category: total}}] from `score_campaign`
    results (one total per category the application was scored in); `categories`
    optionally limits which applications take part (ids)."""
    return [{"application_id": aid, "scores": {r["category"]: r["total"] for r in s["results"]}}
            for aid, s in sorted(scores.items()) if categories is None or aid in categories]


def _stack(A, row):
    return vstack([A, coo_matrix(row.reshape(1, -1))]).tocsr()


def _report(cats, people, var_app, var_cat, x, outcomes):
    chosen = {}
    for v in np.flatnonzero(x):
        aid, scores = people[var_app[v]]
        chosen[aid] = cats[var_cat[v]]
    by_category = {c: [] for c in cats}
    selected = []
    for aid, scores in people:
        if aid in chosen:
            c = chosen[aid]
            selected.append({"application_id": aid, "category": c, "score": scores[c]})
    selected.sort(key=lambda s: (cats.index(s["category"]), -_quantise(s["score"]), s["application_id"]))
    for s in selected:
        by_category[s["category"]].append(s["application_id"])
    cut = {c: min((s["score"] for s in selected if s["category"] == c), default=None) for c in cats}
    for aid, scores in people:
        if aid in chosen:
            c = chosen[aid]
            outcomes[aid] = {"status": "in", "category": c, "reason": "selected",
                             "message": f"selected in {c} with {scores[c]:.6g}",
                             "message_zh": f"以 {scores[c]:.6g} 分入选{c}"}
        else:
            parts = [(c, f"{scores[c]:.6g}", "none" if cut[c] is None else f"{cut[c]:.6g}") for c in scores]
            en = "; ".join(f"{c}: score {s}, lowest selected {lo}" for c, s, lo in parts)
            zh = "；".join(f"{c}：得分 {s}，入选最低分 {lo}" for c, s, lo in parts)
            outcomes[aid] = {"status": "out", "category": None, "reason": "below_cut_line",
                             "message": f"not in the optimal selection ({en})",
                             "message_zh": f"未进入最优入选方案（{zh}）"}
    return {"selected": selected, "by_category": by_category,
            "counts": {c: len(ids) for c, ids in by_category.items()},
            "total_score": float(sum(s["score"] for s in selected)), "cut_lines": cut, "outcomes": outcomes}
