"""The 申请表 (application forms) of 三好学生 and 优秀学生干部."""
from marshmallow import Schema, fields, validate

from core.plugin_kit import meta


class MeritForm(Schema):
    """三好学生申请表: the 综合测评 result as the class's assessment sheet shows it (the
    counselor checks it against the sheet before approving) and the main deeds."""

    assessment_rank = fields.Integer(required=True, strict=True, validate=validate.Range(min=1),
                                     metadata=meta("综合测评班级排名", "Class rank in the comprehensive assessment"))
    assessment_score = fields.Float(required=True, validate=validate.Range(0, 100),
                                    metadata=meta("综合测评成绩", "Comprehensive assessment score"))
    phone = fields.String(validate=validate.Regexp(r"^1\d{10}$", error="Not a valid mobile number."),
                          metadata=meta("手机号", "Mobile number"))
    deeds = fields.String(required=True, validate=validate.Length(50, 1500),
                          metadata=meta("主要事迹", "Main deeds (50-1500 characters)"))


class CadreForm(MeritForm):
    """优秀学生干部申请表: the post held in the year assessed as well."""

    post = fields.String(required=True, validate=validate.Length(2, 50),
                         metadata=meta("担任职务", "Post held (e.g. 班长, 团支书, 学生会部长)"))
