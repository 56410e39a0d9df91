"""Who administers a campaign: a school admin above it, or, for a college-level
campaign, that college's admin — who then takes the school side of its applications."""
import pytest

from core.errors import PermissionDenied
from services.applications.domain.actors import Actor
from services.applications.domain.permissions import (
    actor_sides, campaign_level, is_campaign_admin, require_campaign_admin,
)
from services.applications.domain.state_machine import plan_transition

SCHOOL_ADMIN = Actor("p_a", "校管理员", (("school_admin", "school"),))
COLLEGE_ADMIN = Actor("p_ca", "院管理员", (("college_admin", "college_a"),))
OTHER_COLLEGE_ADMIN = Actor("p_cb", "他院管理员", (("college_admin", "college_b"),))
COUNSELOR = Actor("p_c", "辅导员", (("counselor", "college_a"),))

SCHOOL_CAMPAIGN = {"_id": "cmp_s", "level": "school", "unit_id": "school", "unit_path": ["school"]}
COLLEGE_CAMPAIGN = {"_id": "cmp_c", "level": "college", "unit_id": "college_a", "unit_path": ["school", "college_a"]}
LEGACY_CAMPAIGN = {"_id": "cmp_l", "unit_id": "college_a", "unit_path": ["school", "college_a"]}  # no level


def application(state, campaign_id="cmp_c"):
    return {"state": state, "campaign_id": campaign_id, "applicant_kind": "branch", "applicant_id": "branch_1",
            "college_id": "college_a", "unit_path": ["school", "college_a", "branch_1"], "submitted_at": "t"}


def test_school_admins_administer_every_campaign_below_them():
    assert is_campaign_admin(SCHOOL_ADMIN, SCHOOL_CAMPAIGN) and is_campaign_admin(SCHOOL_ADMIN, COLLEGE_CAMPAIGN)


def test_a_college_admin_administers_their_college_campaign_only():
    assert is_campaign_admin(COLLEGE_ADMIN, COLLEGE_CAMPAIGN)
    assert not is_campaign_admin(COLLEGE_ADMIN, SCHOOL_CAMPAIGN)
    assert not is_campaign_admin(OTHER_COLLEGE_ADMIN, COLLEGE_CAMPAIGN)
    assert not is_campaign_admin(COUNSELOR, COLLEGE_CAMPAIGN)
    with pytest.raises(PermissionDenied) as refused:
        require_campaign_admin(OTHER_COLLEGE_ADMIN, COLLEGE_CAMPAIGN)
    assert refused.value.field == "campaign_id" and refused.value.message_zh


def test_a_campaign_without_a_level_is_school_level():
    assert campaign_level(LEGACY_CAMPAIGN) == "school"
    assert not is_campaign_admin(COLLEGE_ADMIN, LEGACY_CAMPAIGN)


def test_the_college_admin_is_the_school_side_of_a_college_campaign():
    app = application("college_approved")
    assert "school" in actor_sides(COLLEGE_ADMIN, app, COLLEGE_CAMPAIGN)
    assert "school" not in actor_sides(COLLEGE_ADMIN, app)  # without the campaign: the old rule alone
    assert "school" not in actor_sides(COUNSELOR, app, COLLEGE_CAMPAIGN)
    step, entry = plan_transition(app, "approve", COLLEGE_ADMIN, None, "t", COLLEGE_CAMPAIGN)
    assert step.target == "approved" and entry["by"]["id"] == "p_ca"


def test_in_a_school_campaign_the_college_admin_still_may_not_decide():
    app = application("college_approved", "cmp_s")
    with pytest.raises(PermissionDenied):
        plan_transition(app, "approve", COLLEGE_ADMIN, None, "t", SCHOOL_CAMPAIGN)
    assert plan_transition(app, "approve", SCHOOL_ADMIN, None, "t", SCHOOL_CAMPAIGN)[0].target == "approved"
