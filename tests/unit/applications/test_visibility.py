"""The states others see one by one, and the campaigns a school admin sees whole
(domain/visibility.py), agree with `permissions.can_view`, application by application."""
from services.applications.domain.actors import Actor
from services.applications.domain.permissions import can_view
from services.applications.domain.state_machine import STATES
from services.applications.domain.visibility import SHOWN_STATES, UNSUBMITTED_REACH, readable, whole_campaign

ADMIN = Actor("p_a", "管理员", (("school_admin", "school"),))
OTHER_ADMIN = Actor("p_b", "管理员", (("school_admin", "school2"),))
COUNSELOR = Actor("p_c", "孙", (("counselor", "college_a"),))


def _app(state, submitted):
    return {"state": state, "applicant_kind": "branch", "applicant_id": "branch_1", "college_id": "college_a",
            "unit_path": ["school", "college_a", "branch_1"], "submitted_at": "t" if submitted else None}


def test_the_states_shown_one_by_one_are_what_a_reviewer_may_view():
    assert UNSUBMITTED_REACH == {"withdrawn"}          # withdrawing a draft; reopening leads back to a draft
    shown = {name: submitted_only for name, submitted_only in SHOWN_STATES}
    for reader in (ADMIN, COUNSELOR):
        for state in STATES:
            for submitted in (True, False):
                listed = state in shown and (submitted or not shown[state])
                assert can_view(reader, _app(state, submitted)) == listed, (reader, state, submitted)


def test_a_campaign_is_seen_whole_by_an_admin_of_its_unit_or_above():
    college_campaign = {"_id": "k1", "unit_id": "college_a", "unit_path": ["school", "college_a"]}
    school_campaign = {"_id": "k2", "unit_id": "school", "unit_path": ["school"]}
    assert readable(ADMIN, college_campaign)["whole_campaigns"] == ["k1"]
    assert readable(ADMIN, school_campaign)["whole_campaigns"] == ["k2"]
    assert readable(OTHER_ADMIN, school_campaign)["whole_campaigns"] == []
    assert readable(COUNSELOR, college_campaign)["whole_campaigns"] == []
    assert readable(ADMIN)["whole_campaigns"] == [] and readable(ADMIN)["shown_states"]
    assert whole_campaign({"school_units": ["school"]}, {"unit_id": "school"})    # (a path not stored)
