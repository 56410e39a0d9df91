"""What callers get back: plain JSON, times as ISO 8601 UTC, no internals, and for
blind review nothing that names the applicant."""
import hashlib

from core.views import jsonable as core_jsonable
from services.scoring.domain.assignment import IDENTIFYING_FIELDS, blind_view

_HIDDEN = ("outbox", "outbox_ts", "outbox_at")

# Blind review also hides these (the advisor's name, the unit path naming the branch,
# the attachments, whose file names often carry names).
BLIND_EXTRA = ("faculty_advisor", "unit_path", "attachments", "attachment_counts", "created_key")


def jsonable(value):
    return core_jsonable(value, _HIDDEN)


def with_id(doc):
    view = jsonable(doc)
    view["id"] = view.pop("_id")
    return view


def alias(campaign_id, application_id):
    """A stable pseudonym for blind review, e.g. "申报 #3F9A1C"."""
    digest = hashlib.sha256(f"{campaign_id}:{application_id}".encode()).hexdigest()[:6].upper()
    return f"申报 #{digest}"


def reviewer_application_view(application, blind):
    """What a reviewer sees of an application assigned to them."""
    keep = ("id", "campaign_id", "program", "program_version", "applicant_kind", "applicant_id",
            "applicant_name", "college_id", "state", "form", "submitted_at")
    view = {k: application.get(k) for k in keep}
    if not blind:
        view["blind"] = False
        return view
    return blind_view(view, fields=tuple(IDENTIFYING_FIELDS) + BLIND_EXTRA,
                      alias=alias(application["campaign_id"], application["id"]))


def assignment_view(doc):
    view = with_id(doc)
    return view


def sheet_view(doc):
    view = with_id(doc)
    view.pop("criteria_fingerprint", None)
    return view


def rounded(x, places=6):
    """Totals in events and views: floating-point noise below 1e-6 points removed."""
    return None if x is None else round(float(x), places)
