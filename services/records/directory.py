"""The records service's view of the directory (owned by the applications service),
over its internal RPCs: who is acting, and what a record's subject is. The records
service keeps no copy of the directory; it re-reads the actor on every call, so a
role revoked there takes effect here at once.

`Directory` is a DependencyProvider giving each worker a `DirectoryClient` bound to
that worker's call context (typed errors from the far side arrive as themselves).
"""
from nameko.extensions import DependencyProvider
from nameko.rpc import ServiceProxy

from core.bus import ReplyListener
from core.errors import NotFound

BATCH = 50  # concurrent lookups in flight; an import of thousands of rows stays fast


class DirectoryClient:
    def __init__(self, proxy):
        self.proxy = proxy

    def actor(self, actor_id):
        """{"id", "name", "roles": [{"role", "unit_id"}], "college_id", ...}; NotFound."""
        return self.proxy.internal_actor(actor_id)

    def subjects(self, pairs):
        """{(subject_kind, subject_id): {"kind", "name", "college_id", "school_id"} or
        None when the directory has no such person or unit}."""
        pairs = sorted(set(pairs))
        found = {}
        for start in range(0, len(pairs), BATCH):
            batch = pairs[start:start + BATCH]
            replies = [(pair, self._ask(pair)) for pair in batch]
            for pair, reply in replies:
                try:
                    found[pair] = _subject(pair[0] == "person", reply.result())
                except NotFound:
                    found[pair] = None
        return found

    def subject(self, subject_id):
        """What the directory says of an id of unknown kind (a unit first, then a
        person); None when neither."""
        for person in (False, True):
            try:
                method = self.proxy.internal_actor if person else self.proxy.internal_unit
                return _subject(person, method(subject_id))
            except NotFound:
                continue
        return None

    def _ask(self, pair):
        kind, ident = pair
        method = self.proxy.internal_actor if kind == "person" else self.proxy.internal_unit
        return method.call_async(ident)


def _subject(person, view):
    return {"kind": "person" if person else view.get("kind"), "name": view.get("name"),
            "college_id": view.get("college_id"), "school_id": view.get("school_id")}


class Directory(DependencyProvider):
    rpc_reply_listener = ReplyListener()

    def get_dependency(self, worker_ctx):
        return DirectoryClient(ServiceProxy(worker_ctx, "applications", self.rpc_reply_listener))
