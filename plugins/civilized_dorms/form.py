"""先进集体创建立项申报表（寝室）: what a dorm leader (寝室长) fills to apply.

The notice (seed 000, 三(一)) asks each dorm for its type(s), its work so far
(工作基础、成功做法、特色经验) and an implementation plan (创建目标、主要举措、预期成果);
the expected outcomes are a list so the final evaluation can check each one. What
marshmallow's messages cannot say in Chinese (one or two types without repeats, one
to ten outcomes with unique ids) is checked by hooks.validate_application.
"""
from marshmallow import Schema, fields, validate

from core.plugin_kit import meta as _meta

from plugins.civilized_dorms.dorm_types import TYPE_CODES, TYPE_NAMES_ZH

PATENT_KINDS = ["invention", "utility_model", "design", "software_copyright", "other"]
MAX_OUTPUTS = 10


class ExpectedOutput(Schema):
    """一项预期成果: checked one by one at the final evaluation (评估考核)."""

    id = fields.String(required=True, validate=validate.Length(1, 20),
                       metadata=_meta("编号", "Short id (letters, digits, - or _), unique in the form"))
    description = fields.String(required=True, validate=validate.Length(2, 200),
                                metadata=_meta("成果描述", "What will be achieved"))


class Patent(Schema):
    """著作权或专利 (科研创新型 condition 2)."""

    kind = fields.String(required=True, validate=validate.OneOf(PATENT_KINDS),
                         metadata=_meta("类别", "Invention, utility model, design, software copyright, other",
                                        enum=PATENT_KINDS))
    title = fields.String(required=True, validate=validate.Length(2, 100), metadata=_meta("名称", "Title"))
    number = fields.String(validate=validate.Length(0, 40), metadata=_meta("授权号/登记号", "Grant or registration number"))


class CivilizedDormForm(Schema):
    """文明寝室创建立项申报表."""

    types = fields.List(
        fields.String(validate=validate.OneOf(TYPE_CODES),
                      metadata=_meta("类型", "Type code", **{"x-names-zh": TYPE_NAMES_ZH})),
        required=True, metadata=_meta("申报类型（1-2 项）", "Dorm types applied for (one or two)"))
    culture_theme = fields.String(validate=validate.Length(0, 100),
                                  metadata=_meta("寝室文化主题", "Theme of the dorm's culture"))
    convention = fields.String(required=True, validate=validate.Length(10, 1000),
                               metadata=_meta("寝室文明公约", "The dorm's civility convention (posted on the door)"))
    work_basis = fields.String(required=True, validate=validate.Length(10, 2000),
                               metadata=_meta("工作基础、成功做法、特色经验", "Work so far, what worked, distinctive practice"))
    goals = fields.String(required=True, validate=validate.Length(10, 2000), metadata=_meta("创建目标", "Goals"))
    measures = fields.String(required=True, validate=validate.Length(10, 3000), metadata=_meta("主要举措", "Measures"))
    expected_outputs = fields.List(
        fields.Nested(ExpectedOutput), required=True,
        metadata=_meta("预期成果", f"Expected outcomes (1 to {MAX_OUTPUTS}), each checked at the final evaluation"))
    patents = fields.List(fields.Nested(Patent), metadata=_meta("著作权/专利", "Copyrights and patents (科研创新型)"))
    contact_phone = fields.String(
        validate=validate.Regexp(r"^1\d{10}$", error="Not a valid mobile number."),
        metadata=_meta("寝室长手机号", "Dorm leader's mobile number"))
