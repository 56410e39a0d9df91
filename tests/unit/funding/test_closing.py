"""Closing (结项): materials in and reviewed, no claim pending, unspent money back to the campaign."""
from datetime import datetime, timezone

import pytest

from core.errors import (Conflict, DeadlinePassed, InvalidTransition, PermissionDenied,
                         ValidationFailed)
from services.funding.domain import claims, closing
from services.funding.domain.ledger import campaign_balance, grant_balance

from .support import (ADVISOR, COLLEGE, FINANCE, LEAD, NOW, OTHER_COLLEGE, SCHOOL, claim_request,
                      funded)

KEY_MATERIALS = {"closing_report": "att-report", "work_case": "att-case",
                 "article_link": "https://mp.weixin.qq.com/s/abc"}


def submit(store, rules, camp, kind, value, actor=LEAD, now=NOW):
    store.apply(closing.submit_material(store.get("grant", "grant-p1"), rules, camp, kind, value,
                                        actor, now))


def review(store, rules, camp, decision="pass", reason=None, actor=COLLEGE):
    out = closing.review_materials(store.get("grant", "grant-p1"), rules, camp, decision, reason, actor, NOW)
    store.apply(out)
    return out


def close(store, rules, camp, actor=COLLEGE, reviewed=True):
    """Close, the materials passed first (unless `reviewed` is False or some are missing)."""
    grant = store.get("grant", "grant-p1")
    if reviewed and not closing.missing_materials(rules, grant) and grant["status"] == "active":
        review(store, rules, camp)
    out = closing.close_project(store.get("grant", "grant-p1"), rules, camp,
                                store.claims_of("grant-p1"), actor, NOW, reason="验收通过")
    store.apply(out)
    return out


def run_claim(store, rules, camp, claim_id, yuan, path):
    store.apply(claims.file_claim(store.get("grant", "grant-p1"), rules, camp, claim_id,
                                  claim_request(yuan), LEAD, NOW))
    for fn, who, kw in path:
        c = store.get("claim", claim_id)
        store.apply(fn(c, store.get("grant", "grant-p1"), who, NOW, **kw))


PAID = [(claims.approve_claim, ADVISOR, {}), (claims.approve_claim, COLLEGE, {}),
        (claims.approve_claim, FINANCE, {}), (claims.pay_claim, FINANCE, {"payment_reference": "V-1"})]


def test_missing_materials_are_named_in_both_languages():
    store, rules, camp, _ = funded("key")
    submit(store, rules, camp, "closing_report", "att-report")
    with pytest.raises(ValidationFailed) as err:
        close(store, rules, camp)
    assert err.value.field == "materials"
    assert "closing materials missing: work case, published article link" in err.value.message_en
    assert "缺少结项材料：工作案例、公众号文章链接" in err.value.message_zh


def test_general_projects_need_report_and_activity_summary():
    store, rules, camp, _ = funded("general", 100_000)
    assert [m["code"] for m in closing.missing_materials(rules, store.get("grant", "grant-p1"))] \
        == ["closing_report", "activity_summary"]
    submit(store, rules, camp, "closing_report", "att-r")
    submit(store, rules, camp, "activity_summary", "att-s", actor=ADVISOR)
    close(store, rules, camp)
    assert store.get("grant", "grant-p1")["status"] == "closed"


@pytest.mark.parametrize("kind, value, field", [
    ("article_link", "att-123", "value"), ("article_link", "javascript:alert(1)", "value"),
    ("closing_report", "https://x.y/z", "value"), ("closing_report", "", "value"),
    ("selfie", "att-1", "kind"), (None, "att-1", "kind"),
])
def test_bad_materials_are_refused(kind, value, field):
    store, rules, camp, _ = funded("key")
    with pytest.raises(ValidationFailed) as err:
        submit(store, rules, camp, kind, value)
    assert err.value.field == field


def test_materials_only_by_lead_or_advisor_and_before_the_deadline():
    store, rules, camp, _ = funded("key")
    with pytest.raises(PermissionDenied):
        submit(store, rules, camp, "closing_report", "att-1", actor=COLLEGE)
    with pytest.raises(DeadlinePassed) as err:
        submit(store, rules, camp, "closing_report", "att-1",
               now=datetime(2025, 12, 16, tzinfo=timezone.utc))
    assert "结项材料" in err.value.message_zh and "2025-12-15 17:00" in err.value.message_zh


def test_closing_waits_for_every_pending_claim():
    store, rules, camp, _ = funded("key")
    for kind, value in KEY_MATERIALS.items():
        submit(store, rules, camp, kind, value)
    run_claim(store, rules, camp, "c1", "100", PAID[:3])          # approved, not yet paid
    run_claim(store, rules, camp, "c2", "50", [(claims.return_claim, ADVISOR, {"reason": "x"})])
    with pytest.raises(InvalidTransition) as err:
        close(store, rules, camp)
    assert err.value.details == {"pending_claims": ["c1", "c2"]}
    assert "c1" in err.value.message_zh


def test_closing_returns_the_unspent_money():
    # ¥5,000 granted; c1 ¥1,200 paid; c2 ¥300 rejected → ¥3,800 goes back.
    store, rules, camp, _ = funded("key", budget_fen=2_000_000)
    for kind, value in KEY_MATERIALS.items():
        submit(store, rules, camp, kind, value)
    run_claim(store, rules, camp, "c1", "1200", PAID)
    run_claim(store, rules, camp, "c2", "300", [(claims.reject_claim, ADVISOR, {"reason": "超范围"})])
    out = close(store, rules, camp)
    g = store.get("grant", "grant-p1")
    assert (g["status"], g["returned_fen"], g["closed_by"]["id"]) == ("closed", 380_000, "u-col")
    b = grant_balance(store.ledger, "grant-p1")
    assert (b["paid_fen"], b["returned_fen"], b["remaining_fen"]) == (120_000, 380_000, 0)
    assert store.get("campaign", "camp")["returned_fen"] == 380_000
    # 2,000,000 − 500,000 + 380,000
    assert campaign_balance(store.ledger, "camp")["available_fen"] == 1_880_000
    returned = [e for e in store.ledger if e["kind"] == "grant_returned"]
    assert [(e["amount_fen"], e["reason"]) for e in returned] == [(380_000, "验收通过")]
    event = store.events[-1]
    assert event["type"] == "project.closed"
    assert (event["data"]["returned_fen"], event["data"]["returned"]) == (380_000, "¥3,800.00")
    store.apply(out)                                             # re-applied: a replay
    assert store.get("campaign", "camp")["returned_fen"] == 380_000 and len(returned) == 1
    with pytest.raises(InvalidTransition):
        close(store, rules, camp)
    with pytest.raises(InvalidTransition):
        submit(store, rules, camp, "closing_report", "att-new")


def test_a_project_with_no_spending_returns_everything():
    store, rules, camp, _ = funded("general", 100_000)
    submit(store, rules, camp, "closing_report", "att-r")
    submit(store, rules, camp, "activity_summary", "att-s")
    close(store, rules, camp, actor=SCHOOL)
    assert store.get("grant", "grant-p1")["returned_fen"] == 100_000


@pytest.mark.parametrize("actor", [LEAD, ADVISOR, OTHER_COLLEGE, FINANCE])
def test_who_may_close(actor):
    store, rules, camp, _ = funded("general", 100_000)
    submit(store, rules, camp, "closing_report", "att-r")
    submit(store, rules, camp, "activity_summary", "att-s")
    with pytest.raises(PermissionDenied):
        review(store, rules, camp, actor=actor)
    review(store, rules, camp)
    with pytest.raises(PermissionDenied):
        close(store, rules, camp, actor=actor, reviewed=False)


def test_a_claim_landing_while_closing_is_computed_makes_closing_fail():
    store, rules, camp, _ = funded("general", 100_000)
    submit(store, rules, camp, "closing_report", "att-r")
    submit(store, rules, camp, "activity_summary", "att-s")
    review(store, rules, camp)
    stale = closing.close_project(store.get("grant", "grant-p1"), rules, camp, [], COLLEGE, NOW)
    run_claim(store, rules, camp, "c1", "10", [])
    with pytest.raises(Conflict):
        store.apply(stale)
    g = store.get("grant", "grant-p1")
    assert (g["status"], g["returned_fen"], g["reserved_fen"]) == ("active", 0, 1_000)
    assert store.get("campaign", "camp")["returned_fen"] == 0


def test_a_returned_claim_appearing_meanwhile_blocks_a_stale_closing():
    # A returned claim holds no money, so only the open-claims count can catch it.
    store, rules, camp, _ = funded("general", 100_000)
    submit(store, rules, camp, "closing_report", "att-r")
    submit(store, rules, camp, "activity_summary", "att-s")
    review(store, rules, camp)
    stale = closing.close_project(store.get("grant", "grant-p1"), rules, camp, [], COLLEGE, NOW)
    run_claim(store, rules, camp, "c1", "10", [(claims.return_claim, ADVISOR, {"reason": "x"})])
    g = store.get("grant", "grant-p1")
    assert (g["reserved_fen"], g["open_claims"]) == (0, 1)
    with pytest.raises(InvalidTransition) as err:
        store.apply(stale)
    assert "pending" in err.value.message_en
    run_claim(store, rules, camp, "c2", "10", [(claims.withdraw_claim, LEAD, {})])
    store.apply(claims.withdraw_claim(store.get("claim", "c1"), store.get("grant", "grant-p1"),
                                      LEAD, NOW))
    assert store.get("grant", "grant-p1")["open_claims"] == 0
    close(store, rules, camp)


def test_the_materials_are_reviewed_before_closing_and_a_return_needs_a_reason():
    store, rules, camp, _ = funded("general", 100_000)
    grant = lambda: store.get("grant", "grant-p1")
    assert closing.closing_step(rules, grant()) == "materials"
    submit(store, rules, camp, "closing_report", "att-r")
    with pytest.raises(ValidationFailed) as early:               # not all in: nothing to pass
        review(store, rules, camp)
    assert early.value.field == "materials" and "活动总结" in early.value.message_zh
    submit(store, rules, camp, "activity_summary", "att-s", actor=ADVISOR)
    assert closing.closing_step(rules, grant()) == "review"
    with pytest.raises(InvalidTransition) as unreviewed:
        close(store, rules, camp, reviewed=False)
    assert unreviewed.value.field == "materials_review" and "审核" in unreviewed.value.message_zh
    for blank in (None, "  "):
        with pytest.raises(ValidationFailed) as no_reason:
            review(store, rules, camp, "return", blank)
        assert no_reason.value.details[0]["field"] == "reason"
    with pytest.raises(ValidationFailed) as bad:
        review(store, rules, camp, "maybe")
    assert bad.value.details[0]["field"] == "decision"
    assert grant().get("materials_review") is None                 # refusals changed nothing
    review(store, rules, camp, "return", "活动总结缺少照片")
    assert closing.closing_step(rules, grant()) == "returned"
    assert grant()["materials_review"]["reason"] == "活动总结缺少照片"
    with pytest.raises(InvalidTransition):
        close(store, rules, camp, reviewed=False)
    # a passing review computed before the lead replaced a material is refused
    stale = closing.review_materials(grant(), rules, camp, "pass", None, COLLEGE, NOW)
    submit(store, rules, camp, "activity_summary", "att-s2")
    assert closing.closing_step(rules, grant()) == "review" and grant()["materials_version"] == 3
    with pytest.raises(Conflict):
        store.apply(stale)
    review(store, rules, camp)
    assert closing.closing_step(rules, grant()) == "close"
    # materials changed after passing: reviewed again before closing
    stale_close = closing.close_project(grant(), rules, camp, [], COLLEGE, NOW)
    submit(store, rules, camp, "closing_report", "att-r2")
    with pytest.raises(InvalidTransition):
        store.apply(stale_close)
    close(store, rules, camp, actor=SCHOOL)
    assert closing.closing_step(rules, grant()) == "closed"


def test_each_person_is_offered_only_their_step():
    store, rules, camp, _ = funded("general", 100_000)
    acts = lambda actor: closing.grant_actions(rules, store.get("grant", "grant-p1"), actor)  # noqa: E731
    assert (acts(LEAD), acts(ADVISOR), acts(COLLEGE), acts(SCHOOL), acts(FINANCE)) == (
        ["file_claim", "upload_materials"], ["upload_materials"], [], [], [])
    submit(store, rules, camp, "closing_report", "att-r")
    submit(store, rules, camp, "activity_summary", "att-s")
    assert acts(SCHOOL) == acts(COLLEGE) == ["review_materials"] and acts(OTHER_COLLEGE) == []
    review(store, rules, camp, "return", "请补充")
    assert acts(SCHOOL) == ["review_materials"]
    review(store, rules, camp)
    assert acts(SCHOOL) == ["close"] and acts(LEAD) == ["file_claim", "upload_materials"]
    close(store, rules, camp, reviewed=False)
    assert [acts(who) for who in (LEAD, ADVISOR, SCHOOL)] == [[], [], []]
