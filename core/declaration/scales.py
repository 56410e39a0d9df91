"""Leaf scales (评分标准): what a score on one indicator may be, and how it becomes 0..1.

Three kinds, declared as data:

- ``{"kind": "range", "min": 0, "max": 10}``: a number with min <= x <= max;
  normalised as (x - min) / (max - min).
- ``{"kind": "pass_fail"}``: ``true``/``false`` (or 1/0); normalised 1.0 / 0.0.
- ``{"kind": "count", "formula": {...}}``: a whole number >= 0 converted to 0..100
  points by a declarative formula, then divided by 100:

  * ``{"kind": "linear", "points_per_unit": 20, "max": 100}`` with optional
    ``"base"`` (default 0) and ``"min"`` (default 0):
    points = clamp(base + points_per_unit * count, min, max); 0 <= min < max <= 100.
    A negative ``points_per_unit`` with ``base: 100`` expresses "fewer is better"
    (e.g. 受诈骗情况: 100 - 50 per victim).
  * ``{"kind": "thresholds", "table": [{"at_least": 0, "score": 0},
    {"at_least": 1, "score": 60}, {"at_least": 3, "score": 100}]}``: the score of
    the last row whose ``at_least`` <= count (0 below the first row); ``at_least``
    strictly increasing whole numbers, scores within 0..100.

Guarantee: `Scale.normalise` returns a float in [0, 1] for every value that
`Scale.problem` accepts, and nothing is evaluated as code.
"""
import math
from dataclasses import dataclass

SCALE_KINDS = ("range", "pass_fail", "count")
FORMULA_KINDS = ("linear", "thresholds")


def is_number(value):
    """A real, finite int or float (bool is not a number here)."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _whole(value):
    return is_number(value) and float(value).is_integer()


@dataclass(frozen=True)
class Scale:
    """A validated leaf scale. Build with `Scale.from_dict` / `parse_scale`."""

    kind: str
    min: float = None
    max: float = None
    formula: dict = None

    # -- construction -----------------------------------------------------------
    @classmethod
    def from_dict(cls, data):
        scale, problems = parse_scale(data)
        if problems:
            raise ValueError("; ".join(en for en, _ in problems))
        return scale

    def to_dict(self):
        if self.kind == "range":
            return {"kind": "range", "min": self.min, "max": self.max}
        if self.kind == "pass_fail":
            return {"kind": "pass_fail"}
        return {"kind": "count", "formula": self.formula}

    # -- use --------------------------------------------------------------------
    def describe(self):
        """Human description (en, zh) used in error messages."""
        if self.kind == "range":
            return (f"a number from {_fmt(self.min)} to {_fmt(self.max)}",
                    f"{_fmt(self.min)} 至 {_fmt(self.max)} 之间的数")
        if self.kind == "pass_fail":
            return "pass/fail (true or false)", "合格/不合格（true 或 false）"
        f = self.formula
        if f["kind"] == "linear":
            rule = f"{_fmt(f['points_per_unit'])} points per unit, max {_fmt(f.get('max', 100))}"
            rule_zh = f"每个计 {_fmt(f['points_per_unit'])} 分，最高 {_fmt(f.get('max', 100))} 分"
        else:
            rule, rule_zh = "by threshold table", "按阈值表折算"
        return (f"a whole number >= 0 ({rule})", f"不小于 0 的整数（{rule_zh}）")

    def problem(self, value):
        """None when `value` fits the scale, else (message_en, message_zh)."""
        en, zh = self.describe()
        if self.kind == "range":
            if not is_number(value):
                return f"{value!r} is not a number; expected {en}", f"{value!r} 不是数字，应为{zh}"
            if value < self.min or value > self.max:
                return f"{_fmt(value)} is outside the scale: expected {en}", f"{_fmt(value)} 超出评分范围，应为{zh}"
            return None
        if self.kind == "pass_fail":
            if isinstance(value, bool) or (is_number(value) and value in (0, 1)):
                return None
            return f"{value!r} is not pass/fail; expected {en}", f"{value!r} 不是合格/不合格，应为{zh}"
        if not _whole(value) or value < 0:
            return f"{value!r} is not a valid count; expected {en}", f"{value!r} 不是有效的数量，应为{zh}"
        return None

    def normalise(self, value):
        """Map a valid value to [0, 1]. Call `problem` first for untrusted input."""
        if self.kind == "range":
            return (float(value) - self.min) / (self.max - self.min)
        if self.kind == "pass_fail":
            return 1.0 if value else 0.0
        return count_points(self.formula, int(value)) / 100.0


def count_points(formula, count):
    """Points 0..100 for a count under a validated formula."""
    if formula["kind"] == "linear":
        points = formula.get("base", 0) + formula["points_per_unit"] * count
        return float(min(max(points, formula.get("min", 0)), formula.get("max", 100)))
    points = 0.0
    for row in formula["table"]:
        if count >= row["at_least"]:
            points = float(row["score"])
        else:
            break
    return points


def parse_scale(data):
    """Validate a scale declaration: (Scale or None, [(message_en, message_zh), ...])."""
    if not isinstance(data, dict) or data.get("kind") not in SCALE_KINDS:
        kinds = ", ".join(SCALE_KINDS)
        got = data.get("kind") if isinstance(data, dict) else data
        return None, [(f"scale kind {got!r} is not one of {kinds}",
                       f"评分标准类型 {got!r} 无效，应为 {kinds} 之一")]
    kind = data["kind"]
    if kind == "pass_fail":
        return Scale("pass_fail"), []
    if kind == "range":
        lo, hi = data.get("min"), data.get("max")
        if not (is_number(lo) and is_number(hi)) or lo >= hi:
            return None, [(f"range scale needs numbers min < max, got min={lo!r} max={hi!r}",
                           f"区间评分标准需满足 min < max，实际 min={lo!r} max={hi!r}")]
        return Scale("range", min=lo, max=hi), []
    problems = _formula_problems(data.get("formula"))
    if problems:
        return None, problems
    return Scale("count", formula=data["formula"]), []


def _formula_problems(f):
    if not isinstance(f, dict) or f.get("kind") not in FORMULA_KINDS:
        return [("count scale needs a formula of kind linear or thresholds",
                 "计数评分标准需要 linear 或 thresholds 类型的折算公式")]
    if f["kind"] == "linear":
        known = {"kind", "points_per_unit", "base", "min", "max"}
        ppu = f.get("points_per_unit")
        lo, hi, base = f.get("min", 0), f.get("max", 100), f.get("base", 0)
        if set(f) - known:
            return [(f"unknown formula keys {sorted(set(f) - known)}", f"折算公式含未知字段 {sorted(set(f) - known)}")]
        if not is_number(ppu) or ppu == 0 or not is_number(base):
            return [("linear formula needs a non-zero number points_per_unit and a number base",
                     "线性折算公式需要非零的 points_per_unit 和数值 base")]
        if not (is_number(lo) and is_number(hi)) or not 0 <= lo < hi <= 100:
            return [(f"linear formula needs 0 <= min < max <= 100, got min={lo!r} max={hi!r}",
                     f"线性折算公式需满足 0 <= min < max <= 100，实际 min={lo!r} max={hi!r}")]
        return []
    table = f.get("table")
    if not isinstance(table, list) or not table:
        return [("thresholds formula needs a non-empty table", "阈值折算公式需要非空的 table")]
    previous = -1
    for i, row in enumerate(table):
        if not isinstance(row, dict) or not _whole(row.get("at_least")) or row["at_least"] <= previous:
            return [(f"thresholds row {i}: at_least must be whole numbers >= 0, strictly increasing",
                     f"阈值表第 {i} 行：at_least 须为严格递增的非负整数")]
        if not is_number(row.get("score")) or not 0 <= row["score"] <= 100:
            return [(f"thresholds row {i}: score must be within 0..100",
                     f"阈值表第 {i} 行：score 须在 0 至 100 之间")]
        previous = row["at_least"]
    return []


def _fmt(x):
    if is_number(x) and float(x).is_integer():
        return str(int(x))
    return str(x)
