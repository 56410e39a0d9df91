"""The one home of retry safety (core/idempotency.py): ids derived from a key are the
same on a retry and differ between actors; the request log answers a retry with the
first answer without running it again, refuses a key reused for other input, and
demands a key."""
import pytest

from core import idempotency
from core.errors import Conflict, ValidationFailed


class Log:
    def __init__(self):
        self.saved = {}

    def find_request(self, record_id):
        return self.saved.get(record_id)

    def save_request(self, doc):
        self.saved[doc["_id"]] = doc


def test_keyed_ids_repeat_per_actor_and_key_and_fresh_ids_do_not():
    assert idempotency.keyed_id("cmp", "p1", "k") == idempotency.keyed_id("cmp", "p1", "k")
    assert idempotency.keyed_id("cmp", "p1", "k") != idempotency.keyed_id("cmp", "p2", "k")
    assert idempotency.new_id("app") != idempotency.new_id("app")
    assert idempotency.derived_id("clm", "g", "p", "k").startswith("clm-")


def test_the_request_log_answers_a_retry_once_and_refuses_reuse_for_other_input():
    log, runs = Log(), []

    def command(key):
        runs.append(key)
        return {"booked": len(runs)}

    first = idempotency.run(log, "p1", "pay", " k1 ", {"amount": 5}, command)
    again = idempotency.run(log, "p1", "pay", "k1", {"amount": 5}, command)
    assert first == again == {"booked": 1} and runs == ["k1"]
    with pytest.raises(Conflict) as refused:
        idempotency.run(log, "p1", "pay", "k1", {"amount": 6}, command)
    assert "Idempotency-Key" in str(refused.value.to_dict())
    assert idempotency.run(log, "p2", "pay", "k1", {"amount": 6}, command) == {"booked": 2}   # another actor


@pytest.mark.parametrize("key", [None, "", "   ", "x" * (idempotency.MAX_KEY + 1)])
def test_a_key_is_required_and_bounded(key):
    with pytest.raises(ValidationFailed):
        idempotency.require_key(key)
