"""The public notice's period (公示时间) as real notices state it: an explicit start and
end (date and 24-hour time, Beijing), read "公示时间：12月6日至12月10日". Plain rules.

* The start defaults to now; it may not lie more than GRACE in the past (a form
  filled in a minute ago) — a notice never claims to have been public before it was.
* The end defaults to the start plus the campaign's notice days (the program's
  ``notice_days``); it must leave at least the campaign's ``notice_min_days``
  (公示最短天数) and at most MAX_DAYS.
"""
import math
from datetime import timedelta

from core.errors import field_error, invalid
from services.applications.domain.windows import SHANGHAI, parse_local, shanghai_text

GRACE = timedelta(hours=1)
MAX_DAYS = 30


def explicit_period(opens_raw, closes_raw, days, min_days, now):
    """(opens_at, closes_at, days) in UTC; `days` (whole, rounded up) is the length
    kept for re-notices. Raises ValidationFailed naming opens_at or closes_at."""
    opens = parse_local(opens_raw, "opens_at") if opens_raw else now
    if opens < now - GRACE:
        raise invalid([field_error("opens_at", "The notice cannot start in the past.",
                                   f"公示开始时间不能早于现在（{shanghai_text(now)}）")])
    closes = parse_local(closes_raw, "closes_at") if closes_raw else opens + timedelta(days=days)
    length = closes - opens
    if length < timedelta(days=min_days):
        raise invalid([field_error("closes_at", f"The notice must last at least {min_days} days (the campaign's "
                                   f"shortest notice); {_days(length)} given.",
                                   f"公示期不能短于公示最短天数（{min_days} 天），现为 {_days(length)} 天")])
    if length > timedelta(days=MAX_DAYS):
        raise invalid([field_error("closes_at", f"The notice lasts at most {MAX_DAYS} days.",
                                   f"公示期最长 {MAX_DAYS} 天")])
    return opens, closes, max(1, math.ceil(length / timedelta(days=1)))


def _days(length):
    value = round(length / timedelta(days=1), 1)
    return int(value) if value == int(value) else value


def period_text(opens, closes):
    """("12月6日至12月10日", "6 Dec – 10 Dec"): the days the notice covers, in Beijing
    time (an end at midnight belongs to the day before); the year is named when the
    period crosses one."""
    first = opens.astimezone(SHANGHAI)
    last = (closes - timedelta(seconds=1)).astimezone(SHANGHAI)
    if first.year != last.year:
        zh = f"{first.year}年{first.month}月{first.day}日至{last.year}年{last.month}月{last.day}日"
        en = f"{first:%-d %b %Y} – {last:%-d %b %Y}"
    else:
        zh = f"{first.month}月{first.day}日至{last.month}月{last.day}日"
        en = f"{first:%-d %b} – {last:%-d %b}"
    return zh, en
