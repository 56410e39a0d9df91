"""Event payloads: JSON-friendly data inside core's envelope, deterministic ids."""
import json

from core.envelope import ENVELOPE_FIELDS
from services.funding.domain import claims, events, grants

from .support import ADVISOR, COLLEGE, FINANCE, LEAD, NOW, SCHOOL, claim_request, funded, project


def test_grant_awarded_payload_and_envelope():
    store, rules, camp, grant = funded("featured", 250_000)
    event = store.events[0]
    assert event["data"] == {
        "grant_id": "grant-p1", "campaign_id": "camp", "program": "pilot_branches",
        "project_id": "p1", "project_title": "项目p1", "college_id": "col-me",
        "lead_id": "u-lead", "advisor_id": "u-adv", "tier": "featured", "tier_name": "特色",
        "amount_fen": 250_000, "amount": "¥2,500.00", "awarded_at": "2025-10-20T02:00:00.000Z",
        "rules_fingerprint": rules["fingerprint"]}
    env = events.envelope(event, occurred_at=NOW)
    assert tuple(env) == ENVELOPE_FIELDS
    assert (env["type"], env["source"], env["version"]) == ("grant.awarded", "funding", 1)
    assert env["id"] == event["event_id"] and env["actor"] == {"id": "u-school",
                                                               "name": "学工部王老师"}
    json.dumps(env, ensure_ascii=False)


def test_event_ids_are_stable_across_retries():
    store, rules, _, _ = funded()
    camp = store.get("campaign", "camp")
    a = grants.award_grant(camp, rules, project("p9"), {"tier": "general", "amount_fen": 1},
                           SCHOOL, NOW)
    b = grants.award_grant(camp, rules, project("p9"), {"tier": "general", "amount_fen": 1},
                           SCHOOL, NOW)
    assert a.event["event_id"] == b.event["event_id"] == events.event_id(a.key)


def test_claim_approved_payload_carries_what_finance_needs():
    store, rules, camp, _ = funded()
    store.apply(claims.file_claim(store.get("grant", "grant-p1"), rules, camp, "c1",
                                  claim_request("12.5", "7.5"), LEAD, NOW))
    for who in (ADVISOR, COLLEGE, FINANCE):
        store.apply(claims.approve_claim(store.get("claim", "c1"), store.get("grant", "grant-p1"),
                                         who, NOW))
    data = store.events[-1]["data"]
    assert (data["claim_id"], data["total_fen"], data["total"], data["lead_id"]) == (
        "c1", 2_000, "¥20.00", "u-lead")
    assert [i["amount_fen"] for i in data["items"]] == [1_250, 750]
    assert data["receipts"] == ["att-1"] and data["purpose"] == "主题党日活动物料"
    json.dumps(data, ensure_ascii=False)
