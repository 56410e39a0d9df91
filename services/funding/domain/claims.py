"""Reimbursement claims (报销申请) and their approval state machine.

States (with the default steps ``["advisor", "college", "finance"]``; a program may
list fewer, and the claim keeps the steps it was filed under)::

    submitted ──advisor──▶ advisor_approved ──college──▶ college_approved
        ──finance──▶ finance_approved ──finance pays──▶ paid
    any approval state ──(current step's approver, reason)──▶ returned | rejected
    returned ──lead edits & resubmits──▶ submitted
    submitted / *_approved before the last / returned ──lead──▶ withdrawn

Who acts: the lead files, resubmits and withdraws; each step's approver (faculty
advisor of the project, college admin of its college, finance) approves, returns or
rejects at that step; finance pays. Nobody approves a claim they filed themselves.

The claim document::

    {"id": "c1", "grant_id", "campaign_id", "project_id", "college_id",
     "status": "submitted", "steps": ["advisor", "college", "finance"],
     "revision": 1,        # +1 on each resubmission (each revision reserves anew)
     "version": 1,         # +1 on every change (compare-and-set)
     "items": [{"description", "category", "amount_fen"}], "receipts": ["att-1"],
     "purpose": "...", "total_fen": 12000, "filed_by": {"id", "name"}, "filed_at",
     "updated_at", "history": [audit...], "applied_ops": []}

Audit records (``history``): core/audit.py's entries of the claim, ``step`` (the
approval step, or None) and ``request_id`` in their ``details``; their ids are the
store's. A claim stored before that shape keeps its older records (``actor``, and
``step`` and ``request_id`` beside the others), read through ``audit.read``.

The grant also counts its ``open_claims`` (filed, not yet paid, rejected or
withdrawn; returned ones included), so closing can require 0 atomically.

Money: filing reserves the total on the grant; return/reject/withdraw releases it;
the last approval moves it to approved; payment to paid (ledger kinds of the same
names). Guarantees: a claim whose total exceeds what is left of the grant is refused
with BudgetExceeded stating the remaining amount, also under concurrency (the
reservation is a guarded update on the grant: ``reserved + approved + paid +
returned + total <= granted`` and the grant still active); a claim on a closed
project is refused (InvalidTransition); a transition whose ``request_id`` is already
in the history is a replay, never a second booking.
"""
from core import audit as audit_entries
from core.envelope import iso_utc
from core.errors import Conflict, InvalidTransition, PermissionDenied, field_error, invalid

from . import deadlines, events
from .actors import actor_ref, holds, require_any
from .campaigns import require_rules_of
from .claim_input import check_payment_reference, check_reason, validate_claim_input
from .grants import remaining_fen
from .guards import AtMost, Equal, GuardedUpdate
from .ids import check_id
from .ledger import make_entry
from .money import budget_exceeded, format_fen
from .outcome import Outcome

TERMINAL = ("paid", "rejected", "withdrawn")


def approved_state(step):
    return f"{step}_approved"


def approval_states(claim):
    """States in which the claim waits for a step's approval."""
    return ["submitted"] + [approved_state(s) for s in claim["steps"][:-1]]


def is_pending(claim):
    """Not yet in a terminal state (closing waits for these)."""
    return claim["status"] not in TERMINAL


# ------------------------------------------------------ grant updates ---

def _require_active(grant):
    if grant["status"] != "active":
        raise InvalidTransition(
            f"project {grant['project_id']} is closed; no claims can be filed or changed",
            f"项目 {grant['project_id']} 已结项，不能再提交或修改报销", field="grant_id",
            details={"grant_status": grant["status"]})


def _over_grant(total):
    return (f"claim total {format_fen(total)} exceeds what is left of the grant",
            f"报销金额 {format_fen(total)} 超出项目经费余额")


def _reserve(grant, claim_id, revision, total, opens=False):
    en, zh = _over_grant(total)
    inc = {"reserved_fen": total, **({"open_claims": 1} if opens else {})}
    return GuardedUpdate(
        doc="grant", id=grant["id"], op_key=f"claim_reserved:{claim_id}:{revision}:{total}",
        inc=inc, assign={f"holds.{claim_id}": total},
        require_equal=(
            Equal("status", "active", "invalid_transition",
                  f"project {grant['project_id']} is closed; no claims can be filed",
                  f"项目 {grant['project_id']} 已结项，不能再提交报销"),
            Equal(f"holds.{claim_id}", None, "conflict",
                  f"claim {claim_id} already holds a reservation",
                  f"报销申请 {claim_id} 已占用经费额度"),
        ),
        require_at_most=(AtMost(
            terms={"reserved_fen": 1, "approved_fen": 1, "paid_fen": 1, "returned_fen": 1},
            plus=total, limit_field="granted_fen", message_en=en, message_zh=zh,
            field="items"),),
    )


def _held(claim_id, amount):
    return Equal(f"holds.{claim_id}", amount, "conflict",
                 f"claim {claim_id} holds no reservation of {format_fen(amount)}",
                 f"报销申请 {claim_id} 未占用 {format_fen(amount)} 的额度")


def _release(grant, claim, key, ends=False):
    """Release the reservation; ``ends``: the claim reaches a terminal state."""
    cid, total = claim["id"], claim["total_fen"]
    return GuardedUpdate(doc="grant", id=grant["id"], op_key=key,
                         inc={"reserved_fen": -total, **({"open_claims": -1} if ends else {})},
                         assign={f"holds.{cid}": None}, require_equal=(_held(cid, total),))


def _move(grant, claim, key, from_counter, to_counter, ends=False):
    inc = {from_counter: -claim["total_fen"], to_counter: claim["total_fen"],
           **({"open_claims": -1} if ends else {})}
    return GuardedUpdate(doc="grant", id=grant["id"], op_key=key, inc=inc,
                         require_equal=(_held(claim["id"], claim["total_fen"]),))


def _entry(kind, key, claim, grant, who, at, reason):
    return make_entry(kind, key, claim["total_fen"], campaign_id=grant["campaign_id"],
                      grant_id=grant["id"], claim_id=claim["id"], project_id=grant["project_id"],
                      college_id=grant["college_id"], actor=who, at=at, reason=reason)


def _check_grant_of(claim, grant):
    if claim["grant_id"] != grant["id"]:
        raise invalid([field_error("grant_id", "the claim belongs to another grant",
                                   "该报销申请不属于此项目")])


# -------------------------------------------------------------- filing ---

def file_claim(grant, rules, campaign, claim_id, request, actor, now, existing=None):
    """File a claim (``request``: items, receipts, purpose) as the project lead.

    ``claim_id`` should be derived from the request's idempotency key so a retried
    request maps to the same claim; ``existing`` is the stored claim with that id,
    if any (same content → replay; different → Conflict).
    """
    require_any(actor, grant, ("lead",), "file a reimbursement claim for this project",
                "为该项目提交报销申请")
    check_id(claim_id, "claim_id")
    require_rules_of(campaign, rules)
    data = validate_claim_input(rules, request)
    who = actor_ref(actor)
    if existing is not None:
        same = all(existing[k] == data[k] for k in ("items", "receipts", "purpose"))
        if same and existing["filed_by"]["id"] == who["id"]:
            return Outcome(key=f"claim:{claim_id}", result=existing, replay=True)
        raise Conflict(f"claim {claim_id} exists with different content",
                       f"报销申请 {claim_id} 已存在且内容不同", field="claim_id")
    _require_active(grant)
    now = deadlines.require_aware(now)
    deadlines.check(rules, campaign.get("deadlines"), "file_claim", now)
    total = data["total_fen"]
    if total > remaining_fen(grant):
        raise budget_exceeded(remaining_fen(grant), *_over_grant(total), field="items",
                              requested_fen=total)
    at = iso_utc(now)
    audit = _audit(claim_id, grant["campaign_id"], grant["project_id"], "file", who, at, None, "submitted",
                   request_id=claim_id)
    claim = {
        "id": claim_id, "grant_id": grant["id"], "campaign_id": grant["campaign_id"],
        "project_id": grant["project_id"], "college_id": grant["college_id"],
        "status": "submitted", "steps": list(rules["approval_steps"]), "revision": 1,
        "version": 1, **data, "filed_by": who, "filed_at": at, "updated_at": at,
        "history": [audit], "applied_ops": [],
    }
    update = _reserve(grant, claim_id, 1, total, opens=True)
    entry = _entry("claim_reserved", update.op_key, claim, grant, who, at, data["purpose"])
    return Outcome(key=update.op_key, result=claim, updates=[update],
                   inserts=[("claim", claim)], entries=[entry], audit=[audit],
                   event=_waiting(claim, grant, 0, who))


# --------------------------------------------------------- transitions ---

def _audit(claim_id, campaign_id, project_id, action, who, at, source, target, step=None, reason=None,
           request_id=None):
    """The claim's audit record (core/audit.py's shape; its id is the store's)."""
    return audit_entries.entry(None, "claim", claim_id, action, who, at, campaign_id=campaign_id,
                               application_id=project_id, reason=reason, from_state=source, to_state=target,
                               step=step, request_id=request_id)


def _transition(claim, action, to, who, at, step=None, reason=None, request_id=None,
                changes=None):
    """The compare-and-set update of the claim and its new state."""
    audit = _audit(claim["id"], claim["campaign_id"], claim.get("project_id"), action, who, at, claim["status"], to,
                   step=step, reason=reason, request_id=request_id)
    new = {**claim, **(changes or {}), "status": to, "version": claim["version"] + 1,
           "updated_at": at, "history": claim["history"] + [audit]}
    assign = {k: new[k] for k in ("status", "version", "updated_at", "history")}
    assign.update(changes or {})
    update = GuardedUpdate(
        # actor in the key: two people acting on the same version are not replays of
        # each other; the second one's compare-and-set fails (Conflict)
        doc="claim", id=claim["id"],
        op_key=f"claim_{action}:{claim['id']}:v{claim['version']}:{who['id']}",
        assign=assign,
        require_equal=(Equal("version", claim["version"], "conflict",
                             f"claim {claim['id']} changed meanwhile; reload and retry",
                             f"报销申请 {claim['id']} 已被他人处理，请刷新后重试"),),
    )
    return new, update, audit


def _replayed(claim, request_id):
    if request_id is None:
        return None
    if any((audit_entries.read(h)["details"] or {}).get("request_id") == request_id for h in claim["history"]):
        return Outcome(key=f"request:{request_id}", result=claim, replay=True)
    return None


def _current_step(claim):
    """Index of the step whose approval the claim waits for; InvalidTransition if none."""
    states = approval_states(claim)
    if claim["status"] not in states:
        raise InvalidTransition(
            f"claim {claim['id']} is {claim['status']}; it awaits no approval",
            f"报销申请 {claim['id']} 当前状态为 {claim['status']}，无需审批", field="status")
    return states.index(claim["status"])


def _require_step_role(claim, grant, actor, step, action_en, action_zh):
    require_any(actor, grant, (step,), f"{action_en} at the {step} step", f"在该审批环节{action_zh}")
    if actor["id"] == claim["filed_by"]["id"]:
        raise PermissionDenied("nobody may approve a claim they filed themselves",
                               "不能审批本人提交的报销申请")


def approve_claim(claim, grant, actor, now, reason=None, request_id=None):
    """Approve at the current step. The last step moves the money from reserved to
    approved (``claim_approved``) and emits ``claim.approved``."""
    _check_grant_of(claim, grant)
    replay = _replayed(claim, request_id)
    if replay:
        return replay
    index = _current_step(claim)
    step = claim["steps"][index]
    _require_step_role(claim, grant, actor, step, "approve", "审批通过")
    reason = check_reason(reason, required=False)
    who, at = actor_ref(actor), iso_utc(deadlines.require_aware(now))
    new, update, audit = _transition(claim, "approve", approved_state(step), who, at, step,
                                     reason, request_id)
    outcome = Outcome(key=update.op_key, result=new, updates=[update], audit=[audit])
    if index == len(claim["steps"]) - 1:
        key = f"claim_approved:{claim['id']}:{claim['revision']}"
        outcome.updates.append(_move(grant, claim, key, "reserved_fen", "approved_fen"))
        outcome.entries.append(_entry("claim_approved", key, claim, grant, who, at, reason))
        outcome.event = events.pending(events.CLAIM_APPROVED,
                                       events.claim_approved_data(new, grant, who, at), who, key)
    else:
        outcome.event = _waiting(new, grant, index + 1, who)
    return outcome


def _waiting(claim, grant, index, who):
    """``claim.submitted``: the claim now waits for its step `index` (its approvers are
    told; the id is fixed per claim revision and step, so a retry sends it once)."""
    step = claim["steps"][index]
    return events.pending(events.CLAIM_SUBMITTED, events.claim_submitted_data(claim, grant, step), who,
                          f"claim_submitted:{claim['id']}:{claim['revision']}:{step}")


def _send_back(claim, grant, actor, now, reason, request_id, to, action_en, action_zh):
    _check_grant_of(claim, grant)
    replay = _replayed(claim, request_id)
    if replay:
        return replay
    step = claim["steps"][_current_step(claim)]
    _require_step_role(claim, grant, actor, step, action_en, action_zh)
    reason = check_reason(reason, required=True)
    who, at = actor_ref(actor), iso_utc(deadlines.require_aware(now))
    new, update, audit = _transition(claim, "return" if to == "returned" else "reject", to, who,
                                     at, step, reason, request_id)
    key = f"claim_released:{claim['id']}:{claim['revision']}"
    return Outcome(key=update.op_key, result=new, audit=[audit],
                   updates=[update, _release(grant, claim, key, ends=(to == "rejected"))],
                   entries=[_entry("claim_released", key, claim, grant, who, at, reason)])


def return_claim(claim, grant, actor, now, reason, request_id=None):
    """Send back to the lead for changes (reason required); releases the reservation."""
    return _send_back(claim, grant, actor, now, reason, request_id, "returned",
                      "return the claim", "退回修改")


def reject_claim(claim, grant, actor, now, reason, request_id=None):
    """Refuse for good (reason required); releases the reservation."""
    return _send_back(claim, grant, actor, now, reason, request_id, "rejected",
                      "reject the claim", "驳回")


def withdraw_claim(claim, grant, actor, now, reason=None, request_id=None):
    """The lead withdraws a claim not yet finally approved (or a returned one)."""
    _check_grant_of(claim, grant)
    replay = _replayed(claim, request_id)
    if replay:
        return replay
    require_any(actor, grant, ("lead",), "withdraw this claim", "撤回该报销申请")
    if claim["status"] not in approval_states(claim) + ["returned"]:
        raise InvalidTransition(f"claim {claim['id']} is {claim['status']}; it cannot be withdrawn",
                                f"报销申请 {claim['id']} 当前状态为 {claim['status']}，不能撤回",
                                field="status")
    reason = check_reason(reason, required=False)
    who, at = actor_ref(actor), iso_utc(deadlines.require_aware(now))
    new, update, audit = _transition(claim, "withdraw", "withdrawn", who, at, None, reason,
                                     request_id)
    outcome = Outcome(key=update.op_key, result=new, updates=[update], audit=[audit])
    if claim["status"] != "returned":
        key = f"claim_released:{claim['id']}:{claim['revision']}"
        outcome.updates.append(_release(grant, claim, key, ends=True))
        outcome.entries.append(_entry("claim_released", key, claim, grant, who, at, reason))
    else:  # a returned claim holds no money; it only stops counting as open
        outcome.updates.append(GuardedUpdate(
            doc="grant", id=grant["id"], op_key=f"claim_withdrawn:{claim['id']}:{claim['revision']}",
            inc={"open_claims": -1}))
    return outcome


def resubmit_claim(claim, grant, rules, campaign, request, actor, now, request_id=None):
    """The lead edits a returned claim and resubmits it: a new revision, reserved anew
    (refused with the remaining amount if the grant can no longer cover it)."""
    _check_grant_of(claim, grant)
    replay = _replayed(claim, request_id)
    if replay:
        return replay
    require_any(actor, grant, ("lead",), "resubmit this claim", "重新提交该报销申请")
    if claim["status"] != "returned":
        raise InvalidTransition(f"claim {claim['id']} is {claim['status']}; only a returned "
                                "claim can be edited and resubmitted",
                                f"报销申请 {claim['id']} 当前状态为 {claim['status']}，"
                                "只有被退回的申请可以修改后重新提交", field="status")
    _require_active(grant)
    require_rules_of(campaign, rules)
    data = validate_claim_input(rules, request)
    now = deadlines.require_aware(now)
    deadlines.check(rules, campaign.get("deadlines"), "file_claim", now)
    total = data["total_fen"]
    if total > remaining_fen(grant):
        raise budget_exceeded(remaining_fen(grant), *_over_grant(total), field="items",
                              requested_fen=total)
    who, at = actor_ref(actor), iso_utc(now)
    revision = claim["revision"] + 1
    new, update, audit = _transition(claim, "resubmit", "submitted", who, at, None, None,
                                     request_id, changes={**data, "revision": revision})
    reserve = _reserve(grant, claim["id"], revision, total)
    undo = _release(grant, new, f"{reserve.op_key}:undo")
    return Outcome(key=reserve.op_key, result=new, updates=[reserve, update],
                   compensations=[undo], audit=[audit],
                   entries=[_entry("claim_reserved", reserve.op_key, new, grant, who, at,
                                   data["purpose"])],
                   event=_waiting(new, grant, 0, who))


def pay_claim(claim, grant, actor, now, reason=None, request_id=None, payment_reference=None):
    """Finance records payment of a finally approved claim (``claim_paid``) with the
    payment reference (付款凭证号, required): kept on the claim
    (``payment_reference``), in its history and on the ledger entry (``reference``)."""
    _check_grant_of(claim, grant)
    replay = _replayed(claim, request_id)
    if replay:
        return replay
    require_any(actor, grant, ("finance",), "record a payment", "登记报销付款")
    final = approved_state(claim["steps"][-1])
    if claim["status"] != final:
        raise InvalidTransition(f"claim {claim['id']} is {claim['status']}; only a {final} "
                                "claim can be paid",
                                f"报销申请 {claim['id']} 当前状态为 {claim['status']}，尚不能付款",
                                field="status")
    reference = check_payment_reference(payment_reference)
    reason = check_reason(reason, required=False)
    who, at = actor_ref(actor), iso_utc(deadlines.require_aware(now))
    new, update, audit = _transition(claim, "pay", "paid", who, at, None, reason, request_id,
                                     changes={"payment_reference": reference})
    audit["details"]["payment_reference"] = reference
    key = f"claim_paid:{claim['id']}:{claim['revision']}"
    entry = _entry("claim_paid", key, claim, grant, who, at, reason)
    entry["reference"] = reference
    return Outcome(key=update.op_key, result=new, audit=[audit],
                   updates=[update, _move(grant, claim, key, "approved_fen", "paid_fen",
                                          ends=True)],
                   entries=[entry])


def can_act(claim, grant, actor):
    """Actions ``actor`` may take on ``claim`` now (for the UI): subset of approve,
    return, reject, withdraw, resubmit, pay."""
    acts = []
    if claim["status"] in approval_states(claim):
        step = claim["steps"][approval_states(claim).index(claim["status"])]
        if holds(actor, grant, step) and actor.get("id") != claim["filed_by"]["id"]:
            acts += ["approve", "return", "reject"]
    if holds(actor, grant, "lead"):
        if claim["status"] in approval_states(claim) + ["returned"]:
            acts.append("withdraw")
        if claim["status"] == "returned" and grant["status"] == "active":
            acts.append("resubmit")
    if claim["status"] == approved_state(claim["steps"][-1]) and holds(actor, grant, "finance"):
        acts.append("pay")
    return acts
