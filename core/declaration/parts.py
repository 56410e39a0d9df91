"""The plain parts of a declaration: attachments, stages, settings and the form's
labels, as typed data."""
from marshmallow import ValidationError, fields, validate, validates_schema

from core.errors import field_error
from core.uploads import CONTENT_TYPES

from .base import CODE, Bool, Strict, Whole, both, code, text

#: File types an attachment may accept (each upload is sniffed: core/uploads.py).
FILE_TYPES = tuple(CONTENT_TYPES)

#: The steps of the shared life cycle a program may use, in their order. The
#: applications service acts on ``midterm`` and ``final_evaluation`` (stage reports
#: and assessments) and ``nomination``; the others name what the program's pages show.
STAGES = ("application", "counselor_review", "college_review", "review", "school_review", "notice",
          "implementation", "midterm", "final_evaluation", "closing", "award", "nomination")


class Attachment(Strict):
    """One kind of file an applicant uploads (项目申请表, 照片...)."""

    kind = code(required=True)
    label_zh = text(40, required=True)
    label_en = text(80, required=True)
    types = fields.List(fields.String(validate=validate.OneOf(FILE_TYPES)), required=True,
                        validate=validate.Length(min=1))
    required = Bool()
    min_count = Whole(validate=validate.Range(min=0))
    max_count = Whole(validate=validate.Range(min=1))

    @validates_schema
    def _counts(self, data, **kwargs):
        if data.get("min_count", 0) > data.get("max_count", 10 ** 6):
            raise ValidationError(both("min_count exceeds max_count", "最少数量大于最多数量"), "min_count")


class PlatformSettings(Strict):
    """The settings the shared services read; a program's own settings sit next to
    them (any snake_case key with a JSON value) and a campaign may override any
    declared key, none other."""

    notice_days = Whole(validate=validate.Range(1, 30))
    notice_min_days = Whole(validate=validate.Range(1, 30))
    expected_outputs_field = code()


PLATFORM_SETTINGS = tuple(PlatformSettings._declared_fields)


class SettingSpec(Strict):
    """How a setting is shown and checked on the campaign's settings form
    (core/settings_spec.py): its label, range, choices, a mapping's part labels."""

    label_zh = text(40, required=True)
    label_en = text(100, required=True)
    minimum = Whole()
    maximum = Whole()
    choices = fields.Dict(keys=fields.String(validate=validate.Length(1, 40)),
                          values=fields.List(text(60), validate=validate.Length(2, 2)))
    parts = fields.Dict(keys=code(), values=fields.List(text(60), validate=validate.Length(2, 2)))
    fixed = Bool()


def stage_errors(stages):
    """Stages are known codes, each once, beginning with ``application``."""
    if not isinstance(stages, list) or not stages:
        return [field_error("stages", "must be a non-empty list of stages", "须为非空的环节列表")]
    errors = []
    for i, stage in enumerate(stages):
        if stage not in STAGES:
            errors.append(field_error(f"stages[{i}]", f"unknown stage {stage!r}; known: {', '.join(STAGES)}",
                                      f"未知的环节 {stage!r}；可用：{'、'.join(STAGES)}"))
    if len(set(map(str, stages))) != len(stages):
        errors.append(field_error("stages", "lists a stage twice", "环节重复"))
    if stages[0] != "application":
        errors.append(field_error("stages[0]", "the first stage must be application", "第一个环节须为 application（申报）"))
    return errors


def settings_errors(settings, form_schema, spec=None):
    """Keys are snake_case codes; the platform's keys have their types; an
    ``expected_outputs_field`` names a field of the form; the spec describes only
    settings that exist (or the platform's)."""
    if not isinstance(settings, dict):
        return [field_error("settings", "must be an object", "须为对象")]
    from core.settings_spec import PLATFORM
    unknown = [k for k in (spec if isinstance(spec, dict) else {}) if k not in settings and k not in PLATFORM]
    errors = [field_error(f"settings_spec.{k}", "describes no setting", "没有这个设置项") for k in unknown]
    errors += [field_error(f"settings.{k}", "a setting's name must be a lower-case code",
                           "设置项名称须为小写英文代码") for k in settings if not (isinstance(k, str) and CODE.match(k))]
    platform = {k: v for k, v in settings.items() if k in PLATFORM_SETTINGS}
    from .base import check
    errors += check(PlatformSettings(), platform, "settings")
    named = settings.get("expected_outputs_field")
    if isinstance(named, str) and named not in (form_schema.get("properties") or {}):
        errors.append(field_error("settings.expected_outputs_field", f"the form has no field {named!r}",
                                  f"申报表中没有字段 {named!r}"))
    return errors


def form_label_errors(form_schema, where="form"):
    """Every field of the form (nested ones too) has a Chinese ``title``: no page
    shows a field's internal name."""
    errors = []
    for name, prop in (form_schema.get("properties") or {}).items():
        if not prop.get("title"):
            errors.append(field_error(f"{where}.{name}", "has no label: give metadata title (Chinese) and "
                                      "description (English)", "缺少显示名称：请在 metadata 中给出 title（中文）"
                                      "和 description（英文）"))
        for nested in (prop, prop.get("items") or {}):
            if nested.get("properties"):
                errors += form_label_errors(nested, f"{where}.{name}")
    return errors


#: The value types a program's own fact kind may use (the records service's field types).
FACT_FIELD_TYPES = ("text", "choice", "boolean", "integer", "number", "month")
SUBJECT_KINDS = ("person", "class", "dorm", "branch")


class FactField(Strict):
    """One field of a fact's value, read from a spreadsheet column (its Chinese label
    or one of ``columns``)."""

    name = code(required=True)
    label_zh = text(20, required=True)
    type = fields.String(required=True, validate=validate.OneOf(FACT_FIELD_TYPES))
    required = Bool()
    columns = fields.List(text(20))
    choices = fields.Dict(keys=code(), values=text(20))
    minimum = Whole()
    maximum = Whole()
    max_length = Whole(validate=validate.Range(1, 2000))

    @validates_schema
    def _choices(self, data, **kwargs):
        if (data["type"] == "choice") != bool(data.get("choices")):
            raise ValidationError(both("choices belong to (and are required by) type choice",
                                       "仅 choice 类型需要且必须给出 choices"), "choices")


class FactKind(Strict):
    """A kind of fact the program reads (记录类别), registered with the records service
    as ``<program>:<code>`` (namespaced by the program that declares it)."""

    code = code(required=True)
    label_zh = text(20, required=True)
    label_en = text(80, required=True)
    subjects = fields.List(fields.String(validate=validate.OneOf(SUBJECT_KINDS)), required=True,
                           validate=validate.Length(min=1))
    fields_ = fields.List(fields.Nested(FactField), required=True, validate=validate.Length(min=1),
                          data_key="fields")
    description = text(300)
