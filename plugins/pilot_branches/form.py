"""项目申请表: the form a branch secretary fills for a pilot branch project."""
from marshmallow import Schema, fields, validate

from core.forms import Yuan
from core.plugin_kit import meta as _meta

THEMES = [
    "学思践悟·固本强基",
    "先锋领航·校园善治",
    "党旗飘扬·社区聚力",
    "师生结对·双向赋能",
    "育苗成长·薪火相传",
]

LEAD_ROLES = ["secretary", "deputy_secretary"]


class FacultyAdvisor(Schema):
    """指导教师: every project names one."""

    name = fields.String(required=True, validate=validate.Length(2, 30), metadata=_meta("姓名", "Name"))
    title = fields.String(validate=validate.Length(0, 30), metadata=_meta("职称/职务", "Title or post"))
    staff_no = fields.String(validate=validate.Length(0, 20), metadata=_meta("工号", "Staff number"))
    phone = fields.String(
        validate=validate.Regexp(r"^1\d{10}$", error="Not a valid mobile number."),
        metadata=_meta("手机号", "Mobile number"),
    )


class PilotBranchForm(Schema):
    """对标争先 项目申请表."""

    theme = fields.String(required=True, validate=validate.OneOf(THEMES), metadata=_meta("项目主题", "Theme", enum=THEMES))
    title = fields.String(required=True, validate=validate.Length(2, 60), metadata=_meta("项目名称", "Project title"))
    lead_role = fields.String(
        required=True, validate=validate.OneOf(LEAD_ROLES),
        metadata=_meta("负责人职务", "Lead's post: branch secretary or deputy", enum=LEAD_ROLES),
    )
    goals = fields.String(required=True, validate=validate.Length(10, 2000), metadata=_meta("创建目标", "Goals"))
    measures = fields.String(required=True, validate=validate.Length(10, 3000), metadata=_meta("主要举措", "Measures"))
    expected_outcomes = fields.String(
        required=True, validate=validate.Length(10, 2000), metadata=_meta("预期成果", "Expected outcomes")
    )
    planned_budget_yuan = Yuan(
        required=True, minimum=0, maximum=5000, metadata=_meta("预算金额（元）", "Planned budget (yuan)")
    )
    faculty_advisor = fields.Nested(FacultyAdvisor, required=True, metadata=_meta("指导教师", "Faculty advisor"))
