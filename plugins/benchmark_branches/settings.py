"""The program's settings: the notice's numbers, and this platform's readings of the
rules the notice leaves open. A campaign may override any of them when it is opened
(same type), and the hooks read the campaign's copy.
"""

SETTINGS = {
    # 公示: the notice period the shared notice mechanism uses.
    "notice_days": 5,
    # The 申报书 field listing the expected outputs ({id, description}); the final
    # evaluation report must address every one (shared stage mechanism).
    "expected_outputs_field": "expected_outputs",
    # 创建周期为2年 (2024年5月-2026年5月): from the month of the deadline to the same
    # month two years later; every measure's deadline must fall inside it.
    "creation_cycle_months": 24,
    # Condition 4: 近3年 — window {"last_years": 3, "until": <closing date>}.
    "commendation_years": 3,
    # 校级（含）以上: the levels of a commendation or honour that count.
    "counted_levels": ["school", "province", "ministry", "national"],
    # Condition 5: 近1年 — window {"last_years": 1, "until": <closing date>}.
    "clean_record_years": 1,
    "counted_severities": ["prominent_problem", "major_incident", "serious_violation"],
    # Condition 2, this platform's reading of 《中国共产党支部工作条例（试行）》 over the
    # 12 months before the deadline: 党员大会 quarterly, 支委会 and 主题党日 monthly,
    # 党课 quarterly, 组织生活会 yearly (and 民主评议党员 held).
    "organisational_life_minimums": {"member_meetings": 4, "committee_meetings": 12, "party_lessons": 4,
                                     "theme_days": 12, "life_meetings": 1},
    # A branch with 7 or more full members has a committee (支部委员会); smaller ones
    # have only a secretary, so no committee meetings are asked of them.
    "committee_from_members": 7,
    # Condition 3: at least this many results of implementing the school's plan.
    "plan_results_min": 1,
}


#: How each setting reads on a campaign's settings form (core/settings_spec.py).
SETTINGS_SPEC = {
    "creation_cycle_months": {"label_zh": "创建周期（月）", "label_en": "Creation cycle (months)",
                              "minimum": 6, "maximum": 60},
    "commendation_years": {"label_zh": "表彰认定年限（近几年）", "label_en": "Commendations counted (last years)",
                           "minimum": 1, "maximum": 10},
    "counted_levels": {"label_zh": "计入的表彰级别", "label_en": "Commendation levels counted",
                       "choices": {"college": ["院级", "College"], "school": ["校级", "School"],
                                   "province": ["省级", "Province"], "ministry": ["部级", "Ministry"],
                                   "national": ["国家级", "National"]}},
    "clean_record_years": {"label_zh": "无违纪年限（近几年）", "label_en": "Clean record (last years)",
                           "minimum": 1, "maximum": 10},
    "counted_severities": {"label_zh": "一票否决的问题类型", "label_en": "Problems that disqualify",
                           "choices": {"prominent_problem": ["突出问题", "Prominent problem"],
                                       "major_incident": ["重大事件", "Major incident"],
                                       "serious_violation": ["严重违纪违法", "Serious violation"]}},
    "organisational_life_minimums": {
        "label_zh": "组织生活最低次数（近12个月）", "label_en": "Organisational life minimums (12 months)",
        "minimum": 0, "maximum": 52,
        "parts": {"member_meetings": ["党员大会", "Member meetings"], "committee_meetings": ["支委会", "Committee meetings"],
                  "party_lessons": ["党课", "Party lessons"], "theme_days": ["主题党日", "Theme days"],
                  "life_meetings": ["组织生活会", "Life meetings"]}},
    "committee_from_members": {"label_zh": "设支委会的正式党员人数", "label_en": "Full members from which a committee exists",
                               "minimum": 3, "maximum": 50},
    "plan_results_min": {"label_zh": "落实工作计划成果最少项数", "label_en": "Plan results required (at least)",
                         "minimum": 0, "maximum": 20},
}


def campaign_settings(campaign):
    """The campaign's settings over these defaults (a campaign pinned to an older
    version may lack a newer key)."""
    return {**SETTINGS, **((campaign or {}).get("settings") or {})}
