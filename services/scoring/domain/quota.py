"""Quotas (名额/计划数) and selection from a ranking.

Rounding is half up (四舍五入) on exact decimals, never Python's banker's `round`:
`percent_of(15, 30) == 5` (4.5 -> 5), `percent_of(40, 5) == 2`,
`percent_of(30, 25) == 8` (7.5 -> 8).

Quota rules are data, a list with exactly one *count* rule and any *modifiers*::

    {"kind": "percent", "percent": 30, "of": "population"}   # or "of": "applicants"
    {"kind": "fixed", "count": 100}
    {"kind": "grades", "of": "population", "grades": [
        {"name": "标兵", "percent": 15},                     # or "count": n
        {"name": "优秀", "rest": true}]}                     # rest: only last
    {"kind": "per_category", "ranges": {"环境优美型": [15, 25], ...},   # optimal per-category
     "total": 100, "names": {"环境优美型": "环境优美型寝室"}}        # selection (category_quota.py)
    {"kind": "per_unit_cap", "unit": "class_id", "max": 2}   # modifier (percent/fixed)
    {"kind": "min_score", "min": 60}                         # modifier: 达标 threshold

A program may declare one list for every campaign or one list per campaign level,
``{"college": [...], "school": [...]}`` (`validate_quota_rules`, `rules_for_level`).

``population`` is the size of the whole group the percentage is of (e.g. all classes
of years 1-3, all of a college's class-leading members), passed by the caller;
``applicants`` is the number of applications, vetoed ones included.

Grades are filled top down: a grade with a percent takes, in rank order, the first
round_half_up(percent x base) candidates *who qualify for it* (a candidate's
``grades_eligible`` list; absent = qualifies for every grade) and are not yet graded;
a ``rest`` grade takes every remaining candidate who qualifies for it.

`select` returns, JSON-friendly::

    {"quota": 9 | {"标兵": 2, "优秀": None},
     "selected": [ids in rank order],
     "grades": {"标兵": [...], "优秀": [...]} | None,
     "cut_line": {"last_selected": {"application_id", "rank", "total"} | None,
                  "first_not_selected": {...} | None},
     "grade_cut_lines": {grade: cut_line} | None,
     "ranking": [{"application_id", "rank", "total"}],
     "outcomes": {id: {"status": "in" | "out", "reason": REASONS item, "rank",
                       "grade", "message", "message_zh"}}}

``first_not_selected`` is the best-ranked candidate below the last selected one
that was left out; a candidate skipped above it (unit cap) has its own reason.
"""
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from core.declaration.quota_rules import (COUNT_KINDS, LEVELS, MODIFIER_KINDS, parse_quota_rules,  # noqa: F401
                                          rules_for_level, validate_quota_rules)
from core.errors import QuotaExceeded, field_error, invalid

from . import quota_arrays, selection_outcomes as outcome
from .ranking import rank, score_key, validate_tie_breaks
from .vetoes import Veto

REASONS = ("selected", "vetoed", "below_cut_line", "unit_cap_reached", "below_min_score", "not_qualified")


# -- rounding and apportionment ------------------------------------------------------
def _decimal(x):
    if isinstance(x, Decimal):
        return x
    if isinstance(x, bool):
        raise TypeError("bool is not a number")
    if isinstance(x, int):
        return Decimal(x)
    if isinstance(x, float):
        return Decimal(repr(x))   # the shortest decimal that round-trips: 4.5, 0.15
    if isinstance(x, Fraction):
        return Decimal(x.numerator) / Decimal(x.denominator)
    return Decimal(str(x))


def round_half_up(x):
    """Nearest integer, halves away from zero (四舍五入): 4.5 -> 5, 7.5 -> 8,
    2.5 -> 3. A float is read as its shortest decimal repr, so 4.5 is exactly 4.5."""
    return int(_decimal(x).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent_of(percent, n):
    """round_half_up(percent% of n), computed in decimal arithmetic."""
    return round_half_up(_decimal(percent) * Decimal(n) / Decimal(100))


def apportion(total, sizes):
    """Split `total` seats across units in proportion to `sizes` ({unit: size >= 0})
    by the largest-remainder (Hamilton) method.

    Guarantees: the parts add up to `total` exactly; each part is the floor or the
    ceiling of its exact share total*size/sum; ties for the leftover seats go to the
    larger remainder, then the larger size, then the unit id in ascending order.
    Arithmetic is exact (fractions).
    """
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        raise invalid([field_error("total", f"total must be a whole number >= 0, got {total!r}",
                                   f"总名额须为不小于 0 的整数，实际为 {total!r}")])
    exact = {u: Fraction(_decimal(s)) for u, s in sizes.items()}
    bad = [u for u, s in exact.items() if s < 0]
    whole = sum(exact.values())
    if bad or (total > 0 and whole == 0):
        raise invalid([field_error("sizes", f"sizes must be >= 0 with a positive sum (bad: {bad})",
                                   f"各单位基数须不小于 0 且总和为正（有误：{bad}）")])
    if total == 0:
        return {u: 0 for u in sizes}
    shares = {u: total * s / whole for u, s in exact.items()}
    parts = {u: int(q) for u, q in shares.items()}   # floor: shares are >= 0
    left = total - sum(parts.values())
    order = sorted(sizes, key=lambda u: (-(shares[u] - parts[u]), -exact[u], str(u)))
    for u in order[:left]:
        parts[u] += 1
    return parts


def ensure_within_quota(count, adding, quota, what="selection"):
    """QuotaExceeded when count + adding > quota (e.g. an admin adds to a list)."""
    if count + adding > quota:
        raise QuotaExceeded(
            f"{what}: {count} already selected, adding {adding} would exceed the quota of {quota}",
            f"{what}：已选 {count} 个，再增加 {adding} 个将超出名额 {quota}",
            field="quota", details={"quota": quota, "count": count, "adding": adding})


# -- rules ------------------------------------------------------------------------------
def _base(rule, population, applicants):
    if rule.get("of", "population") == "applicants":
        return applicants
    if population is None:
        raise invalid([field_error("population", "this quota is a percentage of the population; give its size",
                                   "该名额按总体的百分比计算，须给出总体数量 population")])
    return population


def quota_size(rules, population=None, applicants=None):
    """The number a percent/fixed rule set allows (grades: {name: n or None})."""
    rule = parse_quota_rules(rules)["count"]
    if rule["kind"] == "fixed":
        return rule["count"]
    if rule["kind"] == "per_category":
        return {"total": rule.get("total"), "ranges": {c: list(r) for c, r in rule["ranges"].items()}}
    if rule["kind"] == "percent":
        return percent_of(rule["percent"], _base(rule, population, applicants))
    base = None
    out = {}
    for g in rule["grades"]:
        if "percent" in g:
            base = _base(rule, population, applicants) if base is None else base
            out[g["name"]] = percent_of(g["percent"], base)
        else:
            out[g["name"]] = g.get("count")
    return out


# -- selection --------------------------------------------------------------------------
def veto_map(vetoes):
    """{application_id: Veto or None} of the active vetoes (records, dicts or ids)."""
    out = {}
    for v in vetoes or ():
        if isinstance(v, str):
            out[v] = None
            continue
        v = Veto.from_dict(v) if isinstance(v, dict) else v
        if v.active:
            out.setdefault(v.application_id, v)
    return out


def _out(e, reason, en, zh, grade=None):
    return outcome.out(e["rank"] if e else None, reason, en, zh, grade)


def _qualifies(e, grade):
    eligible = e.get("grades_eligible")
    return eligible is None or grade in eligible


def select(candidates, rules, tie_breaks=(), vetoes=(), population=None):
    """Rank `candidates` (see `ranking.rank`) and select by `rules`; vetoed
    applications (`vetoes`: Veto records, dicts or ids) are out whatever their score.
    A count rule runs on arrays (quota_arrays, the same result); grades, several
    caps and the inputs the dict path refuses run `rank` and `select_from_ranking`."""
    tie_breaks = validate_tie_breaks(tie_breaks)
    vmap = veto_map(vetoes)
    parsed = parse_quota_rules(rules)
    by_arrays = quota_arrays.select(candidates, parsed, tie_breaks, vmap,
                                    lambda applicants: quota_size(rules, population, applicants))
    if by_arrays is not None:
        return by_arrays
    applicants = len({c["application_id"] for c in candidates} | set(vmap))
    return select_from_ranking(rank(candidates, tie_breaks, vetoed=vmap), rules, vmap, population, applicants)


def select_from_ranking(ranking, rules, vetoes=(), population=None, applicants=None):
    """Select from an existing ranking (list of {"application_id", "rank", "total",
    "units"?, "grades_eligible"?} in rank order, vetoed already left out)."""
    parsed = parse_quota_rules(rules)
    if parsed["count"]["kind"] == "per_category":
        raise invalid([field_error("quota_rules", "per_category rules select with category_quota.select_per_category",
                                   "分类别名额规则须按类别遴选")])
    vmap = vetoes if isinstance(vetoes, dict) else veto_map(vetoes)
    if applicants is None:
        applicants = len({e["application_id"] for e in ranking} | set(vmap))
    outcomes = {aid: outcome.vetoed(v) for aid, v in vmap.items()}
    ranking = [e for e in ranking if e["application_id"] not in vmap]
    min_score = parsed["min_score"]
    eligible = []
    for e in ranking:
        if min_score is not None and score_key(e["total"]) < score_key(min_score):
            outcomes[e["application_id"]] = outcome.below_min_score(e["rank"], e["total"], min_score)
        else:
            eligible.append(e)
    rule = parsed["count"]
    if rule["kind"] == "grades":
        body = _select_grades(eligible, rule, population, applicants, outcomes)
    else:
        body = _select_count(eligible, quota_size(rules, population, applicants), parsed["caps"], outcomes)
    body["cut_line"] = outcome.cut_line(ranking, set(body["selected"]))
    body["ranking"] = [{"application_id": e["application_id"], "rank": e["rank"], "total": e["total"]}
                       for e in ranking]
    body["outcomes"] = outcomes
    return body


def _unit_values(e, unit):
    value = (e.get("units") or {}).get(unit)
    if value is None:
        raise invalid([field_error(f"units.{unit}", f"application {e['application_id']!r} has no {unit}, "
                                   f"needed by the per-unit cap", f"申报 {e['application_id']!r} 缺少 {unit}，单位上限规则需要它")])
    return value if isinstance(value, list) else [value]


def _select_count(ranking, quota, caps, outcomes):
    selected, counters = [], [Counter() for _ in caps]
    for e in ranking:
        aid = e["application_id"]
        if len(selected) >= quota:
            outcomes[aid] = outcome.below_cut_line(e["rank"], quota)
            continue
        full = next((cap for cap, cnt in zip(caps, counters) for u in _unit_values(e, cap["unit"])
                     if cnt[u] >= cap["max"]), None)
        if full:
            outcomes[aid] = outcome.unit_cap_reached(e["rank"], full["unit"], full["max"])
            continue
        for cap, cnt in zip(caps, counters):
            for u in _unit_values(e, cap["unit"]):
                cnt[u] += 1
        selected.append(aid)
        outcomes[aid] = outcome.selected(e["rank"])
    return {"quota": quota, "selected": selected, "grades": None, "grade_cut_lines": None}


def _select_grades(ranking, rule, population, applicants, outcomes):
    base = None
    remaining, grades, quotas, cut_lines = list(ranking), {}, {}, {}
    for g in rule["grades"]:
        name = g["name"]
        qualified = [e for e in remaining if _qualifies(e, name)]
        if g.get("rest"):
            take, quotas[name] = qualified, None
        else:
            if "percent" in g:
                base = _base(rule, population, applicants) if base is None else base
                n = percent_of(g["percent"], base)
            else:
                n = g["count"]
            take, quotas[name] = qualified[:n], n
        taken = {e["application_id"] for e in take}
        grades[name] = [e["application_id"] for e in take]
        cut_lines[name] = outcome.cut_line([e for e in ranking if _qualifies(e, name)], taken)
        remaining = [e for e in remaining if e["application_id"] not in taken]
        for e in take:
            outcomes[e["application_id"]] = {
                "status": "in", "reason": "selected", "rank": e["rank"], "grade": name,
                "message": f"selected as {g.get('name_en') or name}, ranked {e['rank']}",
                "message_zh": f"评为{g.get('name_zh') or name}，排名第 {e['rank']}"}
    for e in remaining:
        if any(_qualifies(e, g["name"]) for g in rule["grades"]):
            outcomes[e["application_id"]] = _out(
                e, "below_cut_line", f"ranked {e['rank']}, below the cut line of every grade it qualifies for",
                f"排名第 {e['rank']}，未达到其符合条件的各等级名额线")
        else:
            outcomes[e["application_id"]] = _out(e, "not_qualified", "does not meet the conditions of any grade",
                                                 "不符合任何等级的条件")
    selected = [e["application_id"] for e in ranking if e["application_id"] not in
                {r["application_id"] for r in remaining}]
    return {"quota": quotas, "selected": selected, "grades": grades, "grade_cut_lines": cut_lines}
