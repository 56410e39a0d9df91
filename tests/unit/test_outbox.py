"""The one outbox protocol (core/outbox.py), as the applications, notice-lifecycle
and scoring services use it: one finisher at a time, audit entries recorded once,
the follow-up before the events, nothing left behind; a change whose events the
broker refuses stands, its claim is given up at once and the next sweep publishes;
a sweep stops at the first refusal. Both outbox shapes are covered. (The store side,
`Outboxes`, runs against the Mongo server in tests/integration/test_applications_store_guards.py.)"""
from types import SimpleNamespace

from core import outbox
from services.applications import lifecycle_outbox
from services.applications import outbox as app_outbox


class FakeOutboxes:
    """`core.outbox.Outboxes` over a dict: a claim one holder keeps until it clears
    or its lease expires."""

    def __init__(self, *docs):
        self.docs = {doc["_id"]: doc for doc in docs}
        self.audit = {}
        self.log = []

    def _holds(self, doc_id, box):
        current = self.docs[doc_id].get("outbox")
        return bool(current) and outbox.parts(current)[1] == outbox.parts(box)[1]

    def claim(self, collection, doc_id, box, now_ts, lease_seconds=outbox.LEASE_SECONDS):
        doc = self.docs[doc_id]
        held = doc.get("outbox_claim_ts")
        if not self._holds(doc_id, box) or (held is not None and held >= now_ts - lease_seconds):
            return False
        doc["outbox_claim_ts"] = now_ts
        return True

    def release(self, collection, doc_id, box):
        if self._holds(doc_id, box):
            self.docs[doc_id]["outbox_claim_ts"] = None

    def clear(self, collection, doc_id, box):
        if self._holds(doc_id, box):
            self.clear_many(collection, [doc_id])

    def clear_many(self, collection, doc_ids):
        for doc_id in doc_ids:
            for key in ("outbox", "outbox_ts", "outbox_claim_ts"):
                self.docs[doc_id].pop(key, None)

    def record(self, entries):
        for entry in entries:
            self.audit.setdefault(entry["_id"], entry)
        self.log.append("audit")

    def stale(self, collection, older_than, limit=200):
        return [d for d in self.docs.values() if d.get("outbox")]


def lifecycle_doc(then=None):
    entry = lifecycle_outbox.audit_entry("objection", "obj_1", 2, "resolve", {"id": "p_a", "name": "管理员"}, "t",
                                         "cmp_1", "app_1", decision="upheld")
    event = {"type": "notice.published", "id": "notice.published:cmp_1:v2"}
    return {"_id": "obj_1", "outbox": lifecycle_outbox.outbox("obj_1:2", [entry], [event], then=then), "outbox_ts": 1.0}


def app_doc(n):
    return {"_id": f"app_{n}", "outbox": {"audit": {"_id": f"app_{n}:000002"},
                                          "event": {"type": "application.submitted", "id": f"app_{n}.2"}}}


def refused(*_args):
    raise ConnectionRefusedError(111, "ECONNREFUSED")


def test_finish_records_runs_the_follow_up_then_publishes_and_clears():
    doc = lifecycle_doc(then={"renotice": {"application_id": "app_1"}})
    boxes, sent = FakeOutboxes(doc), []
    store = SimpleNamespace(outboxes=boxes)
    follow = lambda d, then: boxes.log.append(("follow", then["renotice"]["application_id"]))  # noqa: E731
    assert lifecycle_outbox.finish(store, lambda t, e: (sent.append(e["id"]), boxes.log.append("event")),
                                   "objections", doc, follow)
    assert boxes.log == ["audit", ("follow", "app_1"), "event"]
    assert sent == ["notice.published:cmp_1:v2"] and list(boxes.audit) == ["obj_1:2"]
    assert "outbox" not in boxes.docs["obj_1"]
    # Finishing again (a retry, the sweep) finds nothing to do.
    assert not lifecycle_outbox.finish(store, lambda t, e: sent.append(e["id"]), "objections", boxes.docs["obj_1"])
    assert sent == ["notice.published:cmp_1:v2"]


def test_a_claimed_outbox_is_left_to_its_holder_until_the_lease_expires(monkeypatch):
    doc = lifecycle_doc()
    boxes, sent = FakeOutboxes(doc), []
    doc["outbox_claim_ts"] = 1000.0
    monkeypatch.setattr(outbox.time, "time", lambda: 1000.0 + outbox.LEASE_SECONDS - 1)
    assert outbox.finish(boxes, lambda t, e: sent.append(e["id"]), "objections", doc) == outbox.SKIPPED
    assert sent == [] and "outbox" in doc
    monkeypatch.setattr(outbox.time, "time", lambda: 1000.0 + outbox.LEASE_SECONDS + 1)
    assert outbox.finish(boxes, lambda t, e: sent.append(e["id"]), "objections", doc) == outbox.FINISHED
    assert sent == ["notice.published:cmp_1:v2"]


def test_a_failing_follow_up_keeps_the_outbox_for_the_sweep():
    doc = lifecycle_doc(then={"grant_awards": 1})
    boxes, sent = FakeOutboxes(doc), []

    def broken(_doc, _then):
        raise RuntimeError("plugin down")

    try:
        outbox.finish(boxes, lambda t, e: sent.append(e["id"]), "stage_reports", doc, broken)
    except RuntimeError:
        pass
    assert sent == [] and boxes.docs["obj_1"]["outbox"]["token"] == "obj_1:2"


def test_refused_events_stay_in_the_outbox_and_the_next_sweep_sends_them_at_once():
    for doc, want in ((lifecycle_doc(), "notice.published:cmp_1:v2"), (app_doc(1), "app_1.2")):
        boxes, sent = FakeOutboxes(doc), []
        assert outbox.finish(boxes, refused, "c", doc) == outbox.PUBLISH_FAILED
        assert doc["outbox"] and len(boxes.audit) == 1      # the change stands, its entry is in, its events wait
        assert doc.get("outbox_claim_ts") is None           # the claim was given up: no lease to wait out
        assert outbox.sweep(boxes, lambda t, e: sent.append(e["id"]), ("c",), None) == 1
        assert sent == [want] and "outbox" not in doc


def test_a_sweep_stops_at_the_first_refusal():
    boxes, tries = FakeOutboxes(app_doc(1), app_doc(2), app_doc(3)), []

    def down(_type, event):
        tries.append(event["id"])
        refused()

    app_outbox.sweep(SimpleNamespace(outboxes=boxes), down, None)
    assert tries == ["app_1.2"]
    assert all(d["outbox"] and d.get("outbox_claim_ts") is None for d in boxes.docs.values())


def test_finish_many_records_once_publishes_all_and_clears_in_one_go():
    docs = [app_doc(1), app_doc(2), {"_id": "app_3"}]
    boxes, sent = FakeOutboxes(*docs), []
    assert outbox.finish_many(boxes, lambda t, e: sent.append(e["id"]), "applications", docs) == outbox.FINISHED
    assert sent == ["app_1.2", "app_2.2"] and sorted(boxes.audit) == ["app_1:000002", "app_2:000002"]
    assert boxes.log == ["audit"] and not any(d.get("outbox") for d in boxes.docs.values())
    # the broker down: the entries are in, the outboxes stay for the sweep
    docs = [app_doc(4), app_doc(5)]
    boxes = FakeOutboxes(*docs)
    assert outbox.finish_many(boxes, refused, "applications", docs) == outbox.PUBLISH_FAILED
    assert len(boxes.audit) == 2 and all(d.get("outbox") for d in docs)


def test_an_outbox_born_claimed_is_finished_by_its_writer_alone(monkeypatch):
    """A writer that takes the claim in the write making the outbox finishes it
    without a claim command; any other finisher (the sweep, another request) keeps
    off it for the lease, and takes it over once the lease ran out (the writer died)."""
    monkeypatch.setattr(outbox.time, "time", lambda: 1000.0 + outbox.LEASE_SECONDS - 1)
    doc, sent = dict(app_doc(1), **outbox.born_claimed(1000.0)), []
    boxes = FakeOutboxes(doc)
    claim = boxes.claim
    boxes.claim = lambda *args, **kwargs: boxes.log.append("claim") or claim(*args, **kwargs)
    assert app_outbox.sweep(SimpleNamespace(outboxes=boxes), lambda t, e: sent.append(e["id"]), None) == 1
    assert sent == [] and doc["outbox"] and boxes.log == ["claim"]   # the sweep asked, and was refused
    boxes.log.clear()
    assert app_outbox.finish_written(SimpleNamespace(outboxes=boxes), lambda t, e: sent.append(e["id"]), doc) \
        == outbox.FINISHED
    assert boxes.log == ["audit"] and sent == ["app_1.2"] and "outbox" not in doc   # no claim command


def test_a_dead_writers_born_claimed_outbox_goes_to_the_sweep_after_the_lease(monkeypatch):
    doc, sent = dict(app_doc(2), **outbox.born_claimed(1000.0)), []
    boxes = FakeOutboxes(doc)
    monkeypatch.setattr(outbox.time, "time", lambda: 1000.0 + outbox.LEASE_SECONDS - 1)
    app_outbox.sweep(SimpleNamespace(outboxes=boxes), lambda t, e: sent.append(e["id"]), None)
    assert sent == [] and doc["outbox"]
    monkeypatch.setattr(outbox.time, "time", lambda: 1000.0 + outbox.LEASE_SECONDS + 1)
    app_outbox.sweep(SimpleNamespace(outboxes=boxes), lambda t, e: sent.append(e["id"]), None)
    assert sent == ["app_2.2"] and "outbox" not in doc and list(boxes.audit) == ["app_2:000002"]
