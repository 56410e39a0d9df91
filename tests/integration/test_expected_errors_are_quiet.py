"""A user's 4xx is expected: the typed errors are declared as `expected_exceptions`
on every entrypoint (core/entrypoints.py), so 20 parallel creates of which 19 are
refused write no traceback into the services' log (there were 57)."""
import logging

import eventlet

from tests.integration.helpers import campaign_payload

SECRETARY = "2023010101"
ADMIN = "admin"


def test_twenty_parallel_creates_write_no_traceback(http, caplog):
    campaign = http.as_(ADMIN, "POST", "/api/campaigns", json=campaign_payload()).json
    http.login(SECRETARY)
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        pool = eventlet.GreenPool(20)
        statuses = list(pool.imap(
            lambda i: http.as_(SECRETARY, "POST", f"/api/campaigns/{campaign['id']}/applications",
                               json={"form": {"title": f"项目{i:02d}"}}).status_code, range(20)))
        eventlet.sleep(0.5)
    assert sorted(statuses) == [201] + [409] * 19
    tracebacks = [r for r in caplog.records if r.exc_info or r.exc_text or "Traceback" in r.getMessage()]
    assert tracebacks == [], f"{len(tracebacks)} tracebacks, first: {tracebacks[0].getMessage()}"
    expected = [r for r in caplog.records if r.getMessage().startswith("(expected)")]
    assert len(expected) == 19 and all(r.levelno == logging.INFO for r in expected)
