"""The pilot-branch life cycle through the real services over RabbitMQ and Mongo."""
import pytest

from core.errors import Conflict, DeadlinePassed, NotFound, PermissionDenied, ValidationFailed
from tests.integration.helpers import PDF, b64, campaign_payload, good_form

SECRETARY = "p_2023010101"      # branch_me1, college_me
OTHER_SECRETARY = "p_2023020101"  # branch_em1, college_em
COUNSELOR_ME = "p_counselor_me"
COUNSELOR_EM = "p_counselor_em"
ADMIN = "p_admin"


def test_full_cycle_with_return_and_resubmit(rpc, mongo):
    campaign = rpc.applications.open_campaign(ADMIN, campaign_payload())
    assert [c["id"] for c in rpc.applications.list_campaigns(SECRETARY, True)] == [campaign["id"]]

    draft = rpc.applications.create_application(SECRETARY, campaign["id"], {"form": {"title": "先锋领航"}}, "k-create")
    assert draft["state"] == "draft" and draft["applicant_id"] == "branch_me1"
    # Drafts belong to the branch: not even its counselor sees them.
    with pytest.raises(NotFound):
        rpc.applications.get_application(COUNSELOR_ME, draft["id"])

    # Submitting an incomplete form names every missing field.
    with pytest.raises(ValidationFailed) as missing:
        rpc.applications.act(SECRETARY, draft["id"], {"action": "submit"})
    fields = {d["field"] for d in missing.value.details}
    assert {"form.theme", "form.goals", "form.faculty_advisor"} <= fields

    rpc.applications.update_application(SECRETARY, draft["id"], {"form": good_form()})
    with pytest.raises(ValidationFailed) as no_file:
        rpc.applications.act(SECRETARY, draft["id"], {"action": "submit"})
    assert no_file.value.details[0]["field"] == "attachments.application_form"
    rpc.applications.add_attachment(SECRETARY, draft["id"], "application_form", "项目申请表.pdf", b64(PDF))

    submitted = rpc.applications.act(SECRETARY, draft["id"], {"action": "submit"}, "k-submit")
    assert submitted["state"] == "submitted"

    # The other college's counselor neither lists nor reads it.
    assert rpc.applications.list_applications(COUNSELOR_EM, {}) == []
    with pytest.raises(NotFound):
        rpc.applications.get_application(COUNSELOR_EM, draft["id"])
    assert [a["id"] for a in rpc.applications.list_applications(COUNSELOR_ME, {})] == [draft["id"]]

    with pytest.raises(ValidationFailed):
        rpc.applications.act(COUNSELOR_ME, draft["id"], {"action": "return"})  # reason required
    returned = rpc.applications.act(COUNSELOR_ME, draft["id"], {"action": "return", "reason": "预算明细不全"})
    assert returned["state"] == "returned"
    rpc.applications.update_application(SECRETARY, draft["id"], {"form": good_form(planned_budget_yuan="2500")})
    assert rpc.applications.act(SECRETARY, draft["id"], {"action": "submit"})["state"] == "submitted"
    assert rpc.applications.act(COUNSELOR_ME, draft["id"], {"action": "college_approve"})["state"] == "college_approved"

    # The counselor may not take the school's decision.
    with pytest.raises(PermissionDenied):
        rpc.applications.act(COUNSELOR_ME, draft["id"], {"action": "approve"})
    school_view = rpc.applications.list_applications(ADMIN, {"state": "college_approved"})
    assert [a["id"] for a in school_view] == [draft["id"]]
    approved = rpc.applications.act(ADMIN, draft["id"], {"action": "approve"})
    assert approved["state"] == "approved"

    trail = rpc.applications.audit_trail(SECRETARY, draft["id"])
    steps = [(e["action"], e["from"], e["to"]) for e in trail]
    assert steps == [
        ("create", None, "draft"), ("edit", "draft", "draft"), ("submit", "draft", "submitted"),
        ("return", "submitted", "returned"), ("edit", "returned", "returned"),
        ("submit", "returned", "submitted"), ("college_approve", "submitted", "college_approved"),
        ("approve", "college_approved", "approved"),
    ]
    assert trail[3]["reason"] == "预算明细不全" and trail[3]["by"]["id"] == COUNSELOR_ME
    assert all(e["at"] for e in trail)
    with pytest.raises(NotFound):
        rpc.applications.audit_trail(OTHER_SECRETARY, draft["id"])
    assert mongo("applications").applications.find_one({"_id": draft["id"]}).get("outbox") is None


def test_one_project_per_branch(rpc):
    campaign = rpc.applications.open_campaign(ADMIN, campaign_payload())
    rpc.applications.create_application(SECRETARY, campaign["id"], {"form": {}})
    with pytest.raises(Conflict) as second:
        rpc.applications.create_application(SECRETARY, campaign["id"], {"form": {"title": "第二个项目"}})
    assert "one per applicant" in second.value.message_en and "限报一项" in second.value.message_zh


def test_late_submission_is_refused(rpc, mongo):
    campaign = rpc.applications.open_campaign(ADMIN, campaign_payload())
    app = rpc.applications.create_application(SECRETARY, campaign["id"], {"form": good_form()})
    rpc.applications.add_attachment(SECRETARY, app["id"], "application_form", "a.pdf", b64(PDF))
    # The deadline passes (moved into the past in the service's own database).
    from datetime import datetime, timedelta, timezone
    past = datetime.now(timezone.utc) - timedelta(minutes=1)
    campaigns = mongo("applications").campaigns
    stored = campaigns.find_one({"_id": campaign["id"]})
    campaigns.replace_one({"_id": campaign["id"]}, dict(stored, application_closes_at=past))
    with pytest.raises(DeadlinePassed) as late:
        rpc.applications.act(SECRETARY, app["id"], {"action": "submit"})
    assert "逾期" in late.value.message_zh and "closed" in late.value.message_en
    assert rpc.applications.get_application(SECRETARY, app["id"])["state"] == "draft"
