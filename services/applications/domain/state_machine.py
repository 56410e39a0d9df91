"""The life cycle of an application (申报) as one table of steps.

    draft ──submit──▶ submitted ──college_approve──▶ college_approved ──approve──▶ approved
      ▲                  │  ▲                              │ └──reject──▶ rejected
      │               return│  └────────submit (resubmit)──┐ │
      │                  ▼                           returned ◀──return (school)
    reopen           returned
      │
    withdrawn ◀──withdraw── draft / submitted / returned

Finalising a public notice's list takes list_approve / list_reject from
college_approved (the campaign admin's side). Each step names who may take it (a
side: applicant, college, school), whether a
reason is required, and the event it publishes. `plan_transition` checks all of it
and returns what the store must apply atomically; it never mutates its input.
"""
from dataclasses import dataclass

from core.errors import InvalidTransition, PermissionDenied, ValidationFailed, field_error
from core.labels import VOCABULARIES
from services.applications.domain.permissions import actor_sides

STATES = ("draft", "submitted", "returned", "college_approved", "approved", "rejected", "withdrawn")
FINAL_STATES = ("approved", "rejected")


@dataclass(frozen=True)
class Step:
    action: str
    source: str
    target: str
    side: str
    reason_required: bool
    event: str


STEPS = (
    Step("submit", "draft", "submitted", "applicant", False, "application.submitted"),
    Step("submit", "returned", "submitted", "applicant", False, "application.submitted"),
    Step("college_approve", "submitted", "college_approved", "college", False, "application.college_approved"),
    Step("return", "submitted", "returned", "college", True, "application.returned"),
    Step("return", "college_approved", "returned", "school", True, "application.returned"),
    Step("approve", "college_approved", "approved", "school", False, "application.decided"),
    Step("reject", "college_approved", "rejected", "school", True, "application.decided"),
    # Finalising a public notice (final_list.py): the listed are approved, the others rejected.
    Step("list_approve", "college_approved", "approved", "school", False, "application.decided"),
    Step("list_reject", "college_approved", "rejected", "school", True, "application.decided"),
    Step("reject", "submitted", "rejected", "college", True, "application.decided"),
    Step("withdraw", "draft", "withdrawn", "applicant", False, "application.withdrawn"),
    Step("withdraw", "submitted", "withdrawn", "applicant", False, "application.withdrawn"),
    Step("withdraw", "returned", "withdrawn", "applicant", False, "application.withdrawn"),
    Step("reopen", "withdrawn", "draft", "applicant", False, "application.reopened"),
)

# Taken only by finalising a notice's list, never through workflow.act: not offered
# as actions on the wire (schemas.ActionInput) nor named as possible next steps.
LIST_ACTIONS = ("list_approve", "list_reject")
ACTIONS = tuple(sorted({s.action for s in STEPS} - set(LIST_ACTIONS)))
# Labels come from the one catalogue (core/labels.py), so pages and messages agree.
ACTION_ZH = {code: zh for code, (zh, _en) in VOCABULARIES["action"].items()}
STATE_ZH = {code: zh for code, (zh, _en) in VOCABULARIES["state"].items()}
MAX_REASON = 1000


def find_step(action, state):
    """The step for `action` from `state`; raises InvalidTransition naming both."""
    if action not in ACTIONS and action not in LIST_ACTIONS:
        raise InvalidTransition(
            f"Unknown action {action!r}; known: {', '.join(ACTIONS)}",
            f"未知操作 {action}；可用操作：{'、'.join(ACTIONS)}",
            field="action",
        )
    for step in STEPS:
        if step.action == action and step.source == state:
            return step
    allowed = [s.action for s in STEPS if s.source == state and s.action in ACTIONS]
    raise InvalidTransition(
        f"Cannot {action} an application that is {state}; possible now: {', '.join(allowed) or 'nothing'}",
        f"申报当前状态为「{STATE_ZH.get(state, state)}」，不能{ACTION_ZH.get(action, action)}；"
        f"当前可执行：{'、'.join(ACTION_ZH[a] for a in allowed) or '无'}",
        field="action",
    )


def plan_transition(application, action, actor, reason=None, now=None, campaign=None):
    """Check a step and describe it. Raises InvalidTransition, PermissionDenied,
    ValidationFailed (missing or too long reason). `campaign` (the application's)
    lets its campaign admin take the school side (permissions.actor_sides).

    Returns (step, audit_entry). The store applies it as one conditional update on
    ``state == step.source`` so two concurrent steps can never both succeed.
    """
    step = find_step(action, application["state"])
    if step.side == "college" and application.get("on_behalf_by") == actor.id:
        raise PermissionDenied(
            "You applied on this applicant's behalf; another counselor or the college admin reviews it.",
            "该申报由您代为申报，须由其他辅导员或学院管理员审核", field="action")
    if step.side not in actor_sides(actor, application, campaign):
        raise PermissionDenied(
            f"Only the {step.side} side may {action} this application.",
            f"只有{ {'applicant': '申报单位', 'college': '学院', 'school': '学校'}[step.side] }可以"
            f"{ACTION_ZH[action]}此申报",
            field="action",
        )
    reason = (reason or "").strip() or None
    if step.reason_required and not reason:
        raise ValidationFailed(
            f"A reason is required to {action}.", f"{ACTION_ZH[action]}须填写理由",
            field="reason", details=[field_error("reason", f"A reason is required to {action}.",
                                                 f"{ACTION_ZH[action]}须填写理由")],
        )
    if reason and len(reason) > MAX_REASON:
        raise ValidationFailed(
            f"The reason is longer than {MAX_REASON} characters.", f"理由不能超过 {MAX_REASON} 个字符",
            field="reason", details=[field_error("reason", f"Longer than {MAX_REASON} characters.",
                                                 f"不能超过 {MAX_REASON} 个字符")],
        )
    entry = audit_entry(actor, action, step.source, step.target, reason, now)
    return step, entry


def audit_entry(actor, action, source, target, reason, at, idempotency_key=None):
    """A step as the application's trail records it: who, when, from, to, why
    (workflow._audit makes it core/audit.py's entry, with its id and seq)."""
    return {
        "action": action,
        "from": source,
        "to": target,
        "by": actor.ref(),
        "at": at,
        "reason": reason,
        "idempotency_key": idempotency_key,
    }
