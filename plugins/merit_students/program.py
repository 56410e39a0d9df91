"""三好学生 / 优秀学生干部 as data: two programs a student-affairs officer can read.

Each autumn, for the academic year before (the campaign's ``academic_year``):

0. 综合测评: the college imports each class's assessment sheet (rank and score per
   student) as facts of this program's own kind 综合测评 (``ASSESSMENT_KIND``);
1. 申报: a student applies in person with the 申请表 (the main deeds; for cadres the
   post held) — only within the class quota by 综合测评 rank (三好学生 10%, 优秀学生干部
   5% of the class, half up), with no failed course and no disciplinary sanction in
   the year (hooks.py);
2. 辅导员审核 (counselor_review): the counselor approves (the college's pre-review);
3. 学院评议 (college_review): the college's review group marks 德 and 表现; a total
   under 60 is not recommended; a failed course or a sanction recorded meanwhile is a
   one-vote veto;
4. 公示 5 days with objections, then 学校审批 (the school admin finalises the list);
5. 荣誉证书: the title is granted and the certificate printed.
"""
from core.program import Program
from plugins.merit_students.form import CadreForm, MeritForm
from plugins.merit_students.hooks import ASSESSMENT, CadreHooks, MeritHooks

# 综合测评: one fact per student and academic year, imported from the class's sheet
# (类别 综合测评, 班级排名, 测评成绩). Registered with the records service as
# merit_students:assessment; 优秀学生干部 reads the same facts (one import serves both).
ASSESSMENT_KIND = {
    "code": ASSESSMENT, "label_zh": "综合测评", "label_en": "Comprehensive assessment", "subjects": ["person"],
    "description": "A student's 综合测评 result of an academic year: rank within the class and score",
    "fields": [{"name": "rank", "label_zh": "班级排名", "type": "integer", "minimum": 1, "maximum": 1000,
                "columns": ["班级排名", "测评排名"]},
               {"name": "score", "label_zh": "测评成绩", "type": "number", "required": False,
                "columns": ["测评成绩", "综合测评成绩"]}],
}


def _review(leaves):
    """The college review group's marks, each 0-100 (学院评议小组)."""
    return {"id": "college_review", "name": "学院评议", "children": [
        {"id": leaf, "name": name, "weight": weight, "scale": {"kind": "range", "min": 0, "max": 100},
         "scorer_role": "reviewer"} for leaf, name, weight in leaves]}


MERIT_CRITERIA = _review([("conduct", "思想品德", 40), ("study", "学习成绩与学风", 40), ("health", "身心健康与集体活动", 20)])
CADRE_CRITERIA = _review([("conduct", "思想品德", 30), ("service", "工作实绩与服务同学", 50), ("study", "学习成绩", 20)])

# Every applicant the review group recommends (60 or more), in rank order; the class
# quota was applied at submission by 综合测评 rank.
QUOTA_RULES = [{"kind": "percent", "percent": 100, "of": "applicants"}, {"kind": "min_score", "min": 60}]


def _scoring(first_tie_break):
    return {
        "aggregation": {"method": "mean", "reviewer_normalisation": "none", "on_missing": "error"},
        "reviewers_per_application": 1,
        "conflict": {"fields": ["class_id"], "same_college": False},
        "tie_breaks": [{"indicator": first_tie_break, "order": "desc"}, {"field": "submitted_at", "order": "asc"}],
        "veto_rules": [
            {"id": "failed_course", "kind": "fact", "fact": "failed_course", "equals": True,
             "reason": "failed a course in the year assessed", "reason_zh": "本学年有课程不及格"},
            {"id": "disciplinary", "kind": "fact", "fact": "disciplinary", "equals": True,
             "reason": "received a disciplinary sanction in the year assessed", "reason_zh": "本学年受到违纪处分"}],
        "veto_roles": ["school_admin", "college_admin"],
    }


STAGES = ["application", "counselor_review", "college_review", "review", "notice", "school_review", "award"]
ATTACHMENTS = [{"kind": "application_form", "label_zh": "申请表（签字版）", "label_en": "Signed application form",
                "types": ["pdf", "jpg", "png"], "required": False, "max_count": 1}]

QUOTA_SPEC = {"class_quota_percent": {"label_zh": "每班推荐比例（%）", "label_en": "Share of each class (%)",
                                     "minimum": 1, "maximum": 100}}

MERIT = Program(
    name="merit_students",
    title_zh="三好学生",
    title_en="Merit student",
    applicant_kind="person",
    form=MeritForm,
    stages=STAGES,
    settings={"class_quota_percent": 10, "notice_days": 5},
    settings_spec=QUOTA_SPEC,
    attachments=ATTACHMENTS,
    criteria=MERIT_CRITERIA,
    quota_rules=QUOTA_RULES,
    scoring=_scoring("conduct"),
    fact_kinds=[ASSESSMENT_KIND],
    hooks=MeritHooks(),
)

CADRE = Program(
    name="outstanding_cadres",
    title_zh="优秀学生干部",
    title_en="Outstanding student cadre",
    applicant_kind="person",
    form=CadreForm,
    stages=STAGES,
    settings={"class_quota_percent": 5, "notice_days": 5},
    settings_spec=QUOTA_SPEC,
    attachments=ATTACHMENTS,
    criteria=CADRE_CRITERIA,
    quota_rules=QUOTA_RULES,
    scoring=_scoring("service"),
    hooks=CadreHooks(),
)
