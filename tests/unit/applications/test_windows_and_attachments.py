import io
import zipfile
from datetime import datetime, timezone

import pytest

from core.errors import DeadlinePassed, PayloadTooLarge, UnsupportedMediaType, ValidationFailed
from core import uploads as attachments
from services.applications.domain import windows
from plugins.pilot_branches.program import PROGRAM

KINDS = PROGRAM.attachments


def test_naive_times_are_beijing_time():
    assert windows.parse_local("2023-10-18T17:00", "x") == datetime(2023, 10, 18, 9, 0, tzinfo=timezone.utc)
    assert windows.parse_local("2023-10-18T17:00+00:00", "x") == datetime(2023, 10, 18, 17, 0, tzinfo=timezone.utc)
    with pytest.raises(ValidationFailed) as error:
        windows.parse_local("18/10/2023", "application_closes_at")
    assert error.value.field == "application_closes_at"


def test_deadline_is_exclusive_and_late_is_forfeited():
    campaign = {"application_opens_at": windows.parse_local("2023-09-20T08:00", "o"),
                "application_closes_at": windows.parse_local("2023-10-18T17:00", "c"),
                "review_closes_at": windows.parse_local("2023-10-25T17:00", "r")}
    windows.require_application_window(campaign, datetime(2023, 10, 18, 8, 59, 59, tzinfo=timezone.utc))
    with pytest.raises(DeadlinePassed) as late:
        windows.require_application_window(campaign, datetime(2023, 10, 18, 9, 0, tzinfo=timezone.utc))
    assert "2023-10-18 17:00" in late.value.message_zh and "逾期" in late.value.message_zh
    with pytest.raises(DeadlinePassed):
        windows.require_application_window(campaign, datetime(2023, 9, 19, tzinfo=timezone.utc))
    # A returned application may be resubmitted until review closes.
    returned = {"state": "returned"}
    windows.require_editable_window(campaign, returned, datetime(2023, 10, 20, tzinfo=timezone.utc))
    with pytest.raises(DeadlinePassed):
        windows.require_editable_window(campaign, returned, datetime(2023, 10, 26, tzinfo=timezone.utc))


def _docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<d/>")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize("data,name,expected", [
    (PDF, "a.pdf", "pdf"), (b"%PDF-1.7 ...", "a.pdf", None), (b"%PDF-1.4\n%%EOF\n", "fake.pdf", None),
    (b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", "no-xref.pdf", None), (_docx(), "a.docx", "docx"), (b"\xff\xd8\xff\xe0", "p.jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "p.png", "png"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.doc", "doc"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.exe", None), (b"MZ\x90", "a.pdf", None),
    (b"PK\x03\x04garbage", "a.docx", None),
])
def test_types_come_from_the_bytes(data, name, expected):
    assert attachments.sniff(data, name) == expected


def test_upload_rules():
    meta = attachments.check_upload(KINDS, "application_form", "C:\\x\\项目申请表.pdf", PDF, 100, [])
    assert meta["filename"] == "项目申请表.pdf" and meta["content_type"] == "application/pdf"
    with pytest.raises(PayloadTooLarge):
        attachments.check_upload(KINDS, "application_form", "a.pdf", b"%PDF-" + b"0" * 100, 100, [])
    with pytest.raises(UnsupportedMediaType):
        attachments.check_upload(KINDS, "application_form", "a.png", b"\x89PNG\r\n\x1a\n", 100, [])
    with pytest.raises(ValidationFailed):
        attachments.check_upload(KINDS, "application_form", "a.pdf", PDF, 100, [{"kind": "application_form"}])
    with pytest.raises(ValidationFailed):
        attachments.check_upload(KINDS, "video", "a.pdf", PDF, 100, [])
    with pytest.raises(UnsupportedMediaType):  # only the first bytes of a PDF
        attachments.check_upload(KINDS, "application_form", "a.pdf", b"%PDF-1.4 <script>", 100, [])
    assert attachments.missing_required(KINDS, [{"kind": "photo"}])[0]["field"] == "attachments.application_form"
    assert attachments.missing_required(KINDS, [{"kind": "application_form"}]) == []
