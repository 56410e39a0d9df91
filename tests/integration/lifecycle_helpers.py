"""Shared by the public-notice and stages/awards integration tests: a campaign whose
demo branches are college_approved, published results (a `scoring.results_published`
envelope dispatched as the scoring service would), a notice whose period is made to
be over, and a recorder of the lifecycle events."""
from datetime import datetime, timedelta, timezone

import eventlet
import pytest
from nameko.standalone.events import event_dispatcher

from core.envelope import make_event
from tests.integration.helpers import PDF, b64, campaign_payload, good_form

# The demo branches, their secretaries and their college's counselor.
BRANCHES = {
    "branch_me1": ("p_2023010101", "p_counselor_me"),
    "branch_me2": ("p_2023010201", "p_counselor_me"),
    "branch_em1": ("p_2023020101", "p_counselor_em"),
    "branch_em2": ("p_sec_em2", "p_counselor_em"),
}
LIFECYCLE_EVENTS = ("notice.published", "notice.closed", "award.granted", "application.decided", "stage.assessed")


def wait(predicate, seconds=10):
    for _ in range(int(seconds * 10)):
        if predicate():
            return True
        eventlet.sleep(0.1)
    return False


def college_approved_campaign(rpc, branches, **overrides):
    """A school-level pilot campaign with one college_approved application per branch."""
    campaign = rpc.applications.open_campaign("p_admin", campaign_payload(**overrides))
    apps = {}
    for branch in branches:
        secretary, counselor = BRANCHES[branch]
        app = rpc.applications.create_application(secretary, campaign["id"],
                                                  {"applicant_id": branch, "form": good_form()})
        rpc.applications.add_attachment(secretary, app["id"], "application_form", "申请表.pdf", b64(PDF))
        rpc.applications.act(secretary, app["id"], {"action": "submit"})
        rpc.applications.act(counselor, app["id"], {"action": "college_approve"})
        apps[branch] = app["id"]
    return campaign, apps


def publish_results(config, mongo, campaign_id, selected, rest, round_=1):
    """Dispatch the scoring service's event and wait until the shortlist is recorded.
    `selected`: [(application_id, grade, grade_name_zh, total)] in rank order;
    `rest`: [(application_id, reason, message_zh, total)]."""
    data = {
        "campaign_id": campaign_id, "round": round_, "program": "pilot_branches",
        "selected": [{"application_id": a, "grade": g, "grade_name_zh": n, "rank": i, "total": t}
                     for i, (a, g, n, t) in enumerate(selected, 1)],
        "rest": [{"application_id": a, "reason": r, "message_zh": m, "rank": len(selected) + i, "total": t}
                 for i, (a, r, m, t) in enumerate(rest, 1)],
        "cut_line": {"last_selected": None, "first_not_selected": None},
    }
    envelope = make_event("scoring.results_published", data, "scoring", actor={"id": "p_admin", "name": "管理员"},
                          event_id=f"scoring.results_published:{campaign_id}:{round_}")
    event_dispatcher(config)("scoring", "scoring.results_published", envelope)
    shortlists = mongo("applications").shortlists
    assert wait(lambda: shortlists.count_documents({"campaign_id": campaign_id}) == 1)


def end_period(mongo, notice_id):
    """Test-only time travel: move a notice version's period into the past, written
    through the database (a whole-document replace, as the store writes times)."""
    notices = mongo("applications").notices
    doc = notices.find_one({"_id": notice_id})
    past = datetime.now(timezone.utc) - timedelta(seconds=1)
    doc.update(opens_at=past - timedelta(days=doc["days"]), closes_at=past)
    assert notices.replace_one({"_id": notice_id}, doc).modified_count == 1


def finalised_two_branches(rpc, http, config, mongo, admin="admin"):
    """A campaign whose final list grades branch_me1 key (重点) and branch_em1 general
    (一般): (campaign, me1's application, em1's application)."""
    from tests.integration.helpers import as_job
    campaign, apps = college_approved_campaign(rpc, ["branch_me1", "branch_em1"])
    me1, em1 = apps["branch_me1"], apps["branch_em1"]
    publish_results(config, mongo, campaign["id"], [(me1, "key", "重点", 90.0), (em1, "general", "一般", 70.0)], [])
    notice = http.as_(admin, "POST", f"/api/campaigns/{campaign['id']}/notice", json={}).json
    end_period(mongo, notice["id"])
    assert as_job(http, admin, "POST", f"/api/notices/{notice['id']}/finalise").status_code == 200
    return campaign, me1, em1


def insert_college_approved(mongo, campaign, app_id):
    """An application of the demo's branch_me1 as the workflow leaves a college-approved
    one, written straight into the store (for rules about what happens next)."""
    now = datetime.now(timezone.utc)
    mongo("applications").applications.insert_one({
        "_id": app_id, "campaign_id": campaign["id"], "program": campaign["program"],
        "program_version": campaign["program_version"], "applicant_kind": "branch", "applicant_id": "branch_me1",
        "applicant_name": "机电学院学生第一党支部", "unit_path": ["school_demo", "college_me", "branch_me1"],
        "college_id": "college_me", "state": "college_approved", "form": good_form(), "version": 3,
        "created_at": now, "updated_at": now, "updated_ts": now.timestamp(), "submitted_at": now,
        "first_submitted_at": now, "attachment_counts": {}})


@pytest.fixture
def lifecycle_events(config, platform, container_factory):
    """Every notice, award and decision event published during the test, as a
    subscriber receives them (a list, in arrival order)."""
    from nameko.events import event_handler

    received = []

    class LifecycleRecorder:
        name = "test_lifecycle_recorder"

        @event_handler("applications", "notice.published")
        def published(self, payload):
            received.append(payload)

        @event_handler("applications", "notice.closed")
        def closed(self, payload):
            received.append(payload)

        @event_handler("applications", "award.granted")
        def granted(self, payload):
            received.append(payload)

        @event_handler("applications", "application.decided")
        def decided(self, payload):
            received.append(payload)

        @event_handler("applications", "stage.assessed")
        def assessed(self, payload):
            received.append(payload)

    container = container_factory(LifecycleRecorder, config)
    container.start()
    return received


def of_type(events, event_type):
    return [e for e in events if e["type"] == event_type]
