"""Group commit: calls that arrive together are handled as one batch.

A service's event handlers each take one message; under a burst (finalising 5,000
applications publishes 5,000 events) handling each on its own costs the same reads
and writes every time. A `GroupCommit` kept by the process lets each handler call
``submit(item, handle_batch)`` instead: the first caller handles its batch at once
(so a lone event waits for nothing), and those who arrive while a batch is being
handled wait and go together in the next one, which one of them handles. So a batch is as large
as the burst's concurrency (a Nameko service's ``max_workers``), never larger than
`max_batch`, and no timer is involved. The batch is handled by the leading caller's
``handle_batch``, with that caller's resources (its worker's RPC proxies).

Guarantees:
  * ``submit`` returns only after its own item was handled, with that item's result,
    or raises what handling its batch raised: a handler that acks its message after
    ``submit`` returns never acks an item that was not handled;
  * ``handle_batch(items)`` returns one result per item, in order; one batch is
    handled at a time (batches never overlap within one `GroupCommit`), in the
    leading caller's thread;
  * a caller leads at most one batch (its own), then hands the lead to a waiting
    caller, so nobody's reply is held up by later arrivals.

Built on `threading` locks and events, which are green in an eventlet-patched
service process and real in a test's threads.
"""
import threading


class _Slot:
    __slots__ = ("item", "handle", "result", "error", "done", "lead", "wake")

    def __init__(self, item, handle):
        self.item, self.handle, self.result, self.error = item, handle, None, None
        self.done = self.lead = False
        self.wake = threading.Event()


class GroupCommit:
    def __init__(self, max_batch=100):
        self._max = max(1, int(max_batch))
        self._lock = threading.Lock()
        self._pending = []
        self._busy = False          # a caller is handling a batch or about to

    def submit(self, item, handle_batch):
        """Handle `item` with the others that came meanwhile; its result (see the
        module docstring). `handle_batch(items)` is used if this caller leads."""
        slot = _Slot(item, handle_batch)
        with self._lock:
            self._pending.append(slot)
            if not self._busy:
                self._busy = slot.lead = True
        while True:
            if slot.lead and not slot.done:
                self._run(slot.handle)
            if not slot.done:
                slot.wake.wait()
                slot.wake.clear()
            if slot.done:
                if slot.error is not None:
                    raise slot.error
                return slot.result

    def _run(self, handle):
        with self._lock:
            batch, self._pending = self._pending[:self._max], self._pending[self._max:]
        try:
            results = handle([s.item for s in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"handle_batch returned {len(results)} results for {len(batch)} items")
            for slot, result in zip(batch, results):
                slot.result = result
        except BaseException as error:  # noqa: BLE001 - each caller re-raises it
            for slot in batch:
                slot.error = error
        with self._lock:
            for slot in batch:
                slot.done = True
            if self._pending:       # hand the lead to the longest waiting caller
                self._pending[0].lead = True
                self._pending[0].wake.set()
            else:
                self._busy = False
        for slot in batch:
            slot.wake.set()
