"""Reimbursement claims: input, roles per step, audit, and money against the grant."""
import copy
import random
from datetime import datetime, timezone

import pytest

from core.errors import (BudgetExceeded, Conflict, DeadlinePassed, InvalidTransition,
                         PermissionDenied, ValidationFailed)
from services.funding.domain import claims, closing
from services.funding.domain.ledger import grant_balance

from .support import (ADVISOR, COLLEGE, FINANCE, LEAD, NOW, OTHER_COLLEGE, SCHOOL, STRANGER,
                      claim_request, funded, item, pilot_rules)


def file(store, rules, camp, request, claim_id="c1", actor=LEAD, grant_id="grant-p1", now=NOW):
    out = claims.file_claim(store.get("grant", grant_id), rules, camp, claim_id, request, actor,
                            now, existing=store.get("claim", claim_id))
    store.apply(out)
    return store.get("claim", claim_id)


def act(store, fn, actor, claim_id="c1", **kw):
    claim = store.get("claim", claim_id)
    out = fn(claim, store.get("grant", claim["grant_id"]), actor, NOW, **kw)
    store.apply(out)
    return store.get("claim", claim_id), out


def approve_all(store, claim_id="c1"):
    for who in (ADVISOR, COLLEGE, FINANCE):
        act(store, claims.approve_claim, who, claim_id)


def bal(store, grant_id="grant-p1"):
    b = grant_balance(store.ledger, grant_id)
    g = store.get("grant", grant_id)
    for k in ("granted_fen", "reserved_fen", "approved_fen", "paid_fen", "returned_fen"):
        assert g[k] == b[k], k          # counters always agree with the ledger
    return b


# --------------------------------------------------------------- filing ---

def test_filing_reserves_the_sum_of_items():
    store, rules, camp, _ = funded()
    c = file(store, rules, camp, claim_request("300.50", "1,200"))
    assert c["total_fen"] == 150_050                       # 30,050 + 120,000
    assert [i["amount_fen"] for i in c["items"]] == [30_050, 120_000]
    assert (c["status"], c["revision"], c["steps"]) == ("submitted", 1,
                                                        ["advisor", "college", "finance"])
    assert c["history"][0] | {} == {"_id": None, "subject_kind": "claim", "subject_id": "c1", "campaign_id": "camp",
                                    "application_id": "p1", "seq": None, "at": "2025-10-20T02:00:00.000Z",
                                    "by": {"id": "u-lead", "name": "支部书记张三"},
                                    "action": "file", "from": None, "to": "submitted", "reason": None,
                                    "details": {"step": None, "request_id": "c1"}}
    b = bal(store)
    assert (b["reserved_fen"], b["remaining_fen"]) == (150_050, 349_950)
    assert store.get("grant", "grant-p1")["holds"] == {"c1": 150_050}


@pytest.mark.parametrize("request_, field", [
    ({"items": [], "receipts": ["a"], "purpose": "x"}, "items"),
    (claim_request("-5"), "items[0].amount_yuan"),
    (claim_request("0"), "items[0].amount_yuan"),
    (claim_request("12.345"), "items[0].amount_yuan"),
    (claim_request("10", "abc"), "items[1].amount_yuan"),
    ({**claim_request("10"), "items": [{"description": "x", "amount_fen": 10.5}]},
     "items[0].amount_fen"),
    ({**claim_request("10"), "items": [{"description": "", "amount_fen": 10}]},
     "items[0].description"),
    ({**claim_request("10"), "items": [{"description": "x"}]}, "items[0].amount_fen"),
    (claim_request("10", receipts=()), "receipts"),
    (claim_request("10", receipts=("a", "a")), "receipts"),
    (claim_request("10", receipts=("bad id!",)), "receipts"),
    (claim_request("10", purpose="  "), "purpose"),
    ({**claim_request("10"), "items": [item("10", category="food")]}, "items[0].category"),
])
def test_bad_claims_are_refused_and_change_nothing(request_, field):
    store, rules, camp, _ = funded()
    before = copy.deepcopy(store.docs), list(store.ledger)
    with pytest.raises(ValidationFailed) as err:
        file(store, rules, camp, request_)
    assert field in {d["field"] for d in err.value.details}
    assert (store.docs, store.ledger) == before


def test_categories_are_required_when_the_program_has_them():
    rules = pilot_rules(categories=[{"code": "printing", "name": "印刷"}])
    store, rules, camp, _ = funded(rules=rules)
    with pytest.raises(ValidationFailed) as err:
        file(store, rules, camp, claim_request("10"))
    assert "must be one of: printing" in err.value.message_en
    c = file(store, rules, camp, {**claim_request(), "items": [item("10", category="printing")]})
    assert c["items"][0]["category"] == "printing"


@pytest.mark.parametrize("actor", [ADVISOR, COLLEGE, FINANCE, STRANGER])
def test_only_the_lead_files(actor):
    store, rules, camp, _ = funded()
    with pytest.raises(PermissionDenied) as err:
        file(store, rules, camp, claim_request("10"), actor=actor)
    assert "project lead" in err.value.message_en and "项目负责人" in err.value.message_zh


def test_a_claim_that_would_overspend_states_the_remaining_amount():
    store, rules, camp, _ = funded("general", 100_000)      # ¥1,000 grant
    file(store, rules, camp, claim_request("600"))
    with pytest.raises(BudgetExceeded) as err:
        file(store, rules, camp, claim_request("400.01"), claim_id="c2")
    assert err.value.details == {"remaining_fen": 40_000, "requested_fen": 40_001}
    assert "remaining ¥400.00" in err.value.message_en
    assert "剩余可报销金额 ¥400.00" in err.value.message_zh
    file(store, rules, camp, claim_request("400"), claim_id="c2")   # exactly what is left
    assert bal(store)["remaining_fen"] == 0


def test_fifty_parallel_claims_never_overspend():
    # ¥5,000 grant; 50 claims of ¥123.45 all pass the pre-check on the same snapshot;
    # only floor(500,000 / 12,345) = 40 fit (493,800), leaving ¥62.00.
    store, rules, camp, grant = funded()
    outs = [claims.file_claim(grant, rules, camp, f"c{i}", claim_request("123.45"), LEAD, NOW)
            for i in range(50)]
    random.Random(11).shuffle(outs)
    results = []
    for out in outs:
        try:
            store.apply(out)
            results.append("ok")
        except BudgetExceeded as exc:
            results.append(exc.details["remaining_fen"])
    assert results.count("ok") == 40 and set(results) - {"ok"} == {6_200}
    assert bal(store)["reserved_fen"] == 493_800
    assert len(store.docs["claim"]) == 40
    assert len([e for e in store.ledger if e["kind"] == "claim_reserved"]) == 40


def test_a_retried_filing_is_one_claim():
    store, rules, camp, grant = funded()
    file(store, rules, camp, claim_request("10"))
    again = claims.file_claim(store.get("grant", "grant-p1"), rules, camp, "c1",
                              claim_request("10"), LEAD, NOW, existing=store.get("claim", "c1"))
    assert again.replay
    stale = claims.file_claim(grant, rules, camp, "c1", claim_request("10"), LEAD, NOW)
    store.apply(stale)                                   # computed before: still a replay
    assert bal(store)["reserved_fen"] == 1_000
    with pytest.raises(Conflict):
        claims.file_claim(store.get("grant", "grant-p1"), rules, camp, "c1",
                          claim_request("20"), LEAD, NOW, existing=store.get("claim", "c1"))
    different = claims.file_claim(grant, rules, camp, "c1", claim_request("20"), LEAD, NOW)
    with pytest.raises(Conflict):                        # same id, other amount, racing
        store.apply(different)
    assert bal(store)["reserved_fen"] == 1_000


def test_claims_only_inside_the_window():
    store, rules, camp, _ = funded()
    with pytest.raises(DeadlinePassed) as err:
        file(store, rules, camp, claim_request("10"),
             now=datetime(2025, 12, 15, 9, 1, tzinfo=timezone.utc))
    assert "2025-12-15 17:00" in err.value.message_en
    with pytest.raises(DeadlinePassed):
        file(store, rules, camp, claim_request("10"),
             now=datetime(2025, 9, 20, tzinfo=timezone.utc))


def test_a_claim_on_a_closed_project_is_refused():
    store, rules, camp, _ = funded("general", 100_000)
    grant = store.get("grant", "grant-p1")
    for kind, value in (("closing_report", "att-r"), ("activity_summary", "att-s")):
        store.apply(closing.submit_material(store.get("grant", "grant-p1"), rules, camp, kind,
                                            value, LEAD, NOW))
    store.apply(closing.review_materials(store.get("grant", "grant-p1"), rules, camp, "pass", None, COLLEGE, NOW))
    store.apply(closing.close_project(store.get("grant", "grant-p1"), rules, camp, [], COLLEGE,
                                      NOW))
    with pytest.raises(InvalidTransition) as err:
        file(store, rules, camp, claim_request("10"))
    assert "closed" in err.value.message_en and "已结项" in err.value.message_zh
    stale = claims.file_claim(grant, rules, camp, "c9", claim_request("10"), LEAD, NOW)
    with pytest.raises(InvalidTransition):               # computed before closing
        store.apply(stale)
    assert bal(store)["reserved_fen"] == 0 and store.get("claim", "c9") is None


# ---------------------------------------------------------- approvals ---

def test_the_full_path_moves_money_reserved_approved_paid():
    store, rules, camp, _ = funded()
    file(store, rules, camp, claim_request("1200"))
    c, _ = act(store, claims.approve_claim, ADVISOR, reason="同意")
    assert c["status"] == "advisor_approved" and bal(store)["reserved_fen"] == 120_000
    c, _ = act(store, claims.approve_claim, COLLEGE)
    assert c["status"] == "college_approved"
    # each step's approvers are told in turn (claim.submitted, the step it now waits for)
    assert [(e["type"], e["data"].get("step")) for e in store.events[1:]] == [
        ("claim.submitted", "advisor"), ("claim.submitted", "college"), ("claim.submitted", "finance")]
    assert store.events[1]["data"]["project_title"] == store.events[0]["data"]["project_title"]
    c, out = act(store, claims.approve_claim, FINANCE)
    assert c["status"] == "finance_approved"
    b = bal(store)
    assert (b["reserved_fen"], b["approved_fen"], b["paid_fen"]) == (0, 120_000, 0)
    event = store.events[-1]
    assert event["type"] == "claim.approved"
    assert event["data"]["total_fen"] == 120_000 and event["data"]["total"] == "¥1,200.00"
    assert event["data"]["approved_by"]["id"] == "u-fin"
    with pytest.raises(ValidationFailed) as no_reference:
        act(store, claims.pay_claim, FINANCE, payment_reference="  ")
    assert no_reference.value.details[0]["field"] == "payment_reference"
    assert store.get("claim", "c1")["status"] == "finance_approved"       # nothing changed
    c, _ = act(store, claims.pay_claim, FINANCE, payment_reference=" 记账凭证 2025-118 ")
    assert c["payment_reference"] == "记账凭证 2025-118" and c["history"][-1]["details"]["payment_reference"] == c["payment_reference"]
    assert [e["reference"] for e in store.ledger if e["kind"] == "claim_paid"] == ["记账凭证 2025-118"]
    b = bal(store)
    assert c["status"] == "paid" and (b["approved_fen"], b["paid_fen"]) == (0, 120_000)
    assert b["remaining_fen"] == 380_000
    trail = [(h["action"], h["details"]["step"], h["from"], h["to"], h["by"]["id"]) for h in c["history"]]
    assert trail == [
        ("file", None, None, "submitted", "u-lead"),
        ("approve", "advisor", "submitted", "advisor_approved", "u-adv"),
        ("approve", "college", "advisor_approved", "college_approved", "u-col"),
        ("approve", "finance", "college_approved", "finance_approved", "u-fin"),
        ("pay", None, "finance_approved", "paid", "u-fin"),
    ]
    assert c["history"][1]["reason"] == "同意"


@pytest.mark.parametrize("done, wrong", [
    ((), COLLEGE), ((), FINANCE), ((), LEAD), ((), SCHOOL),
    ((ADVISOR,), OTHER_COLLEGE), ((ADVISOR,), ADVISOR), ((ADVISOR,), FINANCE),
    ((ADVISOR, COLLEGE), COLLEGE), ((ADVISOR, COLLEGE), ADVISOR),
])
def test_each_step_checks_the_role(done, wrong):
    store, rules, camp, _ = funded()
    file(store, rules, camp, claim_request("10"))
    for who in done:
        act(store, claims.approve_claim, who)
    for fn, kw in ((claims.approve_claim, {}), (claims.return_claim, {"reason": "x"}),
                   (claims.reject_claim, {"reason": "x"})):
        with pytest.raises(PermissionDenied):
            act(store, fn, wrong, **kw)


def test_nobody_approves_their_own_claim():
    store, rules, camp, _ = funded(advisor="u-lead")       # lead is also the advisor
    file(store, rules, camp, claim_request("10"))
    with pytest.raises(PermissionDenied) as err:
        act(store, claims.approve_claim, LEAD)
    assert "filed themselves" in err.value.message_en


def test_pay_only_by_finance_after_final_approval():
    store, rules, camp, _ = funded()
    file(store, rules, camp, claim_request("10"))
    with pytest.raises(InvalidTransition):
        act(store, claims.pay_claim, FINANCE, payment_reference="V1")
    approve_all(store)
    with pytest.raises(PermissionDenied):
        act(store, claims.pay_claim, COLLEGE, payment_reference="V1")
    with pytest.raises(InvalidTransition):                 # no step left to approve
        act(store, claims.approve_claim, FINANCE)


def test_return_needs_a_reason_releases_and_resubmission_reserves_anew():
    store, rules, camp, _ = funded()
    file(store, rules, camp, claim_request("1000"))
    act(store, claims.approve_claim, ADVISOR)
    with pytest.raises(ValidationFailed):
        act(store, claims.return_claim, COLLEGE, reason=" ")
    c, _ = act(store, claims.return_claim, COLLEGE, reason="发票抬头有误")
    assert c["status"] == "returned" and c["history"][-1]["reason"] == "发票抬头有误"
    assert bal(store)["reserved_fen"] == 0
    assert store.get("grant", "grant-p1")["holds"] == {"c1": None}
    out = claims.resubmit_claim(c, store.get("grant", "grant-p1"), rules, camp,
                                claim_request("800", receipts=("att-2",)), LEAD, NOW)
    store.apply(out)
    c = store.get("claim", "c1")
    assert (c["status"], c["revision"], c["total_fen"], c["receipts"]) == (
        "submitted", 2, 80_000, ["att-2"])
    assert bal(store)["reserved_fen"] == 80_000
    kinds = [(e["kind"], e["amount_fen"]) for e in store.ledger if e["claim_id"] == "c1"]
    assert kinds == [("claim_reserved", 100_000), ("claim_released", 100_000),
                     ("claim_reserved", 80_000)]
    approve_all(store)                                     # the new revision goes all the way
    assert bal(store)["approved_fen"] == 80_000


def test_resubmission_over_what_is_left_is_refused():
    store, rules, camp, _ = funded("general", 100_000)
    file(store, rules, camp, claim_request("700"))
    act(store, claims.return_claim, ADVISOR, reason="补充说明")
    file(store, rules, camp, claim_request("500"), claim_id="c2")   # takes the room meanwhile
    c = store.get("claim", "c1")
    with pytest.raises(BudgetExceeded) as err:
        claims.resubmit_claim(c, store.get("grant", "grant-p1"), rules, camp,
                              claim_request("700"), LEAD, NOW)
    assert "remaining ¥500.00" in err.value.message_en


def test_resubmission_racing_a_withdrawal_is_undone():
    store, rules, camp, _ = funded()
    file(store, rules, camp, claim_request("100"))
    act(store, claims.return_claim, ADVISOR, reason="补票")
    c, g = store.get("claim", "c1"), store.get("grant", "grant-p1")
    resubmit = claims.resubmit_claim(c, g, rules, camp, claim_request("90"), LEAD, NOW)
    act(store, claims.withdraw_claim, LEAD)                 # lands first
    with pytest.raises(Conflict):
        store.apply(resubmit)                              # reservation applied, then undone
    assert bal(store)["reserved_fen"] == 0
    assert store.get("grant", "grant-p1")["reserved_fen"] == 0
    assert store.get("claim", "c1")["status"] == "withdrawn"


def test_reject_is_final_and_releases():
    store, rules, camp, _ = funded()
    file(store, rules, camp, claim_request("100"))
    act(store, claims.approve_claim, ADVISOR)
    act(store, claims.approve_claim, COLLEGE)
    with pytest.raises(ValidationFailed):
        act(store, claims.reject_claim, FINANCE, reason=None)
    c, _ = act(store, claims.reject_claim, FINANCE, reason="不符合报销范围")
    assert c["status"] == "rejected" and bal(store)["reserved_fen"] == 0
    for fn, who in ((claims.approve_claim, FINANCE), (claims.withdraw_claim, LEAD)):
        with pytest.raises(InvalidTransition):
            act(store, fn, who)


def test_withdrawal():
    store, rules, camp, _ = funded()
    file(store, rules, camp, claim_request("100"))
    with pytest.raises(PermissionDenied):
        act(store, claims.withdraw_claim, ADVISOR)
    c, _ = act(store, claims.withdraw_claim, LEAD, reason="重复提交")
    assert c["status"] == "withdrawn" and bal(store)["reserved_fen"] == 0
    # a returned claim holds nothing, so withdrawing it books nothing
    file(store, rules, camp, claim_request("50"), claim_id="c2")
    act(store, claims.return_claim, ADVISOR, claim_id="c2", reason="x")
    n = len(store.ledger)
    act(store, claims.withdraw_claim, LEAD, claim_id="c2")
    assert len(store.ledger) == n
    # after the final approval the lead can no longer withdraw
    file(store, rules, camp, claim_request("20"), claim_id="c3")
    approve_all(store, "c3")
    with pytest.raises(InvalidTransition):
        act(store, claims.withdraw_claim, LEAD, claim_id="c3")


def test_a_retried_approval_is_a_replay_not_a_second_step():
    store, rules, camp, _ = funded()
    file(store, rules, camp, claim_request("100"))
    act(store, claims.approve_claim, ADVISOR, request_id="req-1")
    c, out = act(store, claims.approve_claim, ADVISOR, request_id="req-1")
    assert out.replay and c["status"] == "advisor_approved" and len(c["history"]) == 2


def test_two_approvers_at_once_one_wins():
    store, rules, camp, _ = funded()
    colleague = {**COLLEGE, "id": "u-col-b", "name": "机电学院周老师"}
    file(store, rules, camp, claim_request("100"))
    act(store, claims.approve_claim, ADVISOR)
    c, g = store.get("claim", "c1"), store.get("grant", "grant-p1")
    first = claims.approve_claim(c, g, COLLEGE, NOW)
    second = claims.return_claim(c, g, colleague, NOW, reason="x")
    store.apply(first)
    with pytest.raises(Conflict) as err:
        store.apply(second)
    assert "changed meanwhile" in err.value.message_en
    assert store.get("claim", "c1")["status"] == "college_approved"
    assert bal(store)["reserved_fen"] == 10_000


def test_a_program_with_fewer_steps():
    rules = pilot_rules(approval_steps=["college", "finance"])
    store, rules, camp, _ = funded(rules=rules)
    c = file(store, rules, camp, claim_request("100"))
    assert claims.approval_states(c) == ["submitted", "college_approved"]
    with pytest.raises(PermissionDenied):
        act(store, claims.approve_claim, ADVISOR)
    act(store, claims.approve_claim, COLLEGE)
    c, _ = act(store, claims.approve_claim, FINANCE)
    assert c["status"] == "finance_approved" and bal(store)["approved_fen"] == 10_000


def test_can_act_lists_what_the_ui_may_offer():
    store, rules, camp, _ = funded()
    file(store, rules, camp, claim_request("100"))
    c, g = store.get("claim", "c1"), store.get("grant", "grant-p1")
    assert claims.can_act(c, g, ADVISOR) == ["approve", "return", "reject"]
    assert claims.can_act(c, g, LEAD) == ["withdraw"]
    assert claims.can_act(c, g, COLLEGE) == []


def test_claims_use_the_rules_the_campaign_was_opened_with():
    store, rules, camp, _ = funded()
    newer = pilot_rules(categories=[{"code": "printing", "name": "印刷"}])
    with pytest.raises(Conflict) as err:
        file(store, newer, camp, {**claim_request(), "items": [item("10", category="printing")]})
    assert "version" in err.value.message_en



def test_a_claim_stored_with_older_history_records_still_knows_its_requests():
    """History records written before core/audit.py's shape (``actor``; ``step`` and
    ``request_id`` beside the others) still make a retried request a replay, and the
    claim's view shows them in the shape, beside the new ones."""
    from services.funding.views import claim_view
    store, rules, camp, _ = funded()
    file(store, rules, camp, claim_request("12.5"))
    act(store, claims.approve_claim, ADVISOR, request_id="r-adv")
    claim = store.docs["claim"]["c1"]
    claim["history"] = [{"at": h["at"], "actor": h["by"], "action": h["action"], "from": h["from"], "to": h["to"],
                         "reason": h["reason"], **h["details"]} for h in claim["history"]]
    c, out = act(store, claims.approve_claim, ADVISOR, request_id="r-adv")
    assert out.replay and c["status"] == "advisor_approved" and len(c["history"]) == 2
    c, _ = act(store, claims.approve_claim, COLLEGE, request_id="r-col")
    shown = claim_view(c)["history"]
    assert [(h["subject_kind"], h["subject_id"], h["action"], h["details"]["step"], h["details"]["request_id"],
             h["by"]["id"], h["to"]) for h in shown] == [
        ("claim", "c1", "file", None, "c1", "u-lead", "submitted"),
        ("claim", "c1", "approve", "advisor", "r-adv", "u-adv", "advisor_approved"),
        ("claim", "c1", "approve", "college", "r-col", "u-col", "college_approved")]
    assert "actor" not in shown[0] and shown[0]["at"] == shown[2]["at"] == "2025-10-20T02:00:00.000Z"
