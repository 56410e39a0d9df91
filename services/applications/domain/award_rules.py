"""Awards (荣誉称号) as plain rules: which titles an entry of a final list receives
comes from the program's hook `award_titles`; this checks what the hook returned and
gives every title its deterministic id ``award:<application_id>:<code>``."""
import re

from core.errors import ValidationFailed, field_error

_CODE = re.compile(r"^[A-Za-z0-9_\-]{1,40}$")


def award_id(application_id, code):
    return f"award:{application_id}:{code}"


def clean_titles(titles, program, campaign_level, entry):
    """[{"code", "title", "title_en", "level", "category"}] from the hook's answer:
    codes unique and plain, titles non-empty; the level defaults to the campaign's
    and the category to the entry's. Raises ValidationFailed naming the program when
    its hook answered something else (a plugin defect, not the user's input). An
    empty list means the entry receives no title."""
    problems, out, seen = [], [], set()
    for index, title in enumerate(titles if isinstance(titles, list) else [None]):
        where = f"award_titles[{index}]"
        if not isinstance(title, dict):
            problems.append(field_error(where, "Not an object.", "不是对象"))
            continue
        code = str(title.get("code") or "")
        if not _CODE.match(code) or code in seen:
            problems.append(field_error(f"{where}.code", "A unique code of letters, digits, _ or -.",
                                        "代码须唯一，且只含字母、数字、_ 或 -"))
            continue
        name = (title.get("title") or "").strip() if isinstance(title.get("title"), str) else ""
        if not name:
            problems.append(field_error(f"{where}.title", "A title is required.", "缺少称号名称"))
            continue
        seen.add(code)
        out.append({"code": code, "title": name, "title_en": title.get("title_en") or name,
                    "level": title.get("level") or campaign_level,
                    "category": title.get("category", (entry or {}).get("category"))})
    if problems:
        raise ValidationFailed(
            f"Program {program!r} answered award_titles with unusable titles.",
            f"项目 {program} 的 award_titles 返回的称号无效", field="award_titles", details=problems)
    return out
