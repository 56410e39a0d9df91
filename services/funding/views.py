"""What callers get back: plain JSON, amounts in int fen plus display strings
(``¥1,234.50``), deadlines also in Asia/Shanghai, no store internals (``applied_ops``,
``holds``, ``_id``)."""
from core import audit
from services.funding.domain import claims as claim_rules
from services.funding.domain import closing, deadlines
from services.funding.domain.campaigns import available_fen
from services.funding.domain.grants import remaining_fen
from services.funding.domain.money import format_fen

_HIDDEN = ("applied_ops", "holds", "_id", "_rev", "attachment_counts")


def _public(doc):
    return {k: v for k, v in doc.items() if k not in _HIDDEN}


def _display(doc, names):
    return {n[:-4]: format_fen(doc[n]) for n in names if isinstance(doc.get(n), int)}


def tiers_view(rules, caps=None):
    """The tiers with their caps: a campaign's own (``caps``) where it lowered one."""
    caps = caps or {}
    out = []
    for t in rules["tiers"]:
        cap = caps.get(t["code"], t["cap_fen"])
        out.append({"code": t["code"], "name": t["name"], "name_en": t["name_en"], "cap_fen": cap,
                    "cap": format_fen(cap), "closing_materials": t["closing_materials"]})
    return out


def rules_view(record):
    rules = record["rules"]
    return {"program": record["program"], "version": record["version"],
            "fingerprint": rules["fingerprint"], "tiers": tiers_view(rules),
            "categories": rules["categories"], "approval_steps": rules["approval_steps"],
            "material_kinds": rules["material_kinds"], "deadlines": rules["deadlines"],
            "registered_at": record.get("registered_at")}


def campaign_view(campaign, rules=None):
    view = _public(campaign)
    view.pop("awards", None)
    view["available_fen"] = available_fen(campaign)
    view["display"] = _display(view, ("budget_fen", "granted_fen", "returned_fen", "available_fen"))
    view["deadlines_local"] = {k: deadlines.display(v) for k, v in (campaign.get("deadlines") or {}).items()}
    if rules is not None:
        view["tiers"] = tiers_view(rules, campaign.get("tier_caps"))
        view["enforced_deadlines"] = rules["deadlines"]
    return view


def grant_view(grant, rules=None):
    view = _public(grant)
    view["remaining_fen"] = remaining_fen(grant) if grant["status"] == "active" else 0
    view["display"] = _display(view, ("granted_fen", "reserved_fen", "approved_fen", "paid_fen",
                                      "returned_fen", "remaining_fen"))
    if rules is not None:
        view["required_materials"] = closing.required_materials(rules, grant)
        view["missing_materials"] = closing.missing_materials(rules, grant)
        view["closing_step"] = closing.closing_step(rules, grant)
    return view


def claim_view(claim, grant=None, actor=None):
    """A claim; its history in core/audit.py's shape (older records too)."""
    view = _public(claim)
    view["history"] = [_history_record(claim, h) for h in claim.get("history") or []]
    view["display"] = {"total": format_fen(claim["total_fen"])}
    if grant is not None and actor is not None:
        view["actions"] = claim_rules.can_act(claim, grant, actor)
    return view


def _history_record(claim, record):
    """A claim's history record in core/audit.py's shape; one stored before it named
    no subject: it is the claim's."""
    shaped = {k: v for k, v in audit.read(record).items() if k != "_id"}
    if shaped["subject_id"] is None:
        shaped.update(subject_kind="claim", subject_id=claim["id"])
    return shaped


def attachment_view(attachment):
    return {k: v for k, v in attachment.items() if k not in ("data", "_id")}


def entry_view(entry):
    return dict(_public(entry), display={"amount": format_fen(entry["amount_fen"])})
