"""``data`` payloads of the events the funding service publishes, and their ids.

The envelope is :func:`core.envelope.make_event` (source ``"funding"``); commands
return ``Outcome.event = {"type", "event_id", "data", "actor"}`` and the service
dispatches it. ``event_id`` is derived from the command's idempotency key, so a
retried command or a re-dispatch yields the same id and subscribers de-duplicate.

Payloads (schema version 1; amounts in int fen plus a display string):

- ``grant.awarded``:  grant_id, campaign_id, program, project_id, project_title,
  college_id, lead_id, advisor_id, tier, tier_name, amount_fen, amount, awarded_at,
  rules_fingerprint
- ``claim.submitted``: claim_id, grant_id, campaign_id, project_id, project_title,
  college_id, lead_id, amount_fen, total, purpose, step (the approval step it now
  waits for: advisor, college, finance); sent when a claim is filed or resubmitted
  and after each approval but the last
- ``claim.approved``: claim_id, grant_id, campaign_id, project_id, project_title,
  college_id, lead_id, total_fen, total, purpose, items, receipts, approved_at,
  approved_by
- ``project.closed``: grant_id, campaign_id, project_id, project_title, college_id, tier,
  granted_fen, paid_fen, spent_fen (= paid_fen, the contract's name), returned_fen
  (and display strings), materials, closed_at, closed_by
"""
import hashlib

from core.envelope import make_event

from .money import format_fen

SOURCE = "funding"
VERSION = 1
GRANT_AWARDED = "grant.awarded"
CLAIM_SUBMITTED = "claim.submitted"
CLAIM_APPROVED = "claim.approved"
PROJECT_CLOSED = "project.closed"


def event_id(key):
    """Deterministic event id for the command with idempotency key ``key``."""
    return "evt_" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def pending(event_type, data, actor, key):
    return {"type": event_type, "event_id": event_id(key), "data": data, "actor": actor}


def envelope(pending_event, occurred_at=None):
    """The full envelope for a pending event (what the service dispatches)."""
    return make_event(pending_event["type"], pending_event["data"], source=SOURCE,
                      actor=pending_event["actor"], version=VERSION,
                      event_id=pending_event["event_id"], occurred_at=occurred_at)


def grant_awarded_data(grant):
    return {
        "grant_id": grant["id"], "campaign_id": grant["campaign_id"],
        "program": grant["program"], "project_id": grant["project_id"],
        "project_title": grant.get("project_title"), "college_id": grant["college_id"],
        "lead_id": grant["lead_id"], "advisor_id": grant["advisor_id"],
        "tier": grant["tier"], "tier_name": grant["tier_name"],
        "amount_fen": grant["granted_fen"], "amount": format_fen(grant["granted_fen"]),
        "awarded_at": grant["awarded_at"], "rules_fingerprint": grant["rules_fingerprint"],
    }


def claim_submitted_data(claim, grant, step):
    """The claim now waits for `step`; the service adds who acts there (routing hints)."""
    return {
        "claim_id": claim["id"], "grant_id": grant["id"], "campaign_id": grant["campaign_id"],
        "project_id": grant["project_id"], "project_title": grant.get("project_title"),
        "college_id": grant["college_id"], "lead_id": grant["lead_id"],
        "amount_fen": claim["total_fen"], "total": format_fen(claim["total_fen"]),
        "purpose": claim["purpose"], "step": step,
    }


def claim_approved_data(claim, grant, approved_by, approved_at):
    return {
        "claim_id": claim["id"], "grant_id": grant["id"], "campaign_id": grant["campaign_id"],
        "project_id": grant["project_id"], "project_title": grant.get("project_title"),
        "college_id": grant["college_id"],
        "lead_id": grant["lead_id"], "total_fen": claim["total_fen"],
        # amount_fen is the name the notifications catalog (and templates) read
        "amount_fen": claim["total_fen"],
        "total": format_fen(claim["total_fen"]), "purpose": claim["purpose"],
        "items": [dict(i) for i in claim["items"]], "receipts": list(claim["receipts"]),
        "approved_at": approved_at, "approved_by": approved_by,
    }


def project_closed_data(grant, returned_fen, closed_by, closed_at):
    return {
        "grant_id": grant["id"], "campaign_id": grant["campaign_id"],
        "project_id": grant["project_id"], "project_title": grant.get("project_title"),
        "college_id": grant["college_id"], "tier": grant["tier"], "granted_fen": grant["granted_fen"],
        "paid_fen": grant["paid_fen"], "spent_fen": grant["paid_fen"], "returned_fen": returned_fen,
        "granted": format_fen(grant["granted_fen"]), "paid": format_fen(grant["paid_fen"]),
        "returned": format_fen(returned_fen), "materials": sorted(grant.get("materials", {})),
        "closed_at": closed_at, "closed_by": closed_by,
    }
