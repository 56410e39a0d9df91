import threading
import time

from core.stamps import distinct_stamps


def test_stamps_increase_within_a_write_and_across_writes_at_the_same_moment():
    # a day ahead: above every stamp this process gave before (a test run in the same
    # process as the integration tests has given stamps of today)
    now = time.time() + 86_400.123456
    first = distinct_stamps(now, 5000)
    second = distinct_stamps(now, 3)
    assert first[0] >= now and first[-1] - first[0] < 0.01                    # the same moment, to 10 ms
    assert all(a < b for a, b in zip(first, first[1:] + second))             # none shared, in order
    assert distinct_stamps(now + 3600, 1)[0] == now + 3600                   # a later moment starts there
    assert distinct_stamps(now, 0) == []


def test_threads_never_get_the_same_stamp():
    got, lock = [], threading.Lock()

    def write():
        stamps = distinct_stamps(1_796_000_100.0, 200)
        with lock:
            got.extend(stamps)

    threads = [threading.Thread(target=write) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(got)) == 1600
