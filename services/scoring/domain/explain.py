"""Explain-my-score (成绩说明): from leaves to the total, the rank, the cut line and
why an application is in or out.

`explain` only formats what aggregation and selection computed; it recomputes
nothing, so the explanation always matches the published result. Who may see what
is decided by the caller: with ``viewer_may_see_reviewers`` each leaf lists every
reviewer's mark (raw, normalised, value after reviewer normalisation); otherwise only
the aggregate, the per-role aggregates and the number of marks, and veto records
without who vetoed.

Result::

    {"application_id", "total" (None if several categories),
     "breakdowns": [{"category", "total", "tree": NODE}],
     "rank", "ranked_count", "status": "in" | "out" | None, "reason", "grade",
     "message", "message_zh", "cut_line", "category" (per-category selection),
     "category_rank" (per-category quota: rank in the category selected in),
     "vetoes": [{"reason", "reason_zh", "at", "by"?}]}

    NODE = {"id", "name", "weight", "score": 0..100, "points": share of the total,
            "children": [NODE]}                          # inner node
         | {... "category": c, "children": [NODE]}       # category switch
         | {... "scale", "value": 0..1, "by_role", "marks": n,
            "reviewers": [...]}                          # leaf ("reviewers" if visible)
"""
from .vetoes import Veto


def _node(tree_node, score, result, visible):
    nodes, points = result["nodes"], result["points"]
    body = {"id": tree_node.id, "name": tree_node.name, "weight": tree_node.weight,
            "score": nodes.get(tree_node.id)}
    if tree_node.is_leaf:
        leaf = score["leaves"][tree_node.id]
        body.update({"points": points[tree_node.id], "scale": tree_node.scale.to_dict(), "value": leaf["value"],
                     "by_role": leaf["by_role"], "marks": len(leaf["marks"])})
        if visible:
            body["reviewers"] = [dict(m) for m in leaf["marks"]]
        return body
    if tree_node.by_category:
        cat = result["category"]
        kids = [_node(dict(tree_node.by_category)[cat], score, result, visible)]
        body["category"] = cat
    else:
        kids = [_node(c, score, result, visible) for c in tree_node.children]
    body["children"] = kids
    body["points"] = sum(k["points"] for k in kids)
    return body


def breakdown_leaves(node, category):
    """The leaves a breakdown for `category` shows under `node`, in its order (the walk
    of `_node`: a category switch keeps the category's subtree only)."""
    if node.is_leaf:
        return [node]
    if node.by_category:
        return breakdown_leaves(dict(node.by_category)[category], category)
    return [leaf for child in node.children for leaf in breakdown_leaves(child, category)]


def explain(tree, score, selection=None, vetoes=(), viewer_may_see_reviewers=False, categories=None):
    """Explanation of one application's score (`score`: a `score_application`
    result; `selection`: the `quota.select`, `category_quota` or `category_selection`
    result it took part in, or None before selection; `vetoes`: its veto records;
    `categories`: those it applied for, when the tree itself has none)."""
    aid = score["application_id"]
    out = {"application_id": aid, "total": score["total"],
           "breakdowns": [{"category": r["category"], "total": r["total"],
                           "tree": _node(tree.root, score, r, viewer_may_see_reviewers)}
                          for r in score["results"]],
           "rank": None, "ranked_count": None, "status": None, "reason": None, "grade": None,
           "message": None, "message_zh": None, "cut_line": None, "category": None, "vetoes": []}
    for v in vetoes:
        v = Veto.from_dict(v) if isinstance(v, dict) else v
        if v.application_id != aid or not v.active:
            continue
        shown = {"reason": v.reason, "reason_zh": v.reason_zh, "at": v.at}
        if viewer_may_see_reviewers:
            shown["by"] = v.by
        out["vetoes"].append(shown)
    if selection is None:
        return out
    outcome = selection.get("outcomes", {}).get(aid)
    if outcome:
        out.update({k: outcome.get(k) for k in ("status", "reason", "message", "message_zh")})
        out["rank"] = outcome.get("rank")
        out["grade"] = outcome.get("grade")
        out["category"] = outcome.get("category")
    if "ranking" in selection:
        out["ranked_count"] = len(selection["ranking"])
        grade_lines = selection.get("grade_cut_lines")
        category_lines = selection.get("cut_lines")
        if out["grade"] and grade_lines:
            out["cut_line"] = grade_lines.get(out["grade"])
        elif category_lines is not None:
            # per-category quota: the line of the category it was selected in, or of
            # every category it applied for
            out["category_rank"] = (outcome or {}).get("category_rank")
            if out["category"]:
                out["cut_line"] = category_lines.get(out["category"])
            else:
                cats = categories if categories is not None else score.get("categories") or []
                out["cut_line"] = {"by_category": {c: category_lines[c] for c in cats if c in category_lines}}
        else:
            out["cut_line"] = selection.get("cut_line")
    elif "cut_lines" in selection:
        out["cut_line"] = {"lowest_selected_by_category": selection["cut_lines"]}
    return out
