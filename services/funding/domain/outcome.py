"""What every command returns, and how the store must apply it.

A command (``award_grant``, ``file_claim``, ``close_project`` ...) reads documents,
validates and returns an :class:`Outcome`; it writes nothing. The store applies it in
this order:

1. ``updates`` in list order, each as one conditional atomic write
   (:mod:`.guards`). A *replay* (op key already applied) is skipped silently. If an
   update is refused, raise :func:`guards.refusal` for it; before raising, apply the
   ``compensations`` (idempotent too) if any earlier update of this outcome was
   applied. Only the first update of an outcome can be refused for a business reason
   (budget, state); later ones are invariant moves that a refusal of the first
   already rules out, except where ``compensations`` says otherwise.
2. ``inserts``: ``(collection, doc)``, unique on ``doc["id"]``; a duplicate id is a
   replay and is ignored.
3. ``entries``: ledger entries, unique on ``entry["id"]`` (derived from the
   idempotency key); a duplicate is a replay and is ignored. Entries are appended
   only once every update has succeeded, so refused commands leave no ledger trace.
4. ``event``: dispatch ``make_event(event["type"], event["data"], source="funding",
   actor=event["actor"], event_id=event["event_id"])``. The id is deterministic, so a
   re-dispatch de-duplicates downstream.

``result`` is the primary document as it will be after the change (what the RPC
returns). ``replay`` is True when the command recognised an identical earlier request
and there is nothing to apply.

Crash safety: each step is idempotent, so re-applying a whole outcome is always safe.
Store ``outcome.to_dict()`` (an outbox record keyed by ``key``) before step 1 and
mark it done after step 4. A sweeper can then finish outcomes that a crash cut
short. On a replica set, one multi-document transaction around steps 1-3 does the
same job.
"""
from dataclasses import dataclass, field

from .guards import GuardedUpdate


@dataclass
class Outcome:
    key: str                                   # the command's idempotency key
    result: dict
    updates: list = field(default_factory=list)        # of GuardedUpdate
    inserts: list = field(default_factory=list)        # of (collection, doc)
    entries: list = field(default_factory=list)        # ledger entries
    event: dict = None                                 # {"type", "event_id", "data", "actor"}
    compensations: list = field(default_factory=list)  # of GuardedUpdate
    audit: list = field(default_factory=list)          # audit records of this change
    replay: bool = False

    def to_dict(self):
        return {
            "key": self.key, "result": self.result,
            "updates": [u.to_dict() for u in self.updates],
            "inserts": [[c, d] for c, d in self.inserts],
            "entries": self.entries, "event": self.event,
            "compensations": [u.to_dict() for u in self.compensations],
            "audit": self.audit, "replay": self.replay,
        }

    @classmethod
    def from_dict(cls, data):
        return cls(
            key=data["key"], result=data["result"],
            updates=[GuardedUpdate.from_dict(u) for u in data["updates"]],
            inserts=[(c, d) for c, d in data["inserts"]],
            entries=data["entries"], event=data["event"],
            compensations=[GuardedUpdate.from_dict(u) for u in data["compensations"]],
            audit=data["audit"], replay=data["replay"],
        )
