"""申报书: the form a party branch fills to nominate itself as a benchmark branch.

Its parts follow the notice (seed 004): the branch's basic data and roster, how it fulfils its
duties (condition 1), its organisational life (condition 2), how it implements the
school's "一融双高" plan and with what results (condition 3), the creation plan with a
deadline for every measure, and the expected outputs of the 2-year creation cycle
(a list of {id, description}: the final evaluation checks each one). Cross-field rules
(duplicates, duties of the branch's type, deadlines within the cycle) are in hooks.py.
"""
from marshmallow import Schema, fields, validate

from core.plugin_kit import meta as _meta

from plugins.benchmark_branches.duties import ALL_DUTIES, BRANCH_TYPES

# The forms of output the notice lists (成果形式包括但不限于 1-5), plus "other".
OUTPUT_CATEGORIES = ("experience", "landmark", "case", "brand", "research", "other")
OUTPUT_CATEGORY_ZH = {
    "experience": "可复制、可推广的“一融双高”建设经验做法",
    "landmark": "党建引领事业高质量发展的标志性成果",
    "case": "校级及以上优秀党建工作法、典型案例",
    "brand": "基层党建和思想政治工作特色品牌、载体阵地",
    "research": "基层党建研究课题、论文和专著",
    "other": "其他成果",
}


def _text(lo, hi, zh, en, required=True):
    return fields.String(required=required, validate=validate.Length(lo, hi), metadata=_meta(zh, en))


def _count(zh, en):
    return fields.Integer(required=True, strict=True, validate=validate.Range(0, 366), metadata=_meta(zh, en))


class BranchBasics(Schema):
    """支部基本情况."""

    branch_type = fields.String(required=True, validate=validate.OneOf(BRANCH_TYPES),
                                metadata=_meta("支部类型（教工/学生）", "Branch type: faculty or student",
                                               enum=list(BRANCH_TYPES)))
    secretary_name = _text(2, 30, "支部书记", "Branch secretary")
    host_unit = _text(2, 60, "所在单位（系、所、年级等）", "Host unit (department, institute, year...)")
    # 党章: a branch needs at least three full members.
    full_members = fields.Integer(required=True, strict=True, validate=validate.Range(3, 1000),
                                  metadata=_meta("正式党员人数", "Full members"))
    probationary_members = fields.Integer(load_default=0, strict=True, validate=validate.Range(0, 1000),
                                          metadata=_meta("预备党员人数", "Probationary members"))
    introduction = _text(10, 1500, "支部简介", "About the branch")


POSTS = ("secretary", "deputy_secretary", "committee_member", "member")
POST_ZH = {"secretary": "书记", "deputy_secretary": "副书记", "committee_member": "支部委员", "member": "党员"}


class RosterEntry(Schema):
    """One person of the branch (支部党员名单): the directory's person id, so honours and
    incidents recorded for that person are found."""

    person_id = fields.String(required=True, validate=validate.Length(1, 60), metadata=_meta("人员编号", "Person id"))
    name = _text(1, 30, "姓名", "Name")
    post = fields.String(load_default="member", validate=validate.OneOf(POSTS),
                         metadata=_meta("支部职务", "Post in the branch", enum=list(POSTS)))


class DutyAttestation(Schema):
    """One duty (职责) and how the branch fulfils it."""

    duty = fields.String(required=True, validate=validate.OneOf(ALL_DUTIES),
                         metadata=_meta("职责", "Duty", enum=list(ALL_DUTIES)))
    evidence = _text(10, 1000, "履职情况与佐证", "How the branch fulfils it, with evidence")


class OrganisationalLife(Schema):
    """组织生活: counted over the 12 months before the deadline."""

    member_meetings = _count("支部党员大会次数", "Branch member meetings")
    committee_meetings = _count("支部委员会会议次数（设支委会的支部）", "Branch committee meetings (if it has a committee)")
    party_lessons = _count("党课次数", "Party lessons")
    theme_days = _count("主题党日次数", "Theme Party days")
    life_meetings = _count("组织生活会次数", "Organisational life meetings")
    democratic_review = fields.Boolean(required=True, metadata=_meta("是否开展民主评议党员", "Democratic review of members held"))
    innovations = _text(10, 1500, "标准化规范化建设与创新举措", "Standardisation and innovations")


class PlanResult(Schema):
    """One result of implementing the school's "一融双高" plan."""

    description = _text(5, 500, "成效", "Result")
    evidence = fields.String(load_default="", validate=validate.Length(0, 500), metadata=_meta("佐证", "Evidence"))


class PlanImplementation(Schema):
    """落实《基层党组织推进“一融双高”建设实施方案》情况."""

    approach = _text(10, 2000, "主要做法", "How the branch implements the plan")
    results = fields.List(fields.Nested(PlanResult), load_default=list, validate=validate.Length(0, 20),
                          metadata=_meta("阶段性成效", "Results so far"))


class Measure(Schema):
    """A creation measure with its deadline (创建举措要实在……明确完成时限)."""

    content = _text(5, 500, "创建举措", "Measure")
    due = fields.Date(required=True, metadata=_meta("完成时限", "Deadline"))


class CreationPlan(Schema):
    """创建思路与举措."""

    ideas = _text(10, 2000, "创建思路", "Approach")
    measures = fields.List(fields.Nested(Measure), required=True, validate=validate.Length(1, 30),
                           metadata=_meta("创建举措", "Measures"))


class ExpectedOutput(Schema):
    """One expected output (预期成效): quantified where it can be, assessable otherwise.
    The final evaluation report must address it by its `id`."""

    id = fields.String(required=True, validate=validate.Length(1, 40), metadata=_meta("编号", "Id"))
    category = fields.String(required=True, validate=validate.OneOf(OUTPUT_CATEGORIES),
                             metadata=_meta("成果形式", "Kind of output", enum=list(OUTPUT_CATEGORIES)))
    description = _text(5, 500, "预期成效", "Expected output")
    indicator = fields.String(load_default="", validate=validate.Length(0, 200),
                              metadata=_meta("考核指标", "How it is measured"))


class BenchmarkBranchForm(Schema):
    """党建工作样板支部 申报书."""

    basic_info = fields.Nested(BranchBasics, required=True, metadata=_meta("支部基本情况", "The branch"))
    roster = fields.List(fields.Nested(RosterEntry), required=True, validate=validate.Length(3, 1000),
                         metadata=_meta("支部党员名单（含预备党员）", "The branch's members, probationary ones included"))
    duties = fields.List(fields.Nested(DutyAttestation), required=True, validate=validate.Length(0, 12),
                         metadata=_meta("履行职责情况", "Duties fulfilled"))
    organisational_life = fields.Nested(OrganisationalLife, required=True,
                                        metadata=_meta("组织生活情况", "Organisational life"))
    plan_implementation = fields.Nested(PlanImplementation, required=True,
                                        metadata=_meta("落实“一融双高”实施方案情况", "The school's plan"))
    creation_plan = fields.Nested(CreationPlan, required=True, metadata=_meta("创建思路与举措", "Creation plan"))
    expected_outputs = fields.List(fields.Nested(ExpectedOutput), required=True, validate=validate.Length(1, 20),
                                   metadata=_meta("预期成效", "Expected outputs"))
