"""Guarded updates: the concurrency guard the store applies as ONE conditional write.

The split, in one paragraph:

- The **ledger** (:mod:`.ledger`) is the source of truth for money: every change is an
  append-only entry, and every report is derived from entries.
- The **counters** on the ``campaign`` and ``grant`` documents (``budget_fen``,
  ``granted_fen``, ``reserved_fen`` ...) exist only so the database can refuse an
  overspend atomically under concurrency. Read-then-write in Python can't do that.
  Each command returns :class:`GuardedUpdate` values. The store turns each one into a
  single ``update_one(filter, update)``. The filter holds every condition, so either
  the whole change happens or nothing does.

A ``GuardedUpdate`` says: on document ``doc``/``id``, provided

1. ``op_key`` is not yet in the document's ``applied_ops`` (else it's a *replay*:
   already applied, do nothing, carry on), and
2. every ``require_equal`` field has its value (``status == "active"``,
   ``holds.<claim_id> is None``; a missing field counts as None), and
3. every ``require_at_most`` bound holds: ``Σ coef·doc[field] + plus <=
   doc[limit_field] + limit`` (for a claim: ``reserved + approved + paid + amount <=
   granted``),

then add ``inc``, set ``assign`` (dotted paths allowed) and push ``op_key`` onto
``applied_ops``. :func:`mongo_filter` and :func:`mongo_update` give the exact
MongoDB documents. :func:`apply_update` is the same semantics in pure Python (the
tests and any in-memory store use it). :func:`refusal` builds the typed error to
raise when the conditional write matched nothing: BudgetExceeded with the remaining
amount, InvalidTransition, Conflict or NotFound.

Guarantees: given documents whose counters only ever change through guarded updates,
no bound a command declares can be broken by any interleaving of concurrent
commands, and no ``op_key`` is applied twice to the same document.
"""
import copy
from dataclasses import asdict, dataclass, field

from core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied

from .money import budget_exceeded

#: Field holding the op keys already applied to a document (store-managed).
APPLIED_OPS = "applied_ops"

_ERRORS = {"invalid_transition": InvalidTransition, "conflict": Conflict,
           "permission_denied": PermissionDenied}


@dataclass(frozen=True)
class Equal:
    """``doc[field] == value`` (dotted path; missing counts as None)."""
    field: str
    value: object
    error: str = "conflict"          # invalid_transition | conflict
    message_en: str = "the record changed meanwhile; reload and retry"
    message_zh: str = "记录已被他人修改，请刷新后重试"


@dataclass(frozen=True)
class AtMost:
    """``Σ coef·doc[f] for f, coef in terms + plus <= doc[limit_field] + limit``.

    ``headroom(doc)`` is what ``plus`` may be at most: the remaining amount.
    ``error`` is ``budget_exceeded`` (message states the headroom in yuan) or
    ``conflict`` (an internal invariant; only a concurrent change can break it).
    """
    terms: dict
    plus: int
    limit_field: str = None
    limit: int = 0
    error: str = "budget_exceeded"
    message_en: str = "not enough money left"
    message_zh: str = "余额不足"
    remaining_en: str = "remaining"
    remaining_zh: str = "剩余可报销金额"
    field: str = None

    def headroom(self, doc):
        cap = (_get(doc, self.limit_field) or 0 if self.limit_field else 0) + self.limit
        return cap - sum(coef * (_get(doc, f) or 0) for f, coef in self.terms.items())

    def holds(self, doc):
        return self.plus <= self.headroom(doc)


@dataclass(frozen=True)
class GuardedUpdate:
    """One conditional atomic update of one document (see the module docstring)."""
    doc: str                      # collection: "campaign" | "grant" | "claim"
    id: str
    op_key: str
    inc: dict = field(default_factory=dict)
    assign: dict = field(default_factory=dict)
    require_equal: tuple = ()     # of Equal
    require_at_most: tuple = ()   # of AtMost

    def to_dict(self):
        return asdict(self) | {"require_equal": [asdict(e) for e in self.require_equal],
                               "require_at_most": [asdict(b) for b in self.require_at_most]}

    @classmethod
    def from_dict(cls, data):
        return cls(**{**data,
                      "require_equal": tuple(Equal(**e) for e in data.get("require_equal", ())),
                      "require_at_most": tuple(AtMost(**b) for b in data.get("require_at_most", ()))})


def _get(doc, path):
    node = doc
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _set(doc, path, value):
    """Set a dotted path in ``doc``, copying each nested dict on the way (the caller's
    nested dicts are never changed)."""
    parts = path.split(".")
    node = doc
    for part in parts[:-1]:
        child = node.get(part)
        node[part] = dict(child) if isinstance(child, dict) else {}
        node = node[part]
    node[parts[-1]] = value


def evaluate(update, doc):
    """``"apply"`` if the conditions hold, ``"replay"`` if ``op_key`` was applied
    already, otherwise the typed error the store must raise (not raised here)."""
    if doc is None:
        return NotFound(f"{update.doc} {update.id} not found", f"未找到记录 {update.doc} {update.id}",
                        field=f"{update.doc}_id")
    if update.op_key in (doc.get(APPLIED_OPS) or ()):
        return "replay"
    for cond in update.require_equal:
        actual = _get(doc, cond.field)
        if actual != cond.value:
            return _ERRORS[cond.error](cond.message_en, cond.message_zh, field=cond.field,
                                       details={"expected": cond.value, "actual": actual})
    for bound in update.require_at_most:
        if not bound.holds(doc):
            if bound.error == "budget_exceeded":
                return budget_exceeded(bound.headroom(doc), bound.message_en, bound.message_zh,
                                       bound.remaining_en, bound.remaining_zh, field=bound.field,
                                       requested_fen=bound.plus)
            return Conflict(bound.message_en, bound.message_zh, field=bound.field)
    return "apply"


def refusal(update, doc):
    """The error to raise after the conditional write matched nothing and the
    document was re-read as ``doc``; None if it turns out to be a replay or to hold."""
    verdict = evaluate(update, doc)
    return None if isinstance(verdict, str) else verdict


def apply_update(doc, update):
    """Pure-Python application: returns ``(new_doc, applied)``; raises the refusal.

    ``applied`` is False for a replay (the document is returned unchanged).
    """
    verdict = evaluate(update, doc)
    if verdict == "replay":
        return doc, False
    if verdict != "apply":
        raise verdict
    new = dict(doc)                       # copy-on-write: ``doc`` itself is left unchanged
    for path, amount in update.inc.items():
        _set(new, path, (_get(new, path) or 0) + amount)
    for path, value in update.assign.items():
        _set(new, path, copy.deepcopy(value))
    new[APPLIED_OPS] = list(new.get(APPLIED_OPS) or ()) + [update.op_key]
    return new, True


def _num(path):
    return {"$ifNull": ["$" + path, 0]}


def mongo_filter(update):
    """The filter of the single ``update_one``: id, not-yet-applied, equalities, bounds."""
    flt = {"_id": update.id, APPLIED_OPS: {"$ne": update.op_key}}
    for cond in update.require_equal:
        flt[cond.field] = cond.value
    exprs = []
    for b in update.require_at_most:
        left = [{"$multiply": [coef, _num(f)]} for f, coef in b.terms.items()] + [b.plus]
        right = [_num(b.limit_field), b.limit] if b.limit_field else [b.limit]
        exprs.append({"$lte": [{"$add": left}, {"$add": right}]})
    if exprs:
        flt["$expr"] = exprs[0] if len(exprs) == 1 else {"$and": exprs}
    return flt


def mongo_update(update):
    """The update document: ``$inc``, ``$set``, and ``$push`` of the op key."""
    body = {"$push": {APPLIED_OPS: update.op_key}}
    if update.inc:
        body["$inc"] = dict(update.inc)
    if update.assign:
        body["$set"] = dict(update.assign)
    return body
