"""Funding rules a program registers (经费规则): tiers with caps, closing materials,
spending categories, claim approval steps and which deadlines are enforced.

A registration is validated and normalised by :func:`register_rules`, which returns::

    {
      "program": "pilot_branches",
      "tiers": [{"code": "key", "name": "重点", "name_en": "key", "cap_fen": 500000,
                 "closing_materials": ["closing_report", "work_case", "article_link"]}, ...],
      "categories": [{"code": "printing", "name": "印刷", "name_en": "printing"}],  # may be []
      "approval_steps": ["advisor", "college", "finance"],   # input may say "claim_steps"
      "material_kinds": [{"code", "name", "name_en", "value": "attachment"|"url"}],  # extra kinds
      "deadlines": {"file_claim": {"opens": "implementation_start", "closes": "closing_deadline"},
                    "submit_material": {"closes": "closing_deadline"}},
      "fingerprint": "<sha256 hex of the canonical JSON of everything above>",
    }

Guarantees:

- The fingerprint is ``sha256`` of canonical JSON (sorted keys, no spaces, UTF-8) of
  the normalised rules without the fingerprint, so registering the same content twice
  (in any key order) gives the same version, and any change gives a new one. A
  campaign records the fingerprint it was opened with and keeps those rules.
- Every problem is reported at once in one ValidationFailed whose ``details`` name
  each field (``tiers[1].cap_fen``) in Chinese and English. Unknown keys are refused,
  so a typo never silently disables a rule.
"""
import hashlib
import json
import re

from core.errors import field_error, invalid

from .money import MAX_FEN, format_fen

#: Built-in closing material kinds; a program may declare more in ``material_kinds``.
#: ``value`` says what a submission holds: an attachment id, or an http(s) URL.
MATERIAL_KINDS = {
    "closing_report": {"name": "结题报告", "name_en": "closing report", "value": "attachment"},
    "work_case": {"name": "工作案例", "name_en": "work case", "value": "attachment"},
    "activity_summary": {"name": "活动总结", "name_en": "activity summary", "value": "attachment"},
    "article_link": {"name": "公众号文章链接", "name_en": "published article link", "value": "url"},
}

#: Approval steps a claim can go through, in the order a program lists them.
APPROVAL_STEPS = ("advisor", "college", "finance")
DEFAULT_APPROVAL_STEPS = ["advisor", "college", "finance"]

#: Campaign deadline keys (the campaign gives the moments) and the actions a program
#: may bound by them.
DEADLINE_KEYS = ("implementation_start", "implementation_end", "closing_deadline")
DEADLINE_ACTIONS = ("award_grant", "file_claim", "submit_material", "close_project")

_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_TOP_KEYS = {"program", "tiers", "categories", "approval_steps", "claim_steps", "material_kinds",
             "deadlines"}
_NAMED_KEYS = {"code", "name", "name_en"}


def fingerprint(rules):
    """sha256 hex of the canonical JSON of ``rules`` (its own ``fingerprint`` key ignored)."""
    body = {k: v for k, v in rules.items() if k != "fingerprint"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def register_rules(raw):
    """Validate and normalise a program's funding rules; returns them with a fingerprint.

    Raises ValidationFailed listing every bad field.
    """
    errors = []

    def err(field, en, zh):
        errors.append(field_error(field, en, zh))

    if not isinstance(raw, dict):
        raise invalid([field_error("rules", "must be an object", "必须是对象")])
    for key in sorted(set(raw) - _TOP_KEYS):
        err(key, "unknown key", "未知的字段")

    program = raw.get("program")
    if not isinstance(program, str) or not _CODE.match(program):
        err("program", "must be a lower-case code such as pilot_branches",
            "必须是小写英文代码，例如 pilot_branches")

    extra_kinds = _named_list(raw.get("material_kinds", []), "material_kinds", err,
                              extra_keys={"value"})
    for i, kind in enumerate(extra_kinds):
        if kind is None:
            continue
        if kind["code"] in MATERIAL_KINDS:  # codes are str or None here
            err(f"material_kinds[{i}].code", f"{kind['code']} is built in already",
                f"{kind['code']} 是内置材料类型，不能重复声明")
        value = kind.get("value", "attachment")
        if value not in ("attachment", "url"):
            err(f"material_kinds[{i}].value", "must be attachment or url",
                "必须是 attachment（附件）或 url（链接）")
        kind["value"] = value
    extra_kinds = [k for k in extra_kinds if k]
    known_kinds = set(MATERIAL_KINDS) | {k["code"] for k in extra_kinds}

    tiers = _tiers(raw.get("tiers"), known_kinds, err)
    categories = [c for c in _named_list(raw.get("categories", []), "categories", err) if c]
    if "claim_steps" in raw and "approval_steps" in raw and \
            raw["claim_steps"] != raw["approval_steps"]:
        err("claim_steps", "differs from approval_steps; give one of them",
            "与 approval_steps 不一致，请只填写其中一个")
    steps = _steps(raw.get("approval_steps", raw.get("claim_steps", DEFAULT_APPROVAL_STEPS)), err)
    deadlines = _deadlines(raw.get("deadlines", {}), err)

    if errors:
        raise invalid(errors)
    rules = {
        "program": program,
        "tiers": tiers,
        "categories": categories,
        "approval_steps": steps,
        "material_kinds": extra_kinds,
        "deadlines": deadlines,
    }
    rules["fingerprint"] = fingerprint(rules)
    return rules


def rules_from_declaration(declaration):
    """The funding rules of a program's registration (``core.program.Program.declaration()``):
    ``declaration["funding"]`` with ``program`` taken from ``declaration["name"]``."""
    funding = (declaration or {}).get("funding")
    if not isinstance(funding, dict):
        raise invalid([field_error("funding", "the program declares no funding rules",
                                   "该项目类型未声明经费规则")])
    return register_rules({**funding, "program": declaration.get("name")})


def _named_list(items, where, err, extra_keys=()):
    """A list of {"code", "name", "name_en"} with unique codes (normalised copies)."""
    if not isinstance(items, list):
        err(where, "must be a list", "必须是列表")
        return []
    out, seen = [], set()
    for i, item in enumerate(items):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            err(at, "must be an object", "必须是对象")
            out.append(None)  # keeps positions aligned with the input; errors raise anyway
            continue
        for key in sorted(set(item) - _NAMED_KEYS - set(extra_keys)):
            err(f"{at}.{key}", "unknown key", "未知的字段")
        code, name = item.get("code"), item.get("name")
        if not isinstance(code, str) or not _CODE.match(code):
            err(f"{at}.code", "must be a lower-case code", "必须是小写英文代码")
            code = None
        elif code in seen:
            err(f"{at}.code", f"duplicate code {code}", f"代码 {code} 重复")
        seen.add(code)
        if not isinstance(name, str) or not name.strip() or len(name) > 40:
            err(f"{at}.name", "must be a name of 1-40 characters", "名称必须为 1-40 个字符")
        name_en = item.get("name_en") or code
        if name_en is not None and (not isinstance(name_en, str) or len(name_en) > 80):
            err(f"{at}.name_en", "must be a name of 1-80 characters", "英文名称必须为 1-80 个字符")
        entry = {"code": code, "name": (name or "").strip() if isinstance(name, str) else name,
                 "name_en": name_en}
        entry.update({k: item[k] for k in extra_keys if k in item})
        out.append(entry)
    return out


def _tiers(items, known_kinds, err):
    if not isinstance(items, list) or not items:
        err("tiers", "at least one tier is required", "至少需要一个资助等级")
        return []
    named = _named_list(items, "tiers", err, extra_keys=("cap_fen", "closing_materials"))
    tiers = []
    for i, (item, base) in enumerate(zip(items, named)):
        if base is None:
            continue
        at = f"tiers[{i}]"
        cap = item.get("cap_fen")
        if isinstance(cap, bool) or not isinstance(cap, int):
            err(f"{at}.cap_fen", "must be an integer amount of fen", "上限必须是以分为单位的整数")
        elif cap <= 0:
            err(f"{at}.cap_fen", "must be greater than zero", "上限必须大于零")
        elif cap > MAX_FEN:
            err(f"{at}.cap_fen", f"must be at most {format_fen(MAX_FEN)}",
                f"上限不能超过 {format_fen(MAX_FEN)}")
        materials = item.get("closing_materials", [])
        if not isinstance(materials, list):
            err(f"{at}.closing_materials", "must be a list", "必须是列表")
            materials = []
        for j, kind in enumerate(materials):
            if not isinstance(kind, str) or kind not in known_kinds:
                err(f"{at}.closing_materials[{j}]",
                    f"unknown material kind {kind!r}; known: {', '.join(sorted(known_kinds))}",
                    f"未知的结项材料类型 {kind!r}；可用类型：{'、'.join(sorted(known_kinds))}")
        if len(set(map(str, materials))) != len(materials):
            err(f"{at}.closing_materials", "lists a material twice", "结项材料重复")
        tiers.append({**base, "cap_fen": cap, "closing_materials": list(materials)})
    return tiers


def _steps(steps, err):
    if not isinstance(steps, list) or not steps:
        err("approval_steps", "must be a non-empty list", "审批环节不能为空")
        return []
    for i, step in enumerate(steps):
        if step not in APPROVAL_STEPS:
            err(f"approval_steps[{i}]", f"unknown step {step!r}; known: advisor, college, finance",
                f"未知的审批环节 {step!r}；可用：advisor（指导老师）、college（学院）、finance（财务）")
    if len(set(map(str, steps))) != len(steps):
        err("approval_steps", "lists a step twice", "审批环节重复")
    return list(steps)


def _deadlines(deadlines, err):
    if not isinstance(deadlines, dict):
        err("deadlines", "must be an object", "必须是对象")
        return {}
    out = {}
    for action, bounds in deadlines.items():
        at = f"deadlines.{action}"
        if action not in DEADLINE_ACTIONS:
            err(at, f"unknown action; known: {', '.join(DEADLINE_ACTIONS)}",
                f"未知的操作；可用：{'、'.join(DEADLINE_ACTIONS)}")
            continue
        if not isinstance(bounds, dict) or not bounds or set(bounds) - {"opens", "closes"}:
            err(at, "must be {opens?, closes?} with at least one",
                "必须为 {opens, closes}，至少填写一项")
            continue
        for edge, key in bounds.items():
            if key not in DEADLINE_KEYS:
                err(f"{at}.{edge}", f"unknown deadline key; known: {', '.join(DEADLINE_KEYS)}",
                    f"未知的时间节点；可用：{'、'.join(DEADLINE_KEYS)}")
        out[action] = dict(bounds)
    return out


def tier(rules, code, field="tier"):
    """The tier named ``code``; ValidationFailed naming the known tiers otherwise."""
    for t in rules["tiers"]:
        if t["code"] == code:
            return t
    known_en = ", ".join(t["code"] if t["name_en"] == t["code"] else f"{t['code']} ({t['name_en']})"
                         for t in rules["tiers"])
    known_zh = "、".join(f"{t['name']}（{t['code']}）" for t in rules["tiers"])
    raise invalid([field_error(field, f"unknown tier {code!r}; known tiers: {known_en}",
                               f"未知的资助等级 {code!r}；可用等级：{known_zh}")])


def material_kind(rules, code):
    """``{"code", "name", "name_en", "value"}`` of a material kind, or None if unknown."""
    if code in MATERIAL_KINDS:
        return {"code": code, **MATERIAL_KINDS[code]}
    for kind in rules.get("material_kinds", []):
        if kind["code"] == code:
            return kind
    return None


def category_codes(rules):
    return [c["code"] for c in rules.get("categories", [])]
