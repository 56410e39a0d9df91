"""Quota rules (名额规则) as the scoring service selects by them: the rules that need
the whole list (exactly one count rule; grades filled top down with only the last
taking the rest; per-category ranges that can meet their total; levels). Plain
Python, shared by `core.declaration.check_declaration` and the scoring service
(`services/scoring/domain/quota.py` selects with them).

A program may declare one list for every campaign or one list per campaign level,
``{"college": [...], "school": [...]}``.
"""
from core.errors import ValidationFailed, field_error, invalid

COUNT_KINDS = ("percent", "fixed", "grades", "per_category")
LEVELS = ("school", "college")
MODIFIER_KINDS = ("per_unit_cap", "min_score")


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
