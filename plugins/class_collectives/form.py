"""先进集体创建立项申报表 (seed 000, 附件3): what a class fills to apply.

The notice asks each class for an implementation plan with 创建目标、主要举措及预期成果
(goals, main measures, expected outputs), built on a summary of its 工作基础、成功做法、
特色经验. The expected outputs are a list of ``{"id", "description"}`` so the final
evaluation (评估考核) can check each one (program setting ``expected_outputs_field``);
their ids must be unique (checked by the hooks, which word the error in both languages).
The class's roster is part of the form because the hooks cannot read the directory
(see hooks.py); the counselor checks it before approving.
"""
from marshmallow import Schema, fields, validate

from core.plugin_kit import meta as _meta


class ExpectedOutput(Schema):
    """预期成果: one result the class commits to, checked at the final evaluation."""

    id = fields.String(required=True, validate=validate.Length(1, 20), metadata=_meta("编号", "Short id, e.g. o1"))
    description = fields.String(required=True, validate=validate.Length(4, 300),
                                metadata=_meta("成果内容", "What will be achieved"))


class ClassCollectiveForm(Schema):
    """先进班集体创建 立项申报表."""

    # The class's roster, checked by the counselor before approval: the failure rate,
    # fraud victims and the class's civilized dorms are counted over it (hooks.py).
    member_ids = fields.List(fields.String(validate=validate.Length(1, 60)), required=True,
                             validate=validate.Length(1, 200),
                             metadata=_meta("班级学生名单", "The class's students (person ids in the directory)"))
    head_teacher = fields.String(validate=validate.Length(2, 30), metadata=_meta("班主任", "Head teacher"))
    foundation = fields.String(validate=validate.Length(0, 3000),
                               metadata=_meta("工作基础、成功做法、特色经验",
                                              "What the class has already built, what works, what is distinctive"))
    goals = fields.String(required=True, validate=validate.Length(10, 2000), metadata=_meta("创建目标", "Goals"))
    measures = fields.String(required=True, validate=validate.Length(10, 3000),
                             metadata=_meta("主要举措", "Main measures"))
    expected_outputs = fields.List(fields.Nested(ExpectedOutput), required=True,
                                   validate=validate.Length(1, 10),
                                   metadata=_meta("预期成果", "Expected outputs (1-10), checked at the final "
                                                  "evaluation"))
