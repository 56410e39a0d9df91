"""Reading the records service's facts the way the notice means them (pure, no I/O).

Values follow the records catalog (services/records/domain/kinds.py): a
``dorm_monthly_rating`` is {"month", "won"}, a ``dorm_inspection`` records one
violation {"violation", "description"} (a dorm with none has no such fact), a
``theory_study`` is {"month", "sessions"}, a ``makeup_exam`` / ``failed_course``
{"course", "required", ...}, a ``health_standard`` {"met", ...}, a ``fee_arrears``
{"amount_fen"?, "item"?}, a ``student_cadre_review`` {"position", "result"}, an
``innovation_contest`` {"name", ..., "patent"?}, a ``veteran_activity`` {"name",
"sessions"?}.

Every window here ends with the application deadline's day (Asia/Shanghai), so the
same campaign always sees the same facts however late it is computed.
"""
from datetime import timedelta

from core.errors import field_error, invalid
from core.plugin_kit import local_date

PARTY_STATUSES = ("party_member", "probationary_member")   # 中共党员、中共预备党员
CADRE_PASSED = ("passed", "excellent")                      # 考核合格（含优秀）


# -- windows --------------------------------------------------------------------------
def deadline_day(campaign):
    """The application deadline's calendar day in Beijing time."""
    raw = campaign.get("application_closes_at")
    if not raw:
        raise invalid([field_error("campaign.application_closes_at", "The campaign has no application deadline.",
                                   "评选活动未设置申报截止时间")])
    return local_date(raw)   # a naive deadline is UTC (core.plugin_kit)


def window_until(campaign):
    """The day after the deadline: windows are [since, until), so facts dated on the
    deadline's day still count."""
    return (deadline_day(campaign) + timedelta(days=1)).isoformat()


def last_years(campaign, years):
    """{"last_years": years, "until": the day after the deadline}."""
    return {"last_years": int(years), "until": window_until(campaign)}


def academic_year_start(label, field="campaign.academic_year"):
    """2023 for "2023-2024"; ValidationFailed naming `field` otherwise."""
    parts = str(label or "").split("-")
    if len(parts) != 2 or not all(p.isdigit() and len(p) == 4 for p in parts) or int(parts[1]) != int(parts[0]) + 1:
        raise invalid([field_error(field, f"Not an academic year {label!r}; write it like 2023-2024.",
                                   f"学年 {label!r} 无效，格式如 2023-2024")])
    return int(parts[0])


def previous_academic_year(label):
    """"2022-2023" for "2023-2024": the year whose winners may not repeat a type."""
    start = academic_year_start(label)
    return f"{start - 1}-{start}"


def year_of_study(grade, academic_year):
    """Year of study in an academic year for students enrolled in `grade` (2023级
    in 2023-2024 is year 1); None when the grade is unknown."""
    if not isinstance(grade, int) or isinstance(grade, bool):
        return None
    return academic_year_start(academic_year) - grade + 1


# -- members --------------------------------------------------------------------------
def is_true(value):
    """A stored flag (the wire server may return 1/0 for true/false)."""
    return value is True or (isinstance(value, int) and not isinstance(value, bool) and value == 1)


def party_members(members):
    """Members who are party members or probationary members (中共党员或预备党员)."""
    return [m for m in members if m.get("political_status") in PARTY_STATUSES]


def veterans(members):
    """Members who are veterans (退伍军人)."""
    return [m for m in members if is_true(m.get("veteran"))]


# -- facts ----------------------------------------------------------------------------
def _value(fact):
    value = fact.get("value")
    return value if isinstance(value, dict) else {}


def of_kind(facts, kind, subject_ids=None):
    """The facts of one kind, optionally only about `subject_ids`."""
    ids = None if subject_ids is None else set(subject_ids)
    return [f for f in facts if f.get("kind") == kind and (ids is None or f.get("subject_id") in ids)]


def theory_study_months(facts):
    """Distinct months with at least one Thursday theory-study session (周四理论学习,
    每月不少于1次): the notice counts months, not sessions."""
    months = set()
    for f in of_kind(facts, "theory_study"):
        value = _value(f)
        sessions = value.get("sessions")
        if sessions is None or sessions > 0:
            months.add(value.get("month") or str(f.get("date", ""))[:7])
    return len(months)


def monthly_rating_won(facts):
    """Months in which the dorm won the school's monthly civilized-dorm rating."""
    return sorted({_value(f).get("month") or str(f.get("date", ""))[:7]
                   for f in of_kind(facts, "dorm_monthly_rating") if is_true(_value(f).get("won"))})


def inspection_violations(facts):
    """The violations found in the Friday inspections (周五劳动日检查), oldest first."""
    return [{"violation": _value(f).get("violation"), "date": f.get("date")}
            for f in of_kind(facts, "dorm_inspection")]


def required_makeup_exams(facts, member_ids):
    """Make-up exams of required courses (必修课补考) sat by members."""
    return [f for f in of_kind(facts, "makeup_exam", member_ids)
            if _value(f).get("required") is None or is_true(_value(f).get("required"))]


def failed_courses(facts, member_ids):
    """Courses the members failed (挂科), required or not."""
    return of_kind(facts, "failed_course", member_ids)


def health_or_fee_problems(facts, member_ids):
    """Members below the physical-health standard or owing fees (学费、住宿费):
    [(person_id, "health" | "fees")]."""
    out = []
    for f in of_kind(facts, "health_standard", member_ids):
        met = _value(f).get("met")
        if met is not None and not is_true(met):
            out.append((f["subject_id"], "health"))
    for f in of_kind(facts, "fee_arrears", member_ids):
        out.append((f["subject_id"], "fees"))
    return out


def cadres_passed(facts, member_ids):
    """Members who are student cadres and passed their review (考核合格)."""
    return sorted({f["subject_id"] for f in of_kind(facts, "student_cadre_review", member_ids)
                   if _value(f).get("result") in CADRE_PASSED})


def innovation_contestants(facts, member_ids):
    """Members who took part in an innovation or entrepreneurship contest (a patent
    recorded under the kind counts as taking part too)."""
    return sorted({f["subject_id"] for f in of_kind(facts, "innovation_contest", member_ids)})


def veteran_activity_sessions(facts, veteran_ids):
    """How many times the veteran members took part in 红岩 activities (one fact is
    one activity; ``sessions`` when several were recorded at once)."""
    total = 0
    for f in of_kind(facts, "veteran_activity", veteran_ids):
        sessions = _value(f).get("sessions")
        total += sessions if isinstance(sessions, int) and not isinstance(sessions, bool) and sessions > 0 else 1
    return total

