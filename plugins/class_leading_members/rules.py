"""The rules of 学生带班党员 that only code can say, as plain functions (no RPC).

Years: a campaign's ``academic_year`` ("2026-2027") is the year it is about — for a
selection the year the new members will lead (the notice of May 2020 selects the
members of 2020—2021), for an assessment or a case collection the year assessed. A
student's year of study in it comes from the entry year (directory field ``grade``):
entered 2024 → year 3 in 2026-2027.

Dates: facts are read in windows that end on the day after the campaign's closing date
(Asia/Shanghai), so a fact dated on the deadline counts, one imported later for a later
date does not, and the same campaign always sees the same facts.
"""
import re
from datetime import date, timedelta

from core.errors import field_error
from core.plugin_kit import closing_date, start_year, year_of_study  # noqa: F401  (part of this module's API)


POLITICAL_STATUS_ZH = {
    "party_member": "中共党员", "probationary_member": "中共预备党员", "development_target": "发展对象",
    "activist": "入党积极分子", "league_member": "共青团员", "masses": "群众",
}
# 选聘办法: 即将升读三年级的学生党员（含预备党员）、入党发展对象和入党积极分子.
CANDIDATE_STATUSES = ["party_member", "probationary_member", "development_target", "activist"]

# Scholarship levels, best first; 标兵 needs "三好学生三等奖学金以上": rank <= 3.
SCHOLARSHIP_RANKS = {
    "national": 0, "special": 0, "国家": 0, "特等": 0,
    "first": 1, "一等": 1, "second": 2, "二等": 2, "third": 3, "三等": 3,
}
THIRD_CLASS = 3


# -- years and windows ------------------------------------------------------------------
# start_year, year_of_study and closing_date: core.plugin_kit (a naive deadline is UTC).


def _until(campaign, end):
    """The exclusive end of a window: the day after the closing date, no later than `end`."""
    return min(closing_date(campaign) + timedelta(days=1), end).isoformat()


def year_window(campaign):
    """The campaign's academic year up to its closing date:
    {"since": "<Y>-09-01", "until": <closing date + 1 day, at most <Y+1>-09-01>}."""
    y = start_year(campaign["academic_year"])
    return {"since": date(y, 9, 1).isoformat(), "until": _until(campaign, date(y + 1, 9, 1))}


def studies_window(campaign, entry_year):
    """From the student's entry (1 September of the entry year) to the closing date:
    their whole record at the university when they apply."""
    return {"since": date(int(entry_year), 9, 1).isoformat(), "until": _until(campaign, date(9999, 1, 1))}


# -- selection --------------------------------------------------------------------------
def _reason(code, en, zh):
    return {"code": code, "message": en, "message_zh": zh}


def candidate_reasons(person, academic_year, year=3, statuses=CANDIDATE_STATUSES):
    """Why `person` (a directory record) may not be selected to lead a new class in
    `academic_year`; empty when they may. Each failed condition is named."""
    reasons = []
    entry = person.get("grade")
    if entry in (None, ""):
        reasons.append(_reason("entry_year_unknown",
                               "The directory has no entry year (grade) for this student, so the year of study "
                               "cannot be checked.",
                               "学生名册中没有该生的年级（入学年份），无法核对是否即将升读三年级"))
    else:
        studying = year_of_study(entry, academic_year)
        if studying != year:
            reasons.append(_reason(
                "not_rising_third_year",
                f"Only students in year {year} in {academic_year} (entered {start_year(academic_year) - year + 1}) "
                f"may lead a new class; this student entered in {entry} and will be in year {studying}.",
                f"须为 {academic_year} 学年即将升读{_ordinal_zh(year)}年级的学生（{start_year(academic_year) - year + 1} "
                f"级）；该生为 {entry} 级，届时为{_ordinal_zh(studying)}年级"))
    status = person.get("political_status")
    if status not in statuses:
        shown = POLITICAL_STATUS_ZH.get(status, status or "未填写")
        allowed_zh = "、".join(POLITICAL_STATUS_ZH[s] for s in statuses)
        reasons.append(_reason(
            "political_status",
            f"Candidates must be party members, probationary members, development targets or activists; "
            f"this student's political status is {status or 'not recorded'}.",
            f"候选人须为{allowed_zh}；该生政治面貌为{shown}"))
    return reasons


def _ordinal_zh(n):
    return {1: "一", 2: "二", 3: "三", 4: "四", 5: "五"}.get(n, str(n)) if n > 0 else str(n)


# -- membership (history) -----------------------------------------------------------------
def member_reasons(awards, person_id, academic_year, selection_program):
    """Empty when `awards` (records of `selection_program`) hold an appointment of
    `person_id` for `academic_year`, else the reason. Imported appointments from before
    the platform count like those granted on it."""
    if any(a.get("subject_id") == person_id and a.get("academic_year") == academic_year for a in awards):
        return []
    return [_reason("not_a_class_leading_member",
                    f"Only class-leading members of {academic_year} take part; the records hold no "
                    f"appointment of this student for that year.",
                    f"仅 {academic_year} 学年的学生带班党员可参加；记录中没有该生该学年的带班党员聘任")]


# -- 标兵 conditions ---------------------------------------------------------------------
def scholarship_rank(value):
    """The level rank of a scholarship fact's value (0 national/special, 1 first, 2
    second, 3 third), or None when it has no recognised level. The value is a level
    ("third", "三等", "三好学生三等奖学金"), a number (3) or {"level": ...}."""
    if isinstance(value, dict):
        value = value.get("level", value.get("grade"))
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value) if 0 <= value <= 9 else None
    text = str(value).strip().lower()
    found = [rank for key, rank in SCHOLARSHIP_RANKS.items() if key in text]
    return min(found) if found else None


def model_shortfalls(member_facts, class_facts):
    """The 标兵 conditions (seed 001, 考核标准 (1)) that the facts of one member and of
    the class they led show unmet, as {"code", "message", "message_zh"}; empty when
    every checkable condition holds:
      ① no bad credit record (bad_credit);
      ② no failed course (failed_course) and a scholarship of third class or better;
      ③ no disciplinary violation in the led class (`class_facts`: disciplinary facts
        on the class or on any of its students).
    Facts are those of the assessment's window (`year_window`)."""
    out = []
    kinds = [f["kind"] for f in member_facts]
    if "bad_credit" in kinds:
        out.append(_reason("bad_credit", "has a bad credit record", "有不良诚信记录"))
    failed = [f for f in member_facts if f["kind"] == "failed_course"]
    if failed:
        out.append(_reason("failed_course", f"failed {len(failed)} course(s) this year",
                           f"本学年有 {len(failed)} 门课程不及格"))
    ranks = [scholarship_rank(f.get("value")) for f in member_facts if f["kind"] == "scholarship"]
    if not any(r is not None and r <= THIRD_CLASS for r in ranks):
        out.append(_reason("no_scholarship", "no scholarship of third class or better this year",
                           "本学年未获三好学生三等奖学金以上奖励"))
    violations = [f for f in class_facts if f["kind"] == "disciplinary"]
    if violations:
        out.append(_reason("class_discipline", f"the class led had {len(violations)} disciplinary violation(s)",
                           f"所带班级本学年有 {len(violations)} 起违纪"))
    return out


# -- cases ----------------------------------------------------------------------------------
def case_length(form, sections):
    """Characters of the case text (the sections together), whitespace not counted —
    how 字数 is counted for a 1500-字 limit."""
    return sum(len(re.sub(r"\s+", "", str(form.get(s) or ""))) for s in sections)


def case_length_error(form, sections, limit):
    """A field_error naming the count when the case is longer than `limit`, else None."""
    n = case_length(form, sections)
    if n <= limit:
        return None
    return field_error("body", f"The case text is {n} characters long; at most {limit} are allowed "
                               f"({n - limit} too many).",
                       f"案例文字共 {n} 字，超过 {limit} 字的上限（多 {n - limit} 字）")
