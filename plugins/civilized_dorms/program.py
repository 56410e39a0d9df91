"""文明寝室 civilized dorms as data: what a student-affairs officer can read.

Rules (seed 000 with its attachment 2 文明寝室创建工作重点任务指南; seed 002):

- Plan: 100 civilized dorms per cycle, 15-25 of each of the five types (环境优美型,
  求真学问型, 党员示范型, 知行合一型, 科研创新型). A dorm of years 1-3 applies for one or
  two types; it is selected in at most one (the optimal per-category selection).
- A dorm that won a type may not apply for the same type the next year (refused at
  submission, naming the year it won); another type is fine.
- Score = basic conditions 60% (the six items of the attachment) + the conditions of
  the type 40%. Some type conditions are thresholds the notice states with 至少 / 全员:
  they are checked when the dorm submits (the settings below; hooks.check_eligibility);
  the rest are scored.
- The counselor checks the application first (辅导员审核把关, the college side of the
  application), then the working group reviews (小组评议), the list is publicly
  noticed for 5 days, then becomes final (正式立项名单).
- As the notice says, the dorms build through the year (mid-term check in December,
  evaluation in June: 评估考核); the title is granted when the evaluation passes
  (评定达标的，授予…文明寝室荣誉称号), with the veteran-dorm title (退伍军人寝室) on top of
  the quota for a winning dorm with a veteran member.
"""
from core.program import Program
from plugins.civilized_dorms.dorm_types import TYPE_CODES, TYPE_NAMES_ZH
from plugins.civilized_dorms.form import CivilizedDormForm
from plugins.civilized_dorms.hooks import CivilizedDormHooks

# -- 评议指标: weights are percent of the parent and add up to 100 at every node ----------
# The attachment weighs the basic conditions 60% and the type's conditions 40% but not
# the items inside them: each item weighs the same (a basic item is 10 points of the
# total; a type item 40/n points). CONFIGURABLE: change them here (a new declaration
# version; open campaigns keep the version they pinned).


def _reviewed(node_id, name):
    """An item the working group scores 0-10 (材料审查、实地考察)."""
    return {"id": node_id, "name": name, "scale": {"kind": "range", "min": 0, "max": 10}, "scorer_role": "reviewer"}


def _from_facts(node_id, name, scale=None):
    """An item taken from imported facts by hooks.scoring_inputs (pass/fail unless said)."""
    return {"id": node_id, "name": name, "scale": scale or {"kind": "pass_fail"}, "scorer_role": "imported_fact"}


def _equal(items):
    """The items with equal weights adding up to 100."""
    return [dict(item, weight=100 / len(items)) for item in items]


# 每月不少于1次: one month with a session is 10 points of the item, ten months (an
# academic year) the full item.
THEORY_MONTHS = {"kind": "count", "formula": {"kind": "linear", "points_per_unit": 10, "max": 100}}

BASIC = {"id": "basic", "name": "基本条件", "weight": 60, "children": _equal([
    _from_facts("theory_study", "政治理论学习：以寝室为单位开展周四理论学习，每月不少于1次（钉钉审批）", THEORY_MONTHS),
    _from_facts("no_makeup_exam", "学习风气：寝室成员当学年无必修课补考"),
    _reviewed("convention", "《寝室文明公约》：内容积极向上、寝室文化内涵鲜明，贴于寝室门后"),
    _from_facts("no_violation", "遵纪守法：周五劳动日检查无大功率电器、晚归不归、饲养宠物等违规"),
    _from_facts("health_and_fees", "全室成员体质健康达标，无拖欠学费、住宿费"),
    _from_facts("monthly_rating", "当学年获评学校月度文明寝室1次及以上"),
])}

TYPE_ITEMS = {
    "environment": {"id": "type_environment", "name": "环境优美型寝室条件", "children": _equal([
        _reviewed("env_beautification", "寝室美化大赛中表现突出，获院级及以上奖项"),
        _reviewed("env_culture", "寝室文化内涵积极向上，文化主题突出"),
        _reviewed("env_aesthetics", "积极参加寝室环境文化创建活动，美育比赛中表现突出"),
    ])},
    "learning": {"id": "type_learning", "name": "求真学问型寝室条件", "children": _equal([
        _reviewed("learn_activities", "寝室成员积极参加各类活动及比赛，表现突出"),
        _reviewed("learn_results", "寝室成员学习成绩良好（全员无挂科在申报时核对）"),
        _reviewed("learn_clubs", "积极加入学校社团组织"),
        _reviewed("learn_wednesday_class", "寝室成员积极参加周三小课堂"),
    ])},
    "party_model": {"id": "type_party_model", "name": "党员示范型寝室条件", "children": _equal([
        _reviewed("party_building_activities", "积极参与楼栋活动（党员学习日、志愿服务、党员联系寝室、党校学习领学等）"),
        _reviewed("party_model_posts", "积极发挥党员示范作用，主动参与5个责任岗相关工作"),
    ])},
    "knowledge_action": {"id": "type_knowledge_action", "name": "知行合一型寝室条件", "children": _equal([
        _reviewed("ka_activities", "寝室成员积极参加各类活动及比赛，在文体等活动中表现突出"),
        _reviewed("ka_volunteering", "寝室每位成员积极参加学院志愿服务活动"),
    ])},
    "research": {"id": "type_research", "name": "科研创新型寝室条件", "children": _equal([
        _reviewed("research_contests", "寝室成员积极参加各类学科竞赛，表现突出"),
        _reviewed("research_patents", "获得相关专业著作权、发明专利、实用新型或外观设计专利等"),
    ])},
}

CRITERIA = {"id": "civilized_dorm", "name": "文明寝室创建评议", "children": [
    BASIC,
    {"id": "type_part", "name": "具体条件（按申报类型）", "weight": 40,
     "by_category": {code: TYPE_ITEMS[code] for code in TYPE_CODES}},
]}

# -- 计划数 -----------------------------------------------------------------------------------
# 100 dorms, 15-25 of each type; the veteran-dorm title is not counted (it is granted on
# top, hooks.award_titles). Declared here rather than as campaign settings because the
# scoring service takes quota rules from the program version a campaign pinned, not from
# the campaign's settings: a campaign with another plan needs a new declaration version.
TYPE_RANGE = [15, 25]
TOTAL_DORMS = 100
QUOTA_RULES = [
    {"kind": "per_category", "ranges": {code: list(TYPE_RANGE) for code in TYPE_CODES}, "total": TOTAL_DORMS,
     "names": {code: f"{name}寝室" for code, name in TYPE_NAMES_ZH.items()}},
]

# -- 评议设置 (defaults of each campaign's scoring setup) ---------------------------------------
SCORING = {
    # The working group (专项工作组): three members score each dorm, the mean counts.
    "aggregation": {"method": "mean", "reviewer_normalisation": "none", "on_missing": "error"},
    "reviewers_per_application": 3,
    # The group visits the dorms (实地考察): a blind review would hide nothing.
    "blind_review": False,
    # A reviewer never scores their own class's, dorm's or branch's application.
    "conflict": {"fields": ["class_id", "dorm_id", "branch_id"], "same_college": False},
    # Equal scores at a type's cut line: the better basic conditions first, then the
    # dorm that submitted first.
    "tie_breaks": [{"indicator": "basic", "order": "desc"}, {"field": "first_submitted_at", "order": "asc"}],
    # The notice makes an inspection violation cost its basic item, not a veto; a
    # campaign that vetoes some violations lists them in its setting
    # `inspection_veto_violations` and hooks.scoring_inputs raises this fact.
    "veto_rules": [{"id": "inspection_veto", "kind": "fact", "fact": "inspection_veto", "equals": True,
                    "reason": "a violation this campaign vetoes was found in a Friday inspection",
                    "reason_zh": "周五劳动日检查发现本次评选一票否决的违规行为"}],
    # The campaign admin: a school admin, or for a college's campaign its college admin.
    "veto_roles": ["school_admin", "college_admin"],
}

# -- 设置 (a campaign may override each, keeping its type) ---------------------------------------
SETTINGS = {
    "notice_days": 5,                                  # 公示 5 天
    "expected_outputs_field": "expected_outputs",     # 预期成果, checked at 评估考核
    "years_of_study": [1, 2, 3],                       # 申报对象：大一至大三年级寝室
    # 当学年: the basic conditions read facts dated in the N years up to the deadline's
    # day. With an October deadline, one year is the academic year just ended plus
    # the weeks since — the year the monthly ratings and inspections describe.
    "fact_window_years": 1,
    # Type conditions the notice states as thresholds, checked at submission.
    "party_model_min_party_members": 1,                # 党员示范型：至少1名中共党员或预备党员
    "knowledge_action_min_cadres": 2,                  # 知行合一型：至少2名学生干部且考核合格
    "research_min_contestants": 1,                     # 科研创新型：至少1人参加过创新创业类比赛
    "research_contest_years": 4,                       # …during their studies (4 years up to the deadline)
    "learning_max_failed_courses": 0,                  # 求真学问型：全员无挂科
    # Violation codes (high_power_appliance, late_return, pet, other) that veto a dorm
    # in this campaign; the notice vetoes none.
    "inspection_veto_violations": [],
    # 退伍军人寝室: a winning dorm with a veteran member gets it directly (附件2 六.3,
    # 直接挂牌); a campaign may also require the veterans' 红岩 activities (六.2: 3).
    "veteran_title_min_activities": 0,
}

SETTINGS_SPEC = {
    "years_of_study": {"label_zh": "可申报的年级", "label_en": "Years of study that may apply", "choices": {"1": ["大一", "Year 1"], "2": ["大二", "Year 2"], "3": ["大三", "Year 3"], "4": ["大四", "Year 4"]}},
    "fact_window_years": {"label_zh": "基本条件认定年限（年）", "label_en": "Facts counted (years)", "minimum": 1, "maximum": 4},
    "party_model_min_party_members": {"label_zh": "党员示范型：最少党员人数", "label_en": "Party model: party members (at least)",
                                      "minimum": 0, "maximum": 8},
    "knowledge_action_min_cadres": {"label_zh": "知行合一型：最少学生干部人数", "label_en": "Knowledge-action: cadres (at least)",
                                    "minimum": 0, "maximum": 8},
    "research_min_contestants": {"label_zh": "科研创新型：最少参赛人数", "label_en": "Research: contestants (at least)",
                                 "minimum": 0, "maximum": 8},
    "research_contest_years": {"label_zh": "科研创新型：参赛认定年限（年）", "label_en": "Research: contests counted (years)",
                               "minimum": 1, "maximum": 6},
    "learning_max_failed_courses": {"label_zh": "求真学问型：最多挂科门数", "label_en": "Learning: failed courses (at most)",
                                    "minimum": 0, "maximum": 10},
    "inspection_veto_violations": {"label_zh": "一票否决的违纪类型", "label_en": "Violations that disqualify",
                                   "choices": {"high_power_appliance": ["违规电器", "High-power appliance"],
                                               "late_return": ["晚归", "Late return"], "pet": ["饲养宠物", "Pet"],
                                               "other": ["其他违纪", "Other violation"]}},
    "veteran_title_min_activities": {"label_zh": "退伍军人寝室：最少红岩活动次数",
                                     "label_en": "Veteran dorm: activities (at least)", "minimum": 0, "maximum": 20},
}


PROGRAM = Program(
    name="civilized_dorms",
    title_zh="文明寝室",
    title_en="Civilized dorms",
    applicant_kind="dorm",
    form=CivilizedDormForm,
    stages=["application", "counselor_review", "review", "notice", "midterm", "final_evaluation", "award"],
    settings=SETTINGS,
    settings_spec=SETTINGS_SPEC,
    attachments=[
        {"kind": "photo", "label_zh": "寝室照片（含张贴的文明公约）", "label_en": "Photos (with the posted convention)",
         "types": ["jpg", "png"], "required": False, "max_count": 5},
        {"kind": "evidence", "label_zh": "佐证材料（获奖、专利、钉钉审批等）",
         "label_en": "Evidence (awards, patents, DingTalk approvals)",
         "types": ["pdf", "doc", "docx", "jpg", "png"], "required": False, "max_count": 5},
    ],
    criteria=CRITERIA,
    quota_rules=QUOTA_RULES,
    scoring=SCORING,
    hooks=CivilizedDormHooks(SETTINGS),
)
