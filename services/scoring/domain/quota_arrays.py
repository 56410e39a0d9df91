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
    """(ids, totals, unit codes or None) of candidates that fit;
    _Misfit otherwise. One pass over the candidates a column."""
    if parsed["count"]["kind"] not in ("percent", "fixed") or len(parsed["caps"]) > 1:
        raise _Misfit
    n = len(candidates)
    ids = [c["application_id"] for c in candidates]
    if len(set(ids)) != n or not all(type(i) is str for i in ids):
        raise _Misfit
    try:
        total = np.fromiter((c["total"] for c in candidates), float, n)
    except (TypeError, ValueError):
        raise _Misfit from None
    if not np.isfinite(total).all():
        raise _Misfit
    if not parsed["caps"]:
        return ids, total, None
    unit = parsed["caps"][0]["unit"]
    seen = {}
    try:
        codes = np.fromiter((seen.setdefault((c.get("units") or {}).get(unit), len(seen)) for c in candidates),
                            np.int64, n)
    except TypeError:                                   # a list or a dict: not one unit
        raise _Misfit from None
    if None in seen:                                    # the dict path names what is missing
        raise _Misfit
    return ids, total, codes


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
    `vmap` {application_id: Veto or None} of the active vetoes, `quota_of()` the
    count rule's size."""
    try:
        ids, total, unit_codes = _arrays(candidates, parsed)
    except _Misfit:
        return None
    quota, min_score = quota_of(), parsed["min_score"]
    excluded = np.fromiter((i in vmap for i in ids), bool, len(ids))
    keys = [(_tie_column(candidates, tb), tb["order"]) for tb in tie_breaks]
    order = bulk.rank_order(total, np.array(ids, dtype=str), keys, excluded=excluded)
    unit = unit_max = None
    if unit_codes is not None:
        unit, unit_max = parsed["caps"][0]["unit"], parsed["caps"][0]["max"]
    chosen, reasons = bulk.select_count(order, total, quota, excluded=excluded, unit_codes=unit_codes,
                                        unit_max=unit_max, min_score=min_score)
    ranked = order.tolist()
    ranking = [{"application_id": ids[i], "rank": r, "total": candidates[i]["total"]}
               for r, i in enumerate(ranked, 1)]
    outcomes = {aid: outcome.vetoed(v) for aid, v in vmap.items()}
    codes = reasons[order].tolist()
    for r, (i, code) in enumerate(zip(ranked, codes), 1):      # the dict path's order: below the minimum first
        if code == bulk.BELOW_MIN_SCORE:
            outcomes[ids[i]] = outcome.below_min_score(r, candidates[i]["total"], min_score)
    for r, (i, code) in enumerate(zip(ranked, codes), 1):
        if code == bulk.SELECTED:
            outcomes[ids[i]] = outcome.selected(r)
        elif code == bulk.BELOW_CUT_LINE:
            outcomes[ids[i]] = outcome.below_cut_line(r, quota)
        elif code == bulk.UNIT_CAP_REACHED:
            outcomes[ids[i]] = outcome.unit_cap_reached(r, unit, unit_max)
    last = codes[::-1].index(bulk.SELECTED) if bulk.SELECTED in codes else None
    return {"quota": quota, "selected": [ids[i] for i in chosen.tolist()], "grades": None,
            "grade_cut_lines": None, "cut_line": _cut_line_at(ranking, 0 if last is None else len(codes) - last),
            "ranking": ranking, "outcomes": outcomes}


def _cut_line_at(ranking, last):
    """`selection_outcomes.cut_line` of a count rule's selection whose lowest selected
    rank is `last` (0: none selected): nobody ranked below it is selected, so the
    first not selected below it is simply the next in the ranking."""
    return {"last_selected": outcome.point(ranking[last - 1]) if last else None,
            "first_not_selected": outcome.point(ranking[last]) if last < len(ranking) else None}
