"""对标争先 pilot branch projects as data: what a student-affairs officer can read.

Rules from seed 003: five themes, one project per branch, lead is the secretary or
deputy, a faculty advisor per project; graded 重点 ≤5000, 特色 ≤3000, 一般 ≤1000 yuan;
closing needs a closing report and reimbursement papers, key and featured projects
also a work case and a published article, general projects an activity summary.
"""
from core.program import Program
from plugins.pilot_branches.form import THEMES, PilotBranchForm
from plugins.pilot_branches.hooks import PilotBranchHooks

TIERS = [
    {"code": "key", "name": "重点", "name_en": "Key", "cap_fen": 500000,
     "closing_materials": ["closing_report", "work_case", "article_link"]},
    {"code": "featured", "name": "特色", "name_en": "Featured", "cap_fen": 300000,
     "closing_materials": ["closing_report", "work_case", "article_link"]},
    {"code": "general", "name": "一般", "name_en": "General", "cap_fen": 100000,
     "closing_materials": ["closing_report", "activity_summary"]},
]

# -- review (评审) ------------------------------------------------------------------
# The notice (seed 003) grades every project 重点 / 特色 / 一般 but gives no scoring
# weights: the tree, the scales, the grade shares and the policy below are this
# platform's proposal and are CONFIGURABLE — change them here (a new declaration
# version; open campaigns keep the version they pinned) or per campaign (aggregation,
# reviewers per application, blind review, conflict rules) in the scoring setup.

def _indicator(node_id, name, weight):
    """A leaf scored 0-10 by the working group's reviewers (评审专家)."""
    return {"id": node_id, "name": name, "weight": weight,
            "scale": {"kind": "range", "min": 0, "max": 10}, "scorer_role": "reviewer"}


# 评分指标体系: weights are percent of the parent and add up to 100 at every node.
# Share of the total per leaf: goals 10, measures 15, innovation 20, feasibility 20,
# outcomes 25, budget 10, so total = goals + 1.5·measures + 2·innovation
# + 2·feasibility + 2.5·outcomes + budget on 0..100.
CRITERIA = {
    "id": "pilot_review", "name": "对标争先建设项目评审", "children": [
        {"id": "design", "name": "项目设计", "weight": 25, "children": [
            _indicator("goals", "创建目标明确", 40),
            _indicator("measures", "主要举措具体", 60),
        ]},
        _indicator("innovation", "创新性", 20),
        _indicator("feasibility", "可行性", 20),
        _indicator("outcomes", "预期成效", 25),
        _indicator("budget", "预算合理性", 10),
    ],
}

# 名额: nested grades from the ranking, as shares of the projects under review
# (rounded half up, 四舍五入): the top 20% 重点, the next 30% 特色, every other
# project reaching 60 points 一般; below 60 is not funded. Grade names are the
# funding tiers' codes, so the funding service matches them to caps.
QUOTA_RULES = [
    {"kind": "grades", "of": "applicants", "grades": [
        {"name": "key", "name_zh": "重点", "percent": 20},
        {"name": "featured", "name_zh": "特色", "percent": 30},
        {"name": "general", "name_zh": "一般", "rest": True},
    ]},
    {"kind": "min_score", "min": 60},
]

# Defaults of each campaign's scoring setup (a school admin may change them per campaign).
SCORING = {
    "aggregation": {"method": "trimmed_mean", "reviewer_normalisation": "none", "on_missing": "error"},
    "reviewers_per_application": 3,
    "blind_review": True,
    # Reviewers never score their own class, dorm, branch or college's projects.
    "conflict": {"fields": ["class_id", "dorm_id", "branch_id"], "same_college": True},
    # Equal totals: better expected outcomes, then more innovative, then submitted earlier.
    "tie_breaks": [{"indicator": "outcomes", "order": "desc"}, {"indicator": "innovation", "order": "desc"},
                   {"field": "submitted_at", "order": "asc"}],
    "veto_rules": [],
    "veto_roles": ["school_admin"],
}

PROGRAM = Program(
    name="pilot_branches",
    title_zh="对标争先建设项目",
    title_en="Pilot branch projects",
    applicant_kind="branch",
    form=PilotBranchForm,
    stages=["application", "college_review", "school_review", "implementation", "closing"],
    # "In principle one project per branch" (原则上每个支部申报一个项目) is the platform's own
    # rule: one application per applicant per campaign, held by a unique index.
    settings={"themes": THEMES, "tiers": TIERS},
    settings_spec={"themes": {"label_zh": "创建主题", "label_en": "Themes", "fixed": True},
                   "tiers": {"label_zh": "立项档次与经费", "label_en": "Tiers and grants", "fixed": True}},
    attachments=[
        {"kind": "application_form", "label_zh": "项目申请表", "label_en": "Project application form",
         "types": ["pdf", "doc", "docx"], "required": True, "max_count": 1},
        {"kind": "photo", "label_zh": "照片", "label_en": "Photo",
         "types": ["jpg", "png"], "required": False, "max_count": 5},
        {"kind": "other", "label_zh": "其他材料", "label_en": "Other material",
         "types": ["pdf", "doc", "docx", "xls", "xlsx"], "required": False, "max_count": 3},
    ],
    criteria=CRITERIA,
    quota_rules=QUOTA_RULES,
    scoring=SCORING,
    funding={"tiers": TIERS, "claim_steps": ["advisor", "college", "finance"]},
    hooks=PilotBranchHooks(),
)
