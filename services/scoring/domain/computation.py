"""One campaign's results from everything they depend on — pure, no I/O.

`compute_results` is what `services.scoring.results.compute` runs once it has read
the campaign: aggregation -> vetoes -> ranking -> selection, with the program's
scoring inputs (`plugin_inputs`) woven in:

1. the inputs are checked (`plugin_inputs.normalise`);
2. veto rules of kind ``fact`` are evaluated on each application's facts first: an
   application they veto (like one vetoed by hand) needs no score sheets;
3. every other application must have all its assigned sheets submitted and at least
   one submitted sheet, unless every leaf of its categories is an ``imported_fact``
   leaf (Conflict listing them otherwise);
4. each application is scored in its categories (a tree with ``by_category``
   requires one; so does a ``per_category`` quota rule) with the reviewers' marks
   and the imported marks (`aggregation.marks_from_facts`);
5. every veto rule is applied with the score and the facts;
6. candidates carry their units (the applications service's college_id and
   applicant_id, plus the plugin's units) and grades_eligible; selection is
   `quota.select`, or `category_quota.select_per_category` for a ``per_category``
   rule. The population of a percentage quota is the setup's, else the plugin's.
"""
from core.errors import Conflict, field_error, invalid

from . import aggregation, category_quota, plugin_inputs, quota, ranking
from .vetoes import apply_veto_rules

IMPORTED = aggregation.IMPORTED


def sheet_input(doc):
    """The part of a stored sheet aggregation reads."""
    return {"application_id": doc["application_id"], "reviewer_id": doc["reviewer_id"], "role": doc["role"],
            "scores": doc["scores"], "state": doc["state"]}


def needs_sheet(tree, categories):
    """Whether an application in `categories` has a leaf some person scores (not
    every leaf is imported from facts)."""
    leaves = tree.leaves(list(categories) if tree.categories else None)
    return any(role != IMPORTED for leaf in leaves for role in leaf.scorer_roles())


def check_complete(app_ids, assignments, sheets, out, needs):
    """Conflict listing every assigned sheet not submitted and every application
    without a submitted sheet, leaving out applications in `out` (vetoed) and those
    for which `needs(aid)` is False."""
    by_id = {s["_id"]: s for s in sheets}
    problems = []
    for a in assignments:
        if a["application_id"] in out:
            continue
        state = (by_id.get(a["_id"]) or {}).get("state")
        if state != "submitted":
            problems.append({"application_id": a["application_id"], "reviewer_id": a["reviewer_id"],
                             "sheet_state": state})
    submitted = {s["application_id"] for s in sheets if s["state"] == "submitted"}
    unscored = [aid for aid in app_ids if aid not in out and aid not in submitted and needs(aid)]
    if problems or unscored:
        raise Conflict(
            f"Results need every assigned sheet submitted: {len(problems)} sheet(s) are not, "
            f"{len(unscored)} application(s) have no submitted sheet.",
            f"须所有评分表提交后才能产生结果：{len(problems)} 份评分表未提交，{len(unscored)} 个申报没有已提交的评分表",
            field="sheets", details={"not_submitted": problems, "unscored": sorted(unscored)})


def _check_categories(tree, count_rule, inputs, ids):
    """Every application in `ids` stands in known categories when the tree or the
    quota rule is by category; ValidationFailed naming each one that does not."""
    by_rule = count_rule["kind"] == "per_category"
    if not (tree.categories or by_rule):
        return
    known = set(count_rule["ranges"]) if by_rule else set(tree.categories)
    if tree.categories:
        known &= set(tree.categories)
    errors = []
    for aid in sorted(ids):
        cats = inputs[aid]["categories"]
        where = f"scoring_inputs.applications.{aid}.category"
        if not cats:
            errors.append(field_error(where, f"the program gave no category for application {aid!r}",
                                      f"项目未给出申报 {aid!r} 的类别"))
        elif set(cats) - known:
            bad = sorted(set(cats) - known)
            errors.append(field_error(where, f"application {aid!r}: unknown categories {bad}; known: "
                                      f"{', '.join(sorted(known))}", f"申报 {aid!r}：未知类别 {bad}；可用："
                                      f"{'、'.join(sorted(known))}"))
    if errors:
        raise invalid(errors)


def _candidate(tree, score, cats, app, entry, by_rule):
    """A ranking candidate in the application's best category (its first listed
    when scores tie), with the per-category scores a per_category rule selects by."""
    if tree.categories:
        results = {r["category"]: r for r in score["results"]}
        best = max(cats, key=lambda c: (ranking.score_key(results[c]["total"]), -cats.index(c)))
        scores = {c: results[c]["total"] for c in cats}
    else:
        best, scores = None, {c: score["results"][0]["total"] for c in cats}
    units = {"college_id": app.get("college_id"), "applicant_id": app.get("applicant_id"), **entry["units"]}
    body = ranking.candidate(score, best, fields={"submitted_at": app.get("submitted_at"),
                                                 "first_submitted_at": app.get("first_submitted_at")},
                             units=units, grades_eligible=entry["grades_eligible"])
    if by_rule:
        body["scores"] = scores
    return body


def compute_results(tree, policy, quota_rules, aggregation_policy, apps, assignments, sheets, manual,
                    raw_inputs=None, population=None, now=None):
    """Scores, vetoes and selection of a campaign (see the module docstring).

    `tree`: the CriteriaTree; `policy`: the program's scoring policy (tie_breaks,
    veto_rules); `quota_rules`: the list for the campaign's level; `apps`: the
    application views under review; `assignments` and `sheets` (any state): those of
    these applications; `manual`: {application_id: Veto} active manual vetoes;
    `raw_inputs`: what the program's scoring_inputs hook returned; `population`: the
    setup's (None: the plugin's). Returns {"scores", "vetoes", "selection", "inputs",
    "population", "categories"}.
    """
    ids = [a["id"] for a in apps]
    inputs, plugin_population = plugin_inputs.normalise(raw_inputs, ids)
    parsed = quota.parse_quota_rules(quota_rules)
    by_rule = parsed["count"]["kind"] == "per_category"
    rules = policy.get("veto_rules") or []
    fact_rules = [r for r in rules if r.get("kind") == "fact"]
    fact_vetoed = {aid for aid in ids
                   if apply_veto_rules(fact_rules, {"application_id": aid}, facts=inputs[aid]["facts"], at=now)}
    out = set(manual) | fact_vetoed
    with_sheets = {s["application_id"] for s in sheets if s["state"] == "submitted"}
    _check_categories(tree, parsed["count"], inputs, [aid for aid in ids if aid not in out or aid in with_sheets])

    needs = {aid: needs_sheet(tree, inputs[aid]["categories"]) for aid in ids if aid not in out}
    check_complete(ids, assignments, sheets, out, lambda aid: needs[aid])
    to_score = sorted(with_sheets | {aid for aid, n in needs.items() if not n})
    cats = {aid: inputs[aid]["categories"] for aid in ids}
    scores = aggregation.score_campaign(
        tree, [sheet_input(s) for s in sheets if s["state"] == "submitted"], aggregation_policy,
        categories={aid: (cats[aid] if tree.categories else None) for aid in to_score},
        imported={aid: inputs[aid]["marks"] for aid in to_score if inputs[aid]["marks"]})

    vetoes = {aid: [v.to_dict()] for aid, v in manual.items()}
    for aid in ids:
        for v in apply_veto_rules(rules, scores.get(aid) or {"application_id": aid}, facts=inputs[aid]["facts"],
                                  at=now):
            vetoes.setdefault(aid, []).append(v.to_dict())
    by_id = {a["id"]: a for a in apps}
    candidates = [_candidate(tree, scores[aid], cats[aid] or [None], by_id[aid], inputs[aid], by_rule)
                  for aid in to_score]
    flat_vetoes = [v for aid in sorted(vetoes) for v in vetoes[aid]]
    tie_breaks = policy.get("tie_breaks") or ()
    population = population if population is not None else plugin_population
    if by_rule:
        selection = category_quota.select_per_category(candidates, parsed["count"], tie_breaks, flat_vetoes,
                                                       min_score=parsed["min_score"])
    else:
        selection = quota.select(candidates, quota_rules, tie_breaks, flat_vetoes, population=population)
    return {"scores": scores, "vetoes": vetoes, "selection": selection, "inputs": inputs,
            "population": population, "categories": {aid: c for aid, c in cats.items() if c}}


def grade_names(rules):
    """{grade: name_zh} of a list of quota rules."""
    out = {}
    for rule in rules or []:
        for g in rule.get("grades") or []:
            out[g["name"]] = g.get("name_zh", g["name"])
    return out


def category_names(rules):
    """{category: name_zh} of a per_category rule in a list of quota rules."""
    for rule in rules or []:
        if rule.get("kind") == "per_category":
            names = rule.get("names") or {}
            return {c: names.get(c, c) for c in rule["ranges"]}
    return {}
