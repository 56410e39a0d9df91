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

from core.errors import QuotaExceeded, ValidationFailed, field_error, invalid

from .ranking import rank, score_key
from .vetoes import Veto

COUNT_KINDS = ("percent", "fixed", "grades", "per_category")
LEVELS = ("school", "college")
MODIFIER_KINDS = ("per_unit_cap", "min_score")
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
def _num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def parse_quota_rules(rules, prefix="quota_rules"):
    """{"count": rule, "caps": [rules], "min_score": number | None}; ValidationFailed
    naming each bad rule by index (``<prefix>[i]``)."""
    if not isinstance(rules, (list, tuple)):
        raise invalid([field_error(prefix, "quota rules must be a list of rules",
                                   "名额规则须为规则列表")])
    errors, count, caps, min_score = [], [], [], None
    for i, r in enumerate(rules or []):
        where = f"{prefix}[{i}]"
        kind = r.get("kind") if isinstance(r, dict) else None
        if kind == "percent":
            if not _num(r.get("percent")) or not 0 <= r["percent"] <= 100 or \
                    r.get("of") not in ("population", "applicants"):
                errors.append(field_error(where, "percent needs 0 <= percent <= 100 and of: population | applicants",
                                          "百分比规则需 0 <= percent <= 100，且 of 为 population 或 applicants"))
            count.append(r)
        elif kind == "fixed":
            if not isinstance(r.get("count"), int) or isinstance(r.get("count"), bool) or r["count"] < 0:
                errors.append(field_error(where, "fixed needs a whole number count >= 0",
                                          "固定名额规则需不小于 0 的整数 count"))
            count.append(r)
        elif kind == "grades":
            errors.extend(_grade_errors(r, where))
            count.append(r)
        elif kind == "per_category":
            errors.extend(_per_category_errors(r, where))
            count.append(r)
        elif kind == "per_unit_cap":
            if not isinstance(r.get("unit"), str) or not isinstance(r.get("max"), int) or r["max"] < 1:
                errors.append(field_error(where, "per_unit_cap needs a unit field name and a whole number max >= 1",
                                          "单位上限规则需 unit 字段名和不小于 1 的整数 max"))
            caps.append(r)
        elif kind == "min_score":
            if not _num(r.get("min")):
                errors.append(field_error(where, "min_score needs a number min", "最低分规则需数值 min"))
            min_score = r.get("min")
        else:
            kinds = ", ".join(COUNT_KINDS + MODIFIER_KINDS)
            errors.append(field_error(where, f"kind {kind!r} is not one of {kinds}",
                                      f"名额规则类型 {kind!r} 无效，应为 {kinds} 之一"))
    if len(count) != 1:
        errors.append(field_error(prefix, f"exactly one of percent, fixed, grades or per_category is needed, "
                                  f"got {len(count)}",
                                  f"percent、fixed、grades、per_category 规则须且只能有一条，实际 {len(count)} 条"))
    elif count[0].get("kind") in ("grades", "per_category") and caps:
        kind = count[0]["kind"]
        errors.append(field_error(prefix, f"per_unit_cap does not combine with {kind}",
                                  f"单位上限规则不能与 {kind} 规则同时使用"))
    if errors:
        raise invalid(errors)
    return {"count": count[0], "caps": caps, "min_score": min_score}


def validate_quota_rules(rules):
    """Validate what a program declares: one list, or ``{"college": [...], "school":
    [...]}`` with every level's list valid. Returns {level or None: parsed}; one
    ValidationFailed naming every bad rule (``quota_rules.college[1]``, ...)."""
    if isinstance(rules, dict):
        unknown = sorted(set(rules) - set(LEVELS))
        errors, parsed = [], {}
        if unknown or not rules:
            errors.append(field_error("quota_rules",
                                      f"levels must be among {', '.join(LEVELS)}, got {unknown or 'none'}",
                                      f"名额规则的层级须为 {'、'.join(LEVELS)}，实际为 {unknown or '无'}"))
        for level in LEVELS:
            if level not in rules:
                continue
            try:
                parsed[level] = parse_quota_rules(rules[level], prefix=f"quota_rules.{level}")
            except ValidationFailed as exc:
                errors.extend(exc.details or [field_error(f"quota_rules.{level}", exc.message_en, exc.message_zh)])
        if errors:
            raise invalid(errors)
        return parsed
    return {None: parse_quota_rules(rules)}


def rules_for_level(rules, level):
    """The list of rules that applies to a campaign of `level` ("school" when None);
    ValidationFailed naming the level when the program declares none for it."""
    if not isinstance(rules, dict):
        return rules
    level = level or "school"
    if not rules.get(level):
        have = ", ".join(sorted(rules)) or "none"
        raise invalid([field_error("quota_rules", f"this program declares no quota rules for {level}-level "
                                   f"campaigns (it has: {have})",
                                   f"本项目未声明{_LEVEL_ZH.get(level, level)}级评选的名额规则（已声明：{have}）")])
    return rules[level]


_LEVEL_ZH = {"school": "校", "college": "院"}


def _valid_code(code):
    return isinstance(code, str) and code != "" and "." not in code and not code.startswith("$")


def _whole(x):
    return isinstance(x, int) and not isinstance(x, bool)


def _per_category_errors(rule, where):
    """Each category's range [lo, hi] (whole numbers, 0 <= lo <= hi), a whole total
    the ranges can meet (sum of lo <= total <= sum of hi), names only for declared
    categories."""
    ranges, total, names = rule.get("ranges"), rule.get("total"), rule.get("names", {})
    if not isinstance(ranges, dict) or not ranges:
        return [field_error(where, "per_category needs ranges: {category: [lo, hi]}",
                            "分类别规则需 ranges：{类别: [最少, 最多]}")]
    errors = []
    for code, r in ranges.items():
        if not _valid_code(code):
            errors.append(field_error(f"{where}.ranges", f"category {code!r} must be a non-empty string without '.' "
                                      "or a leading '$'", f"类别 {code!r} 须为非空字符串，且不含“.”、不以“$”开头"))
        elif not (isinstance(r, (list, tuple)) and len(r) == 2 and all(_whole(x) for x in r) and 0 <= r[0] <= r[1]):
            errors.append(field_error(f"{where}.ranges.{code}", f"the range of {code} must be [lo, hi], whole numbers "
                                      "with 0 <= lo <= hi", f"{code} 的名额范围须为整数 [lo, hi]，且 0 <= lo <= hi"))
    if total is not None and (not _whole(total) or total < 0):
        errors.append(field_error(f"{where}.total", f"total must be a whole number >= 0, got {total!r}",
                                  f"总名额须为不小于 0 的整数，实际为 {total!r}"))
    elif total is not None and not errors:
        lo, hi = sum(r[0] for r in ranges.values()), sum(r[1] for r in ranges.values())
        if not lo <= total <= hi:
            errors.append(field_error(f"{where}.total", f"the ranges allow {lo} to {hi} in all, not the total {total}",
                                      f"各类别名额范围合计为 {lo} 至 {hi} 个，无法满足总名额 {total}"))
    if not isinstance(names, dict):
        errors.append(field_error(f"{where}.names", "names must map categories to their Chinese names",
                                  "names 须为“类别 → 中文名称”的映射"))
    else:
        for code, name in names.items():
            if code not in ranges or not isinstance(name, str) or not name.strip():
                errors.append(field_error(f"{where}.names.{code}", f"{code!r} needs a range and a non-empty name",
                                          f"{code!r} 须有名额范围和非空名称"))
    return errors


def _grade_errors(rule, where):
    grades = rule.get("grades")
    if rule.get("of", "population") not in ("population", "applicants") or not isinstance(grades, list) or not grades:
        return [field_error(where, "grades needs a non-empty grades list and of: population | applicants",
                            "分等级规则需非空的 grades 列表，且 of 为 population 或 applicants")]
    errors, names = [], set()
    for j, g in enumerate(grades):
        gw = f"{where}.grades[{j}]"
        if not isinstance(g, dict) or not g.get("name") or g["name"] in names:
            errors.append(field_error(gw, "every grade needs a unique name", "每个等级须有唯一的名称"))
            continue
        names.add(g["name"])
        ways = [k for k in ("percent", "count", "rest") if k in g]
        if len(ways) != 1:
            errors.append(field_error(gw, f"grade {g['name']} needs exactly one of percent, count or rest",
                                      f"等级 {g['name']} 须且只能有 percent、count、rest 之一"))
        elif ways == ["rest"] and j != len(grades) - 1:
            errors.append(field_error(gw, f"grade {g['name']}: only the last grade may take the rest",
                                      f"等级 {g['name']}：只有最后一个等级可以取其余"))
        elif ways == ["percent"] and not (_num(g["percent"]) and 0 <= g["percent"] <= 100):
            errors.append(field_error(gw, f"grade {g['name']}: percent must be within 0..100",
                                      f"等级 {g['name']}：percent 须在 0 至 100 之间"))
        elif ways == ["count"] and not (isinstance(g["count"], int) and g["count"] >= 0):
            errors.append(field_error(gw, f"grade {g['name']}: count must be a whole number >= 0",
                                      f"等级 {g['name']}：count 须为不小于 0 的整数"))
    return errors


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


def vetoed_outcome(v):
    """The outcome of a vetoed application, its reason in the message."""
    why = f": {v.reason}" if v is not None else ""
    why_zh = f"：{v.reason_zh or v.reason}" if v is not None else ""
    return _out(None, "vetoed", f"vetoed (one-vote veto){why}", f"一票否决{why_zh}")


def _point(e):
    return None if e is None else {"application_id": e["application_id"], "rank": e["rank"], "total": e["total"]}


def _cut_line(ranking, chosen):
    last = max((i for i, e in enumerate(ranking) if e["application_id"] in chosen), default=None)
    start = 0 if last is None else last + 1
    nxt = next((e for e in ranking[start:] if e["application_id"] not in chosen), None)
    return {"last_selected": _point(None if last is None else ranking[last]), "first_not_selected": _point(nxt)}


def _out(e, reason, en, zh, grade=None):
    return {"status": "out", "reason": reason, "rank": e["rank"] if e else None, "grade": grade,
            "message": en, "message_zh": zh}


def _qualifies(e, grade):
    eligible = e.get("grades_eligible")
    return eligible is None or grade in eligible


def select(candidates, rules, tie_breaks=(), vetoes=(), population=None):
    """Rank `candidates` (see `ranking.rank`) and select by `rules`; vetoed
    applications (`vetoes`: Veto records, dicts or ids) are out whatever their score."""
    vmap = veto_map(vetoes)
    ranking = rank(candidates, tie_breaks, vetoed=vmap)
    return select_from_ranking(ranking, rules, vmap, population,
                               applicants=len({c["application_id"] for c in candidates} | set(vmap)))


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
    outcomes = {aid: vetoed_outcome(v) for aid, v in vmap.items()}
    ranking = [e for e in ranking if e["application_id"] not in vmap]
    min_score = parsed["min_score"]
    eligible = []
    for e in ranking:
        if min_score is not None and score_key(e["total"]) < score_key(min_score):
            outcomes[e["application_id"]] = _out(
                e, "below_min_score", f"total {e['total']:.2f} is below the required {min_score}",
                f"总分 {e['total']:.2f} 低于达标线 {min_score}")
        else:
            eligible.append(e)
    rule = parsed["count"]
    if rule["kind"] == "grades":
        body = _select_grades(eligible, rule, population, applicants, outcomes)
    else:
        body = _select_count(eligible, quota_size(rules, population, applicants), parsed["caps"], outcomes)
    body["cut_line"] = _cut_line(ranking, set(body["selected"]))
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
            outcomes[aid] = _out(e, "below_cut_line", f"ranked {e['rank']}, below the cut line (quota {quota})",
                                 f"排名第 {e['rank']}，未进入名额（名额 {quota} 个）")
            continue
        full = next(((cap, u) for cap, cnt in zip(caps, counters) for u in _unit_values(e, cap["unit"])
                     if cnt[u] >= cap["max"]), None)
        if full:
            cap, u = full
            outcomes[aid] = _out(e, "unit_cap_reached",
                                 f"{cap['unit']} {u} already has {cap['max']} selected (cap {cap['max']})",
                                 f"{cap['unit']} {u} 已入选 {cap['max']} 个，达到上限 {cap['max']}")
            continue
        for cap, cnt in zip(caps, counters):
            for u in _unit_values(e, cap["unit"]):
                cnt[u] += 1
        selected.append(aid)
        outcomes[aid] = {"status": "in", "reason": "selected", "rank": e["rank"], "grade": None,
                         "message": f"selected, ranked {e['rank']}", "message_zh": f"入选，排名第 {e['rank']}"}
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
        cut_lines[name] = _cut_line([e for e in ranking if _qualifies(e, name)], taken)
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
