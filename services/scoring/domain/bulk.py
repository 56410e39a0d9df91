"""Array path (批量计算): the aggregation, z-score, role-weighting and total rules of
a campaign, vectorised with NumPy. It is the one implementation of these rules:
`aggregation.score_campaign` (what the service's results run) assembles its
per-application dicts from these arrays, and the benchmark calls them directly.

Shapes: A applications, R reviewer slots per application, L leaves (in the order of
``leaf_ids``).

- ``values``: float array (A, R, L) of *normalised* marks (0..1 of each leaf scale),
  NaN where a slot has no mark;
- ``reviewer_codes``: int array (A, R), the reviewer in each slot (>= 0), -1 if none;
- ``role_codes``: int array (A, R), index into ``roles`` of the slot's role;
- ``role_weights``: float array (L, n_roles) of percents; a row of zeros means the
  leaf is not role-weighted (all its marks are aggregated together);
- ``weights``: (L,) or (A, L) shares of the total (see `weight_matrix`).

Guarantees: sums of marks (means, trimmed means, role-weighted combinations) are
compensated (error-free additions), so they round like ``math.fsum`` — a mean of
marks that is exactly 0.6 comes out as the float nearest 0.6 whatever the order of
the marks, and a veto threshold compares the same way it did on the per-application
path; z-scores agree with the per-application formulas to ~1e-12; `rank_order`
gives the same order as `ranking.rank` with the same tie-breaks.
"""
import numpy as np
from scipy.sparse import csc_matrix

from core.errors import field_error, invalid

from .ranking import SCORE_SCALE

ZERO_STD = 1e-12   # a reviewer whose scores vary less than this has "std 0"
CHUNK = 8192       # slots per block of the long passes: a block's planes stay in the CPU cache


def _two_sum(s, c, x):
    """(s, c) += x for an unevaluated pair s + c: returns the rounded sum s + x and c
    with the exact rounding error added (Knuth's TwoSum), so s + c keeps the exact
    sum of a few marks and its final rounding is the one ``math.fsum`` makes."""
    t, _ = _add_exactly(s, c, x, *(np.empty(np.shape(s)) for _ in range(3)))
    return t, c


def _compensated_sum(planes):
    """Sum of a sequence of equally shaped arrays, rounded once like math.fsum."""
    planes = iter(planes)
    s = np.array(next(planes), dtype=float)
    c = np.zeros_like(s)
    for x in planes:
        s, c = _two_sum(s, c, x)
    return s, c


def _add_exactly(s, c, x, t, z, e):
    """`_two_sum` in scratch arrays t, z, e (no allocation; s and x are only read):
    s + x rounded goes to t, its error is added to c; returns (new s, free buffer) =
    (t, s)."""
    np.add(s, x, out=t)
    np.subtract(t, s, out=z)
    np.subtract(t, z, out=e)
    np.subtract(s, e, out=e)
    np.subtract(x, z, out=z)
    e += z
    c += e
    return t, s


def nan_aggregate(values, method):
    """Aggregate (A, R, L) over axis 1 ignoring NaN -> (A, L); NaN where no mark.

    ``mean``: the compensated sum over the count; ``trimmed_mean``: one highest and
    one lowest mark dropped when there are >= 3 (the exact sum minus both, then
    divided by n - 2), else the mean; ``median``: the middle mark, or the mean of
    the two middle ones for an even count."""
    if method in ("mean", "trimmed_mean") and values.shape[1]:
        return _full_aggregate(values, method)
    return _nan_block(values, method)


def _nan_block(values, method):
    """`nan_aggregate` with the NaN bookkeeping (any method)."""
    n = np.sum(~np.isnan(values), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method in ("mean", "trimmed_mean"):
            filled = np.where(np.isnan(values), 0.0, values)
            s, c = _compensated_sum(filled[:, slot] for slot in range(values.shape[1]))
            if method == "mean":
                out = (s + c) / n
            else:
                hi = np.fmax.reduce(values, axis=1)
                lo = np.fmin.reduce(values, axis=1)
                trim = n >= 3
                ts, tc = _two_sum(s, c.copy(), np.where(trim, -hi, 0.0))
                ts, tc = _two_sum(ts, tc, np.where(trim, -lo, 0.0))
                out = np.where(trim, (ts + tc) / (n - 2), (s + c) / n)
        elif method == "median":
            ordered = np.sort(values, axis=1)          # NaN sort last
            lo_i = np.maximum((n - 1) // 2, 0)[:, None, :]
            hi_i = np.maximum(n // 2, 0)[:, None, :]
            hi_i = np.minimum(hi_i, values.shape[1] - 1)
            a = np.take_along_axis(ordered, lo_i, axis=1)[:, 0, :]
            b = np.take_along_axis(ordered, hi_i, axis=1)[:, 0, :]
            out = (a + b) / 2.0
        else:
            raise ValueError(f"unknown method {method!r}")
    out[n == 0] = np.nan
    return out


def _full_aggregate(values, method, blocks=None):
    """`nan_aggregate` of a mean or trimmed mean, block by block of applications (a
    block's planes stay in the CPU cache) and slot by slot over (b, L) planes,
    quicker than reducing the middle axis. A block where every slot holds a mark
    takes `_full_block` (no NaN bookkeeping), one with a NaN `_nan_block`; so the
    marks are not scanned for NaN beforehand. `blocks(start, stop)`: the marks to
    aggregate of applications start..stop (`_block_slots` slots at most), when they
    are not `values` as they are (`zscore_aggregate`)."""
    A, r, L = values.shape
    out = np.empty((A, L))
    step = _block_slots(r) // r
    planes = np.empty((r, min(step, A), L))
    for start in range(0, A, step):
        block = values[start:start + step] if blocks is None else blocks(start, start + step)
        agg = _full_block(block, method, planes[:, :len(block)])
        out[start:start + step] = _nan_block(block, method) if agg is None else agg
    return out


def _slot_planes(block, out):
    """Copy `block` (b, R, L) into `out` (R, b, L): each slot's marks one contiguous
    plane. Rows of L marks are moved as single items (a void view): numpy's copy
    then loops once per slot instead of once per row of L numbers."""
    row = np.dtype((np.void, block.shape[2] * block.itemsize))
    if block.dtype == out.dtype == np.float64 and block.strides[2] == block.itemsize and out.flags.c_contiguous:
        np.copyto(out.view(row)[..., 0], block.view(row)[..., 0].T)
    else:
        np.copyto(out, block.transpose(1, 0, 2))
    return out


def _full_block(values, method, planes):
    """Sum of a block's slots (the highest and lowest dropped for a trimmed mean),
    compensated so it rounds once like math.fsum, over the slot count; `planes` is
    scratch of shape (R, b, L).

    Marks are never negative (0..1 of a scale; z-scores are clipped to it), so the
    sum starts from the block's highest mark: every partial sum is then at least the
    mark it adds, and Fast2Sum (three operations where TwoSum takes six) is exact.
    After the additions the sum is at least twice the highest, so taking the
    highest off (for a trimmed mean twice the highest, at once) is a Fast2Sum too;
    the lowest is taken off with TwoSum (what is left may be smaller than it when
    marks differ by 2**50). A block with a negative number is summed with TwoSum
    throughout. Like the TwoSum chain, the result is math.fsum's while the rounding
    errors add up exactly: nonzero marks within about 2**45 of their sum. None if
    the block holds a NaN (the highest and lowest are NaN then)."""
    r = values.shape[1]
    planes = _slot_planes(values, planes)
    trim = method == "trimmed_mean" and r >= 3
    hi, lo = planes.max(axis=0), planes.min(axis=0)
    least = lo.min(initial=0.0)                          # 0 unless a mark is negative; NaN if one is NaN
    if least != least:
        return None
    c, t, z, e = np.zeros_like(hi), np.empty_like(hi), np.empty_like(hi), np.empty_like(hi)
    if least == 0:
        s = hi.copy()
        for x in planes:
            s, t = _fast_add(s, c, x, t, z)
        if trim:
            hi += hi                                     # the highest twice (doubling is exact)
        s, t = _fast_subtract(s, c, hi, t, z)
        extremes = (lo,) if trim else ()
    else:
        s = planes[0].copy()
        for x in planes[1:]:
            s, t = _add_exactly(s, c, x, t, z, e)
        extremes = (hi, lo) if trim else ()
    for x in extremes:
        np.negative(x, out=x)
        s, t = _add_exactly(s, c, x, t, z, e)
    s += c
    s /= r - 2 if trim else r
    return s


def _fast_add(s, c, x, t, z):
    """`_add_exactly` when |s| >= |x| (Fast2Sum: then t - s is exact and x minus it
    is the rounding error): returns (new s, free buffer) = (t, s)."""
    np.add(s, x, out=t)
    np.subtract(t, s, out=z)
    np.subtract(x, z, out=z)
    c += z
    return t, s


def _fast_subtract(s, c, x, t, z):
    """(s, c) -= x when |s| >= |x| (Fast2Sum of s and -x)."""
    np.subtract(s, x, out=t)
    np.subtract(s, t, out=z)
    np.subtract(z, x, out=z)
    c += z
    return t, s


def zscore_array(values, reviewer_codes, applies):
    """Per-reviewer z-score normalisation, leaf by leaf (rules in
    `aggregation.zscore_adjust`). `applies`: bool array broadcastable to (A, R, L),
    True where a mark takes part (range leaves, not imported facts). The adjusted
    marks (A, R, L), a new array; `_zscore_plan` says how they are computed."""
    A, R, L = values.shape
    adjust = _zscore_plan(values, reviewer_codes, applies) if values.size else None
    if adjust is None:
        return values.copy()
    dev = np.empty((A * R, L))
    step = _block_slots(R)
    for start in range(0, A * R, step):
        adjust(start, start + step, dev[start:start + step])
    return dev.reshape(A, R, L)


def zscore_aggregate(values, reviewer_codes, applies, method):
    """``nan_aggregate(zscore_array(values, reviewer_codes, applies), method)``, the
    very same floats, without the adjusted marks: for a mean or trimmed mean each
    block of applications is adjusted in a scratch block (in the CPU cache) and
    aggregated from there. The adjusted marks of a school (500,000 slots x 10
    leaves, 40 MB) are then never written and read again, nor their pages mapped
    (what the marks' values are needed for, `aggregation.score_campaign`, calls
    `zscore_array`)."""
    A, R, L = values.shape
    if method not in ("mean", "trimmed_mean") or not values.size:
        return nan_aggregate(zscore_array(values, reviewer_codes, applies), method)
    adjust = _zscore_plan(values, reviewer_codes, applies)
    if adjust is None:
        return nan_aggregate(values, method)
    scratch = np.empty((_block_slots(R), L))

    def adjusted(start, stop):
        stop = min(stop, A)
        return adjust(start * R, stop * R, scratch[:(stop - start) * R]).reshape(stop - start, R, L)
    return _full_aggregate(values, method, adjusted)


def _block_slots(r):
    """Slots in a block of whole applications (`_full_aggregate`'s blocks): about
    `CHUNK`, at least one application."""
    return max(1, CHUNK // r) * r


def _zscore_plan(values, reviewer_codes, applies):
    """The z-scores as a function ``adjust(lo, hi, out)`` that writes the adjusted
    marks of slots lo..hi (a flat slot index, application by application) into `out`
    and returns it; None when no mark takes part (the marks stay as they are).

    How it stays a few passes over the marks whatever the number of reviewers: the
    per-reviewer sums are one sparse product (a reviewer x slot one-hot matrix times
    the (slots, L) marks), and so are the squared deviations from each reviewer's
    mean (two passes, so a reviewer whose marks do not vary has exactly std 0);
    each leaf's mean and spread come from the reviewers' sums (the spread by the
    parallel-axis rule, a sum of non-negative parts, so nothing cancels); and the
    adjustment ``lmu + lsd * (x - rmu) / rsd`` is one multiply-add per mark with the
    per-reviewer factors gathered (`np.take`, the quickest gather of rows). The
    deviations of the second pass live in a scratch block of `CHUNK` slots, as do
    the gathered factors of `adjust`, which computes the deviations again: writing
    them into an array as large as the marks cost more (its pages are mapped on
    first touch) than gathering and subtracting twice."""
    A, R, L = values.shape
    rev = reviewer_codes.astype(np.int32).ravel()        # scipy's index type: no conversion
    np.maximum(rev, 0, out=rev)
    marks = values.reshape(-1, L)
    n = int(rev.max()) + 1
    one_hot = _one_hot(rev, n)
    everyone = bool(np.all(applies)) and reviewer_codes.min() >= 0
    sums = one_hot @ marks if everyone else None
    if sums is not None and not np.isnan(sums).any():   # a NaN mark would make its reviewer's sums NaN
        valid, taking = None, marks                      # every slot takes part: no masks
        cnt = np.broadcast_to(np.bincount(rev, minlength=n).astype(float)[:, None], (n, L))
    else:
        valid = (~np.isnan(values) & np.broadcast_to(applies, (A, R, L))
                 & (reviewer_codes >= 0)[:, :, None]).reshape(-1, L)
        if not valid.any():
            return None
        taking = np.where(valid, marks, 0.0)
        cnt = one_hot @ valid.astype(float)
        sums = one_hot @ taking
    scratch = np.empty((min(_block_slots(R), len(rev)), L))
    gathered = np.empty_like(scratch)

    def deviations(lo, hi, out):
        np.take(rmu, rev[lo:hi], axis=0, out=out, mode="clip")    # codes are in range: "clip" only
        np.subtract(taking[lo:hi], out, out=out)                    # spares take's buffered check
        if valid is not None:
            out *= valid[lo:hi]                          # marks that take no part add nothing
        return out

    sq = np.zeros((n, L))
    with np.errstate(invalid="ignore", divide="ignore"):
        rmu = np.where(cnt > 0, sums / cnt, 0.0)
        for lo in range(0, len(rev), len(scratch)):
            d = deviations(lo, lo + len(scratch), scratch[:len(rev) - lo])
            sq += _one_hot(rev[lo:lo + len(d)], n, one_hot) @ np.square(d, out=d)
        rsd = np.sqrt(sq / cnt)
        count = cnt.sum(axis=0)
        lmu = sums.sum(axis=0) / count
        spread = np.where(cnt > 0, sq + cnt * (rmu - lmu) ** 2, 0.0)
        lsd = np.sqrt(spread.sum(axis=0) / count)
        varies = rsd >= ZERO_STD
        scale = np.where(varies, lsd / np.where(varies, rsd, 1.0), 0.0)
    lmu = np.tile(lmu, (len(scratch), 1))                # a whole block: no broadcast row by row
    single = cnt == 1
    single = single if single.any() else None            # a single mark stays as it is

    def adjust(lo, hi, out):
        d = deviations(lo, hi, out)
        d *= np.take(scale, rev[lo:hi], axis=0, out=gathered[:len(d)], mode="clip")
        d += lmu[:len(d)]
        np.clip(d, 0.0, 1.0, out=d)
        if single is not None:
            keep = np.take(single, rev[lo:hi], axis=0)
            d[keep] = marks[lo:hi][keep]
        if valid is not None:
            np.copyto(d, marks[lo:hi], where=~valid[lo:hi])
        return d
    return adjust


def _one_hot(codes, n, whole=None):
    """(n, len(codes)) sparse matrix with a 1 in row codes[j] of column j: times a
    (len(codes), L) array it sums the rows of each code. `whole`: the one-hot of a
    longer run of codes, whose ones and column pointers serve again (codes int32)."""
    m = len(codes)
    ones, starts = (np.ones(m), np.arange(m + 1, dtype=np.int32)) if whole is None else \
        (whole.data[:m], whole.indptr[:m + 1])
    return csc_matrix((ones, codes, starts), shape=(n, m))


def role_aggregates(values, method, role_codes, role_weights):
    """(A, L, n_roles): each role's aggregate on each role-weighted leaf (a leaf
    whose row of `role_weights` is not all zero), NaN where the role has no mark
    there and on leaves that are not role-weighted."""
    role_weights = np.asarray(role_weights, dtype=float)
    A, _, L = values.shape
    out = np.full((A, L, role_weights.shape[1]), np.nan)
    weighted = role_weights.sum(axis=1) > 0
    if not weighted.any():
        return out
    sub = values[:, :, weighted]
    for j in range(role_weights.shape[1]):
        mine = role_codes == j
        if mine.any():
            out[:, weighted, j] = nan_aggregate(np.where(mine[:, :, None], sub, np.nan), method)
    return out


def leaf_values(values, method, role_codes=None, role_weights=None, on_missing="error", per_role=None):
    """Per-leaf aggregate (A, L); on a role-weighted leaf the sum of each role's
    aggregate times its weight (compensated, like math.fsum). NaN where a needed
    mark is missing; a role of positive weight without marks makes the leaf NaN,
    or counts 0 with ``on_missing="zero"`` (the other roles still count).
    `per_role`: `role_aggregates`, when the caller has them already."""
    out = nan_aggregate(values, method)
    if role_weights is None:
        return out
    role_weights = np.asarray(role_weights, dtype=float)
    weighted = role_weights.sum(axis=1) > 0
    if not weighted.any():
        return out
    if per_role is None:
        per_role = role_aggregates(values, method, role_codes, role_weights)
    terms = []
    for j in range(role_weights.shape[1]):
        w = role_weights[weighted, j] / 100.0
        if not w.any():
            continue
        agg = per_role[:, weighted, j]
        if on_missing == "zero":
            agg = np.nan_to_num(agg, nan=0.0)
        terms.append(np.where(w > 0, w * agg, 0.0))
    s, c = _compensated_sum(terms)
    out[:, weighted] = s + c
    return out


def weight_matrix(tree, leaf_ids, category_codes=None, categories=()):
    """Shares of the total per leaf: (L,) for a tree without categories, else (A, L)
    built from `category_codes` (A,) indexing `categories`."""
    if category_codes is None:
        w = tree.leaf_weights(None)
        return np.array([w.get(i, 0.0) for i in leaf_ids])
    table = np.array([[tree.leaf_weights(c).get(i, 0.0) for i in leaf_ids] for c in categories])
    return table[np.asarray(category_codes)]


def totals(leaf_vals, weights, on_missing="error", application_ids=None):
    """Weighted sum on 0..100 -> (A,). A NaN leaf value with a non-zero weight is an
    error (ValidationFailed naming the first application) or counts 0."""
    weights = np.asarray(weights, dtype=float)
    vals = leaf_vals
    missing = np.isnan(leaf_vals)
    if missing.any():                     # only then the bookkeeping of what is needed
        needed = missing & (np.broadcast_to(weights, leaf_vals.shape) != 0)
        if needed.any() and on_missing == "error":
            a, l = np.argwhere(needed)[0]
            app = application_ids[a] if application_ids is not None else int(a)
            raise invalid([field_error(
                "scores", f"{int(needed.sum())} leaf scores are missing, first: application {app!r}, leaf #{int(l)}",
                f"缺少 {int(needed.sum())} 项指标评分，首个：申报 {app!r}，第 {int(l)} 项指标")])
        vals = np.nan_to_num(leaf_vals, nan=0.0)
    if weights.ndim == 1:
        return 100.0 * (vals @ weights)
    return 100.0 * np.einsum("al,al->a", vals, weights)


def _order_codes(arr):
    arr = np.asarray(arr)
    if arr.dtype.kind in "fiub":
        return arr.astype(float)
    _, inverse = np.unique(arr, return_inverse=True)
    return inverse.astype(float)


def _tie_key(arr, order):
    k = _order_codes(arr)
    if np.asarray(arr).dtype.kind == "f":
        k = np.round(k * SCORE_SCALE)
    return -k if order == "desc" else k


def rank_order(total, ids, tie_keys=(), excluded=None):
    """Indices of the applications in rank order (best first), vetoed (`excluded`
    bool mask) left out. Totals are compared at 1e-6 points like `ranking.rank`;
    `tie_keys`: [(array, "asc" | "desc"), ...] in priority order (numeric arrays
    may hold NaN for missing, which always sorts last; instead of an array, a
    function of the row indices giving their keys, called only for the rows in a
    tie); finally ``ids`` ascending.

    One sort by total; the tie-breaks and ids are read only for applications whose
    totals tie, sorted within their tie (the same order as sorting everything by
    every key, for a fraction of the work when ties are few)."""
    primary = -np.round(np.asarray(total, dtype=float) * SCORE_SCALE)
    if np.isnan(primary).any():                       # no tie groups over NaN: sort every key
        everyone = np.arange(len(primary))
        order = np.lexsort(_secondary_keys(everyone, ids, tie_keys) + [primary])
    else:
        order = _stable_argsort(primary)
        ranked = primary[order]
        tied = np.r_[False, ranked[1:] == ranked[:-1]]          # equal to the one before
        if tied.any():
            in_tie = np.flatnonzero(tied | np.r_[tied[1:], False])
            group = np.cumsum(~tied)[in_tie]
            members = order[in_tie]
            order[in_tie] = members[np.lexsort(_secondary_keys(members, ids, tie_keys) + [group])]
    if excluded is not None:
        order = order[~np.asarray(excluded)[order]]
    return order


def _stable_argsort(keys):
    """``np.argsort(keys, kind="stable")``, quicker for whole numbers (ints, or floats
    already rounded, like the totals at 1e-6 points): each key packed with its index,
    ``(key - min) * n + index``, is unique, so NumPy's quick sort (SIMD; 1 ms for
    100,000 keys where the stable sort takes 7 ms) puts equal keys in index order.
    Other keys (fractions, NaN, infinities, or a packing that would not fit in 63
    bits) take the stable sort."""
    keys = np.asarray(keys)
    n = len(keys)
    if n and keys.dtype.kind in "iuf":
        lo, hi = keys.min(), keys.max()
        if (np.isfinite(lo) and np.isfinite(hi) and (float(hi) - float(lo) + 1) * n < 2.0 ** 62
                and (keys.dtype.kind != "f" or bool((np.round(keys) == keys).all()))):
            packed = (keys - lo).astype(np.int64)
            packed *= n
            packed += np.arange(n)
            return np.argsort(packed)
    return np.argsort(keys, kind="stable")


def _secondary_keys(rows, ids, tie_keys):
    """Sort keys of `rows` after the total, least significant first (lexsort's order)."""
    keys = [_order_codes([ids[i] for i in rows.tolist()] if isinstance(ids, list) else np.asarray(ids)[rows])]
    for arr, order in reversed(list(tie_keys)):
        keys.append(_tie_key(arr(rows) if callable(arr) else np.asarray(arr)[rows], order))
    return keys


# -- selection -------------------------------------------------------------------------
# Reason codes of `select_count` (indices into quota.REASONS; -1: not ranked, not vetoed).
SELECTED, VETOED, BELOW_CUT_LINE, UNIT_CAP_REACHED, BELOW_MIN_SCORE = range(5)


def select_count(order, total, quota, excluded=None, unit_codes=None, unit_max=None, min_score=None):
    """Selection with reason codes, the array twin of `quota.select_from_ranking` for
    one count rule (fixed or percent: `quota` is its size), at most one per-unit cap
    (`unit_codes` (A,) ints, one unit per application, at most `unit_max` selected
    per unit) and an optional minimum score; no grades.

    `order`: the ranking (`rank_order`, vetoed left out); `excluded`: the vetoed
    mask. Returns (selected indices in rank order, reasons (A,) int codes). Equal
    to the dict path because, walking down the ranking, every application before
    the quota fills is selected unless its unit already has `unit_max` selected —
    which is whether `unit_max` applications of its unit came before it — and every
    one after is below the cut line."""
    A = len(total)
    reasons = np.full(A, -1, dtype=np.int8)
    if excluded is not None:
        reasons[np.asarray(excluded, dtype=bool)] = VETOED
    order = np.asarray(order)
    if min_score is not None:
        keys = np.round(np.asarray(total, dtype=float)[order] * SCORE_SCALE)
        low = keys < round(float(min_score) * SCORE_SCALE)
        reasons[order[low]] = BELOW_MIN_SCORE
        order = order[~low]
    allowed = np.ones(len(order), dtype=bool)
    if unit_codes is not None and unit_max is not None:
        units = np.asarray(unit_codes)[order]
        by_unit = _stable_argsort(units)                         # rank order inside each unit
        sorted_units = units[by_unit]
        starts = np.flatnonzero(np.r_[True, sorted_units[1:] != sorted_units[:-1]])
        sizes = np.diff(np.r_[starts, len(units)])
        within = np.arange(len(units)) - np.repeat(starts, sizes)   # place inside the unit: 0, 1, ...
        place = np.empty(len(units), dtype=np.int64)
        place[by_unit] = within
        allowed = place < unit_max
    taken = np.cumsum(allowed)
    selected = allowed & (taken <= quota)
    full_at = np.searchsorted(taken, quota, side="left") if quota > 0 else -1   # where the quota fills
    after = np.arange(len(order)) > full_at if (quota == 0 or full_at < len(order)) else np.zeros(len(order), bool)
    reasons[order[selected]] = SELECTED
    reasons[order[~selected & after]] = BELOW_CUT_LINE
    reasons[order[~selected & ~after]] = UNIT_CAP_REACHED
    return order[selected], reasons


# -- assembling the arrays -------------------------------------------------------------
def role_weight_matrix(tree, leaf_ids, roles):
    """(L, n_roles) percents from the leaves' role_weights (zeros where none)."""
    out = np.zeros((len(leaf_ids), len(roles)))
    for l, leaf_id in enumerate(leaf_ids):
        for role, w in tree.nodes[leaf_id].role_weights:
            out[l, roles.index(role)] = w
    return out


def zscore_mask(tree, leaf_ids, role_codes, roles):
    """True where z-score normalisation applies: z-scores adjust judgements, not
    facts, so only range-scale leaves and never marks of role ``imported_fact``.
    (A, R, L), or (1, 1, L) when no role is ``imported_fact``."""
    kinds = np.array([tree.nodes[i].scale.kind == "range" for i in leaf_ids])
    if "imported_fact" not in roles:
        return kinds[None, None, :]       # broadcastable: no (A, R, L) array to build and scan
    not_fact = role_codes != roles.index("imported_fact")
    return not_fact[:, :, None] & kinds[None, None, :]


def mark_index(marks, application_ids, leaf_ids):
    """Where each `aggregation.Mark` sits in the arrays: (app (M,), slot (M,),
    leaf (M,), reviewer_codes (A, R), reviewer_ids, R), one slot per (application,
    reviewer) in the order the marks come; ``reviewer_ids[code]`` names a code."""
    app_i = {a: i for i, a in enumerate(application_ids)}
    leaf_i = {l: j for j, l in enumerate(leaf_ids)}
    slots, reviewer_ids, rev_code = {}, [], {}
    per_app = [0] * len(application_ids)
    apps, slot_of, leaves = [], [], []
    for m in marks:
        a = app_i[m.application_id]
        key = (a, m.reviewer_id)
        if key not in slots:
            slots[key] = per_app[a]
            per_app[a] += 1
        if m.reviewer_id not in rev_code:
            rev_code[m.reviewer_id] = len(reviewer_ids)
            reviewer_ids.append(m.reviewer_id)
        apps.append(a)
        slot_of.append(slots[key])
        leaves.append(leaf_i[m.leaf_id])
    R = max(per_app, default=0) or 1
    rcodes = np.full((len(application_ids), R), -1)
    for (a, reviewer), slot in slots.items():
        rcodes[a, slot] = rev_code[reviewer]
    as_int = lambda xs: np.array(xs, dtype=np.int64)   # noqa: E731
    return as_int(apps), as_int(slot_of), as_int(leaves), rcodes, reviewer_ids, R


def arrays_from_marks(marks, application_ids, leaf_ids, roles):
    """(values, reviewer_codes, role_codes, reviewer_ids) from `aggregation.Mark`s
    (their ``value``): one slot per (application, reviewer)."""
    apps, slot_of, leaves, rcodes, reviewer_ids, R = mark_index(marks, application_ids, leaf_ids)
    values = np.full((len(application_ids), R, len(leaf_ids)), np.nan)
    roles_ = np.full((len(application_ids), R), -1)
    if len(marks):
        values[apps, slot_of, leaves] = [m.value for m in marks]
        code = {r: i for i, r in enumerate(roles)}
        roles_[apps, slot_of] = [code[m.role] for m in marks]
    return values, rcodes, roles_, reviewer_ids


def node_matrix(tree, leaf_ids, category=None):
    """`CriteriaTree.node_coefficients` as arrays over `leaf_ids`: (node_ids,
    coefficients (N, L), shares (L,), category_leaf_ids). Node scores of A
    applications are ``100 * values @ coefficients.T`` (values (A, L), 0 outside the
    category); the root comes last, its score is the total."""
    rows, leaf_shares = tree.node_coefficients(category)
    col = {l: j for j, l in enumerate(leaf_ids)}
    coef = np.zeros((len(rows), len(leaf_ids)))
    for i, (_, row) in enumerate(rows):
        for leaf_id, k in row.items():
            coef[i, col[leaf_id]] = k
    shares = np.zeros(len(leaf_ids))
    for leaf_id, share in leaf_shares.items():
        shares[col[leaf_id]] = share
    return [node_id for node_id, _ in rows], coef, shares, list(leaf_shares)


def score_arrays(tree, leaf_ids, values, policy, weights, reviewer_codes=None, role_codes=None,
                 roles=(), application_ids=None):
    """Totals (A,) and leaf values (A, L) for a whole campaign already in arrays
    (the benchmark's entry): the steps `aggregation.score_campaign` runs (reviewer
    normalisation, method, role weights, missing-score policy as in
    `AggregationPolicy`), then the weighted sum with `weights` alone, without the
    node scores and per-application dicts the service's results keep. Without
    role-weighted leaves, z-scored marks are aggregated block by block
    (`zscore_aggregate`), never kept."""
    from .aggregation import AggregationPolicy
    policy = AggregationPolicy.coerce(policy)
    roles = list(roles)
    rw = role_weight_matrix(tree, leaf_ids, roles) if roles else None
    by_role = rw is not None and bool(rw.any())
    if policy.reviewer_normalisation == "zscore":
        if role_codes is None:
            applies = np.array([tree.nodes[i].scale.kind == "range" for i in leaf_ids])[None, None, :]
        else:
            applies = zscore_mask(tree, leaf_ids, role_codes, roles)
        if not by_role:                   # the adjusted marks serve nothing but the aggregate
            lv = zscore_aggregate(values, reviewer_codes, applies, policy.method)
            return totals(lv, weights, policy.on_missing, application_ids), lv
        values = zscore_array(values, reviewer_codes, applies)
    lv = leaf_values(values, policy.method, role_codes, rw, policy.on_missing)
    return totals(lv, weights, policy.on_missing, application_ids), lv
