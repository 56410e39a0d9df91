"""core/periods.py: windows resolved to half-open date periods, worked by hand."""
from datetime import date

import pytest

from core import periods
from core.errors import ValidationFailed


def test_last_years_counts_calendar_years_back_from_until():
    period = periods.resolve({"last_years": 3, "until": "2024-05-01"})
    assert period == periods.Period(date(2021, 5, 1), date(2024, 5, 1))
    assert period.bounds() == ("2021-05-01", "2024-05-01")
    assert period.contains("2021-05-01") and period.contains("2024-04-30")
    assert not period.contains("2021-04-30") and not period.contains("2024-05-01")  # half-open


def test_29_february_becomes_28_february():
    assert periods.resolve({"last_years": 1, "until": "2024-02-29"}).since == date(2023, 2, 28)
    assert periods.resolve({"last_years": 4, "until": "2024-02-29"}).since == date(2020, 2, 29)
    assert periods.years_before(date(2028, 2, 29), 3) == date(2025, 2, 28)


def test_academic_year_runs_from_1_september():
    period = periods.resolve({"academic_year": "2023-2024"})
    assert period.bounds() == ("2023-09-01", "2024-09-01")
    assert period.contains(date(2023, 9, 1)) and period.contains(date(2024, 8, 31))
    assert not period.contains(date(2023, 8, 31)) and not period.contains(date(2024, 9, 1))
    assert periods.academic_year_of("2023-10-08") == "2023-2024"
    assert periods.academic_year_of(date(2024, 8, 31)) == "2023-2024"
    assert periods.academic_year_of(date(2024, 9, 1)) == "2024-2025"
    assert periods.academic_year_of(date(2024, 1, 15)) == "2023-2024"


def test_since_until_and_open_bounds():
    assert periods.resolve({"since": "2023-09-01", "until": "2024-01-01"}).bounds() == ("2023-09-01", "2024-01-01")
    assert periods.resolve({"since": "2023-09-01"}).bounds() == ("2023-09-01", None)
    assert periods.resolve({"until": "2024-01-01", "since": None}).bounds() == (None, "2024-01-01")
    everything = periods.resolve(None)
    assert everything.bounds() == (None, None) and everything.contains("1999-01-01")


def _field(window):
    with pytest.raises(ValidationFailed) as caught:
        periods.resolve(window)
    error = caught.value
    assert error.message_zh and error.message_en and error.message_zh != error.message_en
    return [d["field"] for d in error.details]


@pytest.mark.parametrize("window,fields", [
    ({"academic_year": "2023-2025"}, ["window.academic_year"]),
    ({"academic_year": "2024-2023"}, ["window.academic_year"]),
    ({"academic_year": "2023/2024"}, ["window.academic_year"]),
    ({"academic_year": 2023}, ["window.academic_year"]),
    ({"last_years": 0, "until": "2024-05-01"}, ["window.last_years"]),
    ({"last_years": True, "until": "2024-05-01"}, ["window.last_years"]),
    ({"last_years": "3", "until": "2024-05-01"}, ["window.last_years"]),
    ({"last_years": 3}, ["window.until"]),
    ({"last_years": 3, "until": "2024-02-30"}, ["window.until"]),
    ({"last_years": 3, "until": "2024-5-1"}, ["window.until"]),
    ({"last_years": 3, "until": "2024-05-01", "since": "2020-01-01"}, ["window.since"]),
    ({"academic_year": "2023-2024", "until": "2024-01-01"}, ["window.until"]),
    ({"since": "2024-01-01", "until": "2024-01-01"}, ["window.until"]),
    ({"since": "2024-02-01", "until": "2024-01-01"}, ["window.until"]),
    ({"since": "yesterday"}, ["window.since"]),
    ({"from": "2024-01-01"}, ["window.from"]),
    ({}, ["window"]),
    ("last 3 years", ["window"]),
])
def test_bad_windows_name_the_key(window, fields):
    assert _field(window) == fields


def test_messages_are_bilingual():
    with pytest.raises(ValidationFailed) as caught:
        periods.resolve({"academic_year": "2023-2025"})
    assert "consecutive" in caught.value.message_en and "相邻" in caught.value.message_zh
