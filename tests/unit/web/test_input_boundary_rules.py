"""The rules of the input boundary and of document text, without a server."""
from datetime import datetime, timezone

import pytest

from core.document_text import printable
from core.errors import BadRequest, ValidationFailed
from core.forms import Yuan, validate_form
from core.uploads import already_uploaded, upload_id
from gateway.boundary import MAX_DEPTH, check_json, text_problem
from services.applications.domain import windows


def _refused(body):
    with pytest.raises((ValidationFailed, BadRequest)) as caught:
        check_json(body)
    return caught.value


def test_json_depth_unicode_controls_and_numbers():
    check_json(b'{"a": [1, 2.5, "tab\\tand\\nnewline", {"b": null}], "brackets in text": "[[[[{{{{"}')
    check_json(("[" * MAX_DEPTH + "]" * MAX_DEPTH).encode())
    assert _refused(("[" * 1000 + "]" * 1000).encode()).field == "body"
    assert _refused(b'{"form": {"title": "\\ud800"}}').field == "form.title"
    assert _refused(b'{"items": [{"name": "a\\u0000b"}]}').field == "items.0.name"
    assert _refused(b'{"x": 1e400}').field == "x"
    assert _refused(b'{"x": 9223372036854775808}').field == "x"
    assert _refused(b'{"x": NaN}').code == "bad_request"
    assert _refused(b'{"x": ').code == "bad_request"
    assert _refused(b'{"x": "\xff"}').field == "body"
    refused = _refused(b'{"t": "\\u0007"}')
    assert "U+0007" in refused.details[0]["message"] and "U+0007" in refused.details[0]["message_zh"]


def test_text_rule_allows_tab_newline_and_carriage_return_only():
    assert text_problem("第一行\r\n第二行\t制表", "f") is None
    for bad in ("\x00", "\x1b", "\x7f", "\ufffe", "\udc80"):
        assert text_problem(f"a{bad}b", "f")["field"] == "f"


def test_documents_drop_what_xml_cannot_hold():
    assert printable({"t\x00": ["a\x0bb", 3, None], "ok": "换行\n保留"}) == {"t": ["ab", 3, None], "ok": "换行\n保留"}


def test_campaign_times_are_required_and_ordered():
    with pytest.raises(ValidationFailed) as missing:
        windows.campaign_times({"application_opens_at": "", "application_closes_at": None})
    assert [d["field"] for d in missing.value.details] == ["application_opens_at", "application_closes_at"]
    with pytest.raises(ValidationFailed) as unordered:
        windows.campaign_times({"application_opens_at": "2026-10-10T08:00", "application_closes_at": "2026-10-01T08:00"})
    assert unordered.value.details[0]["field"] == "application_closes_at"
    times = windows.campaign_times({"application_opens_at": "2026-10-01T08:00",
                                    "application_closes_at": datetime(2026, 10, 9, tzinfo=timezone.utc)})
    assert times["application_opens_at"] == datetime(2026, 10, 1, 0, 0, tzinfo=timezone.utc)
    assert times["review_opens_at"] is None


def test_a_campaign_without_its_window_is_never_open():
    from core.errors import DeadlinePassed
    with pytest.raises(DeadlinePassed):
        windows.require_application_window({"program": "x"}, datetime.now(timezone.utc))


def test_yuan_beyond_its_digits_is_a_field_error_not_a_crash():
    from marshmallow import Schema

    class Budget(Schema):
        planned_budget_yuan = Yuan()

    for value in ("1e400", 1e300, "9" * 40):
        _cleaned, errors = validate_form(Budget, {"planned_budget_yuan": value})
        assert errors[0]["field"] == "planned_budget_yuan" and errors[0]["message_zh"]


def test_an_upload_retry_finds_the_first_upload():
    first = upload_id("att", "app_1", "photo", "abc")
    assert first == upload_id("att", "app_1", "photo", "abc") != upload_id("att", "app_2", "photo", "abc")
    keyed = upload_id("att", "app_1", "photo", "abc", "key-1")
    stored = [{"_id": keyed, "kind": "photo", "sha256": "abc"}]
    assert already_uploaded(stored, keyed, "photo", "zzz") is stored[0]          # same key
    assert already_uploaded(stored, "other", "photo", "abc") is stored[0]        # same bytes, same slot
    assert already_uploaded(stored, "other", "application_form", "abc") is None  # another slot
