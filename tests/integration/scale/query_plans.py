"""What the server says about a query's plan, on MongoDB and on nx-27017.

MongoDB's explain gives a tree of stages: a list is served by an index when the
winning plan has an IXSCAN (or an _id lookup) and no COLLSCAN, and its sort by the
index when there is no in-memory SORT stage.

nx-27017 (0.8.1) answers explain with SQLite's EXPLAIN QUERY PLAN for the filter
only: a list of {"detail": "SEARCH <collection> USING INDEX ..."} or "SCAN
<collection>" rows; it ignores the sort and the limit, so there "sorted by the
index" cannot be checked, only "filtered by an index" (docs/DEVELOPING.md).
"""


def plan(db, command):
    """{"index": bool, "sort_in_memory": bool or None (unknown), "plan": the raw plan}
    for a captured `find` command."""
    inner = {k: v for k, v in command.items() if k in ("find", "filter", "sort", "projection", "limit", "skip")}
    answer = db.command("explain", inner, verbosity="queryPlanner")
    winning = answer["queryPlanner"]["winningPlan"]
    if isinstance(winning, list):   # nx-27017: SQLite's rows
        details = [row.get("detail", "") for row in winning]
        top = details[0] if details else ""
        return {"index": top.startswith("SEARCH") and " USING " in top, "sort_in_memory": None, "plan": details}
    stages = []

    def walk(node):
        if isinstance(node, dict):
            if "stage" in node:
                stages.append(node["stage"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(winning)
    indexed = any(s in ("IXSCAN", "IDHACK", "EXPRESS_IXSCAN", "EXPRESS_IDHACK") for s in stages)
    return {"index": indexed and "COLLSCAN" not in stages, "sort_in_memory": "SORT" in stages, "plan": stages}
