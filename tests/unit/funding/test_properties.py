"""Property-style: long random sequences of operations, some computed on stale
snapshots (as concurrent requests would be), never break the money invariants, and
re-applying every outcome (retries, re-deliveries) changes nothing."""
import copy
import json
import random

import pytest

from core.errors import ChuangxianError
from services.funding.domain import campaigns, claims, closing, grants
from services.funding.domain.claims import approval_states, approved_state
from services.funding.domain.ledger import campaign_balance, grant_balances

from .support import FINANCE, NOW, SCHOOL, MemStore, open_campaign, pilot_rules, project

COLLEGES = ("col-a", "col-b")
PROJECTS = [dict(project(f"p{i}", college=COLLEGES[i % 2], lead=f"lead{i}", advisor=f"adv{i}"),
                 campaign_id="camp") for i in range(6)]
LEADS = {p["id"]: {"id": p["lead_id"], "name": "负责人", "roles": []} for p in PROJECTS}
ADVISORS = {p["id"]: {"id": p["advisor_id"], "name": "导师", "roles": []} for p in PROJECTS}
COLLEGE_ADMINS = {c: {"id": f"adm-{c}", "name": "学院", "roles": ["college_admin"],
                      "college_id": c} for c in COLLEGES}
MATERIALS = {"closing_report": "att-r", "work_case": "att-w", "activity_summary": "att-s",
             "article_link": "https://example.edu/a"}


def step_actor(rng, claim, grant):
    """Usually the right approver for the claim's current step, sometimes not."""
    pid = grant["project_id"]
    right = {"advisor": ADVISORS[pid], "college": COLLEGE_ADMINS[grant["college_id"]],
             "finance": FINANCE}
    status = claim["status"]
    if status in approval_states(claim):
        step = claim["steps"][approval_states(claim).index(status)]
        actor = right[step]
    else:
        actor = FINANCE
    return actor if rng.random() < 0.85 else rng.choice(list(right.values()) + [LEADS[pid]])


BUSY = ["award"] * 3 + ["file"] * 6 + ["step"] * 8 + ["resubmit"] * 2 + ["material"] * 2 + \
    ["review"] + ["close"] * 2 + ["budget"]
WIND_DOWN = ["step"] * 8 + ["material"] * 3 + ["review"] * 3 + ["close"] * 3 + ["resubmit", "award", "file"]


def random_operation(rng, view, rules, counter, mix, pick):
    """Compute one command's Outcome from ``view`` (a possibly stale copy of the docs).
    ``pick`` chooses the grant and claim (requests of one burst share its seed, so they
    contend for the same grant and claim); ``rng`` chooses everything else."""
    camp = view["campaign"]["camp"]
    grants_ = list(view["grant"].values())
    claims_ = list(view["claim"].values())
    kind = rng.choice(mix)
    if kind == "award":
        proj = rng.choice(PROJECTS)
        tier = rng.choice(["key", "featured", "general", "gold"])
        amount = rng.choice([rng.randint(1, 520_000), rng.randint(-5, 0), 100_000, 300_000])
        existing = view["grant"].get(f"grant-{proj['id']}")
        return grants.award_grant(camp, rules, proj, {"tier": tier, "amount_fen": amount},
                                  SCHOOL, NOW, existing=existing)
    if kind == "budget":
        return campaigns.set_budget(camp, {"budget_fen": rng.randint(0, 2_500_000),
                                           "reason": "调整"}, FINANCE, NOW)
    if not grants_:
        return None
    grant = pick.choice(grants_)
    pid = grant["project_id"]
    if kind == "file":
        counter[0] += 1
        amounts = [rng.choice([rng.randint(1, 150_000), rng.randint(1, 300), 0])
                   for _ in range(rng.randint(1, 3))]
        request = {"items": [{"description": "支出", "amount_fen": a} for a in amounts],
                   "receipts": ["att-1"], "purpose": "活动"}
        return claims.file_claim(grant, rules, camp, f"c{counter[0]}", request, LEADS[pid], NOW)
    if kind == "material":
        needed = [m["code"] for m in closing.missing_materials(rules, grant)]
        code = rng.choice(needed if needed and rng.random() < 0.8 else list(MATERIALS))
        return closing.submit_material(grant, rules, camp, code, MATERIALS[code],
                                       rng.choice([LEADS[pid], ADVISORS[pid]]), NOW)
    if kind == "review":
        decision = "pass" if rng.random() < 0.85 else "return"
        return closing.review_materials(grant, rules, camp, decision, "补充材料" if decision == "return" else None,
                                        COLLEGE_ADMINS[grant["college_id"]], NOW)
    if kind == "close":
        quiet = [g for g in grants_ if g["open_claims"] == 0 and g["status"] == "active"]
        grant = rng.choice(quiet) if quiet and rng.random() < 0.8 else grant
        mine = [c for c in claims_ if c["grant_id"] == grant["id"]]
        return closing.close_project(grant, rules, camp, mine,
                                     COLLEGE_ADMINS[grant["college_id"]], NOW)
    mine = [c for c in claims_ if c["grant_id"] == grant["id"]]
    live = [c for c in mine if claims.is_pending(c)]
    if not mine:
        return None
    claim = pick.choice(live if live and rng.random() < 0.9 else mine)
    if kind == "resubmit":
        request = {"items": [{"description": "改", "amount_fen": rng.randint(1, 80_000)}],
                   "receipts": ["att-2"], "purpose": "改"}
        return claims.resubmit_claim(claim, grant, rules, camp, request, LEADS[pid], NOW)
    if claim["status"] == approved_state(claim["steps"][-1]):
        action = rng.choice(["pay"] * 4 + ["approve", "withdraw"])
    elif claim["status"] == "returned":
        action = rng.choice(["withdraw", "approve"])
    else:
        action = rng.choice(["approve"] * 7 + ["return", "reject", "withdraw", "pay"])
    if action == "withdraw":
        return claims.withdraw_claim(claim, grant, LEADS[pid], NOW)
    actor = step_actor(rng, claim, grant)
    if action in ("return", "reject"):
        fn = claims.return_claim if action == "return" else claims.reject_claim
        return fn(claim, grant, actor, NOW, reason="原因")
    if action == "pay":
        return claims.pay_claim(claim, grant, actor, NOW, payment_reference="V-2025-001")
    return claims.approve_claim(claim, grant, actor, NOW)


def check_invariants(store):
    camp = store.docs["campaign"]["camp"]
    cb = campaign_balance(store.ledger, "camp")
    for k in ("budget_fen", "granted_fen", "returned_fen"):
        assert camp[k] == cb[k] >= 0, k
    assert 0 <= camp["granted_fen"] - camp["returned_fen"] <= camp["budget_fen"]
    assert cb["available_fen"] >= 0
    assert sum(camp["awards"].values()) == camp["granted_fen"]
    balances = grant_balances(store.ledger)
    assert set(balances) == set(store.docs["grant"])
    for gid, g in store.docs["grant"].items():
        b = balances[gid]
        for k in ("granted_fen", "reserved_fen", "approved_fen", "paid_fen", "returned_fen"):
            assert g[k] == b[k] >= 0, (gid, k)
        assert b["committed_fen"] + b["returned_fen"] <= b["granted_fen"], gid   # never overspent
        assert b["remaining_fen"] >= 0
        mine = [c for c in store.docs["claim"].values() if c["grant_id"] == gid]
        in_state = lambda states: sum(c["total_fen"] for c in mine if c["status"] in states)
        assert g["reserved_fen"] == sum(c["total_fen"] for c in mine
                                        if c["status"] in approval_states(c))
        assert g["approved_fen"] == sum(c["total_fen"] for c in mine
                                        if c["status"] == approved_state(c["steps"][-1]))
        assert g["paid_fen"] == in_state({"paid"})
        assert g["open_claims"] == len([c for c in mine if claims.is_pending(c)])
        if g["status"] == "closed":
            assert b["reserved_fen"] == b["approved_fen"] == b["remaining_fen"] == 0
            assert b["paid_fen"] + b["returned_fen"] == b["granted_fen"]


@pytest.mark.parametrize("seed", range(12))
def test_random_sequences_keep_every_balance_sound(seed):
    rng = random.Random(seed)
    rules, store = pilot_rules(), MemStore()
    open_campaign(store, rules, budget_fen=rng.choice([600_000, 1_000_000, 2_000_000]))
    snapshots, applied, counter = [copy.deepcopy(store.docs)], [], [0]
    stats = {"applied": 0, "refused_by_domain": 0, "refused_by_guard": 0}
    for n in range(300):
        mix = BUSY if n < 180 else WIND_DOWN
        # a burst: several requests decided on the same state, landing in any order;
        # otherwise one request, decided on the current or an older state
        burst = rng.random() < 0.3
        view = snapshots[-1] if burst or rng.random() < 0.6 else rng.choice(snapshots)
        outs, pick_seed = [], rng.random()
        for _ in range(rng.randint(2, 6) if burst else 1):
            try:
                out = random_operation(rng, view, rules, counter, mix, random.Random(pick_seed))
            except ChuangxianError:
                stats["refused_by_domain"] += 1
                continue
            if out is not None:
                outs.append(out)
        rng.shuffle(outs)
        for out in outs:
            try:
                store.apply(out)
                applied.append(out)
                stats["applied"] += 1
            except ChuangxianError:
                stats["refused_by_guard"] += 1   # the pre-check passed on an outdated view
            check_invariants(store)              # refusals leave no trace: still consistent
        # docs are replaced, never changed in place, so a shallow copy is a true snapshot
        snapshots = snapshots[-5:] + [{k: dict(v) for k, v in store.docs.items()}]
    # the run exercised every path
    assert stats["applied"] > 40 and stats["refused_by_guard"] > 3, stats
    assert any(g["status"] == "closed" for g in store.docs["grant"].values())
    assert any(c["status"] == "paid" for c in store.docs["claim"].values())
    # everything crosses RPC and lands in MongoDB: plain JSON all the way down
    json.dumps([store.docs, store.ledger, store.events, [o.to_dict() for o in applied]])
    # every retry / re-delivery of every successful command is a no-op
    before = copy.deepcopy(store.docs), copy.deepcopy(store.ledger), len(store.events)
    for out in rng.sample(applied, len(applied)):
        store.apply(out)
    assert (store.docs, store.ledger, len(store.events)) == before
