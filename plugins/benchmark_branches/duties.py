"""The duties a party branch fulfils (党支部职责), by branch type.

Condition 1 of the notice (seed 004): faculty branches fulfil the "六项职责", student
branches the "五项职责" of 《中国共产党普通高等学校基层组织工作条例》. The labels below
are this platform's short paraphrases of the Regulations' articles, so a 申报书 can
attest each duty by its code with evidence; the codes, not the wording, are what the
rules check. Duties common to both types share a code.

The type of a branch is the directory's `branch_type` on the branch unit
("faculty" 教工党支部 | "student" 学生党支部).
"""
from core.labels import VOCABULARIES

BRANCH_TYPES = ("faculty", "student")
BRANCH_TYPE_ZH = {"faculty": "教工党支部", "student": "学生党支部"}
BRANCH_TYPE_EN = {"faculty": "faculty branch", "student": "student branch"}

# code -> (Chinese label, English label), kept in the one label catalogue so pages
# and documents show the same words (core/labels.py, vocabulary "duty").
DUTY_LABELS = VOCABULARIES["duty"]

DUTIES = {
    # 教职工党支部 "六项职责"
    "faculty": ("policy", "decision_making", "member_education", "recruitment", "teacher_ethics", "staff_liaison"),
    # 学生党支部 "五项职责"
    "student": ("policy", "member_education", "recruitment", "student_guidance", "student_liaison"),
}

ALL_DUTIES = tuple(DUTY_LABELS)


def duty_zh(code):
    return DUTY_LABELS[code][0]


def duty_en(code):
    return DUTY_LABELS[code][1]
