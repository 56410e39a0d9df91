"""Budget and grant limits hold under concurrency (guarded atomic writes, not
read-then-write), and retries in parallel book once. Requests are sent together with
``call_async`` so the service works on up to MAX_WORKERS of them at the same time."""
import eventlet

from core.errors import BudgetExceeded
from deploy.demo_data import COLLEGES
from services.applications.directory import make_unit
from services.funding.domain import ledger
from tests.integration.helpers import PDF, another_pdf, b64, good_form

from .conftest import (
    ADMIN, ADVISOR, COUNSELOR_ME, FINANCE, LEAD, approved_application, award, claim_body, new_campaign,
    open_budget, wait_until,
)


def _outcomes(replies):
    """[(result or None, error or None)] of async replies."""
    out = []
    for reply in replies:
        try:
            out.append((reply.result(), None))
        except Exception as exc:  # the typed error crossed RPC
            out.append((None, exc))
    return out


def _many_approved(rpc, campaign_id, n):
    """n more branches of college_me, each with a secretary, each with an approved project."""
    branches = [make_unit("branch", f"机电学院测试第{i}党支部", COLLEGES["me"], unit_id_=f"branch_t{i}")
                for i in range(n)]
    people = [{"_id": f"p_sec_t{i}", "login": f"sec_t{i}", "name": f"书记{i}", "school_id": "school_demo",
               "college_id": "college_me", "branch_id": b["_id"],
               "roles": [{"role": "branch_secretary", "unit_id": b["_id"]}]} for i, b in enumerate(branches)]
    rpc.applications.seed_directory(branches, people)
    secs = [p["_id"] for p in people]
    apps = [r.result() for r in [rpc.applications.create_application.call_async(
        s, campaign_id, {"form": good_form(title=f"项目{i:02d}")}) for i, s in enumerate(secs)]]
    for r in [rpc.applications.add_attachment.call_async(s, a["id"], "application_form", "a.pdf", b64(PDF))
              for s, a in zip(secs, apps)]:
        r.result()
    for r in [rpc.applications.act.call_async(s, a["id"], {"action": "submit"}) for s, a in zip(secs, apps)]:
        r.result()
    for r in [rpc.applications.act.call_async(COUNSELOR_ME, a["id"], {"action": "college_approve"}) for a in apps]:
        r.result()
    return [r.result() for r in [rpc.applications.act.call_async(ADMIN, a["id"], {"action": "approve"})
                                 for a in apps]]


def test_parallel_awards_never_exceed_the_budget(rpc, mongo, funding_events):
    campaign = new_campaign(rpc)
    cid = campaign["id"]
    apps = _many_approved(rpc, cid, 10)
    open_budget(rpc, cid, budget_yuan="10000")
    replies = [rpc.funding.award_grant.call_async(
        ADMIN, cid, {"application_id": a["id"], "tier": "featured", "amount_yuan": "3000", "advisor_id": ADVISOR},
        f"award-{a['id']}") for a in apps]
    results = _outcomes(replies)
    won = [r for r, e in results if r]
    refused = [e for r, e in results if e]
    # ¥10,000 covers three ¥3,000 grants and not a fourth, whatever the interleaving.
    assert len(won) == 3 and len(refused) == 7
    assert all(isinstance(e, BudgetExceeded) for e in refused), refused
    assert all("¥1,000.00" in e.message_en and "¥1,000.00" in e.message_zh for e in refused)
    db = mongo("funding")
    camp = db.campaigns.find_one({"_id": cid})
    assert camp["granted_fen"] == 900_000 <= camp["budget_fen"] == 1_000_000
    entries = list(db.ledger.find({"campaign_id": cid}))
    assert [e["kind"] for e in entries].count("grant_awarded") == 3
    assert ledger.campaign_balance(entries, cid)["granted_fen"] == 900_000
    assert db.grants.count_documents({"campaign_id": cid}) == 3
    assert wait_until(lambda: len(funding_events) >= 3)
    eventlet.sleep(0.5)
    assert len(funding_events) == 3

    # The same award sent ten times at once (one Idempotency-Key): one grant, one event.
    rpc.funding.set_budget(ADMIN, cid, {"budget_yuan": "20000", "reason": "追加预算"}, "budget-up")
    target = next(a for a in apps if a["id"] not in {g["project_id"] for g in won})
    body = {"application_id": target["id"], "tier": "key", "amount_yuan": "4000", "advisor_id": ADVISOR}
    same = _outcomes([rpc.funding.award_grant.call_async(ADMIN, cid, body, "award-retried")
                      for _ in range(10)])
    assert all(r and r["id"] == f"grant-{target['id']}" for r, _e in same), same
    assert db.ledger.count_documents({"campaign_id": cid, "kind": "grant_awarded"}) == 4
    assert db.campaigns.find_one({"_id": cid})["granted_fen"] == 1_300_000
    assert wait_until(lambda: len(funding_events) >= 4)
    eventlet.sleep(1)
    assert len(funding_events) == 4 and len({e["id"] for e in funding_events}) == 4


def test_fifty_parallel_claims_never_overspend_a_grant(rpc, mongo, funding_events):
    campaign = new_campaign(rpc)
    app = approved_application(rpc, campaign["id"], LEAD)
    open_budget(rpc, campaign["id"])
    grant = award(rpc, campaign["id"], app["id"], "key", "5000")
    gid = grant["id"]
    receipts = [r.result()["id"] for r in [rpc.funding.add_attachment.call_async(
        LEAD, gid, "receipt", f"发票{i}.pdf", b64(another_pdf())) for i in range(51)]]

    # 50 claims of ¥150 (¥7,500 in all) against ¥5,000: exactly 33 fit (¥4,950).
    replies = [rpc.funding.file_claim.call_async(LEAD, gid, claim_body([receipts[i]], "150"), f"claim-{i}")
               for i in range(50)]
    results = _outcomes(replies)
    filed = [r for r, e in results if r]
    refused = [e for r, e in results if e]
    assert len(filed) == 33 and len(refused) == 17
    assert all(isinstance(e, BudgetExceeded) for e in refused), refused
    assert all("¥50.00" in e.message_en and e.details["remaining_fen"] == 5_000 for e in refused)
    db = mongo("funding")
    stored = db.grants.find_one({"_id": gid})
    assert stored["reserved_fen"] == 495_000 and stored["open_claims"] == 33
    entries = list(db.ledger.find({"grant_id": gid}))
    balance = ledger.grant_balance(entries, gid)
    assert balance["reserved_fen"] == 495_000 and balance["remaining_fen"] == 5_000
    assert db.claims.count_documents({"grant_id": gid}) == 33
    assert db.outbox.count_documents({"state": "pending"}) == 0   # refused ones left nothing behind

    # One claim approved by the same finance officer ten times at once (one key): one step.
    first = filed[0]["id"]
    rpc.funding.act_on_claim(ADVISOR, first, {"action": "approve"}, "x-1")
    rpc.funding.act_on_claim(COUNSELOR_ME, first, {"action": "approve"}, "x-2")
    same = _outcomes([rpc.funding.act_on_claim.call_async(FINANCE, first, {"action": "approve"}, "x-3")
                      for _ in range(10)])
    assert all(r and r["status"] == "finance_approved" for r, _e in same), same
    claim = db.claims.find_one({"_id": first})
    assert [h["action"] for h in claim["history"]].count("approve") == 3
    assert db.ledger.count_documents({"claim_id": first, "kind": "claim_approved"}) == 1
    assert db.grants.find_one({"_id": gid})["approved_fen"] == 15_000
    assert wait_until(lambda: any(e["type"] == "claim.approved" for e in funding_events))
    eventlet.sleep(1)
    assert [e["type"] for e in funding_events].count("claim.approved") == 1

    # The same new claim filed ten times at once (one key): one claim, one reservation.
    same = _outcomes([rpc.funding.file_claim.call_async(LEAD, gid, claim_body([receipts[50]], "10"), "claim-x")
                      for _ in range(10)])
    ids = {r["id"] for r, _e in same if r}
    assert len(ids) == 1, same
    assert db.ledger.count_documents({"claim_id": ids.pop(), "kind": "claim_reserved"}) == 1
    assert db.grants.find_one({"_id": gid})["reserved_fen"] == 495_000 - 15_000 + 1_000
