"""Long pure computations off the eventlet hub, so a service keeps answering.

A service process runs every request, event and job on one eventlet hub, which
switches only at I/O. A computation that runs for seconds without I/O (the
assignment solver, a school's results) would leave every RPC of that process
unanswered meanwhile: at 10,000 dorms the scoring service's own job status went
unanswered and the gateway said 503. `off_hub(fn, ...)` runs `fn` in eventlet's
pool of real threads; the hub's thread gets its turn at the interpreter every few
milliseconds, so RPCs are answered while it computes.

Only for pure functions: `fn` must do no I/O of its own (green sockets belong to
the hub's thread). Without eventlet's monkey patch (unit tests, scripts) it simply
calls `fn`.
"""


def off_hub(fn, *args, **kwargs):
    try:
        from eventlet import patcher, tpool
    except ImportError:   # eventlet not installed: nothing to keep answering
        return fn(*args, **kwargs)
    if not patcher.is_monkey_patched("thread"):
        return fn(*args, **kwargs)
    return tpool.execute(fn, *args, **kwargs)
