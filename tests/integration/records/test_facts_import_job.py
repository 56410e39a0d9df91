"""Importing facts is a background job of the records service: 202 at once with the
job, progress up to the number of rows, writes in chunks (a handful of inserts for
thousands of rows, counted on the service's own client), the same file asked for
again while it runs is the same job, a retry stores nothing twice, and a file with a
bad row fails the job naming every bad row while nothing of it is stored."""
import pytest

from services.records.store import CHUNK
from tests.integration.command_log import count_commands
from tests.integration.helpers import finish_job
from tests.integration.records.conftest import FACT_HEADER, csv_bytes, fact_row, upload

IMPORT = "/api/records/facts/import"
ROWS = 2 * CHUNK + 500


@pytest.fixture
def commands(monkeypatch):
    # Installed before the platform starts (fixture order): the services' clients report to it.
    return count_commands(monkeypatch, lambda collection, text: collection != "facts")


def _file(rows=ROWS, bad_row=None):
    lines = [fact_row("奖学金", ref=f"JW-{i:05d}", 学年="2022-2023", 等级="二等", 名称="单项奖学金") for i in range(rows)]
    if bad_row is not None:
        lines[bad_row] = fact_row("奖学金", subject_id="2099999999", ref="JW-BAD", 等级="二等", 名称="单项奖学金")
    return csv_bytes(FACT_HEADER, lines)


def _start(http, data, name="facts.csv"):
    import io
    return http.as_("admin", "POST", IMPORT, data={"file": (io.BytesIO(data), name)},
                    content_type="multipart/form-data")


def test_a_facts_import_is_a_job_in_chunks_idempotent_and_one_at_a_time(commands, http, mongo):
    facts = mongo("records").facts
    data = _file()
    first, second = _start(http, data), _start(http, data)
    assert first.status_code == 202 and first.headers["Location"] == f"/api/jobs/{first.json['id']}"
    assert first.json["id"].startswith("records.") and first.json["state"] in ("queued", "running")
    assert second.json["id"] == first.json["id"]          # the same file while it runs: the same job
    assert http.as_("2023010101", "GET", f"/api/jobs/{first.json['id']}").status_code == 404   # not theirs

    job = finish_job(http, "admin", first)
    assert job["state"] == "succeeded", job
    assert job["result"] == {"imported": ROWS, "created": ROWS, "updated": 0, "unchanged": 0}
    assert (job["done"], job["total"], job["percent"]) == (ROWS, ROWS, 100)   # progress in rows
    assert facts.count_documents({}) == ROWS
    inserts = [c for c in commands.seen if c.startswith("insert ")]
    assert len(inserts) == -(-ROWS // CHUNK), inserts      # one insert_many per chunk, not one per row

    # A retry (the job re-run after a crash does the same) stores nothing twice.
    commands.seen.clear()
    again = finish_job(http, "admin", _start(http, data))
    assert again["id"] != first.json["id"] and again["state"] == "succeeded"
    assert again["result"] == {"imported": ROWS, "created": 0, "updated": 0, "unchanged": ROWS}
    assert facts.count_documents({}) == ROWS and not [c for c in commands.seen if c.startswith(("insert", "update"))]


def test_a_bad_row_fails_the_import_job_naming_every_bad_row(http, mongo):
    refused = upload(http, "admin", IMPORT, "facts.csv", _file(rows=50, bad_row=7))
    assert refused.status_code == 422 and refused.job["state"] == "failed"
    assert [(d["row"], d["column"]) for d in refused.json["details"]] == [(9, "对象编号")]   # row 9: after the header
    assert mongo("records").facts.count_documents({}) == 0
    # Only a school admin: anyone else is refused at once, and no job is stored.
    import io
    student = http.as_("2023010101", "POST", IMPORT, data={"file": (io.BytesIO(_file(rows=1)), "facts.csv")},
                       content_type="multipart/form-data")
    assert student.status_code == 403 and mongo("records").jobs.count_documents({"created_by": "p_2023010101"}) == 0
