from datetime import datetime, timezone

import pytest

from core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from services.applications.domain.actors import Actor
from services.applications.domain.state_machine import STEPS, find_step, plan_transition

NOW = datetime(2026, 10, 1, 8, 0, tzinfo=timezone.utc)
SECRETARY = Actor("p_sec", "李明", (("branch_secretary", "branch_1"),))
OTHER_SECRETARY = Actor("p_sec2", "陈静", (("branch_secretary", "branch_2"),))
COUNSELOR = Actor("p_c", "孙", (("counselor", "college_a"),))
OTHER_COUNSELOR = Actor("p_c2", "吴", (("counselor", "college_b"),))
ADMIN = Actor("p_a", "管理员", (("school_admin", "school"),))


def app(state):
    return {"_id": "app_1", "state": state, "applicant_kind": "branch", "applicant_id": "branch_1",
            "college_id": "college_a", "unit_path": ["school", "college_a", "branch_1"]}


@pytest.mark.parametrize("actor,action,source,target", [
    (SECRETARY, "submit", "draft", "submitted"),
    (SECRETARY, "submit", "returned", "submitted"),
    (COUNSELOR, "college_approve", "submitted", "college_approved"),
    (ADMIN, "approve", "college_approved", "approved"),
    (SECRETARY, "withdraw", "submitted", "withdrawn"),
    (SECRETARY, "reopen", "withdrawn", "draft"),
])
def test_allowed_steps(actor, action, source, target):
    step, entry = plan_transition(app(source), action, actor, None, NOW)
    assert step.target == target
    assert entry == {"action": action, "from": source, "to": target, "by": actor.ref(), "at": NOW,
                     "reason": None, "idempotency_key": None}


@pytest.mark.parametrize("actor,action,source", [
    (OTHER_SECRETARY, "submit", "draft"),        # another branch
    (COUNSELOR, "submit", "draft"),              # not the applicant
    (OTHER_COUNSELOR, "college_approve", "submitted"),  # another college
    (COUNSELOR, "approve", "college_approved"),  # the school decides
    (SECRETARY, "college_approve", "submitted"),
    (ADMIN, "college_approve", "submitted"),     # the college reviews first
])
def test_wrong_side_or_scope_is_refused(actor, action, source):
    with pytest.raises(PermissionDenied):
        plan_transition(app(source), action, actor, "理由", NOW)


@pytest.mark.parametrize("action,source", [("approve", "draft"), ("submit", "approved"), ("return", "draft"),
                                           ("college_approve", "returned"), ("withdraw", "approved")])
def test_impossible_steps_name_state_and_options(action, source):
    with pytest.raises(InvalidTransition) as error:
        find_step(action, source)
    assert source in error.value.message_en and "possible now" in error.value.message_en


def test_unknown_action():
    with pytest.raises(InvalidTransition) as error:
        find_step("explode", "draft")
    assert error.value.field == "action" and "未知操作" in error.value.message_zh


@pytest.mark.parametrize("actor,action,source", [(COUNSELOR, "return", "submitted"),
                                                 (ADMIN, "reject", "college_approved"),
                                                 (ADMIN, "return", "college_approved")])
def test_return_and_reject_need_a_reason(actor, action, source):
    with pytest.raises(ValidationFailed) as error:
        plan_transition(app(source), action, actor, "   ", NOW)
    assert error.value.field == "reason"
    step, entry = plan_transition(app(source), action, actor, " 材料不全 ", NOW)
    assert entry["reason"] == "材料不全"


def test_reason_length_is_bounded():
    with pytest.raises(ValidationFailed):
        plan_transition(app("submitted"), "return", COUNSELOR, "长" * 1001, NOW)


def test_every_state_is_reachable_and_final_states_have_no_exit():
    targets = {s.target for s in STEPS} | {"draft"}
    assert targets == {"draft", "submitted", "returned", "college_approved", "approved", "rejected", "withdrawn"}
    assert not [s for s in STEPS if s.source in ("approved", "rejected")]
    assert {s.event.split(".")[0] for s in STEPS} == {"application"}
