"""A large campaign's dashboard is counted by a job, never in the request
(campaign_dashboard.view): the first look gets empty counts and the job, the job
keeps the counts a plain count gives, and a look while applications keep changing
shows the counts kept a moment ago instead of starting another job; once they are
older, the next look starts one again (real services, bus and database)."""

import eventlet
import pytest

from core import jobs
from core.errors import NotFound
from services.applications import campaign_dashboard
from tests.integration.helpers import PDF, b64, campaign_payload, good_form

ADMIN, SECRETARY = "p_admin", "p_2023010101"


def _finished(rpc, job):
    for _ in range(200):
        job = rpc.applications.get_job(ADMIN, job["id"])
        if job["state"] in ("succeeded", "failed"):
            return job
        eventlet.sleep(0.1)
    raise AssertionError(f"the job never ended: {job}")


def _states(view):
    return [(c["id"], c["states"]) for c in view["by_college"]["colleges"]]


def test_a_large_campaign_is_counted_by_a_job(rpc, mongo, monkeypatch):
    campaign = rpc.applications.open_campaign(ADMIN, campaign_payload())
    app = rpc.applications.create_application(SECRETARY, campaign["id"], {"form": good_form()})
    rpc.applications.add_attachment(SECRETARY, app["id"], "application_form", "a.pdf", b64(PDF))
    rpc.applications.act(SECRETARY, app["id"], {"action": "submit"})
    monkeypatch.setattr(campaign_dashboard, "INLINE_COUNT", 0)      # every campaign is "large" here

    first = rpc.applications.campaign_dashboard(ADMIN, campaign["id"])
    assert first["by_college"]["colleges"] == [] and first["updating"]["kind"] == "dashboard_counts"
    again = rpc.applications.campaign_dashboard(ADMIN, campaign["id"])
    assert again.get("updating") is None or again["updating"]["id"] == first["updating"]["id"]   # one job at a time
    assert _finished(rpc, first["updating"])["state"] == "succeeded"
    counted = rpc.applications.campaign_dashboard(ADMIN, campaign["id"])
    assert "updating" not in counted and _states(counted) == [("college_me", {"submitted": 1})]

    # a step taken: counts kept a moment ago are shown as they are, no job started
    rpc.applications.act("p_counselor_me", app["id"], {"action": "college_approve"})
    fresh = rpc.applications.campaign_dashboard(ADMIN, campaign["id"])
    assert "updating" not in fresh and _states(fresh) == [("college_me", {"submitted": 1})]
    # once they are older, the next look starts a job, showing the old counts meanwhile;
    # the new job supersedes the finished one (kept SUPERSEDED_KEEP seconds, here none)
    monkeypatch.setattr(campaign_dashboard, "FRESH_SECONDS", 0)
    monkeypatch.setattr(jobs, "SUPERSEDED_KEEP", 0)
    stale = rpc.applications.campaign_dashboard(ADMIN, campaign["id"])
    assert stale["updating"] and _states(stale) == [("college_me", {"submitted": 1})]
    with pytest.raises(NotFound):
        rpc.applications.get_job(ADMIN, first["updating"]["id"])
    _finished(rpc, stale["updating"])
    now = rpc.applications.campaign_dashboard(ADMIN, campaign["id"])
    assert "updating" not in now and _states(now) == [("college_me", {"college_approved": 1})]

    # what the job keeps is what a plain count gives
    monkeypatch.setattr(campaign_dashboard, "INLINE_COUNT", 10_000)
    mongo("applications").dashboards.delete_one({"_id": campaign["id"]})
    assert rpc.applications.campaign_dashboard(ADMIN, campaign["id"]) == now
