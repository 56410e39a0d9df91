"""A program's settings as people edit them (活动设置): each declared setting with its
label, its type (the default's), its range and its choices, so a campaign's settings
are edited through a generated form (no raw JSON anywhere) and a bad value is refused
naming the setting by its label.

A program declares ``settings`` (the defaults) and ``settings_spec`` ({key: spec}):
``label_zh``/``label_en``, ``minimum``/``maximum`` (numbers, also each part of a
mapping of numbers), ``choices`` ({code: [zh, en]}: the value is one of them, or a
list of them), ``parts`` ({key: [zh, en]}: the labels of a mapping's entries) and
``fixed`` (true: the program's value holds for every campaign; shown, not edited).
The platform's own settings (`PLATFORM`) are known to every program: ``notice_days``
(公示天数, the default period) and ``notice_min_days`` (公示最短天数, the shortest
period a notice may be given; default: 3, or the program's notice_days when shorter).
"""
from core.errors import field_error

PLATFORM = {
    "notice_days": {"label_zh": "公示天数", "label_en": "Public notice (days)", "minimum": 1, "maximum": 30},
    "notice_min_days": {"label_zh": "公示最短天数", "label_en": "Shortest public notice (days)",
                        "minimum": 1, "maximum": 30},
    "expected_outputs_field": {"label_zh": "预期成果所在的申报表字段", "label_en": "Form field of the expected outputs",
                               "fixed": True},
}
DEFAULT_NOTICE_DAYS = 5
DEFAULT_NOTICE_MIN_DAYS = 3   # 公示期不少于3天, unless the program's own period is shorter


def defaults_of(program_settings):
    """The program's settings with the platform's defaults added (a campaign's
    settings always hold notice_days and notice_min_days)."""
    settings = dict(program_settings or {})
    settings.setdefault("notice_days", DEFAULT_NOTICE_DAYS)
    settings.setdefault("notice_min_days", min(DEFAULT_NOTICE_MIN_DAYS, settings["notice_days"]))
    return settings


def specs_of(program_settings, declared):
    """{key: spec} for every setting of the program (platform specs first, the
    program's own over them); a key without a spec gets its code as a fixed setting."""
    out = {}
    for key in defaults_of(program_settings):
        spec = {**PLATFORM.get(key, {}), **((declared or {}).get(key) or {})}
        if not spec.get("label_zh"):
            spec = {"label_zh": key, "label_en": key, "fixed": True, **spec}
        out[key] = spec
    return out


def _kind(value):
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "other"


def choices_of(spec, default):
    """{value: (zh, en)} of a setting's choices, each value typed as the default's
    (a declaration's keys are strings: "1" is the year 1 of a list of integers)."""
    sample = default[0] if isinstance(default, list) and default else default
    whole = isinstance(sample, int) and not isinstance(sample, bool)
    out = {}
    for code, (zh, en) in (spec.get("choices") or {}).items():
        out[int(code) if whole and str(code).lstrip("-").isdigit() else code] = (zh, en)
    return out


def _numeric(spec, kind):
    prop = {"type": kind}
    for bound in ("minimum", "maximum"):
        if spec.get(bound) is not None:
            prop[bound] = spec[bound]
    return prop


def editable(default, spec):
    """Whether a campaign may override this setting on the form."""
    kind = _kind(default)
    if spec.get("fixed") or kind == "other":
        return False
    if kind == "array":
        return bool(spec.get("choices")) or all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in default)
    if kind == "object":
        return bool(default) and all(_kind(v) in ("integer", "number") for v in default.values())
    return True


def form_schema(program_settings, declared):
    """A JSON Schema of the editable settings (gateway/web/schema_form.py renders it):
    titles in Chinese, descriptions in English, ranges, choices as enums."""
    defaults = defaults_of(program_settings)
    properties = {}
    for key, spec in specs_of(program_settings, declared).items():
        default = defaults[key]
        if not editable(default, spec):
            continue
        kind = _kind(default)
        prop = {"title": spec["label_zh"], "description": spec.get("label_en") or spec["label_zh"]}
        choices = list(choices_of(spec, default))
        if kind == "array":
            item = {"enum": choices} if choices else {"type": "integer" if default and isinstance(default[0], int)
                                                       else "string"}
            prop.update(type="array", items=item)
        elif kind == "object":
            parts = spec.get("parts") or {}
            inner = _kind(next(iter(default.values())))
            prop.update(type="object", properties={
                part: {**_numeric(spec, inner), "title": (parts.get(part) or [part])[0],
                       "description": (parts.get(part) or [part, part])[-1]} for part in default})
        elif choices:
            prop["enum"] = choices
        elif kind in ("integer", "number"):
            prop.update(_numeric(spec, kind))
        else:
            prop.update(type=kind, maxLength=100 if kind == "string" else None)
            prop = {k: v for k, v in prop.items() if v is not None}
        properties[key] = prop
    return {"type": "object", "properties": properties}


def fixed_settings(program_settings, declared):
    """[(key, spec, value)] of the settings shown but not edited per campaign."""
    defaults = defaults_of(program_settings)
    return [(key, spec, defaults[key]) for key, spec in specs_of(program_settings, declared).items()
            if not editable(defaults[key], spec)]


def _err(key, spec, en, zh, path=None):
    label_zh, label_en = spec.get("label_zh") or key, spec.get("label_en") or key
    return field_error(f"settings.{path or key}", f"{label_en}: {en}", f"{label_zh}：{zh}")


def _number_errors(key, spec, value, kind, path=None):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind == "integer" and
                                                                          not isinstance(value, int)):
        return [_err(key, spec, "must be a whole number." if kind == "integer" else "must be a number.",
                     "须为整数" if kind == "integer" else "须为数字", path)]
    low, high = spec.get("minimum"), spec.get("maximum")
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            return [_err(key, spec, f"must be from {low} to {high}.", f"须在 {low} 到 {high} 之间", path)]
        if low is not None:
            return [_err(key, spec, f"must be at least {low}.", f"不能小于 {low}", path)]
        return [_err(key, spec, f"must be at most {high}.", f"不能大于 {high}", path)]
    return []


def value_errors(overrides, program_settings, declared):
    """Field errors (``settings.<key>``, messages naming the setting by its label) of
    a campaign's overrides: unknown or fixed settings, wrong types, out of range,
    not among the choices."""
    defaults = defaults_of(program_settings)
    specs = specs_of(program_settings, declared)
    problems = []
    for key, value in (overrides or {}).items():
        if key not in defaults:
            problems.append(field_error(f"settings.{key}", "Unknown setting.", "未知设置项"))
            continue
        spec, default = specs[key], defaults[key]
        if value == default:
            continue
        kind = _kind(default)
        choices = choices_of(spec, default)
        if not editable(default, spec):
            problems.append(_err(key, spec, "is fixed by the program.", "由项目统一规定，不能按活动修改"))
        elif kind in ("integer", "number") and not choices:
            problems += _number_errors(key, spec, value, kind)
        elif kind == "array":
            if not isinstance(value, list):
                problems.append(_err(key, spec, "must be a list.", "须为列表"))
            elif choices and any(v not in choices for v in value):
                problems.append(_err(key, spec, "has a value that is not one of the choices.", "含有不在可选范围内的值"))
            elif not choices and any(_kind(v) != _kind(default[0] if default else v) for v in value):
                problems.append(_err(key, spec, "has an entry of the wrong type.", "含有类型不符的条目"))
        elif kind == "object":
            if not isinstance(value, dict) or set(value) != set(default):
                problems.append(_err(key, spec, "must give every entry.", "须填写每一项"))
            else:
                for part, number in value.items():
                    problems += _number_errors(key, spec, number, _kind(default[part]), f"{key}.{part}")
        elif choices and value not in choices:
            problems.append(_err(key, spec, "is not one of the choices.", "不在可选范围内"))
        elif _kind(value) != kind:
            problems.append(_err(key, spec, f"must be a {kind}.", "类型不符"))
    if not problems:
        merged = {**defaults, **(overrides or {})}
        if isinstance(merged.get("notice_days"), int) and isinstance(merged.get("notice_min_days"), int) \
                and merged["notice_days"] < merged["notice_min_days"]:
            problems.append(_err("notice_days", specs["notice_days"],
                                 f"must be at least the shortest notice ({merged['notice_min_days']} days).",
                                 f"不能少于公示最短天数（{merged['notice_min_days']} 天）"))
    return problems
