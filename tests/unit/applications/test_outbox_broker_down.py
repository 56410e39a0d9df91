"""An application change whose event the broker refuses stands: its caller is
answered, the event stays in the outbox, and the next sweep publishes it without
waiting out the claim's lease; a sweep stops at the first refusal."""
from services.applications import outbox


class FakeStore:
    """The ApplicationsStore's outbox methods over a dict (one claim holder at a time)."""

    def __init__(self, *apps):
        self.apps = {a["_id"]: a for a in apps}
        self.audit = {}

    def claim_outbox(self, app_id, audit_id, now_ts, lease):
        app = self.apps[app_id]
        if (app.get("outbox") or {}).get("audit", {}).get("_id") != audit_id:
            return False
        held = app.get("outbox_claim_ts")
        if held is not None and held >= now_ts - lease:
            return False
        app["outbox_claim_ts"] = now_ts
        return True

    def record_audit(self, entry):
        self.audit.setdefault(entry["_id"], entry)

    def release_outbox(self, app_id, audit_id):
        self.apps[app_id]["outbox_claim_ts"] = None

    def clear_outbox(self, app_id, audit_id):
        for key in ("outbox", "outbox_at", "outbox_claim_ts"):
            self.apps[app_id].pop(key, None)

    def stale_outboxes(self, _older_than):
        return [a for a in self.apps.values() if a.get("outbox")]


def app(n):
    return {"_id": f"app_{n}", "outbox": {"audit": {"_id": f"app_{n}:000002"},
                                          "event": {"type": "application.submitted", "id": f"app_{n}.2"}}}


def refused(*_args):
    raise ConnectionRefusedError(111, "ECONNREFUSED")


def test_a_refused_event_waits_in_the_outbox_and_the_next_sweep_sends_it():
    store, sent = FakeStore(app(1)), []
    assert outbox.finish(store, refused, store.apps["app_1"]) == outbox.PUBLISH_FAILED
    assert store.apps["app_1"]["outbox"] and list(store.audit) == ["app_1:000002"]
    assert outbox.sweep(store, lambda t, e: sent.append(e["id"]), None) == 1
    assert sent == ["app_1.2"] and "outbox" not in store.apps["app_1"]


def test_a_sweep_stops_at_the_first_refusal():
    store, tries = FakeStore(app(1), app(2), app(3)), []

    def down(_type, event):
        tries.append(event["id"])
        refused()

    outbox.sweep(store, down, None)
    assert tries == ["app_1.2"]
    assert all(a["outbox"] and a.get("outbox_claim_ts") is None for a in store.apps.values())
