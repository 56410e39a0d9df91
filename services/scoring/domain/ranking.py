"""Ranking (排名) with deterministic tie-breaks declared by the program.

A candidate (what is ranked) is a dict::

    {"application_id": "a1", "total": 87.5,
     "nodes": {node_id: 0..100},            # from aggregation, for indicator tie-breaks
     "fields": {"submitted_at": "2023-10-17T08:00:00.000Z", ...},
     "units": {"class_id": "c1", ...},      # for per-unit caps (quota.py)
     "grades_eligible": ["标兵", "优秀"]}     # optional, for nested grades (quota.py)

Tie-breaks: ``[{"indicator": "<node id>", "order": "desc"},
{"field": "submitted_at", "order": "asc"}]`` (order defaults: indicator desc, field
asc). The order is: total descending, then each tie-break in turn, then application
id ascending, so it is total: the same candidates always rank the same way, whatever
order they come in.

Guarantees: totals and indicator scores are compared at 1e-6 points (`score_key`), so
two totals that differ only by floating-point noise tie; a missing tie-break value
sorts after every present one in either order; fields compare as given (ISO 8601 UTC
strings of one format compare correctly); vetoed applications are left out.
"""
from core.errors import field_error, invalid

SCORE_SCALE = 1_000_000   # scores are compared at a resolution of 1e-6 points


def score_key(x):
    """Integer comparison key of a score: round(x * 1e6)."""
    return round(float(x) * SCORE_SCALE)


def validate_tie_breaks(tie_breaks, tree=None):
    """Normalised copy (order filled in); ValidationFailed naming the bad entry
    (unknown indicator when `tree` is given, bad order, not exactly one key)."""
    out, errors = [], []
    for i, tb in enumerate(tie_breaks or []):
        where = f"tie_breaks[{i}]"
        if not isinstance(tb, dict) or len({"indicator", "field"} & set(tb)) != 1:
            errors.append(field_error(where, "needs exactly one of indicator or field",
                                      "须且只能包含 indicator 或 field 之一"))
            continue
        kind = "indicator" if "indicator" in tb else "field"
        order = tb.get("order", "desc" if kind == "indicator" else "asc")
        if order not in ("asc", "desc"):
            errors.append(field_error(where, f"order {order!r} must be asc or desc",
                                      f"排序方向 {order!r} 须为 asc 或 desc"))
        if kind == "indicator" and tree is not None and tb["indicator"] not in tree.nodes:
            errors.append(field_error(where, f"indicator {tb['indicator']!r} is not a node of the criteria tree",
                                      f"指标 {tb['indicator']!r} 不在评分指标体系中"))
        out.append({kind: tb[kind], "order": order})
    if errors:
        raise invalid(errors)
    return out


def tie_value(candidate, tb):
    if "indicator" in tb:
        v = (candidate.get("nodes") or {}).get(tb["indicator"])
        return None if v is None else score_key(v)
    v = (candidate.get("fields") or {}).get(tb["field"])
    return score_key(v) if isinstance(v, float) else v


def rank(candidates, tie_breaks=(), vetoed=()):
    """Candidates in rank order, vetoed ones left out; each a shallow copy with
    ``"rank"`` (1, 2, ...) added. ValidationFailed on duplicate application ids."""
    tie_breaks = validate_tie_breaks(tie_breaks)
    vetoed = set(vetoed)
    ids = [c["application_id"] for c in candidates]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise invalid([field_error("application_id", f"duplicate applications {dup}", f"申报重复：{dup}")])
    items = sorted((c for c in candidates if c["application_id"] not in vetoed),
                   key=lambda c: c["application_id"])
    for tb in reversed(tie_breaks):
        desc = tb["order"] == "desc"
        if desc:
            items.sort(key=lambda c: (tie_value(c, tb) is not None, tie_value(c, tb)), reverse=True)
        else:
            items.sort(key=lambda c: (tie_value(c, tb) is None, tie_value(c, tb)))
    items.sort(key=lambda c: score_key(c["total"]), reverse=True)
    return [{**c, "rank": i + 1} for i, c in enumerate(items)]


def candidate(score, category=None, fields=None, units=None, grades_eligible=None):
    """A candidate for `rank` / `quota.select` from a `score_application` result (in
    one `category` when it was scored in several) and the application's facts."""
    from .aggregation import result_for
    result = result_for(score, category)
    body = {"application_id": score["application_id"], "total": result["total"], "nodes": result["nodes"],
            "fields": dict(fields or {}), "units": dict(units or {})}
    if grades_eligible is not None:
        body["grades_eligible"] = list(grades_eligible)
    return body
