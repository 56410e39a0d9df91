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

PROGRAM = Program(
    name="pilot_branches",
    title_zh="对标争先建设项目",
    title_en="Pilot branch projects",
    applicant_kind="branch",
    form=PilotBranchForm,
    stages=["application", "college_review", "school_review", "implementation", "closing"],
    settings={"themes": THEMES, "tiers": TIERS, "one_project_per_branch": True},
    attachments=[
        {"kind": "application_form", "label_zh": "项目申请表", "label_en": "Project application form",
         "types": ["pdf", "doc", "docx"], "required": True, "max_count": 1},
        {"kind": "photo", "label_zh": "照片", "label_en": "Photo",
         "types": ["jpg", "png"], "required": False, "max_count": 5},
        {"kind": "other", "label_zh": "其他材料", "label_en": "Other material",
         "types": ["pdf", "doc", "docx", "xls", "xlsx"], "required": False, "max_count": 3},
    ],
    funding={"tiers": TIERS, "claim_steps": ["advisor", "college", "finance"]},
    hooks=PilotBranchHooks(),
)
