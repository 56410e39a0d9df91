"""Word forms ready to print and stamp, in the layout offices use: A4 portrait, the
title in 黑体 and the text in 宋体 (black), a header block (申报单位, 负责人, 联系电话),
the program's form filled in (labels from its JSON Schema in Chinese; options by
their labels from core/labels.py, never by their codes), the attachments listed,
and the approval blocks: opinions already given in the platform printed with who
and when, blank space left for the signature and the stamp (签字, 盖章, 日期)."""
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from core.labels import label, label_any

from core.document_text import scrubbed

TITLES = {"application": "申请表", "approval": "考核审批表"}
LABEL_WIDTH = Cm(3.6)
VALUE_WIDTH = Cm(12.4)     # A4 (21 cm) less 2.5 cm margins each side
BLACK = RGBColor(0, 0, 0)
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Which audit actions are opinions of which block (the college step, the school step).
OPINIONS = {"学院审核意见": ("college_approve", "return"), "学校审批意见": ("approve", "reject")}
PHONE_KEYS = ("phone", "lead_phone", "contact_phone", "mobile")


def _fonts(run, east_asian="宋体", size=None, bold=None):
    run.font.name = "SimSun" if east_asian == "宋体" else "SimHei"
    run.font.color.rgb = BLACK
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)
    if size:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold


def _page(document):
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(11)
    style.font.color.rgb = BLACK
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")


def _text(value, name=""):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "\n".join(_text(v, name) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{_text(v, k)}" for k, v in value.items() if v not in (None, ""))
    if isinstance(value, str) and value.isascii() and value.isidentifier():
        return label_any(value, "zh", (name,))   # an option's code (secretary, utility_model): its label
    return str(value)


def _rows(schema, form, prefix=""):
    """(label, text) for every field of the schema, nested objects flattened."""
    out = []
    for name, prop in (schema.get("properties") or {}).items():
        title = prop.get("title") or name
        value = (form or {}).get(name)
        if prop.get("type") == "object" and isinstance(value, dict):
            out += _rows(prop, value, f"{prefix}{title}·")
        elif prop.get("type") == "array" and (prop.get("items") or {}).get("type") == "object":
            item_props = (prop["items"].get("properties") or {})
            lines = []
            for i, item in enumerate(value or [], start=1):
                parts = [f"{item_props.get(k, {}).get('title', k)}：{_text(v, k)}"
                         for k, v in (item or {}).items() if v not in (None, "")]
                lines.append(f"{i}. " + "；".join(parts))
            out.append((prefix + title, "\n".join(lines)))
        else:
            out.append((prefix + title, _text(value, name)))
    return out


def _local(value):
    if not value:
        return ""
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(SHANGHAI)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def _row(table, label_text, value_text, bold_label=True):
    cells = table.add_row().cells
    cells[0].width, cells[1].width = LABEL_WIDTH, VALUE_WIDTH
    cells[0].text, cells[1].text = "", ""
    _fonts(cells[0].paragraphs[0].add_run(label_text), bold=bold_label)
    lines = str(value_text).split("\n")
    first = cells[1].paragraphs[0]
    _fonts(first.add_run(lines[0]))
    for line in lines[1:]:
        _fonts(cells[1].add_paragraph().add_run(line))
    return cells


def _lead(application, trail):
    """The person responsible: who submitted it (else who created it)."""
    for entry in trail or []:
        if entry.get("action") == "submit" and (entry.get("by") or {}).get("name"):
            return entry["by"]["name"]
    created = application.get("created_by") or {}
    return created.get("name") or ""


def _phone(form):
    for key in PHONE_KEYS:
        if (form or {}).get(key):
            return str(form[key])
    return ""


def _opinions(trail, actions):
    """Opinions given in the platform for one block: what, why, who and when."""
    lines = []
    for entry in trail or []:
        if entry.get("action") in actions:
            what = label("action", entry["action"])
            reason = f"：{entry['reason']}" if entry.get("reason") else ""
            who = (entry.get("by") or {}).get("name") or ""
            lines.append(f"{what}{reason}（{who}，{_local(entry.get('at'))}）")
    return lines


@scrubbed
def application_form(campaign, program, application, kind="application", trail=None, unit_name=""):
    """The filled 项目申请表 / 申报书 (kind="application") or 考核审批表 (kind="approval")."""
    document = Document()
    _page(document)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(title.add_run(f"{program.get('title_zh', '')}{TITLES.get(kind, '申请表')}"), "黑体", 18, True)
    meta = document.add_paragraph()
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(meta.add_run(campaign.get("title", "")), size=12)

    form = application.get("form") or {}
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _row(table, "申报单位", application.get("applicant_name", "") + (f"（{unit_name}）" if unit_name else ""))
    _row(table, "负责人", _lead(application, trail))
    _row(table, "联系电话", _phone(form))
    for label_text, text in _rows(program.get("form_schema") or {}, form):
        _row(table, label_text, text)
    if application.get("attachments"):
        _row(table, "附件", "\n".join(a.get("filename", "") for a in application["attachments"]))
    result = application.get("final_result") or application.get("review_result")
    if result:
        _row(table, "评审结果", "；".join(x for x in (
            f"得分 {result['total']:.2f}" if result.get("total") is not None else "",
            f"排名 {result['rank']}" if result.get("rank") else "", result.get("grade_name_zh") or "") if x))
    for block, actions in OPINIONS.items():
        given = _opinions(trail, actions)
        _row(table, block, "\n".join(given + ["", "", "签字：　　　　　　　　（盖章）", "",
                                               "　　　　　　　　　　　年　　月　　日"]))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def project_notice(grant, campaign, unit_name, issuer, school_name, number, deadlines_local=None):
    """立项通知书: the letter a funded project receives at 立项 (A4, 黑体 title, 宋体
    text): the unit, the project, its tier and amount, the implementation period
    when known, the issuing department over a space for its seal, and the date."""
    document = Document()
    _page(document)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(title.add_run("立项通知书"), "黑体", 22, True)
    numbered = document.add_paragraph()
    numbered.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(numbered.add_run(number), size=12)
    greeting = document.add_paragraph()
    _fonts(greeting.add_run(f"{unit_name}："), size=14)
    amount = (grant.get("display") or {}).get("granted") or f"¥{(grant.get('granted_fen') or 0) / 100:,.2f}"
    tier = grant.get("tier_name") or label("tier", grant.get("tier"))
    body = (f"　　经学院推荐、学校评审，你单位申报的“{grant.get('project_title') or ''}”项目"
            f"获批立项为{campaign.get('title', '')}{tier}项目，资助经费 {amount}。")
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.line_spacing = 1.5
    _fonts(paragraph.add_run(body), size=14)
    period = deadlines_local or {}
    if period.get("implementation_end"):
        more = document.add_paragraph()
        more.paragraph_format.line_spacing = 1.5
        _fonts(more.add_run(f"　　请按申报书认真组织实施，于 {period['implementation_end']} 前完成建设任务，"
                            f"结项材料于 {period.get('closing_deadline') or period['implementation_end']} 前提交。"),
               size=14)
    else:
        more = document.add_paragraph()
        more.paragraph_format.line_spacing = 1.5
        _fonts(more.add_run("　　请按申报书认真组织实施，按期完成建设任务并提交结项材料。经费按学校有关规定报销。"), size=14)
    for _ in range(3):
        document.add_paragraph()
    for text in (school_name, issuer, "（盖章）", _local(grant.get("awarded_at")).split(" ")[0]):
        if text:
            line = document.add_paragraph()
            line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _fonts(line.add_run(text), size=14)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
