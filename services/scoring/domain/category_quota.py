"""Selection by a ``per_category`` quota rule (分类型择优), in the shape of `quota.select`.

The rule ``{"kind": "per_category", "ranges": {code: [lo, hi]}, "total": n,
"names": {code: name_zh}}`` (validated by `quota.parse_quota_rules`) selects with
`category_selection.select_by_category`: each application is selected in at most ONE
of the categories it stands in, maximising the sum of the selected scores subject to
every range and the total.

Candidates are `ranking.candidate` dicts plus ``"scores": {category: total}`` (the
application's total in each category it stands in); ``"total"`` is its best score
(used for the overall ranking and, with the program's tie-breaks, as the priority
among equal scores).

Rules applied here, in order:

- vetoed applications are out whatever their scores (reason ``vetoed``, with the
  veto's reason);
- a ``min_score`` rule drops every category the application scores below it in; an
  application left with none is out (``below_min_score``);
- a category with fewer eligible applications than its minimum takes all of them
  (its lower bound becomes that number), and the total is a maximum that is filled
  whenever the applications allow it (scores are >= 0, so the optimum never leaves
  a seat empty that an eligible application could take). When shared applications
  still cannot meet the ranges (two categories needing more than the applications
  standing in either), `select_by_category` raises ValidationFailed naming the
  constraint.

Result (JSON-friendly)::

    {"quota": {"total": n, "ranges": {code: [lo, hi]}},
     "selected": [ids, by category in declared order, then rank in the category],
     "grades": None, "grade_cut_lines": None,
     "categories": {code: [ids]}, "counts": {code: n},
     "cut_line": {"last_selected", "first_not_selected"},      # over the best scores
     "cut_lines": {code: {"last_selected": {"application_id", "rank", "total"} | None,
                          "first_not_selected": {...} | None}},  # rank and total in code
     "ranking": [{"application_id", "rank", "total"}],           # by best score
     "outcomes": {id: {"status", "reason", "rank", "grade": None, "category",
                       "category_rank", "total", "message", "message_zh"}}}

``first_not_selected`` of a category is the best application standing in it, below
its lowest selected one, that was selected nowhere.
"""
from collections import Counter

from core.errors import field_error, invalid

from .category_selection import select_by_category
from . import selection_outcomes as outcome
from .quota import veto_map
from .ranking import rank, score_key


def _name(names, code):
    return names.get(code) or code


def select_per_category(candidates, rule, tie_breaks=(), vetoes=(), min_score=None):
    """Select by a validated ``per_category`` rule (see the module docstring)."""
    ranges, names, total = rule["ranges"], rule.get("names") or {}, rule.get("total")
    vmap = veto_map(vetoes)
    ranking = rank(candidates, tie_breaks, vetoed=vmap)
    outcomes = {aid: dict(outcome.vetoed(v), category=None, category_rank=None, total=None)
                for aid, v in vmap.items()}
    errors, applicants = [], []
    for e in ranking:
        aid, scores = e["application_id"], dict(e.get("scores") or {})
        if not scores:
            errors.append(field_error(f"applications.{aid}.category", f"application {aid!r} stands in no category",
                                      f"申报 {aid!r} 未指定类别"))
            continue
        unknown = [c for c in scores if c not in ranges]
        if unknown:
            errors.append(field_error(f"applications.{aid}.category",
                                      f"application {aid!r}: categories {unknown} have no range in the quota rule",
                                      f"申报 {aid!r}：类别 {unknown} 在名额规则中没有名额范围"))
            continue
        kept = {c: s for c, s in scores.items() if min_score is None or score_key(s) >= score_key(min_score)}
        if not kept:
            best = max(scores.values())
            outcomes[aid] = dict(outcome.out(e["rank"] if e else None, "below_min_score",
                                             f"best score {best:.2f} is below the required {min_score}",
                                             f"最高得分 {best:.2f} 低于达标线 {min_score}"),
                                 category=None, category_rank=None, total=best)
            continue
        applicants.append({"application_id": aid, "scores": kept})
    if errors:
        raise invalid(errors)

    eligible = Counter(c for a in applicants for c in a["scores"])
    effective = {c: [min(lo, eligible[c]), hi] for c, (lo, hi) in ranges.items()}
    chosen = select_by_category(applicants, effective, None if total is None else [0, total],
                                order=[e["application_id"] for e in ranking])
    placed = {s["application_id"]: s["category"] for s in chosen["selected"]}

    # Each category's own ranking: its applications by their score in it, then the
    # overall order (tie-breaks), so ranks and cut lines read per category.
    position = {e["application_id"]: i for i, e in enumerate(ranking)}
    by_cat = {c: sorted((a for a in applicants if c in a["scores"]),
                        key=lambda a: (-score_key(a["scores"][c]), position[a["application_id"]]))
              for c in ranges}
    cat_rank = {c: {a["application_id"]: i + 1 for i, a in enumerate(lst)} for c, lst in by_cat.items()}
    cut_lines = {}
    for c, lst in by_cat.items():
        entries = [{"application_id": a["application_id"], "rank": cat_rank[c][a["application_id"]],
                    "total": a["scores"][c]} for a in lst]
        inside = {aid for aid, pc in placed.items() if pc == c}
        line = outcome.cut_line(entries, inside)
        # Below the last one selected here, only an application selected nowhere is "not selected".
        last = line["last_selected"]
        start = 0 if last is None else last["rank"]
        line["first_not_selected"] = next((dict(x) for x in entries[start:] if x["application_id"] not in placed),
                                          None)
        cut_lines[c] = line

    lowest = {c: (line["last_selected"] or {}).get("total") for c, line in cut_lines.items()}
    by_id = {e["application_id"]: e for e in ranking}
    for a in applicants:
        aid, e = a["application_id"], by_id[a["application_id"]]
        if aid in placed:
            c = placed[aid]
            k, score = cat_rank[c][aid], a["scores"][c]
            outcomes[aid] = {"status": "in", "reason": "selected", "rank": e["rank"], "grade": None, "category": c,
                             "category_rank": k, "total": score,
                             "message": f"selected in {c} ({_name(names, c)}) with {score:.2f}, ranked {k} there",
                             "message_zh": f"以 {score:.2f} 分入选{_name(names, c)}，类别内排名第 {k}"}
            continue
        parts = [(c, s, lowest[c]) for c, s in a["scores"].items()]
        en = "; ".join(f"{c}: score {s:.2f}, ranked {cat_rank[c][aid]}, lowest selected "
                       f"{'none' if lo is None else f'{lo:.2f}'}" for c, s, lo in parts)
        zh = "；".join(f"{_name(names, c)}：得分 {s:.2f}，类别内排名第 {cat_rank[c][aid]}，入选最低分 "
                      f"{'无' if lo is None else f'{lo:.2f}'}" for c, s, lo in parts)
        outcomes[aid] = {"status": "out", "reason": "below_cut_line", "rank": e["rank"], "grade": None,
                         "category": None, "category_rank": None, "total": max(a["scores"].values()),
                         "message": f"not selected in any category it applied for ({en})",
                         "message_zh": f"未在所申报的类别中入选（{zh}）"}

    order = list(ranges)
    selected = sorted(placed, key=lambda aid: (order.index(placed[aid]), cat_rank[placed[aid]][aid]))
    categories = {c: [aid for aid in selected if placed[aid] == c] for c in order}
    return {"quota": {"total": total, "ranges": {c: list(r) for c, r in ranges.items()}},
            "selected": selected, "grades": None, "grade_cut_lines": None,
            "categories": categories, "counts": {c: len(ids) for c, ids in categories.items()},
            "cut_line": outcome.cut_line(ranking, set(placed)), "cut_lines": cut_lines,
            "ranking": [{"application_id": e["application_id"], "rank": e["rank"], "total": e["total"]}
                        for e in ranking],
            "outcomes": outcomes}
