"""The five types of civilized dorm (文明寝室类型) and the extra veteran-dorm title.

The codes are stable identifiers: they are the categories of the criteria tree and
of the per-category quota, and the ``category`` of every award, so history ("won
环境优美型 in 2022-2023") is found by code. Names are what people read.
"""

# In the order of the notice (seed 000, 二、创建计划).
DORM_TYPES = {
    "environment": {"name_zh": "环境优美型", "name_en": "Beautiful environment"},
    # The attachment calls it 求知学问寝室; the notice's plan 求真学问型.
    "learning": {"name_zh": "求真学问型", "name_en": "Pursuit of learning", "aliases": ["求知学问型"]},
    "party_model": {"name_zh": "党员示范型", "name_en": "Party-member model"},
    "knowledge_action": {"name_zh": "知行合一型", "name_en": "Unity of knowing and doing"},
    "research": {"name_zh": "科研创新型", "name_en": "Research and innovation"},
}
TYPE_CODES = tuple(DORM_TYPES)
TYPE_NAMES_ZH = {code: t["name_zh"] for code, t in DORM_TYPES.items()}

# 退伍军人寝室 (attachment 2 calls the plaque 军人示范寝室): not one of the five types and
# not counted in the plan; granted on top of a type's title (see hooks.award_titles).
VETERAN_TITLE = {"code": "veteran", "title": "退伍军人寝室", "title_en": "Veteran dorm"}


def type_name(code):
    """The Chinese name of a type code (the code itself when unknown)."""
    return TYPE_NAMES_ZH.get(code, code)


def history_categories(code):
    """Every category under which an award of this type may have been recorded: the
    code (awards granted by this platform) and the Chinese names (awards imported
    from before the platform often name the type in Chinese)."""
    t = DORM_TYPES[code]
    return [code, t["name_zh"], *t.get("aliases", [])]
