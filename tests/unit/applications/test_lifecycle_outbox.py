"""Finishing the outbox of a notice, objection, final list, stage report or award:
one finisher at a time, audit recorded once, the follow-up before the events, and
nothing left behind."""
from services.applications import lifecycle_outbox


class FakeStore:
    """The NoticeStore's outbox methods over a dict, with a claim that one holder
    keeps until it clears or its lease expires."""

    def __init__(self, doc):
        self.docs = {doc["_id"]: doc}
        self.audit = {}
        self.log = []

    def claim(self, collection, doc_id, token, now_ts, lease):
        doc = self.docs[doc_id]
        if (doc.get("outbox") or {}).get("token") != token:
            return False
        held = doc.get("outbox_claim_ts")
        if held is not None and held >= now_ts - lease:
            return False
        doc["outbox_claim_ts"] = now_ts
        return True

    def record_audit(self, entries):
        for entry in entries:
            self.audit.setdefault(entry["_id"], entry)
        self.log.append("audit")

    def release(self, collection, doc_id, token):
        doc = self.docs[doc_id]
        if (doc.get("outbox") or {}).get("token") == token:
            doc["outbox_claim_ts"] = None

    def clear(self, collection, doc_id, token):
        doc = self.docs[doc_id]
        if (doc.get("outbox") or {}).get("token") == token:
            for key in ("outbox", "outbox_at", "outbox_claim_ts"):
                doc.pop(key, None)


def _doc(then=None):
    entry = lifecycle_outbox.audit_entry("objection", "obj_1", 2, "resolve", {"id": "p_a", "name": "管理员"}, "t",
                                         "cmp_1", "app_1", decision="upheld")
    event = {"type": "notice.published", "id": "notice.published:cmp_1:v2"}
    return {"_id": "obj_1", "outbox": lifecycle_outbox.outbox("obj_1:2", [entry], [event], then=then), "outbox_at": "t"}


def test_finish_records_runs_the_follow_up_then_publishes_and_clears():
    doc = _doc(then={"renotice": {"application_id": "app_1"}})
    store, sent = FakeStore(doc), []
    follow = lambda d, then: store.log.append(("follow", then["renotice"]["application_id"]))  # noqa: E731
    assert lifecycle_outbox.finish(store, lambda t, e: (sent.append(e["id"]), store.log.append("event")),
                                   "objections", doc, follow)
    assert store.log == ["audit", ("follow", "app_1"), "event"]
    assert sent == ["notice.published:cmp_1:v2"] and list(store.audit) == ["obj_1:2"]
    assert "outbox" not in store.docs["obj_1"]
    # Finishing again (a retry, the sweep) finds nothing to do.
    assert not lifecycle_outbox.finish(store, lambda t, e: sent.append(e["id"]), "objections", store.docs["obj_1"])
    assert sent == ["notice.published:cmp_1:v2"]


def test_a_claimed_outbox_is_left_to_its_holder_until_the_lease_expires(monkeypatch):
    doc = _doc()
    store, sent = FakeStore(doc), []
    doc["outbox_claim_ts"] = 1000.0
    monkeypatch.setattr(lifecycle_outbox.time, "time", lambda: 1000.0 + lifecycle_outbox.LEASE_SECONDS - 1)
    assert not lifecycle_outbox.finish(store, lambda t, e: sent.append(e["id"]), "objections", doc)
    assert sent == [] and "outbox" in doc
    monkeypatch.setattr(lifecycle_outbox.time, "time", lambda: 1000.0 + lifecycle_outbox.LEASE_SECONDS + 1)
    assert lifecycle_outbox.finish(store, lambda t, e: sent.append(e["id"]), "objections", doc)
    assert sent == ["notice.published:cmp_1:v2"]


def test_a_failing_follow_up_keeps_the_outbox_for_the_sweep():
    doc = _doc(then={"grant_awards": 1})
    store, sent = FakeStore(doc), []

    def broken(_doc, _then):
        raise RuntimeError("plugin down")

    try:
        lifecycle_outbox.finish(store, lambda t, e: sent.append(e["id"]), "stage_reports", doc, broken)
    except RuntimeError:
        pass
    assert sent == [] and store.docs["obj_1"]["outbox"]["token"] == "obj_1:2"
    assert lifecycle_outbox.audit_entry("award", "award:app_1:key", 1, "grant", None, "t", "cmp_1")["_id"] == \
        "award:app_1:key:1"


def test_events_the_broker_refuses_stay_in_the_outbox_for_the_next_sweep():
    doc = _doc()
    store, sent = FakeStore(doc), []

    def broker_down(_type, _event):
        raise ConnectionRefusedError(111, "ECONNREFUSED")

    assert not lifecycle_outbox.finish(store, broker_down, "objections", doc)
    assert store.docs["obj_1"]["outbox"]["token"] == "obj_1:2"      # the change stands, its events wait
    assert list(store.audit) == ["obj_1:2"]
    # the claim was given up: the very next sweep publishes, without waiting out the lease
    assert lifecycle_outbox.finish(store, lambda t, e: sent.append(e["id"]), "objections", store.docs["obj_1"])
    assert sent == ["notice.published:cmp_1:v2"] and "outbox" not in store.docs["obj_1"]
