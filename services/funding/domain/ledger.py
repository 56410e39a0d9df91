"""The append-only funding ledger (经费台账) and the balances derived from it.

An entry is a plain dict, never updated or deleted once stored::

    {"id": "le_<sha256(idempotency_key)[:32]>", "idempotency_key": "claim_reserved:c1:1",
     "kind": "claim_reserved", "amount_fen": 120000,
     "campaign_id": "camp1", "grant_id": "grant-p1", "claim_id": "c1",
     "project_id": "p1", "college_id": "col-me",
     "actor": {"id": "u1", "name": "李四"}, "at": "2025-10-20T02:00:00.000Z", "reason": None}

Kinds and what they do (amounts are always positive int fen, except ``budget_set``
and ``grant_returned``, which may be 0):

============== ===================================================================
budget_set     campaign budget becomes ``amount_fen`` (absolute; the last one wins)
grant_awarded  campaign → grant: campaign granted += a; grant granted = a
claim_reserved a claim is filed or resubmitted: grant reserved += a
claim_released a claim is returned, rejected or withdrawn: grant reserved -= a
claim_approved the last approval step passed: grant reserved -= a, approved += a
claim_paid     finance paid: grant approved -= a, paid += a
grant_returned closing (结项): unspent a goes back: grant & campaign returned += a
============== ===================================================================

Definitions (per grant): a claim's money sits in exactly one bucket at a time.

- ``reserved_fen``  in claims awaiting approval (filed, not yet finally approved)
- ``approved_fen``  finally approved, not yet paid
- ``paid_fen``      paid out
- ``committed_fen`` = reserved + approved + paid (what reports call *claimed*)
- ``returned_fen``  handed back to the campaign at closing
- ``remaining_fen`` = granted − committed − returned (what a new claim may still use)

Per campaign: ``available_fen`` = budget − granted + returned.

Guarantees: derivations are pure, ignore entries whose ``id`` was already seen (so a
doubly-stored entry never counts twice), and return exactly the counter fields the
store keeps on its documents (same names), so counters can be checked against the
ledger at any time (:func:`campaign_balance`, :func:`grant_balance`).
"""
import hashlib

from core.envelope import iso_utc

KINDS = ("budget_set", "grant_awarded", "claim_reserved", "claim_released",
         "claim_approved", "claim_paid", "grant_returned")

_NEEDS = {
    "budget_set": ("campaign_id",),
    "grant_awarded": ("campaign_id", "grant_id", "project_id", "college_id"),
    "grant_returned": ("campaign_id", "grant_id", "project_id", "college_id"),
    "claim_reserved": ("campaign_id", "grant_id", "project_id", "college_id", "claim_id"),
    "claim_released": ("campaign_id", "grant_id", "project_id", "college_id", "claim_id"),
    "claim_approved": ("campaign_id", "grant_id", "project_id", "college_id", "claim_id"),
    "claim_paid": ("campaign_id", "grant_id", "project_id", "college_id", "claim_id"),
}
_MAY_BE_ZERO = {"budget_set", "grant_returned"}

#: Signed effect of each kind on the grant counters.
GRANT_EFFECTS = {
    "grant_awarded": {"granted_fen": 1},
    "claim_reserved": {"reserved_fen": 1},
    "claim_released": {"reserved_fen": -1},
    "claim_approved": {"reserved_fen": -1, "approved_fen": 1},
    "claim_paid": {"approved_fen": -1, "paid_fen": 1},
    "grant_returned": {"returned_fen": 1},
}
GRANT_COUNTERS = ("granted_fen", "reserved_fen", "approved_fen", "paid_fen", "returned_fen")
CAMPAIGN_COUNTERS = ("budget_fen", "granted_fen", "returned_fen")


def entry_id(idempotency_key):
    """Deterministic id: the same idempotency key always gives the same entry id."""
    return "le_" + hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:32]


def make_entry(kind, idempotency_key, amount_fen, *, campaign_id, actor, at,
               grant_id=None, claim_id=None, project_id=None, college_id=None, reason=None):
    """A validated ledger entry. Programming errors (bad kind, missing account,
    non-int or negative amount) raise ValueError: commands validate input first."""
    if kind not in KINDS:
        raise ValueError(f"unknown ledger entry kind {kind!r}")
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise ValueError("amount_fen must be an int")
    if amount_fen < 0 or (amount_fen == 0 and kind not in _MAY_BE_ZERO):
        raise ValueError(f"amount_fen {amount_fen} not allowed for {kind}")
    entry = {
        "id": entry_id(idempotency_key), "idempotency_key": idempotency_key, "kind": kind,
        "amount_fen": amount_fen, "campaign_id": campaign_id, "grant_id": grant_id,
        "claim_id": claim_id, "project_id": project_id, "college_id": college_id,
        "actor": actor, "at": at if isinstance(at, str) else iso_utc(at), "reason": reason,
    }
    missing = [k for k in _NEEDS[kind] if not entry[k]]
    if missing:
        raise ValueError(f"{kind} entry needs {', '.join(missing)}")
    return entry


def unique(entries):
    """Entries with duplicate ids dropped (first kept), order preserved."""
    seen, out = set(), []
    for e in entries:
        if e["id"] not in seen:
            seen.add(e["id"])
            out.append(e)
    return out


def campaign_balance(entries, campaign_id):
    """``{"campaign_id", "budget_fen", "granted_fen", "returned_fen", "available_fen"}``."""
    budget = granted = returned = 0
    for e in unique(entries):
        if e["campaign_id"] != campaign_id:
            continue
        if e["kind"] == "budget_set":
            budget = e["amount_fen"]
        elif e["kind"] == "grant_awarded":
            granted += e["amount_fen"]
        elif e["kind"] == "grant_returned":
            returned += e["amount_fen"]
    return {"campaign_id": campaign_id, "budget_fen": budget, "granted_fen": granted,
            "returned_fen": returned, "available_fen": budget - granted + returned}


def _empty_grant():
    return {k: 0 for k in GRANT_COUNTERS}


def _finish(bal):
    bal["committed_fen"] = bal["reserved_fen"] + bal["approved_fen"] + bal["paid_fen"]
    bal["remaining_fen"] = bal["granted_fen"] - bal["committed_fen"] - bal["returned_fen"]
    return bal


def grant_balances(entries):
    """``{grant_id: balance}`` for every grant in ``entries`` (see module definitions).

    Each balance also carries ``campaign_id``, ``project_id`` and ``college_id``.
    """
    out = {}
    for e in unique(entries):
        effect = GRANT_EFFECTS.get(e["kind"])
        if effect is None:
            continue
        bal = out.setdefault(e["grant_id"], {"grant_id": e["grant_id"],
                                             "campaign_id": e["campaign_id"],
                                             "project_id": e["project_id"],
                                             "college_id": e["college_id"], **_empty_grant()})
        for counter, sign in effect.items():
            bal[counter] += sign * e["amount_fen"]
    return {gid: _finish(bal) for gid, bal in out.items()}


def grant_balance(entries, grant_id):
    """The balance of one grant; all zeros if it has no entries."""
    return grant_balances([e for e in entries if e.get("grant_id") == grant_id]).get(
        grant_id, _finish({"grant_id": grant_id, **_empty_grant()}))


def totals_by(entries, key):
    """Grant balances summed by ``key`` (``"college_id"``, ``"project_id"``,
    ``"campaign_id"``): ``{value: {counters..., "committed_fen", "remaining_fen",
    "grants": n}}``."""
    out = {}
    for bal in grant_balances(entries).values():
        tot = out.setdefault(bal[key], {**_empty_grant(), "grants": 0})
        for counter in GRANT_COUNTERS:
            tot[counter] += bal[counter]
        tot["grants"] += 1
    return {k: _finish(v) for k, v in out.items()}
