"""党建工作样板支部 benchmark party branches as data: what a student-affairs officer can read.

Rules from seed 004 (DOMAIN.md program 4):
  * branches nominate themselves with a 申报书 by the deadline (the campaign's
    application window; late is refused);
  * five eligibility conditions, checked at submission (hooks.py, conditions.py):
    (1) the branch fulfils its duties — six for faculty branches, five for student
    branches; (2) standardised, regular organisational life; (3) implements the
    school's "一融双高" plan with results; (4) in the last 3 years the branch or its
    secretary received a school-level or higher commendation, or a "好" in the
    secretary review, and at least one member holds a school-level or higher honour;
    (5) in the last year no prominent problem, major incident or serious violation
    by the branch or any member. Every failed condition is named in the refusal;
  * each college selects its recommendation candidates (推荐对象) in a college-level
    campaign and nominates them to the school campaign (the school sets a quota per
    college when it opens its campaign);
  * the school's working group scores them; a 5-day public notice; the final list;
  * the 2-year creation cycle (e.g. 2024-05 to 2026-05): a mid-term check, then the
    final evaluation, whose report must address every expected output listed in the
    申报书; the title is granted when the final evaluation passes.

Funding "按照《大连理工大学基层党建经费和党费拨付和使用管理规范（试行）》给予经费支持":
the notice gives no amounts, so this program declares no funding tiers; the school's
own rules apply outside the platform until someone declares them here.
"""
from core.program import Program
from plugins.benchmark_branches.form import BenchmarkBranchForm
from plugins.benchmark_branches.hooks import INCIDENT_FACT, BenchmarkBranchHooks
from plugins.benchmark_branches.settings import SETTINGS, SETTINGS_SPEC

# -- review (评审) ------------------------------------------------------------------
# The notice says what a benchmark branch must show (the five conditions, "七个有力",
# a clear creation plan with practical measures and deadlines, expected outputs that
# are quantified or assessable) but gives no weights: the tree, the scales, the quota
# rules and the policy below are this platform's proposal and are CONFIGURABLE —
# change them here (a new declaration version; open campaigns keep the version they
# pinned) or per campaign in the scoring setup (aggregation, reviewers per
# application, conflict rules, reviewer pool).


def _indicator(node_id, name, weight):
    """A leaf scored 0-10 by the working group (工作组评审专家)."""
    return {"id": node_id, "name": name, "weight": weight,
            "scale": {"kind": "range", "min": 0, "max": 10}, "scorer_role": "reviewer"}


# 评分指标体系: weights in percent of the parent, adding up to 100. Each leaf's share
# of the total equals its weight, so on 0-10 marks
#   total = 2·duties + 2·organisation + 2·school_plan + 1.5·exemplary + 1.5·creation_plan + outputs
# on 0..100.
CRITERIA = {
    "id": "benchmark_review", "name": "党建工作样板支部评审", "children": [
        _indicator("duties", "政治功能强、履行党支部职责有力", 20),                 # condition 1
        _indicator("organisation", "组织生活规范、标准化规范化建设", 20),           # condition 2
        _indicator("school_plan", "落实“一融双高”实施方案成效", 20),               # condition 3
        _indicator("exemplary", "示范引领作用与特色品牌", 15),                     # condition 4, 七个有力
        _indicator("creation_plan", "创建思路清晰、举措实在可操作、时限明确", 15),   # 组织实施
        _indicator("outputs", "预期成效务实、可量化可考核", 10),                    # 创建预期成效
    ],
}

# 名额 by campaign level (rounded half up, 四舍五入). College: every branch reaching 70
# points is a recommendation candidate (推荐对象) on the college's list; how many the
# college may nominate is the school's per-college quota (nomination_quota), and the
# college nominates from the top of its list. School: the better half of the nominated
# branches (vetoed ones counted) reaching 80 points become benchmark branches.
QUOTA_RULES = {
    "college": [{"kind": "percent", "percent": 100, "of": "applicants"}, {"kind": "min_score", "min": 70}],
    "school": [{"kind": "percent", "percent": 50, "of": "applicants"}, {"kind": "min_score", "min": 80}],
}

SCORING = {
    # The working group: three reviewers per branch, plain mean.
    "aggregation": {"method": "mean", "reviewer_normalisation": "none", "on_missing": "error"},
    "reviewers_per_application": 3,
    # The 申报书 names the branch throughout; hiding its name would hide nothing.
    "blind_review": False,
    # Reviewers never score their own branch, nor a branch of their own college.
    "conflict": {"fields": ["branch_id"], "same_college": True},
    # Equal totals: the stronger results of the school's plan, then the clearer
    # creation plan, then the earlier submission.
    "tie_breaks": [{"indicator": "school_plan", "order": "desc"}, {"indicator": "creation_plan", "order": "desc"},
                   {"field": "submitted_at", "order": "asc"}],
    # 一票否决: a prominent problem, major incident or serious violation by the branch
    # or a member from a year before the deadline to the end of the review (the
    # scoring_inputs hook supplies the fact); admins may also veto by hand.
    "veto_rules": [{"id": "incident", "kind": "fact", "fact": INCIDENT_FACT, "equals": True,
                    "reason": "The branch or a member had a prominent problem, major incident or serious violation.",
                    "reason_zh": "党支部或其成员出现突出问题、重大事件或严重违纪违法"}],
    "veto_roles": ["school_admin", "college_admin"],
}

PROGRAM = Program(
    name="benchmark_branches",
    title_zh="党建工作样板支部",
    title_en="Benchmark party branches",
    applicant_kind="branch",
    form=BenchmarkBranchForm,
    stages=["application", "college_review", "review", "notice", "nomination", "midterm", "final_evaluation",
            "award"],
    settings=SETTINGS,
    settings_spec=SETTINGS_SPEC,
    attachments=[
        {"kind": "application_form", "label_zh": "申报书", "label_en": "Application (申报书)",
         "types": ["pdf", "doc", "docx"], "required": True, "max_count": 1},
        {"kind": "organisational_life_record", "label_zh": "组织生活记录", "label_en": "Organisational life record",
         "types": ["pdf", "doc", "docx", "jpg", "png"], "required": True, "max_count": 5},
        {"kind": "evidence", "label_zh": "佐证材料", "label_en": "Supporting evidence",
         "types": ["pdf", "doc", "docx", "jpg", "png", "xls", "xlsx"], "required": False, "max_count": 10},
    ],
    criteria=CRITERIA,
    quota_rules=QUOTA_RULES,
    scoring=SCORING,
    funding=None,
    hooks=BenchmarkBranchHooks(),
)
