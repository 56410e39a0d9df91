"""The catalog of fact kinds (记录类别): what the platform accepts as a fact about a
person, class, dorm or party branch, and the shape of each kind's `value`.

Plain Python. One table, `KINDS`, keyed by code. For each kind it says:
  * its labels (Chinese for people, English for the API),
  * the subject kinds it applies to (`person`, `class`, `dorm`, `branch`),
  * the fields of `value`: type, whether required, and the spreadsheet columns an
    import reads them from (several aliases, because offices name columns
    differently; the first non-empty one is taken).

`validate_value(kind, value)` checks a value sent as JSON (add_fact);
`value_from_cells(kind, cells)` builds one from spreadsheet cells (imports), which
also accept the Chinese labels of choices (一等, 校级) and 是/否 for yes/no;
`normalise_value` undoes what storage does to a value (booleans may come back 0/1)
so readers always get the same JSON. Plugins read values by these field names.
"""
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

SUBJECT_KINDS = {"person": "个人", "class": "班级", "dorm": "寝室", "branch": "党支部"}
SUBJECT_LABELS_EN = {"person": "person", "class": "class", "dorm": "dorm", "branch": "party branch"}
# What a spreadsheet may write in 对象类型; codes are accepted too.
SUBJECT_ALIASES = {"个人": "person", "学生": "person", "人员": "person", "班级": "class", "班集体": "class",
                   "寝室": "dorm", "宿舍": "dorm", "党支部": "branch", "支部": "branch"}

LEVELS = {"college": "院级", "school": "校级", "province": "省级", "national": "国家级", "ministry": "部级（教育部）"}
LEVEL_ALIASES = {"学院级": "college", "学校级": "school", "省部级": "province", "教育部": "ministry", "部级": "ministry"}
YES = {"是", "y", "yes", "true", "1", "√", "有"}
NO = {"否", "n", "no", "false", "0", "×", "无"}


class FieldError(ValueError):
    """One bad value: `message` in English, `message_zh` in Chinese."""

    def __init__(self, message, message_zh):
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh


@dataclass(frozen=True)
class Field:
    """A field of a kind's value. Subclasses say the type."""

    name: str
    label_zh: str
    columns: tuple
    required: bool = True
    type_name = "string"

    def load(self, value):
        """The clean JSON value of `value` sent as JSON; FieldError when wrong."""
        raise NotImplementedError

    def from_cell(self, cell):
        """The clean JSON value of a spreadsheet cell (text, number, date or bool)."""
        return self.load(_cell_text(cell))

    def normalise(self, stored):
        return stored

    def describe(self):
        return {"name": self.name, "type": self.type_name, "required": self.required, "label_zh": self.label_zh,
                "columns": list(self.columns)}


@dataclass(frozen=True)
class Text(Field):
    max_length: int = 200

    def load(self, value):
        if not isinstance(value, str) or not value.strip():
            raise FieldError("Must be non-empty text.", "须为非空文本")
        value = value.strip()
        if len(value) > self.max_length:
            raise FieldError(f"Longer than {self.max_length} characters.", f"长度不能超过 {self.max_length} 个字符")
        return value

    def describe(self):
        return dict(super().describe(), max_length=self.max_length)


@dataclass(frozen=True)
class Choice(Field):
    """One of `choices` ({code: Chinese label}); imports may write the label or an alias."""

    choices: dict = field(default_factory=dict)
    aliases: dict = field(default_factory=dict)
    type_name = "choice"

    def load(self, value):
        if value not in self.choices:
            raise FieldError(f"Must be one of: {', '.join(self.choices)}.",
                             f"须为以下之一：{'、'.join(f'{c}（{z}）' if c != z else c for c, z in self.choices.items())}")
        return value

    def from_cell(self, cell):
        text = _cell_text(cell)
        by_label = {label: code for code, label in self.choices.items()}
        code = by_label.get(text) or self.aliases.get(text) or (text if text in self.choices else text.lower())
        return self.load(code)

    def describe(self):
        return dict(super().describe(), choices=dict(self.choices))


@dataclass(frozen=True)
class Flag(Field):
    """Yes or no; JSON true/false, spreadsheets 是/否."""

    type_name = "boolean"

    def load(self, value):
        if not isinstance(value, bool):
            raise FieldError("Must be true or false.", "须为是或否（true/false）")
        return value

    def from_cell(self, cell):
        if isinstance(cell, bool):
            return cell
        text = _cell_text(cell).lower()
        if text in YES:
            return True
        if text in NO:
            return False
        raise FieldError("Must be 是 or 否.", "须填「是」或「否」")

    def normalise(self, stored):
        return None if stored is None else bool(stored)  # nx-27017 may return 0/1


@dataclass(frozen=True)
class Count(Field):
    minimum: int = 0
    maximum: int = 100000
    type_name = "integer"

    def load(self, value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise FieldError("Must be a whole number.", "须为整数")
        if not self.minimum <= value <= self.maximum:
            raise FieldError(f"Must be from {self.minimum} to {self.maximum}.",
                             f"须在 {self.minimum} 到 {self.maximum} 之间")
        return value

    def from_cell(self, cell):
        text = _cell_text(cell)
        if not re.fullmatch(r"-?\d+", text):
            raise FieldError("Must be a whole number.", "须为整数")
        return self.load(int(text))


@dataclass(frozen=True)
class Score(Field):
    """A mark from 0 to 100 (at most one decimal, as transcripts print it)."""

    type_name = "number"

    def load(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
            raise FieldError("Must be a number from 0 to 100.", "须为 0 到 100 之间的数")
        return round(float(value), 1)

    def from_cell(self, cell):
        try:
            number = float(_cell_text(cell))
        except ValueError:
            raise FieldError("Must be a number from 0 to 100.", "须为 0 到 100 之间的数") from None
        return self.load(number)


@dataclass(frozen=True)
class Month(Field):
    """A calendar month "YYYY-MM" (monthly ratings, monthly theory study)."""

    type_name = "month"

    def load(self, value):
        match = re.fullmatch(r"(\d{4})-(\d{2})", value) if isinstance(value, str) else None
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise FieldError("Must be a month like 2023-10.", "须为月份，如 2023-10")
        return value

    def from_cell(self, cell):
        if hasattr(cell, "year") and hasattr(cell, "month"):  # an Excel date cell
            return f"{cell.year:04d}-{cell.month:02d}"
        text = _cell_text(cell)
        match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?", text)
        return self.load(f"{match.group(1)}-{int(match.group(2)):02d}" if match else text)


@dataclass(frozen=True)
class Fen(Field):
    """Money as integer fen (分); imports write yuan (元) with at most two decimals."""

    type_name = "integer_fen"

    def load(self, value):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise FieldError("Must be a positive whole number of fen.", "须为正整数（单位：分）")
        return value

    def from_cell(self, cell):
        text = _cell_text(cell).replace(",", "").replace("¥", "").replace("元", "")
        try:
            yuan = Decimal(text)
            exact = yuan == yuan.quantize(Decimal("0.01"))  # InvalidOperation past 28 digits (1e400) or NaN
        except InvalidOperation:
            raise FieldError("Must be an amount in yuan, e.g. 1200.50.", "须为金额（元），如 1200.50") from None
        if not exact:
            raise FieldError("At most two decimal places (no fractions of a fen).", "最多两位小数（不能有不足一分的金额）")
        return self.load(int(yuan * 100))


@dataclass(frozen=True)
class Kind:
    code: str
    label_zh: str
    label_en: str
    subjects: tuple
    fields: tuple
    description: str = ""

    def describe(self):
        return {"code": self.code, "label_zh": self.label_zh, "label_en": self.label_en,
                "subjects": list(self.subjects), "description": self.description,
                "value": [f.describe() for f in self.fields]}


def _level(required=True):
    return Choice("level", "级别", ("级别",), required, choices=LEVELS, aliases=LEVEL_ALIASES)


def _name(label="名称", columns=("名称",), required=True):
    return Text("name", label, columns, required, max_length=100)


def _description(required=True):
    return Text("description", "情况说明", ("情况说明", "内容", "说明", "描述"), required, max_length=500)


_KINDS = (
    Kind("scholarship", "奖学金", "Scholarship", ("person",), (
        Choice("level", "等级", ("等级", "级别"), choices={"special": "特等", "first": "一等", "second": "二等",
                                                          "third": "三等"},
               aliases={"特等奖": "special", "一等奖": "first", "二等奖": "second", "三等奖": "third"}),
        _name("奖学金名称"),
    ), "e.g. 三好学生奖学金 (二等); 标兵 needs at least a third-class one"),
    Kind("failed_course", "课程不及格", "Failed course", ("person",), (
        Text("course", "课程", ("课程", "课程名称"), max_length=100),
        Flag("required", "是否必修", ("是否必修", "必修")),
        Score("score", "成绩", ("成绩", "分数"), required=False),
    )),
    Kind("makeup_exam", "补考", "Make-up exam", ("person",), (
        Text("course", "课程", ("课程", "课程名称"), max_length=100),
        Flag("required", "是否必修", ("是否必修", "必修")),
        Flag("passed", "是否通过", ("是否通过",), required=False),
    )),
    Kind("disciplinary", "违纪处分", "Disciplinary sanction", ("person", "class", "dorm"), (
        Choice("severity", "处分", ("处分", "处分类型", "严重程度"), choices={
            "criticism": "通报批评", "warning": "警告", "serious_warning": "严重警告", "demerit": "记过",
            "serious_demerit": "记大过", "probation": "留校察看", "expulsion": "开除学籍"}),
        _description(),
    )),
    Kind("bad_credit", "不良信用记录", "Bad credit record", ("person",), (_description(),)),
    Kind("honour", "个人荣誉", "Personal honour", ("person",), (_level(), _name("荣誉名称"))),
    Kind("commendation", "表彰", "Commendation", ("person", "branch"), (_level(), _name("表彰名称")),
         "A commendation of a party branch or its secretary (e.g. 先进基层党组织)"),
    Kind("secretary_review", "书记述职评议", "Party secretary's annual review", ("branch", "person"), (
        Choice("grade", "评议等次", ("评议等次", "等次", "等级"), choices={"好": "好", "较好": "较好", "一般": "一般", "差": "差"},
               aliases={"good": "好", "fairly_good": "较好", "average": "一般", "poor": "差"}),
    )),
    Kind("dorm_monthly_rating", "月度文明寝室评比", "Monthly civilized-dorm rating", ("dorm",), (
        Month("month", "月份", ("月份",)),
        Flag("won", "是否获评", ("是否获评", "获评")),
    )),
    Kind("dorm_inspection", "周五寝室检查违规", "Friday dorm inspection finding", ("dorm",), (
        Choice("violation", "违规类型", ("违规类型",), choices={
            "high_power_appliance": "大功率电器", "late_return": "晚归", "pet": "饲养宠物", "other": "其他"},
               aliases={"违规电器": "high_power_appliance", "违章电器": "high_power_appliance", "宠物": "pet",
                        "夜不归宿": "late_return"}),
        _description(required=False),
    ), "Only violations are recorded; a dorm with none has no fact of this kind"),
    Kind("theory_study", "周四理论学习", "Thursday theory study", ("dorm",), (
        Month("month", "月份", ("月份",)),
        Count("sessions", "次数", ("次数", "学习次数"), maximum=31),
        Text("evidence", "佐证（钉钉审批编号）", ("佐证", "钉钉审批编号", "审批编号"), required=False),
    )),
    Kind("health_standard", "体质健康测试", "Physical health standard", ("person",), (
        Flag("met", "是否达标", ("是否达标", "达标")),
        Score("score", "成绩", ("成绩", "分数"), required=False),
    )),
    Kind("fee_arrears", "欠费", "Fees owed", ("person",), (
        Fen("amount_fen", "金额（元）", ("金额（元）", "金额(元)", "金额"), required=False),
        Text("item", "欠费项目", ("欠费项目",), required=False, max_length=100),
    )),
    Kind("incident", "问题与违纪违法", "Problem, incident or violation", ("branch", "person", "class", "dorm"), (
        Choice("severity", "性质", ("性质", "严重程度"), choices={
            "prominent_problem": "突出问题", "major_incident": "重大事故", "serious_violation": "严重违纪违法"},
               aliases={"重大事件": "major_incident", "严重违纪": "serious_violation", "严重违法违纪": "serious_violation"}),
        _description(),
    ), "For the benchmark branches' 'no prominent problem, major incident or serious violation'"),
    Kind("innovation_contest", "创新创业竞赛", "Innovation contest", ("person",), (
        _name("竞赛名称"),
        _level(required=False),
        Text("result", "获奖情况", ("获奖情况", "结果"), required=False, max_length=100),
        Flag("patent", "是否专利", ("是否专利", "专利"), required=False),
    ), "Taking part counts; a patent is recorded with 是否专利 = 是"),
    Kind("collective_award", "集体荣誉", "Collective award", ("class", "dorm", "branch"), (
        _level(), _name("荣誉名称"),
    )),
    Kind("fraud_victim", "电信诈骗受害", "Fraud victim", ("person",), (
        Fen("amount_fen", "金额（元）", ("金额（元）", "金额(元)", "金额"), required=False),
        _description(),
    )),
    Kind("psych_activity", "心理健康活动", "Psychological health activity", ("class", "person"), (
        _name("活动名称"),
        Count("participants", "参与人数", ("参与人数", "人数"), required=False),
    )),
    Kind("sports_activity", "体育活动", "Sports activity", ("class", "person"), (
        _name("活动名称"),
        Count("participants", "参与人数", ("参与人数", "人数"), required=False),
        Text("result", "获奖情况", ("获奖情况", "结果"), required=False, max_length=100),
    )),
    Kind("student_cadre_review", "学生干部考核", "Student cadre review", ("person",), (
        Text("position", "职务", ("职务",), max_length=50),
        Choice("result", "考核结果", ("考核结果", "结果"), choices={"excellent": "优秀", "passed": "合格", "failed": "不合格"}),
    ), "知行合一 dorms need two members who are student cadres that passed their review"),
    Kind("veteran_activity", "退伍军人红岩活动", "Veterans' Hongyan activity", ("person",), (
        _name("活动名称"),
        Count("sessions", "次数", ("次数",), minimum=1, maximum=100, required=False),
    ), "One fact per activity (次数 defaults to 1); veteran dorms need at least 3"),
)

KINDS = {kind.code: kind for kind in _KINDS}
LABELS = {kind.label_zh: kind.code for kind in _KINDS}
BUILT_IN = frozenset(KINDS)

# -- kinds a program declares (core.declaration: fact_kinds) ------------------------------
_FIELD_TYPES = {"text": Text, "choice": Choice, "boolean": Flag, "integer": Count, "number": Score, "month": Month}


def kind_from_spec(code, spec):
    """A Kind from a program's declared spec (already typed by core.declaration);
    `code` is the namespaced code ``<program>:<code>``."""
    made = []
    for f in spec["fields"]:
        extra = {k: f[k] for k in ("choices", "minimum", "maximum", "max_length") if k in f}
        made.append(_FIELD_TYPES[f["type"]](f["name"], f["label_zh"], tuple(f.get("columns") or [f["label_zh"]]),
                                            required=f.get("required", True), **extra))
    return Kind(code, spec["label_zh"], spec["label_en"], tuple(spec["subjects"]), tuple(made),
                spec.get("description", ""))


def kind_conflicts(kinds):
    """Problems (field, en, zh) of adding `kinds`: a code may only replace a program
    kind of its own, a Chinese label (what spreadsheets write in 类别) names one kind."""
    problems = []
    for kind in kinds:
        if kind.code in BUILT_IN:
            problems.append(("fact_kinds", f"{kind.code} is a built-in kind", f"{kind.code} 是平台内置的记录类别"))
        holder = LABELS.get(kind.label_zh)
        if holder is not None and holder != kind.code:
            problems.append(("fact_kinds", f"the label {kind.label_zh} already names {holder}",
                             f"名称「{kind.label_zh}」已被记录类别 {holder} 使用"))
    return problems


def register(kinds):
    """Add (or replace) program kinds in this process's catalog; see `kind_conflicts`."""
    for kind in kinds:
        old = KINDS.get(kind.code)
        if old is not None:
            LABELS.pop(old.label_zh, None)
        KINDS[kind.code] = kind
        LABELS[kind.label_zh] = kind.code


def kind_code(text):
    """A kind's code from its code or its Chinese label; None when unknown."""
    text = (text or "").strip()
    return text if text in KINDS else LABELS.get(text)


def subject_kind_code(text):
    text = (text or "").strip()
    return text if text in SUBJECT_KINDS else SUBJECT_ALIASES.get(text)


def value_columns():
    """Every column name some kind's value is read from."""
    return {column for kind in KINDS.values() for f in kind.fields for column in f.columns}


def validate_value(kind_code_, value, prefix="value"):
    """(clean value, problems) for a value sent as JSON; problems are
    (field, message, message_zh) tuples naming ``value.<name>``."""
    kind = KINDS[kind_code_]
    if not isinstance(value, dict):
        return None, [(prefix, "The value must be an object.", "value 须为对象")]
    names = {f.name for f in kind.fields}
    problems = [(f"{prefix}.{key}", f"{kind.code} has no field {key!r}; its fields are {', '.join(sorted(names))}.",
                 f"{kind.label_zh}没有字段 {key}，可用字段：{'、'.join(sorted(names))}")
                for key in value if key not in names]
    clean = {}
    for f in kind.fields:
        raw = value.get(f.name)
        if raw is None or raw == "":
            if f.required:
                problems.append((f"{prefix}.{f.name}", "Required.", f"「{f.label_zh}」必填"))
            continue
        try:
            clean[f.name] = f.load(raw)
        except FieldError as exc:
            problems.append((f"{prefix}.{f.name}", exc.message, f"「{f.label_zh}」{exc.message_zh}"))
    return (None, problems) if problems else (clean, [])


def value_from_cells(kind_code_, cells):
    """(clean value, problems) from a row's cells {column: cell}; problems are
    (column, message, message_zh). Columns this kind does not read must be empty."""
    kind = KINDS[kind_code_]
    problems, clean, used = [], {}, set()
    for f in kind.fields:
        column = next((c for c in f.columns if not _blank(cells.get(c))), None)
        used.update(f.columns)
        if column is None:
            if f.required:
                problems.append((f.columns[0], f"{f.label_zh} is required for {kind.code}.",
                                 f"{kind.label_zh}须填写「{f.columns[0]}」"))
            continue
        try:
            clean[f.name] = f.from_cell(cells[column])
        except FieldError as exc:
            problems.append((column, exc.message, f"「{column}」{exc.message_zh}"))
    for column in sorted(value_columns() - used):
        if not _blank(cells.get(column)):
            problems.append((column, f"{column} does not apply to {kind.code}; leave it empty.",
                             f"「{column}」不适用于{kind.label_zh}，请留空"))
    return (None, problems) if problems else (clean, [])


def normalise_value(kind_code_, value):
    """A stored value as readers get it (booleans as booleans, absent fields absent)."""
    kind = KINDS.get(kind_code_)
    if kind is None or not isinstance(value, dict):
        return value
    by_name = {f.name: f for f in kind.fields}
    return {k: (by_name[k].normalise(v) if k in by_name else v) for k, v in value.items()}


def canonical(value):
    """A stable text of a JSON value (for content hashes)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def catalog():
    """The catalog as JSON (for `GET /api/records/kinds` and import templates)."""
    return {"subject_kinds": [{"code": c, "label_zh": z, "label_en": SUBJECT_LABELS_EN[c]}
                              for c, z in SUBJECT_KINDS.items()],
            "levels": [{"code": c, "label_zh": z} for c, z in LEVELS.items()],
            "kinds": [kind.describe() for kind in KINDS.values()]}


def _blank(cell):
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _cell_text(cell):
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip()
