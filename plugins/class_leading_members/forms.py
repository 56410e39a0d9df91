"""The three forms of 学生带班党员 (seed 001 and its attachments).

What each form holds is what the notice's tables print (issue 7 renders them):
- 选拔: 附件2《新聘学生带班党员汇总表》— 学院, 姓名, 学号 and 政治面貌 come from the
  directory; the form adds 性别, 专业, 联系电话, the new class to lead (所带新生班级)
  and the candidate's statement against the 选聘条件.
- 考核: 附件5《学生带班党员考核审批表》(per person) and 附件4《考核情况汇总表》(per
  college) — the led class, 带班工作情况, 带班特色, the class's 班风学风 and the 带班征文
  (its title here, the essay itself an attachment); the grade, rank and opinions come
  from the final list.
- 案例: 附件1《工作案例文本体例式样》— 标题, 背景与起因, 做法与流程, 效果与启示,
  创意与评价; at most 1500 characters in all (checked by the hook, which names the
  count) and 3-5 photos (attachments).
"""
from marshmallow import Schema, fields, validate

GENDERS = ["男", "女"]
CASE_TOPICS = ["思想引领", "党员带班", "志愿服务", "疫情防控", "其他"]
CASE_SECTIONS = ("title", "background", "approach", "effect", "evaluation")


def _meta(zh, en, **extra):
    return {"title": zh, "description": en, **extra}


def _text(zh, en, least, most, required=True):
    return fields.String(required=required, validate=validate.Length(least, most), metadata=_meta(zh, en))


def _led_class_id():
    # The class unit's id in the directory: the per-class cap of the selection and the
    # disciplinary facts of the assessment are keyed on it.
    return fields.String(required=True, validate=validate.Length(1, 64),
                         metadata=_meta("所带班级编号", "Directory id of the class led"))


def _phone():
    return fields.String(validate=validate.Regexp(r"^1\d{10}$", error="Not a valid mobile number."),
                         metadata=_meta("联系电话", "Mobile number"))


class SelectionForm(Schema):
    """学生带班党员选聘 申请（新聘学生带班党员汇总表的一行）."""

    gender = fields.String(required=True, validate=validate.OneOf(GENDERS),
                           metadata=_meta("性别", "Gender", enum=GENDERS))
    major = _text("专业", "Major", 2, 40, required=False)
    phone = _phone()
    led_class_id = _led_class_id()
    led_class_name = _text("所带新生班级", "The new class to lead", 2, 60)
    statement = _text("个人情况与带班设想", "Why the candidate fits the 选聘条件 and how they would lead the class",
                      20, 1500)


class AssessmentForm(Schema):
    """学生带班党员考核审批表."""

    gender = fields.String(required=True, validate=validate.OneOf(GENDERS),
                           metadata=_meta("性别", "Gender", enum=GENDERS))
    phone = _phone()
    led_class_id = _led_class_id()
    led_class_name = _text("所带班级", "The class led this academic year", 2, 60)
    work_summary = _text("带班工作情况（职责履行与工作实绩）", "Duties fulfilled and results of the year", 50, 3000)
    distinctive_work = _text("带班特色及在新生中的威信与影响力", "What was distinctive; standing among the freshmen",
                             20, 2000)
    class_conduct = _text("所带班级班风学风与凝聚力", "Conduct, study climate and cohesion of the class led",
                          20, 1000)
    essay_title = _text("带班征文题目", "Title of the class-leading essay (the essay is attached)", 2, 60)


class CaseForm(Schema):
    """学生带班党员优秀案例（工作案例文本）."""

    led_class_id = _led_class_id()
    led_class_name = _text("所带班级", "The class led", 2, 60)
    topic = fields.String(validate=validate.OneOf(CASE_TOPICS), metadata=_meta("案例主题", "Topic", enum=CASE_TOPICS))
    title = _text("标题", "Title", 2, 60)
    background = _text("背景与起因", "Background and cause", 20, 1500)
    approach = _text("做法与流程", "Approach and process", 20, 1500)
    effect = _text("效果与启示", "Effect and lessons", 20, 1500)
    evaluation = _text("创意与评价", "What is original; evaluation", 10, 1500)
