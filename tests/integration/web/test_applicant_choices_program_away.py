"""The campaign page's eligibility check when the program's own process is not there:
every candidate is listed with a note that it could not be checked (submitting checks
again), instead of the page failing."""
from datetime import datetime, timedelta, timezone

import pytest


@pytest.fixture
def config(config):
    # class_collectives is enabled and registered below, but its process never runs
    return dict(config, PROGRAMS=["pilot_branches", "class_collectives"])


def test_choices_answer_with_a_note_when_the_program_does_not(rpc, http, gateway_app):
    from plugins.class_collectives.program import PROGRAM
    rpc.applications.register_program(PROGRAM.declaration())
    now = datetime.now(timezone.utc)
    closes = now + timedelta(days=7)
    campaign = http.as_("admin", "POST", "/api/campaigns", json={
        "program": "class_collectives", "title": "2026-2027 先进班集体", "academic_year": "2026-2027",
        "unit_id": "school_demo", "application_opens_at": (now - timedelta(hours=1)).isoformat(),
        "application_closes_at": closes.isoformat(), "review_opens_at": (closes + timedelta(minutes=1)).isoformat(),
        "review_closes_at": (closes + timedelta(days=10)).isoformat()})
    assert campaign.status_code == 201, campaign.json
    answer = http.as_("2023020102", "GET", f"/api/campaigns/{campaign.json['id']}/applicant-choices")  # 会计2301班's monitor
    assert answer.status_code == 200, answer.json
    (only,) = answer.json["candidates"]
    assert only["name"] == "会计2301班" and only["eligible"] is None and only["reasons"] == []
    assert [n["code"] for n in only["notes"]] == ["not_checked"] and "提交时会再次核对" in only["notes"][0]["message_zh"]
    # The page says so, and the monitor may still start the application.
    from tests.integration.web.test_applicant_guards import _web_login
    client = gateway_app.test_client()
    _web_login(client, "2023020102")
    page = client.get(f"/campaigns/{campaign.json['id']}").get_data(as_text=True)
    assert "暂未核对" in page and "项目服务暂未响应" in page and f'action="/campaigns/{campaign.json["id"]}/apply"' in page
