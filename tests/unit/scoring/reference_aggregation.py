"""The per-application aggregation the service ran before issue 17 moved it onto the
array path (`services/scoring/domain/bulk.py`), kept unchanged as the reference
`test_scoring_array_path.py` compares the service's results with. Not used by the
service: do not import it outside the tests.

Its original docstring follows.

Aggregation (汇总): from reviewers' score sheets to one total per application.

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
4. total = weighted sum over the criteria tree (`CriteriaTree.evaluate`), with the
   category subtree chosen by the application's category. An application that stands
   in several categories (a dorm applying for two types) gets one result per category.

The array path for large campaigns is `bulk.py`; it computes the same numbers.

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
import math
import statistics
from collections import defaultdict
from dataclasses import replace

from core.errors import field_error, invalid

# The policy and a mark are the service's own (unchanged by the move to the array path).
from services.scoring.domain.aggregation import AggregationPolicy, Mark  # noqa: E402,F401  (the tests read Mark here)
ZERO_STD = 1e-12   # a reviewer whose scores vary less than this has "std 0"


# -- per-leaf statistics -----------------------------------------------------------
def mean(values):
    return math.fsum(values) / len(values)


def median(values):
    return float(statistics.median(values))


def trimmed_mean(values):
    """Drop one highest and one lowest score when there are >= 3, then the mean."""
    if len(values) < 3:
        return mean(values)
    ordered = sorted(values)
    return mean(ordered[1:-1])


_METHODS = {"mean": mean, "median": median, "trimmed_mean": trimmed_mean}


def aggregate(values, method="mean"):
    """Aggregate a non-empty list of numbers with one of `METHODS`."""
    return _METHODS[method](list(values))


# -- step 1: marks -------------------------------------------------------------------
# Step 1 (marks) is the one the service still runs: the same functions, imported.
from services.scoring.domain.aggregation import _as_list, marks_from_facts, marks_from_sheets  # noqa: E402,F401


# -- step 2: per-reviewer z-score ------------------------------------------------------
def zscore_applies(leaf, role):
    """Z-scores adjust judgements, not facts: only range-scale leaves, and never
    marks of role imported_fact."""
    return leaf.scale.kind == "range" and role != "imported_fact"


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
    - pass_fail and count leaves and imported facts: unchanged.

    Returns new marks; ``normalised`` keeps the unadjusted value.
    """
    groups = defaultdict(list)
    for i, m in enumerate(marks):
        if zscore_applies(tree.nodes[m.leaf_id], m.role):
            groups[m.leaf_id].append(i)
    out = list(marks)
    for leaf_id, idxs in groups.items():
        values = [marks[i].normalised for i in idxs]
        mu = mean(values)
        sd = math.sqrt(mean([(v - mu) ** 2 for v in values]))
        per_reviewer = defaultdict(list)
        for i in idxs:
            per_reviewer[marks[i].reviewer_id].append(i)
        for ridxs in per_reviewer.values():
            if len(ridxs) < 2:
                continue
            rv = [marks[i].normalised for i in ridxs]
            rmu = mean(rv)
            rsd = math.sqrt(mean([(v - rmu) ** 2 for v in rv]))
            for i in ridxs:
                z = 0.0 if rsd < ZERO_STD else (marks[i].normalised - rmu) / rsd
                out[i] = replace(marks[i], value=min(1.0, max(0.0, mu + sd * z)))
    return out


def evaluate(tree, leaf_values, category=None):
    """`CriteriaTree.evaluate` as it was: the weighted sum over the tree for one
    category -> {"total", "nodes", "points"}."""
    tree.check_category(category)
    nodes, points = {}, {}

    def walk(node, share):
        if node.is_leaf:
            value = leaf_values[node.id]
            points[node.id] = 100.0 * share * value
        elif node.by_category:
            value = walk(dict(node.by_category)[category], share)
        else:
            value = sum(child.weight / 100.0 * walk(child, share * child.weight / 100.0)
                        for child in node.children)
        nodes[node.id] = 100.0 * value
        return value
    total = 100.0 * walk(tree.root, 1.0)
    return {"total": total, "nodes": nodes, "points": points}


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
    cats = _as_list(category)
    for c in cats or [None]:
        tree.check_category(c)
    by_leaf = defaultdict(list)
    for m in marks:
        by_leaf[m.leaf_id].append(m)
    leaves, values = {}, {}
    for leaf in tree.leaves(cats if tree.categories else None):
        ms = by_leaf.get(leaf.id, [])
        by_role = None
        if leaf.role_weights:
            by_role = {}
            for role, weight in leaf.role_weights:
                vals = [m.value for m in ms if m.role == role]
                if vals:
                    by_role[role] = aggregate(vals, policy.method)
                else:
                    by_role[role] = 0.0 if weight == 0 else _missing(policy, application_id, leaf, role)
            value = math.fsum(w / 100.0 * by_role[r] for r, w in leaf.role_weights)
        else:
            value = aggregate([m.value for m in ms], policy.method) if ms else \
                _missing(policy, application_id, leaf)
        values[leaf.id] = value
        leaves[leaf.id] = {"value": value, "by_role": by_role, "marks": [m.to_dict() for m in ms]}
    results = []
    for c in cats or [None]:
        evaluated = evaluate(tree, values, c)
        results.append({"category": c, **evaluated})
    return {"application_id": application_id, "categories": cats, "leaves": leaves,
            "results": results, "total": results[0]["total"] if len(results) == 1 else None}


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
    if policy.reviewer_normalisation == "zscore":
        marks = zscore_adjust(tree, marks)
    by_app = defaultdict(list)
    for m in marks:
        by_app[m.application_id].append(m)
    apps = sorted(set(by_app) | set(categories))
    return {a: score_application(tree, a, by_app.get(a, []), policy, categories.get(a)) for a in apps}


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
