"""What changed in an application between its return (退回) and now.

When an application is returned, the applications service keeps a snapshot of it
(`snapshot`, stored on the application in the same write as the step): its form and
its attachments as they were. Once the applicant resubmits, `changes` compares the
application with that snapshot, field by field (nested groups and rows by their
dotted names, e.g. ``faculty_advisor.phone``, ``expected_outputs.1.description``)
and attachment by attachment (added, removed). Plain Python; no store, no transport.
"""
import copy


def snapshot(application, attachments, at):
    """The application as it is being returned: {"at", "form", "attachments": [{"id",
    "kind", "filename", "sha256"}]}."""
    return {
        "at": at,
        "form": copy.deepcopy(application.get("form") or {}),
        "attachments": [_attachment(a) for a in attachments],
    }


def _attachment(doc):
    return {"id": doc.get("_id") or doc.get("id"), "kind": doc.get("kind"), "filename": doc.get("filename"),
            "sha256": doc.get("sha256")}


def _leaves(value, prefix=""):
    """{dotted path: value} of a form: groups and rows of objects are walked, lists of
    plain values (a multiple choice, lines) stay one value."""
    if isinstance(value, dict):
        out = {}
        for key, child in value.items():
            out.update(_leaves(child, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and any(isinstance(item, dict) for item in value):
        out = {}
        for index, child in enumerate(value):
            out.update(_leaves(child, f"{prefix}.{index}"))
        return out
    if value in (None, "", []):
        return {}
    return {prefix: value}


def changes(snapshot_, form, attachments):
    """{"fields": [{"field", "old", "new"}] in the form's order (old or new None when
    the value was added or cleared), "added": [attachment], "removed": [attachment]}
    between the snapshot taken at the return and the application now."""
    before, after = _leaves(snapshot_.get("form") or {}), _leaves(form or {})
    order = list(after) + [name for name in before if name not in after]
    fields = [{"field": name, "old": before.get(name), "new": after.get(name)}
              for name in order if before.get(name) != after.get(name)]
    then = {a["id"]: a for a in snapshot_.get("attachments") or []}
    now = {a["id"]: a for a in map(_attachment, attachments)}
    return {
        "fields": fields,
        "added": [a for key, a in now.items() if key not in then],
        "removed": [a for key, a in then.items() if key not in now],
    }


def changes_of(application, attachments):
    """`changes` for an application that was returned at least once (None otherwise),
    with when it was returned and, once resubmitted, when."""
    kept = application.get("returned_snapshot")
    if not kept:
        return None
    found = changes(kept, application.get("form"), attachments)
    return dict(found, returned_at=kept.get("at"), resubmitted_at=application.get("resubmitted_at"))
