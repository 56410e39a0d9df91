"""The array path's block-by-block passes (`bulk`): means and trimmed means round like
math.fsum whichever sum a block takes (Fast2Sum from the block's highest mark, TwoSum
when a mark is negative, the NaN bookkeeping when a mark is missing); z-scores with
missing marks found through the reviewers' sums; the quick stable sort of ranking
and selection."""
import math
import random

import numpy as np
import pytest

from services.scoring.domain import bulk
from tests.unit.scoring import reference_aggregation
from tests.unit.scoring.test_scoring_array_path import three_ranged_leaves

# Rows where the highest mark is 2**50 and more times the others, the case for which
# the lowest is taken off with TwoSum; and ties of the highest and lowest.
EXTREMES = [[1.0, 2.0 ** -60, 2.0 ** -60], [1.0, 1.0, 1e-300], [2.0 ** -60, 1.0, 3 * 2.0 ** -61],
            [0.5, 0.5, 0.5], [0.0, 0.0, 0.0], [1.0, 0.0, 1e-17, 0.3, 0.7], [0.7, 0.1, 0.7, 0.1, 0.2]]


def _marks(rng, shape):
    """Marks of every kind: tenths (as normalised scale marks are), any float in 0..1,
    floats down to 1e-12 (a compensated sum is math.fsum's while the rounding errors
    of its additions fit in one float: nonzero marks within ~2**45 of their sum), and
    zeros."""
    kind = rng.integers(0, 4, size=shape)
    tenths = rng.integers(0, 11, size=shape) / 10.0
    floats = rng.random(shape)
    tiny = rng.random(shape) * 10.0 ** -rng.integers(0, 13, size=shape).astype(float)
    return np.choose(kind, [tenths, floats, tiny, np.zeros(shape)])


def _expected(values, method):
    out = np.full(values.shape[::2], np.nan)
    for a in range(values.shape[0]):
        for j in range(values.shape[2]):
            present = [v for v in values[a, :, j].tolist() if v == v]
            if present:
                out[a, j] = reference_aggregation.aggregate(present, method)
    return out


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("method", ["mean", "trimmed_mean"])
def test_block_sums_round_like_fsum(seed, method, monkeypatch):
    """Blocks of clean marks, of marks with a negative number and of marks with a
    missing one, side by side: every mean and trimmed mean is math.fsum's sum over
    the count, the very same float."""
    rng = np.random.default_rng(seed)
    r = int(rng.integers(1, 8))
    monkeypatch.setattr(bulk, "CHUNK", int(rng.integers(1, 4)) * r)      # blocks of 1-3 applications
    values = _marks(rng, (240, r, 3))
    values[80:120] -= 0.5                                                 # blocks with negative numbers
    gaps = rng.random(values[160:200].shape) < 0.3
    values[160:200][gaps] = np.nan                                        # blocks with missing marks
    rows = [row for row in EXTREMES if len(row) == r]
    for i, row in enumerate(rows):
        values[200 + i, :, 0] = row
        values[220 + i, :, 1] = row[::-1]
    got, expected = bulk.nan_aggregate(values, method), _expected(values, method)
    assert np.array_equal(got, expected, equal_nan=True), np.argwhere(got != expected)[:5]


@pytest.mark.parametrize("seed", range(4))
def test_zscores_with_missing_marks_where_every_slot_has_a_reviewer(seed, monkeypatch):
    """Every slot has a reviewer and every leaf is a range, but some marks are
    missing: the NaN shows in the reviewers' sums and the masks are built then; the
    z-scores are the per-application formulas', and so are the trimmed means of the
    adjusted marks."""
    monkeypatch.setattr(bulk, "CHUNK", 11)
    rng = random.Random(seed)
    tree = three_ranged_leaves()
    marks = []
    for a in range(30):
        for r in rng.sample(range(9), 5):
            for j in range(3):
                if rng.random() < 0.15:
                    continue                                              # this mark is missing
                v = rng.randint(0, 10) / 10
                marks.append(reference_aggregation.Mark(f"a{a:02d}", f"l{j}", f"r{r}", "reviewer", v * 10, v, v))
    apps, leaf_ids = sorted({m.application_id for m in marks}), ["l0", "l1", "l2"]
    values, rcodes, role_codes, _ = bulk.arrays_from_marks(marks, apps, leaf_ids, ["reviewer"])
    assert np.isnan(values).any() and (rcodes >= 0).all()
    adjusted = bulk.zscore_array(values, rcodes, bulk.zscore_mask(tree, leaf_ids, role_codes, ["reviewer"]))
    where = bulk.mark_index(marks, apps, leaf_ids)[:3]
    expected = reference_aggregation.zscore_adjust(tree, marks)
    assert adjusted[where].tolist() == pytest.approx([m.value for m in expected], rel=1e-12, abs=1e-12)
    assert np.array_equal(np.isnan(adjusted), np.isnan(values))
    trimmed = bulk.nan_aggregate(adjusted, "trimmed_mean")
    assert np.array_equal(trimmed, _expected(adjusted, "trimmed_mean"), equal_nan=True)


@pytest.mark.parametrize("seed", range(6))
def test_quick_stable_argsort_is_the_stable_sort(seed):
    """`bulk._stable_argsort` orders as ``np.argsort(kind="stable")``: equal keys in
    index order, for ints, rounded totals with many ties, -0.0 beside 0.0, and keys
    it does not pack (fractions, NaN, infinities, too wide a range)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3000))
    cases = [rng.integers(-5, 5, n), rng.integers(0, 2 ** 40, n), rng.integers(-2 ** 62, 2 ** 62, n),
             -np.round(rng.choice([60.0, 70.0, 70.0 + 1e-9, 80.5], n) * 1e6),
             np.where(rng.random(n) < 0.5, -0.0, 0.0), rng.choice([0.25, 0.5, 1.5], n),
             np.where(rng.random(n) < 0.1, np.nan, rng.integers(0, 3, n).astype(float)),
             np.where(rng.random(n) < 0.1, np.inf, rng.integers(0, 3, n).astype(float))]
    for keys in cases:
        assert bulk._stable_argsort(keys).tolist() == np.argsort(keys, kind="stable").tolist()


def test_extreme_rows_are_what_fsum_gives():
    """The hand-made rows above, checked on their own against math.fsum."""
    for row in EXTREMES:
        values = np.array(row)[None, :, None]
        kept = sorted(row)[1:-1] if len(row) >= 3 else row
        assert bulk.nan_aggregate(values, "trimmed_mean")[0, 0] == math.fsum(kept) / len(kept)
        assert bulk.nan_aggregate(values, "mean")[0, 0] == math.fsum(row) / len(row)


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("method", ["mean", "trimmed_mean", "median"])
def test_zscore_aggregate_is_the_aggregate_of_the_adjusted_marks(seed, method, monkeypatch):
    """`zscore_aggregate` gives the very floats of aggregating `zscore_array`'s
    adjusted marks, block by block without them: with every slot marked, with
    missing marks, with slots of no reviewer, with leaves that take no part, with
    reviewers of a single mark, and with nothing taking part at all."""
    rng = np.random.default_rng(seed)
    A, r, L = int(rng.integers(1, 60)), int(rng.integers(1, 6)), int(rng.integers(1, 4))
    monkeypatch.setattr(bulk, "CHUNK", int(rng.integers(1, 4)) * r + int(rng.integers(0, r)))
    values = _marks(rng, (A, r, L))
    codes = rng.integers(0, int(rng.integers(1, 2 * A + 2)), size=(A, r))
    applies = np.ones((1, 1, L), dtype=bool)
    case = seed % 5
    if case == 1:
        values[rng.random(values.shape) < 0.2] = np.nan
    elif case == 2:
        codes[rng.random(codes.shape) < 0.2] = -1
    elif case == 3:
        applies[0, 0, 0] = False
    elif case == 4 and seed > 5:
        applies[:] = False
    codes[0, 0] = codes.max() + 1                         # a reviewer of one mark
    expected = bulk.nan_aggregate(bulk.zscore_array(values, codes, applies), method)
    got = bulk.zscore_aggregate(values, codes, applies, method)
    assert np.array_equal(got, expected, equal_nan=True), np.argwhere(got != expected)[:5]
