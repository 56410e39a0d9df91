"""学生带班党员 as data: three programs a student-affairs officer can read (seed 001).

One package, three campaign types, each with its own form, criteria and quota:

SELECTION  选拔 (三、选拔工作): a college selects next year's members from students who
           will be in their third year and are party members (incl. probationary),
           development targets or activists (checked at submission, hooks.py); at most
           2 per new class (the per-class cap on the class named in the form).
ASSESSMENT 考核 (二、考核工作): per college, the year's members are graded 标兵 (15% of
           the college's members, half up) and 优秀; 标兵 also needs the facts to show no
           failed course, a third-class scholarship or better, no disciplinary violation
           in the class led and no bad credit record; a 5-day notice in the college,
           then the school approves (the school admin finalises the list).
CASES      案例征集 (一、案例征集): each college submits 40% of its members (half up) as
           cases, ≤1500 characters with 3-5 photos; the school grades them
           一等奖/二等奖/三等奖/优秀奖. College campaigns nominate to the school campaign.

The notice gives the conditions but no scoring weights: the trees, the scales, the
prize shares and the policies below are this platform's proposal and are CONFIGURABLE
(a new declaration version; open campaigns keep the version they pinned; per campaign:
aggregation, reviewers per application, conflicts, population in the scoring setup).

Campaign years: a selection's academic_year is the year the members will lead (the
May 2020 notice selects for 2020—2021); an assessment's or a case collection's is the
year assessed (2019—2020).

Population (the college's class-leading members, which 15% and 40% are of): the
people of the college whom the records name as appointed for the year (this
platform's selections and imported lists alike), with every applicant; a campaign
admin may state another number in the scoring setup (``population``), which takes
precedence (hooks._MembersHooks._population).
"""
from core.program import Program
from plugins.class_leading_members.forms import AssessmentForm, CaseForm, SelectionForm
from plugins.class_leading_members.hooks import AssessmentHooks, CaseHooks, SelectionHooks
from plugins.class_leading_members.rules import CANDIDATE_STATUSES

SELECTION_PROGRAM = "class_leading_selection"


def _indicator(node_id, name, weight):
    """A leaf scored 0-100 by the college's working group (评议小组)."""
    return {"id": node_id, "name": name, "weight": weight,
            "scale": {"kind": "range", "min": 0, "max": 100}, "scorer_role": "reviewer"}


# 无不良诚信记录: a bad credit record in the records service's facts (hooks.py gives it
# per application) takes the candidate out whatever the score.
BAD_CREDIT_VETO = {"id": "bad_credit", "kind": "fact", "fact": "bad_credit", "equals": True,
                   "reason": "has a bad credit record (无不良诚信记录 is required)", "reason_zh": "有不良诚信记录"}
VETO_ROLES = ["school_admin", "college_admin"]


# == 选拔 selection =====================================================================
# 选聘条件 weighted: total = 0.25·political + 0.25·character + 0.15·knowledge
#                           + 0.20·organising + 0.15·standing   (each 0..100)
SELECTION_CRITERIA = {
    "id": "selection", "name": "学生带班党员选聘", "children": [
        _indicator("political", "思想政治觉悟，无不良诚信记录", 25),
        _indicator("character", "品学兼优", 25),
        _indicator("knowledge", "熟悉党的基本知识及学校、学院规章制度", 15),
        _indicator("organising", "组织协调能力", 20),
        _indicator("standing", "在学生中的威信", 15),
    ],
}
# 每个新生班级配备的学生带班党员不超过 2 名: every candidate reaching 60 may be appointed,
# in rank order, at most 2 per new class (the class named in the form, `led_class_id`).
SELECTION_QUOTA = [
    {"kind": "percent", "percent": 100, "of": "applicants"},
    {"kind": "per_unit_cap", "unit": "led_class_id", "max": 2},
    {"kind": "min_score", "min": 60},
]
SELECTION_SCORING = {
    "aggregation": {"method": "mean", "reviewer_normalisation": "none", "on_missing": "error"},
    "reviewers_per_application": 3,
    "conflict": {"fields": ["class_id", "branch_id"], "same_college": False},
    # Equal totals: better political standing, then stronger character, then earlier.
    "tie_breaks": [{"indicator": "political", "order": "desc"}, {"indicator": "character", "order": "desc"},
                   {"field": "submitted_at", "order": "asc"}],
    "veto_rules": [BAD_CREDIT_VETO],
    "veto_roles": VETO_ROLES,
}

SELECTION = Program(
    name=SELECTION_PROGRAM,
    title_zh="学生带班党员选拔",
    title_en="Class-leading student party members: selection",
    applicant_kind="person",
    form=SelectionForm,
    stages=["application", "college_review", "review", "notice", "award"],
    settings={"year_of_study": 3, "candidate_statuses": CANDIDATE_STATUSES, "notice_days": 5},
    settings_spec={
        "year_of_study": {"label_zh": "可申报的年级", "label_en": "Year of study that may apply", "minimum": 1, "maximum": 5},
        "candidate_statuses": {"label_zh": "可申报的政治面貌", "label_en": "Political status that may apply",
                               "choices": {"party_member": ["中共党员", "Party member"],
                                           "probationary_member": ["预备党员", "Probationary member"],
                                           "development_target": ["发展对象", "Development target"],
                                           "activist": ["入党积极分子", "Activist"]}}},
    attachments=[
        {"kind": "supporting", "label_zh": "证明材料", "label_en": "Supporting material",
         "types": ["pdf", "doc", "docx", "jpg", "png"], "required": False, "max_count": 5},
    ],
    criteria=SELECTION_CRITERIA,
    quota_rules=SELECTION_QUOTA,
    scoring=SELECTION_SCORING,
    hooks=SelectionHooks(),
)


# == 考核 assessment ====================================================================
# total = 0.15·political + 0.35·duties + 0.20·class_conduct + 0.20·distinctive + 0.10·essay
ASSESSMENT_CRITERIA = {
    "id": "assessment", "name": "学生带班党员考核", "children": [
        _indicator("political", "思想政治觉悟，诚信记录", 15),
        _indicator("duties", "带班职责履行与工作实绩", 35),
        _indicator("class_conduct", "所带班级班风学风与凝聚力", 20),
        _indicator("distinctive", "带班特色及在新生中的威信与影响力", 20),
        _indicator("essay", "带班征文", 10),
    ],
}
# 标兵: 15% of the college's members (population, half up), in rank order among those
# the facts qualify (grades_eligible from hooks.py); 优秀: every other member reaching
# 60 points. Below 60 is 考核不合格 (no title).
ASSESSMENT_QUOTA = [
    {"kind": "grades", "of": "population", "grades": [
        {"name": "model", "name_zh": "标兵", "percent": 15},
        {"name": "excellent", "name_zh": "优秀", "rest": True},
    ]},
    {"kind": "min_score", "min": 60},
]
ASSESSMENT_SCORING = {
    "aggregation": {"method": "mean", "reviewer_normalisation": "none", "on_missing": "error"},
    "reviewers_per_application": 3,
    "conflict": {"fields": ["class_id", "branch_id"], "same_college": False},
    # Equal totals: more done as a class leader, then the better class, then earlier.
    "tie_breaks": [{"indicator": "duties", "order": "desc"}, {"indicator": "class_conduct", "order": "desc"},
                   {"field": "submitted_at", "order": "asc"}],
    "veto_rules": [BAD_CREDIT_VETO],
    "veto_roles": VETO_ROLES,
}

ASSESSMENT = Program(
    name="class_leading_assessment",
    title_zh="学生带班党员考核",
    title_en="Class-leading student party members: year-end assessment",
    applicant_kind="person",
    form=AssessmentForm,
    stages=["application", "college_review", "review", "notice", "award"],
    # 在所在学院公示五天，公示无异议后报学校审批.
    settings={"selection_program": SELECTION_PROGRAM, "notice_days": 5},
    settings_spec={"selection_program": {"label_zh": "对应的选拔项目", "label_en": "The selection program", "fixed": True}},
    attachments=[
        {"kind": "essay", "label_zh": "带班征文", "label_en": "Class-leading essay",
         "types": ["pdf", "doc", "docx"], "required": True, "max_count": 1},
        {"kind": "supporting", "label_zh": "带班工作佐证材料", "label_en": "Evidence of the work",
         "types": ["pdf", "doc", "docx", "jpg", "png"], "required": False, "max_count": 5},
    ],
    criteria=ASSESSMENT_CRITERIA,
    quota_rules=ASSESSMENT_QUOTA,
    scoring=ASSESSMENT_SCORING,
    hooks=AssessmentHooks(),
)


# == 案例征集 case collection ===========================================================
# total = 0.20·theme + 0.15·authenticity + 0.25·typicality + 0.25·practice + 0.15·originality
CASES_CRITERIA = {
    "id": "cases", "name": "学生带班党员优秀案例评选", "children": [
        _indicator("theme", "主题鲜明", 20),
        _indicator("authenticity", "内容真实（亲身经历，不杜撰、不抄袭）", 15),
        _indicator("typicality", "个案典型，具有推广意义", 25),
        _indicator("practice", "做法具体、效果明显", 25),
        _indicator("originality", "创意与特色", 15),
    ],
}
# College: 40% of the college's members (population, half up), reaching 60.
# School: prizes as shares of the nominated cases (half up): 一等奖 10%, 二等奖 20%,
# 三等奖 30%, every other case reaching 60 优秀奖 — e.g. 12 cases: 1, 2, 4 (3.6), 5.
CASES_QUOTA = {
    "college": [
        {"kind": "percent", "percent": 40, "of": "population"},
        {"kind": "min_score", "min": 60},
    ],
    "school": [
        {"kind": "grades", "of": "applicants", "grades": [
            {"name": "first", "name_zh": "一等奖", "percent": 10},
            {"name": "second", "name_zh": "二等奖", "percent": 20},
            {"name": "third", "name_zh": "三等奖", "percent": 30},
            {"name": "merit", "name_zh": "优秀奖", "rest": True},
        ]},
        {"kind": "min_score", "min": 60},
    ],
}
CASES_SCORING = {
    "aggregation": {"method": "mean", "reviewer_normalisation": "none", "on_missing": "error"},
    "reviewers_per_application": 3,
    "conflict": {"fields": ["class_id", "branch_id"], "same_college": False},
    # Equal totals: the more typical case, then the better practice, then earlier.
    "tie_breaks": [{"indicator": "typicality", "order": "desc"}, {"indicator": "practice", "order": "desc"},
                   {"field": "submitted_at", "order": "asc"}],
    "veto_rules": [],
    "veto_roles": VETO_ROLES,
}

CASES = Program(
    name="class_leading_cases",
    title_zh="学生带班党员优秀案例征集",
    title_en="Class-leading student party members: case collection",
    applicant_kind="person",
    form=CaseForm,
    stages=["application", "college_review", "review", "notice", "nomination", "award"],
    # The notice asks no public notice of cases; the platform's final list (which is
    # what a college nominates from) follows one, kept short.
    settings={"selection_program": SELECTION_PROGRAM, "case_max_chars": 1500, "notice_days": 3},
    settings_spec={"selection_program": {"label_zh": "对应的选拔项目", "label_en": "The selection program", "fixed": True},
                   "case_max_chars": {"label_zh": "案例最多字数", "label_en": "Case length (characters, at most)",
                                      "minimum": 300, "maximum": 10000}},
    attachments=[
        # 相关图片 3-5 张.
        {"kind": "photo", "label_zh": "案例图片", "label_en": "Case photo", "types": ["jpg", "png"],
         "required": True, "min_count": 3, "max_count": 5},
        # 作者生活照电子版.
        {"kind": "author_photo", "label_zh": "作者生活照", "label_en": "Author's photo", "types": ["jpg", "png"],
         "required": False, "max_count": 1},
        {"kind": "case_document", "label_zh": "案例文本（Word）", "label_en": "Case text as a document",
         "types": ["doc", "docx", "pdf"], "required": False, "max_count": 1},
    ],
    criteria=CASES_CRITERIA,
    quota_rules=CASES_QUOTA,
    scoring=CASES_SCORING,
    hooks=CaseHooks(),
)

PROGRAMS = (SELECTION, ASSESSMENT, CASES)
