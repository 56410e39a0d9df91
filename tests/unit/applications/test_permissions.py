from services.applications.domain.actors import Actor
from services.applications.domain.permissions import can_view, visible_filter

SECRETARY = Actor("p_sec", "李明", (("branch_secretary", "branch_1"),))
OTHER_SECRETARY = Actor("p_sec2", "陈静", (("branch_secretary", "branch_2"),))
COUNSELOR = Actor("p_c", "孙", (("counselor", "college_a"),))
OTHER_COUNSELOR = Actor("p_c2", "吴", (("college_admin", "college_b"),))
ADMIN = Actor("p_a", "管理员", (("school_admin", "school"),))
REVIEWER = Actor("p_r", "冯", (("reviewer", "school"),))


def app(state, submitted=True):
    return {"state": state, "applicant_kind": "branch", "applicant_id": "branch_1", "college_id": "college_a",
            "unit_path": ["school", "college_a", "branch_1"], "submitted_at": "t" if submitted else None}


def test_drafts_are_the_applicants_alone():
    draft = app("draft", submitted=False)
    assert can_view(SECRETARY, draft)
    assert not any(can_view(a, draft) for a in (OTHER_SECRETARY, COUNSELOR, OTHER_COUNSELOR, ADMIN, REVIEWER))


def test_a_withdrawn_draft_stays_private_but_a_withdrawn_submission_does_not():
    assert not can_view(COUNSELOR, app("withdrawn", submitted=False))
    assert can_view(COUNSELOR, app("withdrawn", submitted=True))


def test_college_sees_its_own_college_only_and_school_sees_all():
    submitted = app("submitted")
    assert can_view(COUNSELOR, submitted) and can_view(ADMIN, submitted)
    assert not can_view(OTHER_COUNSELOR, submitted) and not can_view(OTHER_SECRETARY, submitted)


def test_visible_filter_lists_what_the_actor_reaches():
    assert visible_filter(COUNSELOR)["college_ids"] == ["college_a"]
    assert visible_filter(ADMIN)["school_units"] == ["school"]
    assert "branch_1" in visible_filter(SECRETARY)["applicant_ids"]
    assert visible_filter(SECRETARY)["hidden_states"] == ["draft"]


def test_a_counselor_applies_on_behalf_of_a_class_of_their_college_and_does_not_review_it():
    from core.roles import may_apply_for
    from services.applications.domain.permissions import actor_sides
    klass = {"state": "submitted", "applicant_kind": "class", "applicant_id": "class_1", "college_id": "college_a",
             "unit_path": ["school", "college_a", "class_1"], "submitted_at": "t", "on_behalf_by": "p_c"}
    assert may_apply_for(COUNSELOR.roles, COUNSELOR.id, "class", "class_1", klass["unit_path"])
    assert not may_apply_for(COUNSELOR.roles, COUNSELOR.id, "class", "class_9", ["school", "college_b", "class_9"])
    assert not may_apply_for(COUNSELOR.roles, COUNSELOR.id, "branch", "branch_1", ["school", "college_a"])
    # Who applied acts as the applicant, and another counselor or the college admin reviews it.
    assert actor_sides(COUNSELOR, klass) == {"applicant"}
    colleague = Actor("p_c3", "郑", (("counselor", "college_a"),))
    assert actor_sides(colleague, klass) == {"college"}
    # Moved to another college: no longer its applicant.
    moved = Actor("p_c", "孙", (("counselor", "college_b"),))
    assert "applicant" not in actor_sides(moved, klass)
    assert visible_filter(COUNSELOR)["on_behalf_ids"] == ["p_c"] and visible_filter(SECRETARY)["on_behalf_ids"] == []
