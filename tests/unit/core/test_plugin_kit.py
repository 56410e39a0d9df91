"""The plugin toolkit: one behaviour for academic years, deadline windows and naive times."""
from datetime import datetime

import pytest

from core import plugin_kit as kit


def test_academic_years_and_years_of_study():
    assert kit.start_year("2026-2027") == 2026 and kit.year_of_study(2024, "2026-2027") == 3
    with pytest.raises(ValueError):
        kit.start_year("2026-2028")


def test_naive_moments_are_utc_everywhere():
    assert kit.local_date("2026-10-20T17:00:00") == kit.local_date("2026-10-20T17:00:00Z")
    assert str(kit.local_date(datetime(2026, 10, 20, 17, 0))) == "2026-10-21"   # 01:00 in Beijing
    assert str(kit.local_date("2026-10-20T17:00:00+08:00")) == "2026-10-20"


def test_the_year_window_ends_the_day_after_the_deadline_and_within_the_year():
    campaign = {"academic_year": "2025-2026", "application_closes_at": "2026-06-22T09:00:00Z"}
    assert kit.year_window(campaign) == {"since": "2025-09-01", "until": "2026-06-23"}
    autumn = dict(campaign, application_closes_at="2026-10-20T09:00:00Z")
    assert kit.year_window(autumn) == {"since": "2025-09-01", "until": "2026-09-01"}


def test_labels_and_reasons():
    assert kit.meta("姓名", "Name", maxLength=30) == {"title": "姓名", "description": "Name", "maxLength": 30}
    assert kit.reason("x", "en", "中") == {"code": "x", "message": "en", "message_zh": "中"}
