"""What a publisher puts in `data` must carry every field the notifications catalog
(and so its templates and the public contract) requires of that event type."""
import pytest

from services.funding.domain import events as funding_events
from services.notifications.domain.catalog import EVENTS

GRANT = {
    "id": "grant-p1", "campaign_id": "cmp_1", "program": "pilot_branches", "project_id": "app_1",
    "project_title": "先锋领航", "college_id": "college_me", "lead_id": "p_lead", "advisor_id": "p_adv",
    "tier": "key", "tier_name": "重点", "granted_fen": 500000, "paid_fen": 120000, "awarded_at": "t",
    "rules_fingerprint": "f", "materials": {"closing_report": "r"},
}
CLAIM = {"id": "claim-1", "total_fen": 12345, "purpose": "活动物料", "items": [], "receipts": []}


@pytest.mark.parametrize("event_type,data", [
    ("grant.awarded", funding_events.grant_awarded_data(GRANT)),
    ("claim.approved", funding_events.claim_approved_data(CLAIM, GRANT, {"id": "p_fin"}, "t")),
    ("project.closed", funding_events.project_closed_data(GRANT, 380000, {"id": "p_admin"}, "t")),
])
def test_funding_events_carry_what_the_catalog_requires(event_type, data):
    missing = set(EVENTS[event_type].fields) - set(data)
    assert not missing, f"{event_type} lacks {sorted(missing)}"
