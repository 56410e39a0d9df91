"""The whole funding life of two projects over RPC (real RabbitMQ and Mongo server):
budget → awards → claims through advisor, college and finance → payment → materials →
closing → reports, with every number checked by hand."""
import pytest

from core.errors import BudgetExceeded, InvalidTransition, PermissionDenied, ValidationFailed
from services.funding.domain import ledger
from services.notifications.domain import contract

from .conftest import (
    ADMIN, ADVISOR, ADVISOR_EM, COLLEGE_ADMIN_ME, COUNSELOR_EM, COUNSELOR_ME, FINANCE, LEAD, OTHER_LEAD,
    approved_application, award, claim_body, new_campaign, open_budget, receipt, wait_until,
)


def act(rpc, who, claim_id, action, key, reason=None):
    body = {"action": action, "reason": reason}
    if action == "pay":
        body["payment_reference"] = f"记-{key}"
    return rpc.funding.act_on_claim(who, claim_id, body, key)


def test_budget_award_claims_approvals_payment_closing_and_reports(rpc, mongo, funding_events, amqp_consumer):
    campaign = new_campaign(rpc)
    cid = campaign["id"]
    app_me = approved_application(rpc, cid, LEAD, title="先锋领航进宿舍")
    app_em = approved_application(rpc, cid, OTHER_LEAD, title="红色经管")

    # The school admin opens the campaign's funding: ¥20,000, rules of the pinned version.
    opened = open_budget(rpc, cid, budget_yuan="20000")
    assert (opened["budget_fen"], opened["available_fen"]) == (2_000_000, 2_000_000)
    assert opened["program_version"] == campaign["program_version"]
    assert [(t["code"], t["cap_fen"]) for t in opened["tiers"]] == [
        ("key", 500_000), ("featured", 300_000), ("general", 100_000)]
    assert opened["deadlines_local"]["closing_deadline"] == "2025-12-15 17:00 (Asia/Shanghai)"

    # Awards: the lead is the branch secretary, the advisor the person chosen.
    grant = award(rpc, cid, app_me["id"], "key", "5000")
    assert (grant["lead_id"], grant["advisor_id"], grant["granted_fen"]) == (LEAD, ADVISOR, 500_000)
    assert grant["project_title"] == "先锋领航进宿舍" and grant["college_id"] == "college_me"
    assert grant["required_materials"] == ["closing_report", "work_case", "article_link"]
    grant_em = award(rpc, cid, app_em["id"], "general", "800", advisor=ADVISOR_EM)
    assert (grant_em["lead_id"], grant_em["granted_fen"]) == (OTHER_LEAD, 80_000)
    # A retried award (same Idempotency-Key) is the first answer; nothing is booked twice.
    assert award(rpc, cid, app_me["id"], "key", "5000")["id"] == grant["id"]
    assert rpc.funding.get_campaign(ADMIN, cid)["available_fen"] == 2_000_000 - 580_000
    gid = grant["id"]

    # Claim A: ¥1,200.50 + ¥299.50 = ¥1,500.00 through advisor → college → finance → paid.
    r1, r2, r3, r4 = (receipt(rpc, gid, name=f"发票{i}.pdf") for i in range(4))
    a = rpc.funding.file_claim(LEAD, gid, claim_body([r1, r2], "1200.50", "299.50"), "claim-a")
    assert (a["status"], a["total_fen"], a["actions"]) == ("submitted", 150_000, ["withdraw"])
    assert rpc.funding.file_claim(LEAD, gid, claim_body([r1, r2], "1200.50", "299.50"), "claim-a")["id"] == a["id"]
    with pytest.raises(PermissionDenied):
        act(rpc, COUNSELOR_ME, a["id"], "approve", "a-early")        # the advisor's step first
    assert [c["id"] for c in rpc.funding.pending_approvals(ADVISOR)] == [a["id"]]
    act(rpc, ADVISOR, a["id"], "approve", "a-1")
    act(rpc, COUNSELOR_ME, a["id"], "approve", "a-2", reason="同意")
    assert act(rpc, FINANCE, a["id"], "approve", "a-3")["status"] == "finance_approved"
    assert act(rpc, FINANCE, a["id"], "approve", "a-3")["status"] == "finance_approved"   # a retry
    assert [c["id"] for c in rpc.funding.pending_approvals(FINANCE)] == [a["id"]]         # to pay
    paid = act(rpc, FINANCE, a["id"], "pay", "a-pay")
    assert paid["status"] == "paid"
    assert [(h["action"], h["details"]["step"], h["by"]["id"], h["to"]) for h in paid["history"]] == [
        ("file", None, LEAD, "submitted"), ("approve", "advisor", ADVISOR, "advisor_approved"),
        ("approve", "college", COUNSELOR_ME, "college_approved"),
        ("approve", "finance", FINANCE, "finance_approved"), ("pay", None, FINANCE, "paid")]
    assert paid["history"][2]["reason"] == "同意" and all(h["at"].endswith("Z") for h in paid["history"])

    # Claim B (¥800) is returned by the college with a reason, edited down to ¥600, resubmitted.
    b = rpc.funding.file_claim(LEAD, gid, claim_body([r3], "800"), "claim-b")
    act(rpc, ADVISOR, b["id"], "approve", "b-1")
    with pytest.raises(ValidationFailed):
        act(rpc, COLLEGE_ADMIN_ME, b["id"], "return", "b-2-noreason")   # a reason is required
    back = act(rpc, COLLEGE_ADMIN_ME, b["id"], "return", "b-2", reason="发票抬头不符")
    assert back["status"] == "returned" and back["history"][-1]["reason"] == "发票抬头不符"
    b = rpc.funding.resubmit_claim(LEAD, b["id"], claim_body([r3], "600"), "b-resubmit")
    assert (b["status"], b["revision"], b["total_fen"]) == ("submitted", 2, 60_000)
    for who, key in ((ADVISOR, "b-3"), (COUNSELOR_ME, "b-4"), (FINANCE, "b-5")):
        act(rpc, who, b["id"], "approve", key)

    # Claim C is withdrawn; claim D would exceed what is left and is refused with the amount.
    c = rpc.funding.file_claim(LEAD, gid, claim_body([r4], "100"), "claim-c")
    assert act(rpc, LEAD, c["id"], "withdraw", "c-w")["status"] == "withdrawn"
    with pytest.raises(BudgetExceeded) as over:
        rpc.funding.file_claim(LEAD, gid, claim_body([r4], "3000"), "claim-d")
    assert "¥2,900.00" in over.value.message_en and "¥2,900.00" in over.value.message_zh
    assert over.value.details["remaining_fen"] == 290_000

    # Closing: materials per tier, refused while claim B waits for payment.
    with pytest.raises(ValidationFailed) as missing:
        rpc.funding.close_project(COLLEGE_ADMIN_ME, gid, {}, "close-early")
    assert "closing report" in missing.value.message_en and "工作案例" in missing.value.message_zh
    report_file = rpc.funding.add_attachment(LEAD, gid, "closing_report", "结题报告.pdf", _pdf())["id"]
    case_file = rpc.funding.add_attachment(ADVISOR, gid, "work_case", "工作案例.pdf", _pdf())["id"]
    rpc.funding.submit_material(LEAD, gid, {"kind": "closing_report", "value": report_file})
    rpc.funding.submit_material(ADVISOR, gid, {"kind": "work_case", "value": case_file})
    with_link = rpc.funding.submit_material(LEAD, gid, {"kind": "article_link",
                                                        "value": "https://mp.weixin.qq.com/s/abc"})
    assert with_link["missing_materials"] == []
    rpc.funding.review_materials(ADMIN, gid, {"decision": "pass"}, "review-1")
    with pytest.raises(InvalidTransition) as pending:
        rpc.funding.close_project(COLLEGE_ADMIN_ME, gid, {}, "close-pending")
    assert b["id"] in pending.value.message_en and pending.value.details["pending_claims"] == [b["id"]]
    act(rpc, FINANCE, b["id"], "pay", "b-pay")
    closed = rpc.funding.close_project(COLLEGE_ADMIN_ME, gid, {"reason": "验收通过"}, "close")
    assert (closed["status"], closed["paid_fen"], closed["returned_fen"], closed["remaining_fen"]) == (
        "closed", 210_000, 290_000, 0)
    assert rpc.funding.close_project(COLLEGE_ADMIN_ME, gid, {"reason": "验收通过"}, "close")["status"] == "closed"

    # The other college's project: one claim of ¥300, paid; left open.
    re = receipt(rpc, grant_em["id"], lead=OTHER_LEAD)
    e = rpc.funding.file_claim(OTHER_LEAD, grant_em["id"], claim_body([re], "300"), "claim-e")
    for who, key in ((ADVISOR_EM, "e-1"), (COUNSELOR_EM, "e-2"), (FINANCE, "e-3")):
        act(rpc, who, e["id"], "approve", key)
    act(rpc, FINANCE, e["id"], "pay", "e-pay")

    # Reports, by hand: granted 5000 + 800; paid 1500 + 600 (me) and 300 (em); me returns
    # 5000 − 2100 = 2900; em keeps 800 − 300 = 500; available 20000 − 5800 + 2900 = 17100.
    row = rpc.funding.report(FINANCE, cid, "campaign")
    assert {k: row[k] for k in ("budget_fen", "granted_fen", "claimed_fen", "approved_fen", "paid_fen",
                                "returned_fen", "remaining_fen", "available_fen", "projects")} == {
        "budget_fen": 2_000_000, "granted_fen": 580_000, "claimed_fen": 240_000, "approved_fen": 240_000,
        "paid_fen": 240_000, "returned_fen": 290_000, "remaining_fen": 50_000, "available_fen": 1_710_000,
        "projects": 2}
    assert row["display"]["available"] == "¥17,100.00" and row["ledger_consistent"] is True
    colleges = {r["college_id"]: r for r in rpc.funding.report(ADMIN, cid, "college")}
    assert (colleges["college_me"]["college_name"], colleges["college_me"]["paid_fen"],
            colleges["college_me"]["returned_fen"], colleges["college_me"]["remaining_fen"]) == (
        "机电与信息工程学院", 210_000, 290_000, 0)
    assert (colleges["college_em"]["granted_fen"], colleges["college_em"]["claimed_fen"],
            colleges["college_em"]["remaining_fen"]) == (80_000, 30_000, 50_000)
    # Role rules: a lead sees their project; a college its own rows; nobody else the totals.
    assert [r["project_id"] for r in rpc.funding.report(LEAD, cid, "project")] == [app_me["id"]]
    assert [r["college_id"] for r in rpc.funding.report(COUNSELOR_EM, cid, "college")] == ["college_em"]
    assert [r["grant_id"] for r in rpc.funding.report(COUNSELOR_EM, cid, "project")] == [grant_em["id"]]
    assert len(rpc.funding.report(FINANCE, cid, "project")) == 2
    for who in (LEAD, COUNSELOR_ME):
        with pytest.raises(PermissionDenied):
            rpc.funding.report(who, cid, "campaign")
    with pytest.raises(PermissionDenied):
        rpc.funding.report(LEAD, cid, "college")

    # The ledger is the truth: counters agree with it, and every entry is there once.
    db = mongo("funding")
    entries = list(db.ledger.find({"campaign_id": cid}))
    kinds = sorted(e["kind"] for e in entries)
    assert kinds == sorted(["budget_set", "grant_awarded", "grant_awarded"]
                           + ["claim_reserved"] * 5 + ["claim_released"] * 2
                           + ["claim_approved"] * 3 + ["claim_paid"] * 3 + ["grant_returned"])
    stored = db.grants.find_one({"_id": gid})
    assert all(ledger.grant_balance(entries, gid)[k] == stored[k] for k in ledger.GRANT_COUNTERS)

    # Events: two awards, three final approvals, one closing; each once, each per the contract.
    assert wait_until(lambda: len(funding_events) >= 6 and len(amqp_consumer) >= 6)
    import eventlet
    eventlet.sleep(0.5)
    assert sorted(e["type"] for e in funding_events) == sorted(
        ["grant.awarded"] * 2 + ["claim.approved"] * 3 + ["project.closed"])
    assert len({e["id"] for e in funding_events}) == 6
    told = [e for e in amqp_consumer if e["type"] == "claim.submitted"]
    assert sorted(e["id"] for e in amqp_consumer if e not in told) == sorted(e["id"] for e in funding_events)
    # Each step's approvers are told when a claim comes to them (filed, resubmitted, passed on), once each.
    assert told and len({e["id"] for e in told}) == len(told)
    assert all(e["data"]["approver_user_ids"] and e["data"]["step"] in ("advisor", "college", "finance")
               for e in told)
    assert {e["data"]["step"] for e in told} == {"advisor", "college", "finance"}
    closed_event = next(e for e in amqp_consumer if e["type"] == "project.closed")
    assert (closed_event["data"]["spent_fen"], closed_event["data"]["returned_fen"]) == (210_000, 290_000)
    assert closed_event["data"]["lead_user_ids"] == [LEAD] and closed_event["data"]["finance_user_ids"] == [FINANCE]
    for envelope in amqp_consumer:
        if envelope["type"] in contract.load().event_types():
            assert contract.validate(envelope) == [], envelope
    assert db.outbox.count_documents({"state": {"$ne": "done"}}) == 0


def _pdf():
    from tests.integration.helpers import PDF, b64
    return b64(PDF)
