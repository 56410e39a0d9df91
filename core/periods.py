"""Time windows over dates (时间范围): "in the last 3 years", "this academic year".

Plain functions, no I/O. A window is plain data (it crosses RPC; see
`core/records_client.py`), resolved here to a half-open `Period` [since, until) of
calendar dates (Asia/Shanghai dates, as people write them on certificates and
spreadsheets):

    {"last_years": 3, "until": "2024-05-01"}       # 2021-05-01 <= d < 2024-05-01
    {"academic_year": "2023-2024"}                 # 2023-09-01 <= d < 2024-09-01
    {"since": "2023-09-01", "until": "2024-01-01"} # either bound may be left out
    None                                           # every date

Guarantees:
  * the same window always resolves to the same period (no "today" inside:
    `last_years` needs an explicit `until`, so a campaign sees the same facts however
    late it is computed);
  * N calendar years before 29 February is 28 February (never 1 March);
  * the academic year is the Chinese one: 1 September to 31 August (学年);
  * bad input raises `ValidationFailed` naming ``window.<key>`` with the reason in
    Chinese and English, and nothing else happens.
"""
import re
from dataclasses import dataclass
from datetime import date, datetime

from core.errors import field_error, invalid

ACADEMIC_YEAR_START_MONTH = 9  # 学年 starts on 1 September
MAX_YEARS = 100
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ACADEMIC_YEAR = re.compile(r"^(\d{4})-(\d{4})$")
FORMS = ("last_years", "academic_year", "since/until")


@dataclass(frozen=True)
class Period:
    """[since, until) of dates; a bound of None is open."""

    since: date = None
    until: date = None

    def contains(self, day):
        day = as_date(day)
        return (self.since is None or self.since <= day) and (self.until is None or day < self.until)

    def bounds(self):
        """(since, until) as ISO strings or None: stored dates are ISO strings, which
        order like the dates themselves, so these are range-query bounds."""
        return (self.since.isoformat() if self.since else None, self.until.isoformat() if self.until else None)


def as_date(value, field="date"):
    """A `date` from a date or a ``YYYY-MM-DD`` string; ValidationFailed naming `field`."""
    if isinstance(value, datetime):
        raise invalid([field_error(field, "Expected a date (YYYY-MM-DD), not a date and time.",
                                   "须为日期（YYYY-MM-DD），不能带时间")])
    if isinstance(value, date):
        return value
    match = _DATE.match(value) if isinstance(value, str) else None
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise invalid([field_error(field, f"Not a valid date {value!r}; use YYYY-MM-DD.",
                               f"日期 {value!r} 无效，格式须为 YYYY-MM-DD")])


def years_before(day, years):
    """The same calendar day `years` years earlier; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def academic_year_of(day):
    """The academic year a date falls in: 2023-10-08 → "2023-2024", 2024-08-31 →
    "2023-2024", 2024-09-01 → "2024-2025"."""
    day = as_date(day)
    start = day.year if day.month >= ACADEMIC_YEAR_START_MONTH else day.year - 1
    return f"{start}-{start + 1}"


def academic_year_period(label, field="window.academic_year"):
    """The Period of an academic year label ("2023-2024" → [2023-09-01, 2024-09-01));
    ValidationFailed naming `field` unless the label is two consecutive years."""
    match = _ACADEMIC_YEAR.match(label) if isinstance(label, str) else None
    if not match:
        raise invalid([field_error(field, f"Not an academic year {label!r}; write it like 2023-2024.",
                                   f"学年 {label!r} 无效，格式如 2023-2024")])
    first, second = (int(part) for part in match.groups())
    if second != first + 1 or first < 1:
        raise invalid([field_error(field, f"An academic year spans two consecutive years, not {label!r}.",
                                   f"学年须为相邻的两个年份（如 2023-2024），而不是 {label}")])
    return Period(date(first, ACADEMIC_YEAR_START_MONTH, 1), date(second, ACADEMIC_YEAR_START_MONTH, 1))


def resolve(window):
    """The Period of a window (see the module docstring); None is every date."""
    if window is None:
        return Period()
    if not isinstance(window, dict):
        raise invalid([field_error("window", "A window is an object such as {\"academic_year\": \"2023-2024\"}.",
                                   "时间范围须为对象，如 {\"academic_year\": \"2023-2024\"}")])
    keys = set(window)
    if "last_years" in keys:
        _only(window, {"last_years", "until"})
        return _last_years(window)
    if "academic_year" in keys:
        _only(window, {"academic_year"})
        return academic_year_period(window["academic_year"])
    _only(window, {"since", "until"})
    if not keys:
        raise invalid([field_error("window", "An empty window; give last_years, academic_year or since/until "
                                             "(or no window at all).",
                                   "时间范围为空：请给出 last_years、academic_year 或 since/until，或不限时间")])
    since = as_date(window["since"], "window.since") if window.get("since") is not None else None
    until = as_date(window["until"], "window.until") if window.get("until") is not None else None
    if since is None and until is None:
        raise invalid([field_error("window.since", "Give since, until or both.", "请至少给出 since 或 until 之一")])
    if since is not None and until is not None and since >= until:
        raise invalid([field_error("window.until", f"until ({until}) must be after since ({since}); "
                                                   "the window is [since, until).",
                                   f"结束日期（{until}）须晚于开始日期（{since}），范围为 [since, until)")])
    return Period(since, until)


def _last_years(window):
    years = window["last_years"]
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= MAX_YEARS:
        raise invalid([field_error("window.last_years", f"last_years must be a whole number from 1 to {MAX_YEARS}.",
                                   f"last_years 须为 1 到 {MAX_YEARS} 之间的整数")])
    if window.get("until") is None:
        raise invalid([field_error("window.until", "last_years needs until (YYYY-MM-DD), e.g. the campaign's "
                                                   "closing date, so the same campaign always sees the same facts.",
                                   "last_years 须同时给出 until（YYYY-MM-DD，如活动截止日期），以保证同一活动每次看到相同的记录")])
    until = as_date(window["until"], "window.until")
    return Period(years_before(until, years), until)


def _only(window, allowed):
    extra = sorted(set(window) - allowed)
    if extra:
        raise invalid([field_error(f"window.{key}", f"Unexpected {key!r} here; a window is one of "
                                                    f"{', '.join(FORMS)}.",
                                   f"此处不应有 {key}：时间范围只能是 {'、'.join(FORMS)} 之一")
                       for key in extra])
