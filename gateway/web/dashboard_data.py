"""The dashboard's budget per funding tier, summed from the funding service's project
report (a pure function, so the chart and its table show the same data and are
tested without a browser). The other charts' numbers are counted where the data is:
the applications service (`campaign_dashboard`) and the scoring service
(`reviewer_spread`).

- `budget_by_tier`: granted, claimed, approved and paid per funding tier, from the
  funding service's project report (integer fen).
"""


def budget_by_tier(rows, tiers=()):
    """[{"tier", "name", "projects", "granted_fen", "claimed_fen", "approved_fen",
    "paid_fen", "remaining_fen"}] in the order of the program's tiers (then any
    other tier seen), from the funding report's project rows."""
    names = {t["code"]: t.get("name") or t["code"] for t in tiers}
    order = [t["code"] for t in tiers]
    totals = {}
    for row in rows:
        tier = row.get("tier") or "—"
        if tier not in totals:
            totals[tier] = {"tier": tier, "name": names.get(tier) or row.get("tier_name") or tier, "projects": 0,
                            "granted_fen": 0, "claimed_fen": 0, "approved_fen": 0, "paid_fen": 0,
                            "remaining_fen": 0}
        t = totals[tier]
        t["projects"] += 1
        for key in ("granted_fen", "claimed_fen", "approved_fen", "paid_fen", "remaining_fen"):
            t[key] += int(row.get(key) or 0)
    ranked = [code for code in order if code in totals] + sorted(c for c in totals if c not in order)
    return [totals[c] for c in ranked]
