"""Revoked tokens, checked on every request without a call per request.

Each gateway process keeps the revocations in memory and asks the accounts service
for the ones recorded since its last look at most every `refresh_seconds`; a
revocation this process records itself (a log-out here) counts at once. So a
log-out, a disabled account or a changed password stops every token within
`refresh_seconds` in every process, at the cost of one small RPC per process per
interval. If the accounts service does not answer, the last known list is used and
the request is not held up (only one thread refreshes; the others never wait).
"""
import logging
import threading
import time

log = logging.getLogger(__name__)

OVERLAP_SECONDS = 5  # ask again for a little of the past: writes from other copies may land late


class Revocations:
    def __init__(self, fetch, refresh_seconds=2.0):
        self.fetch = fetch  # at -> [{"sub", "jti"?, "not_before"?, "expires", "at"}]
        self.refresh_seconds = refresh_seconds
        self.tokens = {}     # jti -> expires
        self.people = {}     # sub -> (latest not_before, until when it matters)
        self.cursor = 0.0
        self.checked = 0.0
        self.lock = threading.Lock()

    def add(self, entry):
        if entry.get("jti"):
            self.tokens[entry["jti"]] = float(entry.get("expires") or 0)
        if entry.get("not_before") is not None:
            before, until = self.people.get(entry["sub"], (0.0, 0.0))
            expires = float(entry.get("expires") or time.time() + 86400)
            self.people[entry["sub"]] = (max(before, float(entry["not_before"])), max(until, expires))

    def is_revoked(self, claims):
        self._refresh()
        if claims.get("jti") in self.tokens:
            return True
        not_before, _until = self.people.get(claims.get("sub"), (None, None))
        return not_before is not None and float(claims.get("ts", claims.get("iat", 0))) < not_before

    def _refresh(self):
        now = time.time()
        if now - self.checked < self.refresh_seconds or not self.lock.acquire(blocking=False):
            return
        try:
            self.checked = now
            entries = self.fetch(max(0.0, self.cursor - OVERLAP_SECONDS) if self.cursor else 0.0)
            for entry in entries:
                self.add(entry)
                self.cursor = max(self.cursor, float(entry.get("at") or 0))
            self.tokens = {jti: exp for jti, exp in self.tokens.items() if exp > now}
            self.people = {sub: kept for sub, kept in self.people.items() if kept[1] > now}
        except Exception:  # noqa: BLE001  (a dead accounts service must not fail every request)
            log.warning("could not refresh the revoked tokens; using the last known list", exc_info=True)
        finally:
            self.lock.release()
