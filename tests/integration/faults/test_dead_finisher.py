"""A change whose writer died before its outbox went out (a killed process: the
change stored with its claim, the audit entry and event not yet recorded): the next
step of that application is answered 503 with Retry-After, never the misleading 409
"changed by someone else", and goes through once the dead claim lapses (seconds),
with the earlier step's audit entry recorded once and its event published."""
import io
import time

from core import outbox
from tests.integration.helpers import PDF, campaign_payload, good_form


def test_the_next_step_after_a_dead_finisher_is_503_then_goes_through(http, mongo):
    campaign = http.as_("admin", "POST", "/api/campaigns", json=campaign_payload()).json
    app = http.as_("2023010101", "POST", f"/api/campaigns/{campaign['id']}/applications",
                   json={"form": good_form()}).json
    assert http.as_("2023010101", "POST", f"/api/applications/{app['id']}/attachments",
                    data={"kind": "application_form", "file": (io.BytesIO(PDF), "a.pdf")},
                    content_type="multipart/form-data").status_code == 201
    db = mongo("applications")
    doc = db.applications.find_one({"_id": app["id"]})
    seq = doc["version"] + 1
    # What a writer killed between its write and its finish leaves: the change, with its
    # outbox claimed at birth by a process that will never finish it.
    box = {"audit": {"_id": f"{app['id']}:{seq:06d}", "application_id": app["id"], "seq": seq,
                     "action": "save_draft", "by": {"id": "p_2023010101"}, "at": doc["updated_at"]},
           "event": None}
    db.applications.update_one({"_id": app["id"]}, {"$set": {"outbox": box, "outbox_claim_ts": time.time(),
                                                             "version": seq}})

    first = http.as_("2023010101", "POST", f"/api/applications/{app['id']}/actions", json={"action": "submit"},
                     headers={"Idempotency-Key": "dead-finisher-submit"})
    assert first.status_code == 503 and first.headers.get("Retry-After"), first.json
    assert "稍后重试" in first.json["message_zh"] and first.json.get("field") != "version"

    deadline = time.monotonic() + outbox.LEASE_SECONDS + 30     # the dead claim lapses; sweeps may finish it too
    while True:
        again = http.as_("2023010101", "POST", f"/api/applications/{app['id']}/actions",
                         json={"action": "submit"}, headers={"Idempotency-Key": "dead-finisher-submit"})
        if again.status_code != 503:
            break
        assert time.monotonic() < deadline, again.json
        time.sleep(0.5)
    assert again.status_code == 200 and again.json["state"] == "submitted", again.json
    assert db.audit.count_documents({"_id": box["audit"]["_id"]}) == 1      # the dead writer's entry, once
    assert db.audit.count_documents({"application_id": app["id"], "action": "submit"}) == 1
