"""The rules of 三好学生 / 优秀学生干部 that only code can say, as plain functions.

A campaign's ``academic_year`` is the year assessed (the autumn 2026 campaign for
"2025-2026"); facts are read in that year up to the application deadline
(`core.plugin_kit.year_window`), so the same campaign always sees the same facts.
"""
from decimal import ROUND_HALF_UP, Decimal

from core.plugin_kit import reason

CADRE_RESULTS_ZH = {"excellent": "优秀", "passed": "合格", "failed": "不合格"}


def class_quota(class_size, percent):
    """The class's number of places: `percent` % of its students, half up (四舍五入):
    30 students at 10% → 3, 35 → 4 (3.5), 34 → 3 (3.4)."""
    return int((Decimal(class_size) * Decimal(str(percent)) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def rank_reasons(rank, class_size, percent):
    """The applicant's 综合测评 rank lies within the class quota."""
    quota = class_quota(class_size, percent)
    if rank <= quota:
        return []
    return [reason("rank_outside_quota",
                   f"Class rank {rank} in the comprehensive assessment is outside the class's {quota} places "
                   f"({percent}% of {class_size} students).",
                   f"综合测评班级排名第 {rank} 名，不在班级名额（{class_size} 人的 {percent}%，共 {quota} 名）之内")]


def record_reasons(facts):
    """No failed course and no disciplinary sanction in the year assessed; each fact named."""
    out = []
    for f in facts:
        value = f.get("value") or {}
        if f["kind"] == "failed_course":
            out.append(reason("failed_course", f"Failed {value.get('course')} ({f['date']}).",
                              f"{f['date']} 课程《{value.get('course')}》不及格"))
        elif f["kind"] == "disciplinary":
            out.append(reason("disciplinary", f"Disciplinary sanction ({value.get('severity')}, {f['date']}).",
                              f"{f['date']} 受到违纪处分"))
    return out


def cadre_reasons(reviews, academic_year):
    """优秀学生干部: a student cadre review of the year with the result 优秀 or 合格."""
    results = [(r.get("value") or {}).get("result") for r in reviews]
    if any(r in ("excellent", "passed") for r in results):
        return []
    if results:
        return [reason("cadre_review_failed", f"The student cadre review of {academic_year} was not passed.",
                       f"{academic_year} 学年学生干部考核结果为{CADRE_RESULTS_ZH.get(results[-1], '不合格')}")]
    return [reason("no_cadre_review", f"No student cadre review of {academic_year} is on record.",
                   f"没有 {academic_year} 学年学生干部考核合格的记录")]
