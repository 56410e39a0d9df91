"""A pool of Nameko cluster RPC proxies, safe under gunicorn's threaded workers.

A standalone proxy is not thread-safe, so each request borrows one for the
duration of its calls and gives it back; at most `size` are open per process and a
request waits up to `timeout` seconds for one. Proxies are opened lazily, so nothing
connects before gunicorn forks. A proxy whose connection failed or timed out is
closed instead of returned; a typed error from a service leaves it healthy.
"""
import queue
import threading
from contextlib import contextmanager

from nameko.exceptions import RpcTimeout
from nameko.standalone.rpc import ClusterRpcProxy

import core.rpc_errors  # noqa: F401  (typed errors cross RPC)
from core.errors import ChuangxianError


class PoolExhausted(Exception):
    pass


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
            raise PoolExhausted("no RPC connection free")
        entry = None
        healthy = False
        try:
            try:
                entry = self._idle.get_nowait()
            except queue.Empty:
                entry = self._open()
            try:
                yield entry[1]
                healthy = True
            except (ChuangxianError, PoolExhausted):
                healthy = True
                raise
            except RpcTimeout:
                raise
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


def _close(entry):
    try:
        entry[0].stop()
    except Exception:  # closing a broken connection may itself fail; nothing to do
        pass
