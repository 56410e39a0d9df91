"""Guarded updates: the one-write concurrency guard, its Mongo form, its pure form."""
import json
import random

import pytest

from core.errors import BudgetExceeded, Conflict, InvalidTransition, NotFound
from services.funding.domain.guards import (APPLIED_OPS, AtMost, Equal, GuardedUpdate,
                                            apply_update, evaluate, mongo_filter, mongo_update,
                                            refusal)
from services.funding.domain.outcome import Outcome

GRANT = {"id": "g1", "status": "active", "granted_fen": 500_000, "reserved_fen": 100_000,
         "approved_fen": 50_000, "paid_fen": 300_000, "returned_fen": 0, "holds": {},
         APPLIED_OPS: []}


def reserve(amount, key="k1", claim="c1"):
    return GuardedUpdate(
        doc="grant", id="g1", op_key=key, inc={"reserved_fen": amount},
        assign={f"holds.{claim}": amount},
        require_equal=(Equal("status", "active", "invalid_transition", "closed", "已结项"),
                       Equal(f"holds.{claim}", None)),
        require_at_most=(AtMost(terms={"reserved_fen": 1, "approved_fen": 1, "paid_fen": 1},
                                plus=amount, limit_field="granted_fen",
                                message_en="too much", message_zh="超出"),))


def test_applies_within_headroom_and_records_the_op():
    # headroom = 500,000 − (100,000 + 50,000 + 300,000) = 50,000
    new, applied = apply_update(GRANT, reserve(50_000))
    assert applied and new["reserved_fen"] == 150_000 and new["holds"] == {"c1": 50_000}
    assert new[APPLIED_OPS] == ["k1"]
    assert GRANT["reserved_fen"] == 100_000 and GRANT["holds"] == {}         # input untouched
    assert GRANT[APPLIED_OPS] == []


def test_one_fen_over_is_refused_with_the_remaining_amount():
    with pytest.raises(BudgetExceeded) as err:
        apply_update(GRANT, reserve(50_001))
    assert err.value.details == {"remaining_fen": 50_000, "requested_fen": 50_001}
    assert "remaining ¥500.00" in err.value.message_en
    assert "剩余可报销金额 ¥500.00" in err.value.message_zh


def test_replay_changes_nothing():
    once, _ = apply_update(GRANT, reserve(10_000))
    twice, applied = apply_update(once, reserve(10_000))
    assert not applied and twice == once


def test_equality_failures_are_typed():
    closed = {**GRANT, "status": "closed"}
    with pytest.raises(InvalidTransition):
        apply_update(closed, reserve(1))
    held = {**GRANT, "holds": {"c1": 5}}
    with pytest.raises(Conflict):
        apply_update(held, reserve(1))
    assert isinstance(evaluate(reserve(1), None), NotFound)
    assert refusal(reserve(1), GRANT) is None


def test_mongo_form_is_one_conditional_update():
    u = reserve(50_000)
    assert mongo_filter(u) == {
        "_id": "g1", APPLIED_OPS: {"$ne": "k1"}, "status": "active", "holds.c1": None,
        "$expr": {"$lte": [
            {"$add": [{"$multiply": [1, {"$ifNull": ["$reserved_fen", 0]}]},
                      {"$multiply": [1, {"$ifNull": ["$approved_fen", 0]}]},
                      {"$multiply": [1, {"$ifNull": ["$paid_fen", 0]}]}, 50_000]},
            {"$add": [{"$ifNull": ["$granted_fen", 0]}, 0]}]}}
    assert mongo_update(u) == {"$push": {APPLIED_OPS: "k1"}, "$inc": {"reserved_fen": 50_000},
                               "$set": {"holds.c1": 50_000}}


def _eval_expr(x, doc):
    """A tiny interpreter of the aggregation subset mongo_filter emits."""
    if isinstance(x, str) and x.startswith("$"):
        node = doc
        for part in x[1:].split("."):
            node = node.get(part) if isinstance(node, dict) else None
        return node
    if not isinstance(x, dict):
        return x
    (op, args), = x.items()
    vals = [_eval_expr(a, doc) for a in args]
    return {"$add": lambda: sum(vals), "$multiply": lambda: vals[0] * vals[1],
            "$ifNull": lambda: vals[0] if vals[0] is not None else vals[1],
            "$lte": lambda: vals[0] <= vals[1], "$and": lambda: all(vals)}[op]()


def test_mongo_expression_agrees_with_the_python_semantics():
    rng = random.Random(4)
    for _ in range(500):
        terms = {f: rng.choice([1, -1]) for f in rng.sample(["a", "b", "c"], rng.randint(1, 3))}
        bound = AtMost(terms=terms, plus=rng.randint(0, 100),
                       limit_field=rng.choice(["lim", None]), limit=rng.randint(-50, 50))
        doc = {f: rng.randint(0, 100) for f in ["a", "b", "c", "lim"] if rng.random() < 0.9}
        update = GuardedUpdate(doc="x", id="1", op_key="k", require_at_most=(bound, bound))
        assert _eval_expr(mongo_filter(update)["$expr"], doc) == bound.holds(doc)


def test_updates_and_outcomes_round_trip_through_json():
    u = reserve(7)
    assert GuardedUpdate.from_dict(json.loads(json.dumps(u.to_dict()))) == u
    out = Outcome(key="k", result={"id": "c"}, updates=[u], inserts=[("claim", {"id": "c"})],
                  compensations=[u])
    back = Outcome.from_dict(json.loads(json.dumps(out.to_dict())))
    assert back == out
