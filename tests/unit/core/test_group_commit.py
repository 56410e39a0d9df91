"""core.group_commit with real threads: calls that arrive while a batch is handled
go together in the next batch; each caller gets its own result or its batch's error,
only after its item was handled; batches never overlap."""
import threading
import time

import pytest

from core.group_commit import GroupCommit


class Recorder:
    def __init__(self, hold=0.05, fail_on=None):
        self.batches, self.hold, self.fail_on = [], hold, fail_on
        self.active = 0
        self.overlapped = False
        self.lock = threading.Lock()

    def __call__(self, items):
        with self.lock:
            self.active += 1
            self.overlapped |= self.active > 1
        try:
            self.batches.append(list(items))
            time.sleep(self.hold)                # while this batch is handled, others arrive
            if self.fail_on is not None and self.fail_on in items:
                raise RuntimeError("the database is down")
            return [item * 10 for item in items]
        finally:
            with self.lock:
                self.active -= 1


def run_together(group, handle, items, stagger=0.0):
    results, errors = {}, {}

    def call(item):
        try:
            results[item] = group.submit(item, handle)
        except RuntimeError as error:
            errors[item] = error

    threads = []
    for item in items:
        threads.append(threading.Thread(target=call, args=(item,)))
        threads[-1].start()
        time.sleep(stagger)
    for thread in threads:
        thread.join(10)
    assert not any(t.is_alive() for t in threads)
    return results, errors


def test_a_lone_call_is_handled_at_once_with_its_own_result():
    handle = Recorder(hold=0)
    assert GroupCommit().submit(7, handle) == 70
    assert handle.batches == [[7]]


def test_calls_arriving_during_a_batch_go_together_in_the_next():
    handle = Recorder(hold=0.2)
    results, errors = run_together(GroupCommit(), handle, list(range(12)), stagger=0.005)
    assert not errors and results == {i: i * 10 for i in range(12)}
    assert sorted(i for b in handle.batches for i in b) == list(range(12))   # each once
    assert handle.batches[0] == [0] and len(handle.batches) == 2             # the rest waited for one batch
    assert not handle.overlapped


def test_max_batch_bounds_a_batch_and_the_rest_follow():
    handle = Recorder(hold=0.1)
    results, errors = run_together(GroupCommit(max_batch=3), handle, list(range(10)), stagger=0.002)
    assert not errors and len(results) == 10
    assert max(len(b) for b in handle.batches) == 3 and len(handle.batches) >= 4
    assert not handle.overlapped


def test_a_failed_batch_fails_each_of_its_callers_and_no_other():
    handle = Recorder(hold=0.2, fail_on=0)
    results, errors = run_together(GroupCommit(), handle, list(range(6)), stagger=0.01)
    assert set(errors) == {0} and results == {i: i * 10 for i in range(1, 6)}
    assert str(errors[0]) == "the database is down"


def test_a_result_per_item_is_enforced():
    with pytest.raises(RuntimeError, match="2 results for 1 items"):
        GroupCommit().submit(1, lambda items: [1, 2])
