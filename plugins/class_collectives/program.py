"""先进班集体 advanced class collectives as data: what a student-affairs officer can read.

Rules from seed 000 (机电与信息工程学院 关于开展先进集体创建活动的通知, 附件1):
- 创建计划: 30% of all classes of years 1-3 (大一至大三班级总数的30%), rounded half up;
- 申报对象: the administrative classes of years 1-3; year 4 and later may not apply;
- 申报立项 (October): an implementation plan with 创建目标、主要举措、预期成果, checked by
  the counselor (辅导员审核把关) before it reaches the college; late is forfeited;
- 评议 by a working group against the weighted indicators of 附件1, then a public
  notice (公示) and the official list (正式立项名单);
- 中期检查 (December), 评估考核 (May report, June result); classes that meet the
  standard get the title “先进班集体”, the best are recommended to the school level.
"""
from core.declaration import rater_role_key
from core.program import Program
from plugins.class_collectives.form import ClassCollectiveForm
from plugins.class_collectives.hooks import ClassCollectiveHooks

# -- who may apply ---------------------------------------------------------------------
# Year of study = first year of the campaign's academic year − the class's entry year
# (its `grade`) + 1: in 2023-2024 a 2023 class is in year 1, a 2021 class in year 3,
# a 2020 class in year 4 (refused).
ELIGIBLE_YEARS = [1, 2, 3]

# -- 工作成效 (work results): what a collective honour is worth -------------------------
# Counted from the platform's history up to the application deadline (see hooks.py):
# each collective award of the class at college level counts 1, at school level 2,
# at provincial or national level 3; each dorm titled 文明寝室 in an academic year while
# a student of the class lived there (was among the award's members) counts 1. The
# leaf turns the count into points: 20 per unit, at most 100.
AWARD_LEVEL_UNITS = {"college": 1, "school": 2, "province": 3, "national": 3}
DORM_TITLE_UNITS = 1


# -- 测评 raters this program needs and the platform has no role for ---------------------
# The college's 团总支 (Youth League branch) and the class's course teachers (任课教师)
# rate the class (测评). A college admin grants them (a school admin may too): the
# league branch at the college, a course teacher at the college or at one class.
# Stored and granted as class_collectives:<key>. Until this program declared them
# they were platform roles under their bare keys (`formerly`): their grants move to
# the new keys when the program registers, and campaigns pinned to an older version
# are rated by the holders of the new keys.
RATER_ROLES = [
    {"key": "league_branch", "label_zh": "团总支（测评）", "label_en": "Youth League branch (rating)",
     "scopes": ["college"], "granted_by": "college_admin", "formerly": "league_branch"},
    {"key": "course_teacher", "label_zh": "任课教师（测评）", "label_en": "Course teacher (rating)",
     "scopes": ["college", "class"], "granted_by": "college_admin", "formerly": "course_teacher"},
]
LEAGUE_BRANCH = rater_role_key("class_collectives", "league_branch")
COURSE_TEACHER = rater_role_key("class_collectives", "course_teacher")


# -- 评议 (review) ---------------------------------------------------------------------
def _judged(node_id, name, weight):
    """A leaf the working group (专项工作组, scorer role reviewer) scores 0-100."""
    return {"id": node_id, "name": name, "weight": weight,
            "scale": {"kind": "range", "min": 0, "max": 100}, "scorer_role": "reviewer"}


def _fact(node_id, name, weight, formula):
    """A leaf computed from imported facts and the platform's history (hooks.py)."""
    return {"id": node_id, "name": name, "weight": weight,
            "scale": {"kind": "count", "formula": formula}, "scorer_role": "imported_fact"}


# 评价指标 (附件1): weights are percent of the parent and add up to 100 at every node.
# Share of the total per leaf: civility 15, failure_rate 15, psych 10, sports_teams 5,
# sports_activities 5, work_results 10, fraud 10, rating 30.
CRITERIA = {
    "id": "class_collective", "name": "先进班集体创建评议", "children": [
        {"id": "study", "name": "学风建设", "weight": 30, "children": [
            # 文明素养: 课堂文明礼仪，着装得体，公共区域不吸烟，教室内不穿拖鞋、不带早饭
            # (from the 班级问题反馈表 the working group reads).
            _judged("civility", "文明素养", 50),
            # 学业表现·挂科率: the count is the class's failure rate in whole percent
            # (students with a failed course ÷ class size, half up); 4 points off per
            # percentage point: 0% → 100, 5% → 80, 25% or more → 0. 诚信考试 is a veto
            # (SCORING["veto_rules"]).
            _fact("failure_rate", "学业表现（挂科率）", 50,
                  {"kind": "linear", "base": 100, "points_per_unit": -4, "min": 0, "max": 100}),
        ]},
        # 心理健康: 积极参与学院、学校及以上组织的各类心理活动.
        _judged("psych", "心理健康", 10),
        {"id": "sports", "name": "体育", "weight": 10, "children": [
            _judged("sports_teams", "参加运动队情况", 50),
            _judged("sports_activities", "参加体育活动情况", 50),
        ]},
        # 工作成效: 集体奖项 (学院、学校及以上班集体奖项) and 文明寝室, counted as above.
        _fact("work_results", "工作成效", 10, {"kind": "linear", "points_per_unit": 20, "max": 100}),
        # 防诈骗·受诈骗情况: 50 points off per student defrauded, 2 or more → 0.
        _fact("fraud", "防诈骗", 10, {"kind": "linear", "base": 100, "points_per_unit": -50, "min": 0, "max": 100}),
        # 测评: the counselor (辅导员), the league branch (团总支) and the course teachers
        # (任课教师) each rate the class 0-100. The notice gives no shares; this platform
        # proposes 40 / 30 / 30 (the counselor follows the class all year; the league
        # branch and the teachers each see one side of it). Several raters of one role
        # are averaged first, then the roles are combined by these weights.
        {"id": "rating", "name": "测评", "weight": 30, "scale": {"kind": "range", "min": 0, "max": 100},
         "role_weights": {"counselor": 40, LEAGUE_BRANCH: 30, COURSE_TEACHER: 30}},
    ],
}

# 名额: 30% of the classes of years 1-3 in the campaign's scope, half up (40 → 12,
# 45 → 14 (13.5), 41 → 12 (12.3)). The population comes from the hook (hooks.py).
QUOTA_RULES = [{"kind": "percent", "percent": 30, "of": "population"}]

# Defaults of each campaign's scoring setup (a campaign admin may change them).
SCORING = {
    "aggregation": {"method": "mean", "reviewer_normalisation": "none", "on_missing": "error"},
    "reviewers_per_application": 2,
    # Raters know the class they rate; the working group sees names too.
    "blind_review": False,
    # Nobody scores their own class (a league-branch rater who studies in it); the
    # counselor rates the classes of their own college, so the college is no conflict.
    "conflict": {"fields": ["class_id"], "same_college": False},
    # Equal totals: the better 测评, then the better 学风建设, then the earlier submission.
    "tie_breaks": [{"indicator": "rating", "order": "desc"}, {"indicator": "study", "order": "desc"},
                   {"field": "submitted_at", "order": "asc"}],
    # 诚信考试 (exam integrity): a class with an exam-cheating record in the look-back
    # window (hooks.py: fact "exam_cheating") cannot be an advanced class.
    "veto_rules": [{"id": "exam_integrity", "kind": "fact", "fact": "exam_cheating", "equals": True,
                    "reason": "a student of the class cheated in an exam (exam integrity: one-vote veto)",
                    "reason_zh": "班级学生有考试作弊记录（诚信考试一票否决）"}],
    # The campaign admin vetoes by hand ("school_admin" stands for the campaign admin:
    # the college's college_admin in a college-level campaign).
    "veto_roles": ["school_admin"],
}

SETTINGS = {
    "years_of_study": ELIGIBLE_YEARS,
    "notice_days": 5,
    "expected_outputs_field": "expected_outputs",
    # Facts and history count in the last N years up to the application deadline.
    "lookback_years": 1,
    "award_level_units": AWARD_LEVEL_UNITS,
    "dorm_title_units": DORM_TITLE_UNITS,
    # The number of classes of years 1-3 in the campaign's scope (the quota's
    # population) as the registrar counts it; 0 = not given here (see hooks.py).
    "classes_in_scope": 0,
}
SETTINGS_SPEC = {
    "years_of_study": {"label_zh": "可申报的年级", "label_en": "Years of study that may apply", "choices": {"1": ["大一", "Year 1"], "2": ["大二", "Year 2"], "3": ["大三", "Year 3"], "4": ["大四", "Year 4"]}},
    "lookback_years": {"label_zh": "事实与历史认定年限（年）", "label_en": "Facts counted (years)", "minimum": 1, "maximum": 4},
    "award_level_units": {"label_zh": "集体荣誉折算分值", "label_en": "Units per collective award", "minimum": 0,
                          "maximum": 10, "parts": {"college": ["院级", "College"], "school": ["校级", "School"],
                                                   "province": ["省级", "Province"], "national": ["国家级", "National"]}},
    "dorm_title_units": {"label_zh": "文明寝室称号折算分值", "label_en": "Units per civilized-dorm title",
                         "minimum": 0, "maximum": 10},
    "classes_in_scope": {"label_zh": "范围内班级总数（0 表示按名册统计）", "label_en": "Classes in scope (0: from the roster)",
                         "minimum": 0, "maximum": 10000},
}


PROGRAM = Program(
    name="class_collectives",
    title_zh="先进班集体",
    title_en="Advanced class collective",
    applicant_kind="class",
    form=ClassCollectiveForm,
    stages=["application", "counselor_review", "review", "notice", "midterm", "final_evaluation", "award",
            "nomination"],
    settings=SETTINGS,
    settings_spec=SETTINGS_SPEC,
    attachments=[
        {"kind": "application_form", "label_zh": "先进集体创建立项申报表", "label_en": "Application form",
         "types": ["pdf", "doc", "docx"], "required": True, "max_count": 1},
        {"kind": "feedback_form", "label_zh": "班级问题反馈表", "label_en": "Class issue feedback form",
         "types": ["pdf", "doc", "docx", "xls", "xlsx"], "required": False, "max_count": 1},
        {"kind": "photo", "label_zh": "照片", "label_en": "Photo",
         "types": ["jpg", "png"], "required": False, "max_count": 5},
    ],
    criteria=CRITERIA,
    quota_rules=QUOTA_RULES,
    scoring=SCORING,
    rater_roles=RATER_ROLES,
    hooks=ClassCollectiveHooks(),
)
