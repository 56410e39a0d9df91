"""What waits for a person in the funding service (the home page's to-do list).

`todo_counts(store, actor)` -> {"claims_to_approve": n} for whoever approves or pays
claims (a project's advisor, its college's admins and counselors, finance), or {}.
A claim counts when it waits at a step the person holds for it (as
`claims.can_act` decides) or, for finance, waits for payment; never one they filed.

Cost: one read of the advised grants' ids and one read of the live claims per way
of reaching them (advised grants, each college, school-wide for finance), only the
fields the decision needs; no query per claim.
"""
from services.funding.domain import actors, claims

CAP = 100
LIVE = ["paid", "rejected", "withdrawn", "returned"]
FIELDS = {"id": 1, "status": 1, "steps": 1, "grant_id": 1, "college_id": 1, "filed_by": 1}


def todo_counts(store, actor):
    advised = {g["_id"] for g in store.db.grants.find({"advisor_id": actor["id"]}, {"_id": 1})}
    colleges = actors.college_ids(actor)
    finance = actors.is_finance(actor)
    if not (advised or colleges or finance):
        return {}
    reaches = [{"status": {"$nin": LIVE}}] if finance else []
    reaches += [{"college_id": c, "status": {"$nin": LIVE}} for c in colleges]
    if advised:
        reaches.append({"grant_id": {"$in": sorted(advised)}, "status": {"$nin": LIVE}})
    found = {}
    for query in reaches:
        for claim in store.db.claims.find(query, FIELDS, limit=2000):
            found[claim["_id"]] = claim
    waiting = sum(1 for claim in found.values() if _waits_for(claim, actor, advised, colleges, finance))
    return {"claims_to_approve": min(CAP, waiting)}


def _waits_for(claim, actor, advised, colleges, finance):
    if (claim.get("filed_by") or {}).get("id") == actor["id"]:
        return False
    states = claims.approval_states(claim)
    if claim["status"] in states:
        step = claim["steps"][states.index(claim["status"])]
        return {"advisor": claim["grant_id"] in advised, "college": claim.get("college_id") in colleges,
                "finance": finance}.get(step, False)
    return finance and claim["status"] == claims.approved_state(claim["steps"][-1])
