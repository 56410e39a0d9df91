"""Small builders shared by integration tests."""
import base64
import io
import itertools
import zipfile
from datetime import datetime, timedelta, timezone

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_PDFS = itertools.count(1)


def another_pdf():
    """A PDF whose bytes differ from every other one made here: a different receipt,
    not the same file sent again (which the services recognise as a retry)."""
    return PDF.replace(b"\n1 0 obj", f"\n%receipt {next(_PDFS)}\n1 0 obj".encode("ascii"), 1)


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # A fixed time: two calls give the same bytes (zip entries carry their mtime).
        for name, text in (("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<document/>")):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


def png_bytes(rgb=(200, 30, 30), size=8):
    """A real PNG (a square of one colour) that browsers draw: a photo to preview."""
    import struct
    import zlib

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def b64(data):
    return base64.b64encode(data).decode("ascii")


def good_form(**overrides):
    form = {
        "theme": "先锋领航·校园善治",
        "title": "先锋领航进宿舍",
        "lead_role": "secretary",
        "goals": "建设学习型、服务型党支部，带动宿舍文明建设。",
        "measures": "每月开展一次主题党日，党员联系寝室，开展志愿服务。",
        "expected_outcomes": "形成可推广的工作案例一篇，文明寝室覆盖率提升。",
        "planned_budget_yuan": "2800.00",
        "faculty_advisor": {"name": "陈老师", "title": "副教授", "phone": "13800000000"},
    }
    form.update(overrides)
    return form


def campaign_payload(opens_delta=timedelta(days=-1), closes_delta=timedelta(days=7), **overrides):
    now = datetime.now(timezone.utc)
    payload = {
        "program": "pilot_branches", "title": "2026-2027 学年对标争先", "academic_year": "2026-2027",
        "unit_id": "school_demo",
        "application_opens_at": (now + opens_delta).isoformat(),
        "application_closes_at": (now + closes_delta).isoformat(),
        "review_opens_at": (now + closes_delta + timedelta(minutes=1)).isoformat(),
        "review_closes_at": (now + closes_delta + timedelta(days=10)).isoformat(),
    }
    payload.update(overrides)
    return payload


def close_applications(http, login, campaign_id):
    """Close the campaign's application window now (results are never published
    while applications are open: core/campaign_phase.py, scoring's publish guard)."""
    closed = http.as_(login, "POST", f"/api/campaigns/{campaign_id}/window", json={"action": "close"})
    assert closed.status_code == 200, closed.json
    return closed.json


def finish_job(http, login, response, seconds=90):
    """The finished job (succeeded or failed) a 202 response started, polled as `login`."""
    import time
    assert response.status_code == 202, response.json
    job = response.json
    assert response.headers["Location"] == f"/api/jobs/{job['id']}"
    deadline = time.time() + seconds
    while job["state"] in ("queued", "running"):
        assert time.time() < deadline, f"job {job['id']} did not finish: {job}"
        time.sleep(0.2)
        job = http.as_(login, "GET", f"/api/jobs/{job['id']}").json
    return job


class JobOutcome:
    """What a finished job answers, shaped like the response of the request that once
    did the work itself: `status_code` 200 and `json` the result when it succeeded;
    the status of its error (gateway/errors.py's table) and `json` the error when it
    failed. `job` is the job itself."""

    def __init__(self, job):
        from core import errors
        from gateway.errors import STATUS

        self.job = job
        if job["state"] == "succeeded":
            self.status_code, self.json = 200, job["result"]
        else:
            statuses = {cls.code: status for cls, status in STATUS.items()}
            code = (job.get("error") or {}).get("code")
            self.status_code = statuses.get(code, 409 if code == errors.QuotaExceeded.code else 500)
            self.json = job.get("error")


def job_outcome(http, login, response, seconds=120):
    """A request that starts a job (202): its outcome as a JobOutcome once the job has
    finished; a refusal at once (any other status) is returned as it is."""
    if response.status_code != 202:
        return response
    return JobOutcome(finish_job(http, login, response, seconds))


def as_job(http, login, method, url, seconds=120, **kwargs):
    """`http.as_` for a request that starts a job: the job's outcome (`job_outcome`)."""
    return job_outcome(http, login, http.as_(login, method, url, **kwargs), seconds)


def current_results(http, login, url, seconds=120):
    """GET a campaign's results once the stored preview is current (its job, started
    by the read when the data had changed, has finished): the response."""
    import time
    deadline = time.time() + seconds
    while True:
        response = http.as_(login, "GET", url)
        if response.status_code != 200 or response.json.get("preview_state") == "current":
            return response
        assert time.time() < deadline, f"the results preview stayed {response.json.get('preview_state')}"
        time.sleep(0.2)
