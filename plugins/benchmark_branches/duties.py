"""The duties a party branch fulfils (党支部职责), by branch type.

Condition 1 of the notice (seed 004): faculty branches fulfil the "六项职责", student
branches the "五项职责" of 《中国共产党普通高等学校基层组织工作条例》. The labels below
are this platform's short paraphrases of the Regulations' articles, so a 申报书 can
attest each duty by its code with evidence; the codes, not the wording, are what the
rules check. Duties common to both types share a code.

The type of a branch is the directory's `branch_type` on the branch unit
("faculty" 教工党支部 | "student" 学生党支部).
"""

BRANCH_TYPES = ("faculty", "student")
BRANCH_TYPE_ZH = {"faculty": "教工党支部", "student": "学生党支部"}
BRANCH_TYPE_EN = {"faculty": "faculty branch", "student": "student branch"}

# code -> (Chinese label, English label)
DUTY_LABELS = {
    "policy": ("宣传和执行党的路线方针政策及上级党组织决议", "Promote and carry out the Party's line and the decisions above"),
    "decision_making": ("参与本单位重大问题决策并进行政治把关", "Take part in the unit's major decisions and check them politically"),
    "member_education": ("做好党员教育、管理、监督和服务", "Educate, manage, supervise and serve the members"),
    "recruitment": ("培养教育入党积极分子，做好发展党员工作", "Train activists and admit new members"),
    "teacher_ethics": ("加强师德师风建设，做好思想政治工作", "Build teachers' ethics and do ideological work"),
    "staff_liaison": ("密切联系师生员工，维护其正当权益", "Stay close to staff and students and uphold their rights"),
    "student_guidance": ("加强学生思想政治引领，引导学生全面发展", "Guide students politically and in their all-round growth"),
    "student_liaison": ("密切联系学生群众，服务同学成长", "Stay close to the students and serve them"),
}

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
