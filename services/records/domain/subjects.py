"""Checking that what a record is about exists in the directory (名录).

A fact about a mistyped 学号 would never count for or against anyone (a failed
course that no rule sees), so a record's subject must be a person or unit of the
kind it claims, in the importing admin's school. The directory lookups themselves
are the service's (`services/records/directory.py`); these are the rules.
"""
from services.records.domain import access
from services.records.domain.kinds import SUBJECT_KINDS


def problem_of(subject_kind, subject_id, subject, schools):
    """None, or (en, zh) why `subject` (the directory's answer, None when unknown)
    cannot carry a record claimed to be about a `subject_kind` ``subject_id``."""
    label = SUBJECT_KINDS.get(subject_kind, subject_kind)
    if subject is None:
        return (f"No {subject_kind} {subject_id!r} in the directory.", f"名录中不存在{label}「{subject_id}」")
    if subject.get("kind") != subject_kind:
        actual = SUBJECT_KINDS.get(subject.get("kind"), subject.get("kind"))
        return (f"{subject_id!r} is a {subject.get('kind')}, not a {subject_kind}.",
                f"「{subject_id}」是{actual}，不是{label}")
    return access.check_writable(schools, subject)


def row_problems(records, found, schools, column="对象编号"):
    """Import problems {row, column, message, message_zh} for records whose subject
    is not acceptable; `found` maps (subject_kind, subject_id) to the directory's answer."""
    out = []
    for record in records:
        reason = problem_of(record["subject_kind"], record["subject_id"],
                            found.get((record["subject_kind"], record["subject_id"])), schools)
        if reason:
            out.append({"row": record["row"], "column": column, "message": reason[0], "message_zh": reason[1]})
    return out
