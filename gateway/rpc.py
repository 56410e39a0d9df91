"""A pool of Nameko cluster RPC proxies, safe under gunicorn's threaded workers.

A standalone proxy is not thread-safe, so each request borrows one for the
duration of its calls and gives it back; at most `size` are open per process and a
request waits up to `timeout` seconds for one. Proxies are opened lazily, so nothing
connects before gunicorn forks. A proxy whose connection failed or timed out is
closed instead of returned; a typed error from a service leaves it healthy.

A service that cannot be reached — the broker is down or drops the connection, no
answer within `timeout`, no proxy free — is a `ServiceUnavailable` (503 with
Retry-After at the gateway), never a 500 or 504.
"""
import queue
import threading
from contextlib import contextmanager

from nameko.exceptions import RpcTimeout

import core.rpc_errors  # noqa: F401  (typed errors cross RPC)
from core.bus import BROKER_ERRORS, ClusterRpcProxy
from core.errors import ChuangxianError, NotFound, ServiceUnavailable


class PoolExhausted(ServiceUnavailable):
    def __init__(self):
        super().__init__("The server is busy; try again in a few seconds.", "服务器繁忙，请稍后重试")


def unreachable():
    return ServiceUnavailable("A service cannot be reached right now; try again in a few seconds.",
                              "服务暂时无法访问，请稍后重试")


def timed_out():
    return ServiceUnavailable("A service did not answer in time; try again in a few seconds.",
                              "服务响应超时，请稍后重试")


class RpcPool:
    def __init__(self, config, size=8, timeout=30):
        self.config = config
        self.timeout = timeout
        self._idle = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)

    def _open(self):
        proxy = ClusterRpcProxy(self.config, timeout=self.timeout)
        return proxy, proxy.start()

    @contextmanager
    def cluster(self):
        """Borrow a proxy: ``with pool.cluster() as rpc: rpc.applications.ping()``."""
        if not self._slots.acquire(timeout=self.timeout):
            raise PoolExhausted()
        entry = None
        healthy = False
        try:
            try:
                entry = self._idle.get_nowait()
            except queue.Empty:
                try:
                    entry = self._open()
                except BROKER_ERRORS as exc:
                    raise unreachable() from exc
            try:
                yield entry[1]
                healthy = True
            except ChuangxianError:
                healthy = True
                raise
            except RpcTimeout as exc:
                raise timed_out() from exc
            except BROKER_ERRORS as exc:
                raise unreachable() from exc
            except Exception as exc:  # a remote bug (RemoteError) leaves the link usable
                healthy = exc.__class__.__name__ == "RemoteError"
                raise
        finally:
            if entry is not None:
                if healthy:
                    self._idle.put(entry)
                else:
                    _close(entry)
            self._slots.release()

    def close(self):
        while True:
            try:
                _close(self._idle.get_nowait())
            except queue.Empty:
                return


def answers(replies, optional=()):
    """The results of calls asked at once on one proxy
    (``rpc.service.method.call_async(...)``), by name, once each has answered: a page's
    reads that do not depend on each other wait for the slowest, not for their sum.
    A NotFound of a name in `optional` gives None; any other typed error (the first,
    in the order given) is raised once every call has answered, so no answer is left
    waiting on the proxy for the next request that borrows it."""
    out, failed = {}, None
    for name, reply in replies.items():
        try:
            out[name] = reply.result()
        except NotFound as exc:
            out[name] = None
            failed = failed if name in optional else failed or exc
        except ChuangxianError as exc:
            failed = failed or exc
    if failed is not None:
        raise failed
    return out


def _close(entry):
    try:
        entry[0].stop()
    except Exception:  # closing a broken connection may itself fail; nothing to do
        pass

