"""Database commands per request (create, upload, submit), counted with a pymongo
CommandListener on the services' own clients: a handful each, not 9-16 (32 in all
before; 26 now in the applications database, plus the file store's for the upload)."""
import io
from collections import Counter

import pytest

from tests.integration.command_log import count_commands
from tests.integration.helpers import PDF, campaign_payload, good_form

SWEEPS = ("notices", "objections", "final_lists", "awards", "jobs", "stage_reports")


@pytest.fixture
def commands(monkeypatch):
    return count_commands(monkeypatch, lambda collection, text: collection in SWEEPS or "outbox_at" in text)


def test_create_upload_and_submit_each_take_a_handful_of_commands(commands, http):
    campaign = http.as_("admin", "POST", "/api/campaigns", json=campaign_payload()).json
    secretary = "2023010101"
    http.login(secretary)
    counts = {}

    def measure(name, method, url, **kwargs):
        commands.seen.clear()
        response = http.as_(secretary, method, url, **kwargs)
        assert response.status_code in (200, 201), response.json
        counts[name] = Counter(" ".join(c.split()[:2]) for c in commands.seen)
        return response.json

    app = measure("create", "POST", f"/api/campaigns/{campaign['id']}/applications", json={"form": good_form()},
                  headers={"Idempotency-Key": "rt-create"})
    measure("upload", "POST", f"/api/applications/{app['id']}/attachments",
            data={"kind": "application_form", "file": (io.BytesIO(PDF), "a.pdf")}, content_type="multipart/form-data")
    measure("submit", "POST", f"/api/applications/{app['id']}/actions", json={"action": "submit"},
            headers={"Idempotency-Key": "rt-submit"})
    # The applications service's own database; the file store (GridFS, its own
    # database) adds its reads and writes of the uploaded bytes to the upload.
    totals = {name: sum(n for key, n in c.items() if "_applications." in key) for name, c in counts.items()}
    files = sum(n for key, n in counts["upload"].items() if "_files." in key)
    print("commands per request:", totals, "file store:", files, {k: dict(v) for k, v in counts.items()})
    assert totals["create"] <= 9 and totals["upload"] <= 9 and totals["submit"] <= 14, counts
    assert sum(totals.values()) <= 30, counts   # 32 before (see the issue); lower as requests get leaner
    assert files <= 10, counts
