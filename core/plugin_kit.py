"""What every program's hooks and forms need, in one place (the plugin toolkit).

Plain functions, no I/O:

* `meta(zh, en, **extra)`: a form field's labels (``metadata=meta("姓名", "Name")``);
  the typed contract refuses a form field without a Chinese title.
* `reason(code, en, zh)`: one entry of an eligibility hook's answer.
* `start_year`, `year_of_study`: academic years (学年, 1 September to 31 August).
* `local_date`, `closing_date`, `until_after_closing`, `year_window`: deadline
  windows for `core.records_client` queries, so a campaign always sees the same facts.

Naive datetimes: the platform stores and sends every moment in UTC, so a datetime or
ISO string without an offset is read as **UTC** — never as local time — and then
shown as an Asia/Shanghai date. (A date a person writes on a form or a spreadsheet is
already a Shanghai calendar date and is not converted.)
"""
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
ACADEMIC_YEAR_START = (9, 1)   # 学年 begins on 1 September


def meta(zh, en, **extra):
    """A form field's metadata: ``title`` (Chinese label), ``description`` (English)."""
    return {"title": zh, "description": en, **extra}


def reason(code, en, zh):
    """One reason an applicant may not submit: {"code", "message", "message_zh"}."""
    return {"code": code, "message": en, "message_zh": zh}


def start_year(academic_year):
    """2026 for "2026-2027"; ValueError for anything else."""
    match = re.fullmatch(r"(\d{4})\s*[-—–]\s*(\d{4})", str(academic_year or "").strip())
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise ValueError(f"not an academic year: {academic_year!r}")
    return int(match.group(1))


def year_of_study(entry_year, academic_year):
    """1 in the academic year of entry (the directory's ``grade``), 2 the next...:
    entered 2024 → year 3 in "2026-2027"."""
    return start_year(academic_year) - int(entry_year) + 1


def utc_moment(value):
    """An aware UTC datetime from a datetime or an ISO string; naive is read as UTC."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def local_date(value):
    """The Asia/Shanghai calendar date of a moment (naive = UTC)."""
    return utc_moment(value).astimezone(SHANGHAI).date()


def closing_date(campaign):
    """The Shanghai date of the campaign's application deadline."""
    return local_date(campaign["application_closes_at"])


def until_after_closing(campaign, end=None):
    """The exclusive end of a fact window: the day after the closing date (a fact
    dated on the deadline counts), no later than `end` (a date)."""
    until = closing_date(campaign) + timedelta(days=1)
    return (min(until, end) if end else until).isoformat()


def year_window(campaign):
    """The campaign's academic year up to its deadline: {"since": "<Y>-09-01",
    "until": <closing date + 1 day, at most <Y+1>-09-01>} (`core.periods` data)."""
    y = start_year(campaign["academic_year"])
    return {"since": date(y, *ACADEMIC_YEAR_START).isoformat(),
            "until": until_after_closing(campaign, date(y + 1, *ACADEMIC_YEAR_START))}
