"""Ranking and selection by a count rule on arrays: what `quota.select` runs when a
campaign's rules allow it, with the same result as the dict path.

It takes (`fits`) a ``percent`` or ``fixed`` rule (no grades, not per category),
at most one per-unit cap whose unit every candidate names with one value, distinct
application ids (text) and finite totals. Anything else — and every input the dict
path refuses — takes the dict path, which stays the reference: a test compares the
two on random campaigns, ties, missing tie-break values, vetoes, caps and minimum
scores included.

Guarantees (`select`): the same dict as ``quota.select_from_ranking(
ranking.rank(...))`` — the same ranking, selection, cut line and outcomes, worded by
`selection_outcomes`, with the outcomes in the same order (vetoed first, then those
below the minimum score in rank order, then the rest in rank order). Ranking is
`bulk.rank_order` (one sort by total; tie-breaks read only inside ties), selection
`bulk.select_count` (reason codes); what is left per application is writing its
outcome.
"""
import math
from operator import itemgetter

import numpy as np

from . import bulk, selection_outcomes as outcome
from .ranking import tie_value


class _Misfit(Exception):
    """These candidates or rules take the dict path."""


def fits(candidates, parsed):
    """Whether `select_count` takes these candidates and parsed rules (see the module
    docstring); what it does not take, `quota.select` gives the dict path."""
    try:
        _arrays(candidates, parsed)
    except _Misfit:
        return False
    return True


def _arrays(candidates, parsed):
    """(ids, totals as given, totals as floats, unit codes or None) of candidates
    that fit; _Misfit otherwise. One pass over the candidates a column, by C-level
    maps (a generator a column cost 40 ms more at 100,000)."""
    if parsed["count"]["kind"] not in ("percent", "fixed") or len(parsed["caps"]) > 1:
        raise _Misfit
    n = len(candidates)
    ids = list(map(itemgetter("application_id"), candidates))
    if len(set(ids)) != n or not set(map(type, ids)) <= {str}:
        raise _Misfit
    given = list(map(itemgetter("total"), candidates))
    try:
        total = np.fromiter(given, float, n)
    except (TypeError, ValueError):
        raise _Misfit from None
    if not np.isfinite(total).all():
        raise _Misfit
    if not parsed["caps"]:
        return ids, given, total, None
    unit = parsed["caps"][0]["unit"]
    values = [(c.get("units") or {}).get(unit) for c in candidates]
    try:
        index = {v: i for i, v in enumerate(dict.fromkeys(values))}
    except TypeError:                                   # a list or a dict: not one unit
        raise _Misfit from None
    if None in index:                                   # the dict path names what is missing
        raise _Misfit
    return ids, given, total, np.fromiter(map(index.__getitem__, values), np.int64, n)


def _tie_column(candidates, tb):
    """A tie-break as a function of row indices: their values as a float array of
    dense codes in the dict path's order (scores at 1e-6 points, fields as given),
    NaN where missing, so missing sorts last in either order, as in `ranking.rank`.
    `bulk.rank_order` calls it only for rows whose totals tie."""
    def column(rows):
        keys = [tie_value(candidates[i], tb) for i in rows.tolist()]
        codes = {k: i for i, k in enumerate(sorted({k for k in keys if k is not None}))}
        return np.fromiter((math.nan if k is None else codes[k] for k in keys), float, len(keys))
    return column


def select(candidates, parsed, tie_breaks, vmap, quota_of):
    """`quota.select`'s result, or None when the candidates or rules do not fit
    (see the module docstring): `parsed` the parsed rules, `tie_breaks` validated,
    `vmap` {application_id: Veto or None} of the active vetoes, `quota_of(applicants)`
    the count rule's size for that many applications (vetoed ones included)."""
    try:
        ids, given, total, unit_codes = _arrays(candidates, parsed)
    except _Misfit:
        return None
    quota = quota_of(len(ids) + len(set(vmap).difference(ids)))
    min_score = parsed["min_score"]
    excluded = np.fromiter(map(vmap.__contains__, ids), bool, len(ids))
    keys = [(_tie_column(candidates, tb), tb["order"]) for tb in tie_breaks]
    order = bulk.rank_order(total, ids, keys, excluded=excluded)
    unit = unit_max = None
    if unit_codes is not None:
        unit, unit_max = parsed["caps"][0]["unit"], parsed["caps"][0]["max"]
    chosen, reasons = bulk.select_count(order, total, quota, excluded=excluded, unit_codes=unit_codes,
                                        unit_max=unit_max, min_score=min_score)
    ranked = order.tolist()
    ranked_ids, ranked_totals = [ids[i] for i in ranked], [given[i] for i in ranked]
    ranking = [{"application_id": a, "rank": r, "total": t} for r, a, t in zip(range(1, len(ranked) + 1),
                                                                              ranked_ids, ranked_totals)]
    codes = reasons[order]
    outcomes = {aid: outcome.vetoed(v) for aid, v in vmap.items()}
    # the dict path's order: below the minimum first, then the rest in rank order
    low = np.flatnonzero(codes == bulk.BELOW_MIN_SCORE).tolist()
    outcomes.update((ranked_ids[k], outcome.below_min_score(k + 1, ranked_totals[k], min_score)) for k in low)
    worded = [None] * len(ranked_ids)
    for code, reason, figures in ((bulk.SELECTED, "selected", {}), (bulk.BELOW_CUT_LINE, "below_cut_line",
                                                                   {"quota": quota}),
                                  (bulk.UNIT_CAP_REACHED, "unit_cap_reached", {})):
        at = np.flatnonzero(codes == code).tolist()
        if not at:
            continue
        if code == bulk.UNIT_CAP_REACHED:
            figures = outcome.cap_figures(unit, unit_max)
        for k, o in zip(at, outcome.ranked(reason, [k + 1 for k in at], **figures)):
            worded[k] = o
    outcomes.update((aid, o) for aid, o in zip(ranked_ids, worded) if o is not None)
    picked = np.flatnonzero(codes == bulk.SELECTED)
    return {"quota": quota, "selected": [ids[i] for i in chosen.tolist()], "grades": None,
            "grade_cut_lines": None, "cut_line": _cut_line_at(ranking, int(picked[-1]) + 1 if len(picked) else 0),
            "ranking": ranking, "outcomes": outcomes}


def _cut_line_at(ranking, last):
    """`selection_outcomes.cut_line` of a count rule's selection whose lowest selected
    rank is `last` (0: none selected): nobody ranked below it is selected, so the
    first not selected below it is simply the next in the ranking."""
    return {"last_selected": outcome.point(ranking[last - 1]) if last else None,
            "first_not_selected": outcome.point(ranking[last]) if last < len(ranking) else None}
