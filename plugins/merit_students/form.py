"""The 申请表 (application forms) of 三好学生 and 优秀学生干部."""
from marshmallow import Schema, fields, validate

from core.plugin_kit import meta


class MeritForm(Schema):
    """三好学生申请表: the main deeds. The 综合测评 result is not typed here: the college
    imports the class's assessment sheet as facts (program.ASSESSMENT_KIND)."""

    phone = fields.String(validate=validate.Regexp(r"^1\d{10}$", error="Not a valid mobile number."),
                          metadata=meta("手机号", "Mobile number"))
    deeds = fields.String(required=True, validate=validate.Length(50, 1500),
                          metadata=meta("主要事迹", "Main deeds (50-1500 characters)"))


class CadreForm(MeritForm):
    """优秀学生干部申请表: the post held in the year assessed as well."""

    post = fields.String(required=True, validate=validate.Length(2, 50),
                         metadata=meta("担任职务", "Post held (e.g. 班长, 团支书, 学生会部长)"))
