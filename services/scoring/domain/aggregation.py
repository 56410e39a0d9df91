"""Aggregation (汇总): from reviewers' score sheets to one total per application.

Steps, each a public function:

1. `marks_from_sheets`: every score of every *submitted* sheet (drafts are ignored)
   becomes a `Mark`, checked against the leaf's scale and scorer roles and
   normalised to 0..1 of the leaf's scale.
2. optional `zscore_adjust` (per-reviewer normalisation within the campaign, for
   lenient and strict reviewers), chosen by ``AggregationPolicy.reviewer_normalisation``.
3. per leaf across reviewers: `aggregate` with the policy's method:
   ``mean``; ``median`` (mean of the two middle values for an even count);
   ``trimmed_mean`` (去掉一个最高分和一个最低分: exactly one highest and one lowest
   score are dropped, only when there are at least 3 scores; with 1 or 2 scores it is
   the plain mean).
   A leaf with ``role_weights`` aggregates each role's scores separately and combines
   the per-role results by the role weights.
4. total = weighted sum over the criteria tree (`CriteriaTree.node_coefficients`), with the
   category subtree chosen by the application's category. An application that stands
   in several categories (a dorm applying for two types) gets one result per category.

Steps 2 to 4 run on the array path (`bulk.py`, one implementation of each rule for
the service's results and the benchmark); this module checks the marks, states the
rules and assembles the per-application dicts below from the arrays.

Result of `score_application` / values of `score_campaign` (JSON-friendly)::

    {"application_id": "a1",
     "categories": ["环境优美型"],                # [] when the tree has no categories
     "leaves": {leaf_id: {"value": 0..1,          # aggregated, normalised
                          "by_role": {role: 0..1} or None,
                          "marks": [{"reviewer_id", "role", "raw", "normalised", "value"}]}},
     "results": [{"category": "环境优美型" or None, "total": 0..100,
                  "nodes": {node_id: 0..100}, "points": {leaf_id: points of the total}}],
     "total": 0..100 or None}                     # None when several categories
"""
from collections import defaultdict
from dataclasses import asdict, dataclass, replace

import numpy as np

from core.errors import field_error, invalid

from . import bulk
from .bulk import ZERO_STD  # noqa: F401  (part of this module's rules, kept importable here)

METHODS = ("mean", "median", "trimmed_mean")
NORMALISATIONS = ("none", "zscore")
ON_MISSING = ("error", "zero")


@dataclass(frozen=True)
class AggregationPolicy:
    """How a program aggregates (declared as data by the program).

    ``method``: mean | median | trimmed_mean. ``reviewer_normalisation``: none |
    zscore. ``on_missing``: error (an application lacking a score for a leaf, or for
    a role of a role-weighted leaf, cannot be totalled) | zero (counts as 0).
    """

    method: str = "mean"
    reviewer_normalisation: str = "none"
    on_missing: str = "error"

    @classmethod
    def from_dict(cls, data):
        data = dict(data or {})
        errors = []
        for key, allowed in (("method", METHODS), ("reviewer_normalisation", NORMALISATIONS),
                             ("on_missing", ON_MISSING)):
            if key in data and data[key] not in allowed:
                errors.append(field_error(
                    f"aggregation.{key}", f"{data[key]!r} is not one of {', '.join(allowed)}",
                    f"{data[key]!r} 无效，应为 {', '.join(allowed)} 之一"))
        unknown = set(data) - {"method", "reviewer_normalisation", "on_missing"}
        if unknown:
            errors.append(field_error("aggregation", f"unknown keys {sorted(unknown)}",
                                      f"未知字段 {sorted(unknown)}"))
        if errors:
            raise invalid(errors)
        return cls(**data)

    @classmethod
    def coerce(cls, policy):
        return policy if isinstance(policy, cls) else cls.from_dict(policy)

    def to_dict(self):
        return asdict(self)


@dataclass(frozen=True)
class Mark:
    """One reviewer's score on one leaf of one application.

    ``raw`` as entered; ``normalised`` = 0..1 of the leaf scale; ``value`` = what is
    aggregated (``normalised``, or the z-score-adjusted value).
    """

    application_id: str
    leaf_id: str
    reviewer_id: str
    role: str
    raw: object
    normalised: float
    value: float

    def to_dict(self):
        return {"reviewer_id": self.reviewer_id, "role": self.role, "raw": self.raw,
                "normalised": self.normalised, "value": self.value}


# -- per-leaf statistics (one list of numbers; the array path does the work) ----------
def aggregate(values, method="mean"):
    """Aggregate a non-empty list of numbers with one of `METHODS` (the rules of
    `bulk.nan_aggregate`, which computes them)."""
    if method not in _METHODS:
        raise KeyError(method)
    column = np.asarray(list(values), dtype=float).reshape(1, -1, 1)
    return float(bulk.nan_aggregate(column, method)[0, 0])


def mean(values):
    return aggregate(values, "mean")


def median(values):
    return aggregate(values, "median")


def trimmed_mean(values):
    """Drop one highest and one lowest score when there are >= 3, then the mean."""
    return aggregate(values, "trimmed_mean")


_METHODS = {"mean": mean, "median": median, "trimmed_mean": trimmed_mean}


# -- step 1: marks -------------------------------------------------------------------
def _as_list(category):
    if category is None:
        return []
    return [category] if isinstance(category, str) else list(category)


def _sheet_dict(sheet):
    return sheet.to_dict() if hasattr(sheet, "to_dict") else sheet


def marks_from_sheets(tree, sheets, categories=None):
    """Marks of every submitted sheet (state == "submitted"); drafts are skipped.

    `sheets`: ScoreSheet objects or dicts with application_id, reviewer_id, role,
    scores ({leaf_id: value}) and state. `categories`: {application_id: category,
    list of categories or None}. Raises ValidationFailed / PermissionDenied when a
    score is outside its leaf's scale, on a leaf outside the application's
    categories, by a role that may not score the leaf, or when one reviewer has two
    submitted sheets for one application.
    """
    categories = categories or {}
    marks, seen, usable_by_cats = [], set(), {}
    for sheet in map(_sheet_dict, sheets):
        if sheet.get("state") != "submitted":
            continue
        app, reviewer, role = sheet["application_id"], sheet["reviewer_id"], sheet["role"]
        if (app, reviewer) in seen:
            raise invalid([field_error(
                "reviewer_id", f"reviewer {reviewer!r} has two submitted sheets for application {app!r}",
                f"评审人 {reviewer!r} 对申报 {app!r} 提交了两份评分表")])
        seen.add((app, reviewer))
        cats = _as_list(categories.get(app))
        key = tuple(cats)
        if key not in usable_by_cats:
            usable_by_cats[key] = {leaf.id for leaf in tree.leaves(cats if tree.categories else None)}
        usable = usable_by_cats[key]
        for leaf_id, raw in sheet["scores"].items():
            if raw is None:
                continue
            tree.check_scorer(leaf_id, role)
            if leaf_id not in usable:
                raise invalid([field_error(
                    f"scores.{leaf_id}",
                    f"leaf {tree.nodes[leaf_id].label} is not part of application {app!r}'s categories {cats}",
                    f"指标{tree.nodes[leaf_id].label_zh}不属于申报 {app!r} 的类别 {cats}")])
            value = tree.normalise(leaf_id, raw)
            marks.append(Mark(app, leaf_id, reviewer, role, raw, value, value))
    return marks


IMPORTED = "imported_fact"   # the scorer role, and the reviewer id, of marks taken from facts


def marks_from_facts(tree, imported, categories=None):
    """Marks of leaves scored by ``imported_fact``, from the program's facts.

    `imported`: {application_id: {leaf_id: value}}; each becomes a `Mark` with role and
    reviewer ``imported_fact``. One ValidationFailed listing every problem, each naming
    the application and the leaf: an unknown leaf, a leaf no fact scores, a leaf
    outside the application's categories, a value outside the leaf's scale.
    """
    categories = categories or {}
    marks, errors = [], []
    for app in sorted(imported):
        cats = _as_list(categories.get(app))
        usable = {leaf.id for leaf in tree.leaves(cats if tree.categories else None)}
        for leaf_id, raw in sorted((imported[app] or {}).items()):
            if raw is None:
                continue
            where = f"scoring_inputs.applications.{app}.marks.{leaf_id}"
            node = tree.nodes.get(leaf_id)
            if node is None or not node.is_leaf:
                errors.append(field_error(where, f"application {app!r}: {leaf_id!r} is not a leaf of the criteria",
                                          f"申报 {app!r}：“{leaf_id}”不是评分指标体系中的末级指标"))
            elif IMPORTED not in node.scorer_roles():
                errors.append(field_error(where, f"application {app!r}: leaf {node.label} is scored by "
                                          f"{', '.join(node.scorer_roles())}, not imported from facts",
                                          f"申报 {app!r}：指标{node.label_zh}由 {', '.join(node.scorer_roles())} 评分，"
                                          "不从事实导入"))
            elif leaf_id not in usable:
                errors.append(field_error(where, f"application {app!r}: leaf {node.label} is not part of its "
                                          f"categories {cats}", f"申报 {app!r}：指标{node.label_zh}不属于其类别 {cats}"))
            else:
                problem = node.scale.problem(raw)
                if problem:
                    en, zh = problem
                    errors.append(field_error(where, f"application {app!r}, leaf {node.label}: {en}",
                                              f"申报 {app!r}，指标{node.label_zh}：{zh}"))
                    continue
                value = node.scale.normalise(raw)
                marks.append(Mark(app, leaf_id, IMPORTED, IMPORTED, raw, value, value))
    if errors:
        raise invalid(errors)
    return marks


# -- step 2: per-reviewer z-score ------------------------------------------------------
def zscore_adjust(tree, marks):
    """Per-reviewer normalisation within a campaign, leaf by leaf.

    For a leaf L (range scale) let mu_L, sd_L be the mean and population standard
    deviation (ddof=0) of all its normalised marks in the campaign (all reviewers,
    all applications, imported facts excluded), and mu_rL, sd_rL the same over
    reviewer r's marks on L. Each of r's marks x becomes

        x' = mu_L + sd_L * (x - mu_rL) / sd_rL,   clipped to [0, 1] (the leaf scale)

    i.e. the reviewer's relative judgement re-expressed on the campaign's spread.
    Exact edge cases:

    - r gave a single mark on L: unchanged (leniency cannot be estimated from one);
    - r gave >= 2 marks on L, all equal (sd_rL < 1e-12): each becomes mu_L, the
      campaign mean (z = 0: the reviewer did not distinguish the applications);
    - pass_fail and count leaves and imported facts: unchanged (z-scores adjust
      judgements, not facts: `bulk.zscore_mask`).

    Returns new marks; ``normalised`` keeps the unadjusted value. Computed by
    `bulk.zscore_array`.
    """
    marks = list(marks)
    if not marks:
        return []
    leaf_ids = [leaf.id for leaf in tree.leaves()]
    apps = sorted({m.application_id for m in marks})
    roles = sorted({m.role for m in marks})
    values, rcodes, role_codes, _ = bulk.arrays_from_marks(marks, apps, leaf_ids, roles)
    adjusted = bulk.zscore_array(values, rcodes, bulk.zscore_mask(tree, leaf_ids, role_codes, roles))
    where = bulk.mark_index(marks, apps, leaf_ids)[:3]
    return [replace(m, value=v) for m, v in zip(marks, adjusted[where].tolist())]


# -- steps 3 and 4 -----------------------------------------------------------------------
def _missing(policy, app, leaf, role=None):
    if policy.on_missing == "zero":
        return 0.0
    from core.roles import label    # people read this: the role's name, not its key
    who, who_zh = (f" from role {label(role, 'en')}", f"（{label(role)}）") if role else ("", "")
    raise invalid([field_error(
        f"scores.{leaf.id}",
        f"application {app!r} has no submitted score{who} for leaf {leaf.label}",
        f"申报 {app!r} 缺少指标{leaf.label_zh}的已提交评分{who_zh}")])


def score_application(tree, application_id, marks, policy=None, category=None):
    """Aggregate one application's marks (see the module docstring for the shape).

    `category`: None, one category or a list (one result per category). The
    application's marks must already be adjusted if the policy normalises reviewers
    (use `score_campaign`, which does it campaign-wide).
    """
    policy = AggregationPolicy.coerce(policy)
    return _score(tree, list(marks), [application_id], policy, {application_id: category},
                  normalise=False)[application_id]


def score_campaign(tree, sheets, policy=None, categories=None, imported=None):
    """{application_id: score_application result} for every application that has a
    submitted sheet or is listed in `categories` ({application_id: category}).

    `imported`: {application_id: {leaf_id: value}} for leaves scored by
    ``imported_fact`` (`marks_from_facts`). Applies the policy's reviewer
    normalisation campaign-wide before aggregating (imported facts are never adjusted).
    """
    policy = AggregationPolicy.coerce(policy)
    categories = categories or {}
    marks = marks_from_sheets(tree, sheets, categories) + marks_from_facts(tree, imported or {}, categories)
    apps = sorted({m.application_id for m in marks} | set(categories))
    return _score(tree, marks, apps, policy, categories, normalise=True)


def _score(tree, marks, apps, policy, categories, normalise):
    """The dicts of `score_application` for `apps` from their marks: z-scores, leaf
    values, per-role values and node scores come from the array path (`bulk`),
    computed once for the campaign; this only checks each application in turn
    (categories, then a missing score: the first problem in application order is the
    one reported) and reads its rows into plain Python numbers."""
    if not apps:
        return {}
    all_leaves = tree.leaves()
    leaf_ids = [leaf.id for leaf in all_leaves]
    col = {leaf_id: j for j, leaf_id in enumerate(leaf_ids)}
    roles = sorted({m.role for m in marks} | {r for leaf in all_leaves for r, _ in leaf.role_weights})
    role_i = {r: k for k, r in enumerate(roles)}
    values, rcodes, role_codes, _ = bulk.arrays_from_marks(marks, apps, leaf_ids, roles)
    if normalise and policy.reviewer_normalisation == "zscore":
        values = bulk.zscore_array(values, rcodes, bulk.zscore_mask(tree, leaf_ids, role_codes, roles))
    rw = bulk.role_weight_matrix(tree, leaf_ids, roles)
    per_role = bulk.role_aggregates(values, policy.method, role_codes, rw)
    lv = bulk.leaf_values(values, policy.method, role_codes, rw, policy.on_missing, per_role=per_role)

    marks_of = defaultdict(list)
    if marks:
        app_i = {a: i for i, a in enumerate(apps)}
        where = bulk.mark_index(marks, apps, leaf_ids)[:3]
        for m, v in zip(marks, values[where].tolist()):
            marks_of[app_i[m.application_id], m.leaf_id].append(
                {"reviewer_id": m.reviewer_id, "role": m.role, "raw": m.raw, "normalised": m.normalised,
                 "value": v})
    lv_rows, role_rows = lv.tolist(), per_role.tolist()
    leaves_of, cats_of = [], []
    for a, app in enumerate(apps):
        cats = _as_list(categories.get(app))
        for c in cats or [None]:
            tree.check_category(c)
        leaves = {}
        for leaf in tree.leaves(cats if tree.categories else None):
            j, by_role = col[leaf.id], None
            value = lv_rows[a][j]
            if leaf.role_weights:
                by_role = {}
                for role, weight in leaf.role_weights:
                    v = role_rows[a][j][role_i[role]]
                    by_role[role] = v if v == v else (0.0 if weight == 0 else _missing(policy, app, leaf, role))
            elif value != value:                          # NaN: no mark
                value = _missing(policy, app, leaf)
            leaves[leaf.id] = {"value": value, "by_role": by_role, "marks": marks_of.get((a, leaf.id), [])}
        leaves_of.append(leaves)
        cats_of.append(cats)

    resolved = np.nan_to_num(lv, nan=0.0)   # missing scores counted 0 (on_missing zero) or refused above
    results = [[] for _ in apps]
    by_category = defaultdict(list)
    for a, cats in enumerate(cats_of):
        for c in cats or [None]:
            by_category[c].append(a)
    for c, rows in by_category.items():
        node_ids, coef, shares, cat_leaves = bulk.node_matrix(tree, leaf_ids, c)
        sub = resolved[rows]
        nodes = (100.0 * (sub @ coef.T)).tolist()
        cols = [col[leaf_id] for leaf_id in cat_leaves]
        points = ((100.0 * shares[cols]) * sub[:, cols]).tolist()
        for k, a in enumerate(rows):
            results[a].append((c, {"category": c, "total": nodes[k][-1], "nodes": dict(zip(node_ids, nodes[k])),
                                   "points": dict(zip(cat_leaves, points[k]))}))
    out = {}
    for a, app in enumerate(apps):
        order = {c: i for i, c in enumerate(cats_of[a] or [None])}
        res = [r for _, r in sorted(results[a], key=lambda cr: order[cr[0]])]
        out[app] = {"application_id": app, "categories": cats_of[a], "leaves": leaves_of[a], "results": res,
                    "total": res[0]["total"] if len(res) == 1 else None}
    return out


def result_for(score, category=None):
    """The {"category", "total", "nodes", "points"} of `score` for one category
    (None: the only one)."""
    if category is None and len(score["results"]) == 1:
        return score["results"][0]
    for r in score["results"]:
        if r["category"] == category:
            return r
    raise invalid([field_error("category", f"application {score['application_id']!r} is not scored in category {category!r}",
                               f"申报 {score['application_id']!r} 未在类别 {category!r} 下评分")])
