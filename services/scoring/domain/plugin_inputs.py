"""What a program's ``scoring_inputs`` hook returned (core/program.py), checked and
put in one shape before anything uses it.

The hook returns::

    {"applications": {application_id: {
         "category": code | [codes] | None,     # the categories it stands in (dorm types)
         "facts": {name: value},                # for veto rules of kind "fact"
         "marks": {leaf_id: value},             # leaves scored by "imported_fact"
         "grades_eligible": [grade names] | None,   # None = every grade
         "units": {name: unit_id | [unit_ids]}}},   # for per_unit_cap rules
     "population": int | None}

Absent applications and keys mean "nothing to add"; entries for applications that
are not under review are ignored. `normalise` gives, for every application id asked
for::

    {"categories": [codes], "facts": {...}, "marks": {...},
     "grades_eligible": [names] | None, "units": {...}}

and the population. A wrong shape is the plugin's mistake: ValidationFailed whose
field names the application and key (``scoring_inputs.applications.<id>.<key>``),
so the admin can tell the program's maintainers exactly what is wrong.
"""
from core.errors import field_error, invalid

KEYS = ("category", "facts", "marks", "grades_eligible", "units")


def empty():
    return {"categories": [], "facts": {}, "marks": {}, "grades_eligible": None, "units": {}}


def _is_text(x):
    return isinstance(x, str) and x != ""


def _entry(aid, raw, errors):
    where = f"scoring_inputs.applications.{aid}"
    out = empty()
    if raw is None:
        return out
    if not isinstance(raw, dict):
        errors.append(field_error(where, f"application {aid!r}: expected an object", f"申报 {aid!r}：须为对象"))
        return out
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        errors.append(field_error(where, f"application {aid!r}: unknown keys {unknown}; known: {', '.join(KEYS)}",
                                  f"申报 {aid!r}：未知字段 {unknown}；可用：{'、'.join(KEYS)}"))
    category = raw.get("category")
    cats = [] if category is None else [category] if isinstance(category, str) else category
    if not isinstance(cats, list) or not all(_is_text(c) for c in cats) or len(set(cats)) != len(cats):
        errors.append(field_error(f"{where}.category", f"application {aid!r}: category must be a code, a list of "
                                  "distinct codes or null", f"申报 {aid!r}：category 须为类别代码、不重复的代码列表或 null"))
    else:
        out["categories"] = list(cats)
    for key in ("facts", "marks", "units"):
        value = raw.get(key)
        if value is None:
            continue
        if not isinstance(value, dict) or not all(_is_text(k) for k in value):
            errors.append(field_error(f"{where}.{key}", f"application {aid!r}: {key} must be an object keyed by name",
                                      f"申报 {aid!r}：{key} 须为以名称为键的对象"))
            continue
        out[key] = dict(value)
    for name, unit in out["units"].items():
        if not (_is_text(unit) or (isinstance(unit, list) and unit and all(_is_text(u) for u in unit))):
            errors.append(field_error(f"{where}.units.{name}", f"application {aid!r}: unit {name} must be an id or a "
                                      "list of ids", f"申报 {aid!r}：单位 {name} 须为单位 id 或 id 列表"))
    grades = raw.get("grades_eligible")
    if grades is not None:
        if not isinstance(grades, list) or not all(_is_text(g) for g in grades):
            errors.append(field_error(f"{where}.grades_eligible", f"application {aid!r}: grades_eligible must be a "
                                      "list of grade names or null", f"申报 {aid!r}：grades_eligible 须为等级名称列表或 null"))
        else:
            out["grades_eligible"] = list(grades)
    return out


def normalise(raw, application_ids):
    """({application_id: entry} for every id in `application_ids`, population)."""
    raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        raise invalid([field_error("scoring_inputs", "the program's scoring inputs must be an object",
                                   "项目返回的评分输入须为对象")])
    apps = raw.get("applications") or {}
    errors = []
    if not isinstance(apps, dict):
        errors.append(field_error("scoring_inputs.applications", "must map application ids to their inputs",
                                  "须为“申报 id → 评分输入”的映射"))
        apps = {}
    population = raw.get("population")
    if population is not None and (not isinstance(population, int) or isinstance(population, bool)
                                   or population < 0):
        errors.append(field_error("scoring_inputs.population", f"population must be a whole number >= 0, got "
                                  f"{population!r}", f"总体数量须为不小于 0 的整数，实际为 {population!r}"))
        population = None
    out = {aid: _entry(aid, apps.get(aid), errors) for aid in sorted(application_ids)}
    if errors:
        raise invalid(errors)
    return out, population


def is_empty(raw):
    """True when the hook added nothing (the default hook), so the inputs need not
    enter the results' fingerprint and programs without inputs keep theirs."""
    if not raw:
        return True
    return not raw.get("applications") and raw.get("population") is None
