"""Who makes an application's final decision (shared by the applications service
and the pages that offer the buttons).

A program that scores its applications (a criteria tree) and publishes a public
notice (公示, the ``notice`` stage) decides through its final list: finalising the
notice approves the listed applications and rejects the others. There the school
side may still return a college-approved application, but never approve or reject
it directly: that would bypass the ranking and the notice.
"""
from core.errors import InvalidTransition

DIRECT_DECISIONS = ("approve", "reject")


def decided_by_final_list(program):
    """True when `program` (a declaration as registered) scores its applications and
    publishes a public notice, so the final list makes the decision."""
    program = program or {}
    return bool(program.get("criteria")) and "notice" in (program.get("stages") or [])


def require_direct_decision_allowed(program, action, state):
    """Raises InvalidTransition (409, both languages) when `action` would decide a
    college-approved application of a program decided by its final list."""
    if action in DIRECT_DECISIONS and state == "college_approved" and decided_by_final_list(program):
        raise InvalidTransition(
            "This program scores its applications and publishes a public notice: the decision comes from the "
            "final list (finalising the notice), not from approving or rejecting one application directly.",
            "本项目须经评审打分和公示，是否通过以公示结束后的正式名单为准，不能直接审批单个申报",
            field="action")
