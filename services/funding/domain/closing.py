"""Closing a project (结项验收): materials in, reviewed, no claim pending, unspent money back.

The steps, as :func:`closing_step` names them: ``materials`` (the lead or advisor
uploads what the tier requires) → ``review`` (all in: the campaign admin reviews
them, :func:`review_materials`: pass, or return with a reason → ``returned``, and a
material submitted again goes back to ``review``) → ``close`` (passed: the admin
closes) → ``closed``. Every material submitted bumps ``materials_version`` and clears
the review, so a review always judges the materials as they are, and a closing
whose materials changed after they passed is refused.

Materials are recorded on the grant (``grant["materials"][kind] = {"value", "by",
"at"}``); the tier lists which kinds closing needs (pilot branches: key and featured
need closing_report + work_case + article_link, general needs closing_report +
activity_summary).

Guarantees of :func:`close_project`: refused (ValidationFailed naming every missing
material in Chinese and English) unless all the tier's materials are present; refused
(InvalidTransition) unless they passed review and did not change since; refused
(InvalidTransition listing them) while any claim is not yet paid, rejected or
withdrawn; the unspent amount ``granted − paid`` goes back to the campaign as one
``grant_returned`` entry (also when it is 0, so every closing is in the ledger); the
guarded update on the grant also requires ``status == "active"``, ``reserved == 0``,
``approved == 0``, ``open_claims == 0`` and the ``paid`` amount that was read, so a
claim filed or resubmitted at the same moment either lands first (and closing is
refused) or is refused as closed.
"""
import hashlib
import re

from core import audit as audit_entries
from core.envelope import iso_utc
from core.errors import Conflict, InvalidTransition, field_error, invalid

from . import deadlines, events
from .actors import actor_ref, holds, require_any
from .campaigns import require_rules_of
from .claim_input import check_reason
from .claims import is_pending
from .guards import Equal, GuardedUpdate
from .ids import is_ref_id
from .ledger import make_entry
from .outcome import Outcome
from .rules import material_kind, tier as find_tier

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_CLOSE_ROLES = ("college", "school_admin")


def _audit(grant, action, who, at, reason=None, **details):
    """The grant's audit record (core/audit.py's shape; its id is the store's)."""
    return audit_entries.entry(None, "grant", grant["id"], action, who, at, campaign_id=grant["campaign_id"],
                               application_id=grant["project_id"], reason=reason, **details)


def _active(grant):
    if grant["status"] != "active":
        raise InvalidTransition(f"project {grant['project_id']} is already closed",
                                f"项目 {grant['project_id']} 已结项", field="grant_id")


def required_materials(rules, grant):
    """The material kinds the grant's tier needs, in the rules' order."""
    return list(find_tier(rules, grant["tier"])["closing_materials"])


def missing_materials(rules, grant):
    """``[{"code", "name", "name_en"}]`` of required materials not yet submitted."""
    have = grant.get("materials") or {}
    return [{k: material_kind(rules, code)[k] for k in ("code", "name", "name_en")}
            for code in required_materials(rules, grant) if code not in have]


def submit_material(grant, rules, campaign, kind, value, actor, now):
    """Record (or replace) one closing material: an attachment id, or for ``url``
    kinds (the published article) an http(s) link. Lead or advisor, while active."""
    require_any(actor, grant, ("lead", "advisor"), "submit closing materials",
                "提交结项材料")
    require_rules_of(campaign, rules)
    known = material_kind(rules, kind) if isinstance(kind, str) else None
    if known is None:
        codes = required_materials(rules, grant)
        raise invalid([field_error("kind", f"unknown material kind {kind!r}; this project "
                                           f"needs: {', '.join(codes)}",
                                   f"未知的结项材料类型 {kind!r}；本项目需要：{'、'.join(codes)}")])
    if known["value"] == "url":
        if not isinstance(value, str) or len(value) > 2000 or not _URL.match(value):
            raise invalid([field_error("value", "must be an http(s) link",
                                       "必须是 http(s) 开头的链接")])
    elif not is_ref_id(value):
        raise invalid([field_error("value", "must be an attachment id", "必须是附件编号")])
    _active(grant)
    now = deadlines.require_aware(now)
    deadlines.check(rules, campaign.get("deadlines"), "submit_material", now)
    who, at = actor_ref(actor), iso_utc(now)
    record = {"value": value, "by": who, "at": at}
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:16]
    key = f"material:{grant['id']}:{kind}:{digest}"
    update = GuardedUpdate(doc="grant", id=grant["id"], op_key=key,
                           inc={"materials_version": 1},
                           assign={f"materials.{kind}": record, "materials_review": None},
                           require_equal=(Equal("status", "active", "invalid_transition",
                                                f"project {grant['project_id']} is already closed",
                                                f"项目 {grant['project_id']} 已结项"),))
    audit = _audit(grant, "submit_material", who, at, kind=kind, value=value)
    result = {**grant, "materials": {**(grant.get("materials") or {}), kind: record},
              "materials_version": (grant.get("materials_version") or 0) + 1, "materials_review": None}
    return Outcome(key=key, result=result, updates=[update], audit=[audit])


REVIEW_DECISIONS = {"pass": "passed", "return": "returned"}


def closing_step(rules, grant):
    """What comes next in closing: ``materials`` (some required material missing),
    ``review`` (all in, not yet reviewed), ``returned`` (sent back with a reason),
    ``close`` (passed review) or ``closed``."""
    if grant["status"] != "active":
        return "closed"
    if missing_materials(rules, grant):
        return "materials"
    decision = (grant.get("materials_review") or {}).get("decision")
    return {"passed": "close", "returned": "returned"}.get(decision, "review")


def grant_actions(rules, grant, actor):
    """What ``actor`` may do on the project now (for the pages): ``file_claim`` (the
    lead), ``upload_materials`` (lead or advisor), ``review_materials`` and ``close``
    (the project's college or a school admin), each only at its step."""
    step = closing_step(rules, grant)
    if step == "closed":
        return []
    admin = any(holds(actor, grant, r) for r in _CLOSE_ROLES)
    acts = ["file_claim"] if holds(actor, grant, "lead") else []
    if holds(actor, grant, "lead") or holds(actor, grant, "advisor"):
        acts.append("upload_materials")
    if admin and step in ("review", "returned"):
        acts.append("review_materials")
    if admin and step == "close":
        acts.append("close")
    return acts


def review_materials(grant, rules, campaign, decision, reason, actor, now):
    """The campaign admin (a school admin, or the college of the project) reviews the
    closing materials as they are now: ``pass`` (every required material in) or
    ``return`` (a reason is required; the lead replaces what is asked and the review
    starts again). Recorded as ``grant["materials_review"] = {"decision": "passed" |
    "returned", "reason", "by", "at", "materials_version"}``; refused (Conflict) if a
    material was submitted meanwhile."""
    require_any(actor, grant, _CLOSE_ROLES, "review the closing materials", "审核结项材料")
    require_rules_of(campaign, rules)
    if decision not in REVIEW_DECISIONS:
        raise invalid([field_error("decision", "must be pass or return", "须为通过（pass）或退回（return）")])
    _active(grant)
    reason = check_reason(reason, required=(decision == "return"))
    if decision == "pass":
        missing = missing_materials(rules, grant)
        if missing:
            raise invalid([field_error(
                "materials", "closing materials missing: " + ", ".join(m["name_en"] for m in missing),
                "缺少结项材料：" + "、".join(m["name"] for m in missing))])
    now = deadlines.require_aware(now)
    who, at = actor_ref(actor), iso_utc(now)
    version = grant.get("materials_version") or 0
    record = {"decision": REVIEW_DECISIONS[decision], "reason": reason, "by": who, "at": at,
              "materials_version": version}
    digest = hashlib.sha256((reason or "").encode("utf-8")).hexdigest()[:12]
    key = f"materials_review:{grant['id']}:v{version}:{decision}:{digest}"
    changed = ("the closing materials changed meanwhile; reload and review them again",
               "结项材料已更新，请刷新后重新审核")
    update = GuardedUpdate(doc="grant", id=grant["id"], op_key=key, assign={"materials_review": record},
                           require_equal=(
                               Equal("status", "active", "invalid_transition",
                                     f"project {grant['project_id']} is already closed",
                                     f"项目 {grant['project_id']} 已结项"),
                               Equal("materials_version", grant.get("materials_version"), "conflict", *changed)))
    audit = _audit(grant, "review_materials", who, at, reason=reason, decision=record["decision"])
    return Outcome(key=key, result={**grant, "materials_review": record}, updates=[update], audit=[audit])


def close_project(grant, rules, campaign, claims, actor, now, reason=None):
    """Close the project: college admin of its college or a school admin.

    ``claims``: every claim of this grant (the store's list). Returns an Outcome with
    the guarded grant update (status closed, returned_fen), the campaign's
    ``returned_fen`` increment, one ``grant_returned`` entry and ``project.closed``.
    """
    require_any(actor, grant, _CLOSE_ROLES, "close this project", "办理该项目结项")
    require_rules_of(campaign, rules)
    _active(grant)
    now = deadlines.require_aware(now)
    deadlines.check(rules, campaign.get("deadlines"), "close_project", now)
    missing = missing_materials(rules, grant)
    if missing:
        raise invalid([field_error(
            "materials",
            "closing materials missing: " + ", ".join(m["name_en"] for m in missing),
            "缺少结项材料：" + "、".join(m["name"] for m in missing))])
    if (grant.get("materials_review") or {}).get("decision") != "passed":
        raise InvalidTransition("the closing materials have not passed review yet",
                                "结项材料尚未审核通过", field="materials_review")
    pending = sorted(c["id"] for c in claims if c["grant_id"] == grant["id"] and is_pending(c))
    if pending:
        raise InvalidTransition(
            f"claims still pending: {', '.join(pending)}; they must be paid, rejected or "
            "withdrawn first",
            f"尚有未办结的报销申请：{'、'.join(pending)}，须先付款、驳回或撤回", field="claims",
            details={"pending_claims": pending})
    if grant["reserved_fen"] or grant["approved_fen"]:
        raise Conflict("the grant still holds reserved or approved money; reload and retry",
                       "项目经费仍有占用或待付款金额，请刷新后重试", field="grant_id")
    returned = grant["granted_fen"] - grant["paid_fen"] - grant["returned_fen"]
    who, at = actor_ref(actor), iso_utc(now)
    reason = reason.strip() if isinstance(reason, str) and reason.strip() else None
    key = f"grant_returned:{grant['id']}"
    changed = "the grant changed meanwhile; reload and retry"
    changed_zh = "项目经费已发生变化，请刷新后重试"
    closed = {"status": "closed", "closed_by": who, "closed_at": at, "closing_reason": reason}
    grant_update = GuardedUpdate(
        doc="grant", id=grant["id"], op_key=key, inc={"returned_fen": returned}, assign=closed,
        require_equal=(
            Equal("status", "active", "invalid_transition",
                  f"project {grant['project_id']} is already closed",
                  f"项目 {grant['project_id']} 已结项"),
            Equal("reserved_fen", 0, "conflict", changed, changed_zh),
            Equal("approved_fen", 0, "conflict", changed, changed_zh),
            Equal("paid_fen", grant["paid_fen"], "conflict", changed, changed_zh),
            Equal("materials_review.decision", "passed", "invalid_transition",
                  "the closing materials changed meanwhile and must be reviewed again",
                  "结项材料已更新，须重新审核"),
            Equal("open_claims", 0, "invalid_transition",
                  "claims still pending; they must be paid, rejected or withdrawn first",
                  "尚有未办结的报销申请，须先付款、驳回或撤回"),
        ),
    )
    campaign_update = GuardedUpdate(doc="campaign", id=grant["campaign_id"], op_key=key,
                                    inc={"returned_fen": returned})
    entry = make_entry("grant_returned", key, returned, campaign_id=grant["campaign_id"],
                       grant_id=grant["id"], project_id=grant["project_id"],
                       college_id=grant["college_id"], actor=who, at=at,
                       reason=reason or "结项收回结余")
    result = {**grant, **closed, "returned_fen": grant["returned_fen"] + returned}
    audit = _audit(grant, "close_project", who, at, reason=reason, returned_fen=returned)
    return Outcome(key=key, result=result, updates=[grant_update, campaign_update],
                   entries=[entry], audit=[audit],
                   event=events.pending(events.PROJECT_CLOSED,
                                        events.project_closed_data(result, returned, who, at),
                                        who, key))
