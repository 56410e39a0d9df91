"""Time stamps (epoch seconds) that tell apart the documents of one bulk write.

Lists go newest first by a stamp, then by id. When a bulk step (finalising 5,000
applications) gave them all one stamp, every first page had to order thousands of
ties by id; stamped a microsecond apart they keep their moment to the millisecond
and the stamp alone orders them."""
import threading

STEP = 1e-6     # epoch seconds near 2e9 keep about 0.24 us apart: each step stays distinct

_lock = threading.Lock()
_last = [0.0]


def distinct_stamps(now_ts, n):
    """`n` increasing stamps from `now_ts` on, each above every stamp this process
    gave before (so two bulk writes at the same `now` do not share one either).
    Other processes may give the same stamp: readers still break ties by id."""
    with _lock:
        start = max(float(now_ts), _last[0] + STEP)
        stamps = [start + i * STEP for i in range(n)]
        if stamps:
            _last[0] = stamps[-1]
    return stamps
