"""Word forms ready to print and stamp: the program's form filled in (labels from its
JSON Schema, in Chinese), the attachments listed, and the approval blocks (审核意见,
签字, 盖章, 日期) that offices sign on paper."""
import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

TITLES = {"application": "申请表", "approval": "考核审批表"}


def _font(document):
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "\n".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{_text(v)}" for k, v in value.items() if v not in (None, ""))
    return str(value)


def _rows(schema, form, prefix=""):
    """(label, text) for every field of the schema, nested objects flattened."""
    out = []
    for name, prop in (schema.get("properties") or {}).items():
        label = prop.get("title") or name
        value = (form or {}).get(name)
        if prop.get("type") == "object" and isinstance(value, dict):
            out += _rows(prop, value, f"{prefix}{label}·")
        elif prop.get("type") == "array" and (prop.get("items") or {}).get("type") == "object":
            item_schema = prop["items"]
            lines = []
            for i, item in enumerate(value or [], start=1):
                parts = [f"{(item_schema.get('properties') or {}).get(k, {}).get('title', k)}：{_text(v)}"
                         for k, v in (item or {}).items()]
                lines.append(f"{i}. " + "；".join(parts))
            out.append((prefix + label, "\n".join(lines)))
        else:
            out.append((prefix + label, _text(value)))
    return out


def application_form(campaign, program, application, kind="application"):
    """The filled 项目申请表 / 申报书 (kind="application") or 考核审批表 (kind="approval")."""
    document = Document()
    _font(document)
    title = document.add_heading(f"{program.get('title_zh', '')}{TITLES.get(kind, '申请表')}", level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta = document.add_paragraph(f"{campaign.get('title', '')}　　申报对象：{application.get('applicant_name', '')}")
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER

    rows = _rows(program.get("form_schema") or {}, application.get("form") or {})
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, text in rows:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = text
        cells[0].width = Pt(120)
    if application.get("attachments"):
        cells = table.add_row().cells
        cells[0].text = "附件"
        cells[1].text = "\n".join(a.get("filename", "") for a in application["attachments"])
    result = application.get("final_result") or application.get("review_result")
    if result:
        cells = table.add_row().cells
        cells[0].text = "评审结果"
        cells[1].text = "；".join(x for x in (
            f"得分 {result['total']:.2f}" if result.get("total") is not None else "",
            f"排名 {result['rank']}" if result.get("rank") else "", result.get("grade_name_zh") or "") if x)

    for block in ("辅导员审核意见", "学院审核意见", "学校审批意见"):
        cells = table.add_row().cells
        cells[0].text = block
        cells[1].text = "\n\n\n签字：　　　　　　（盖章）\n\n　　　　年　　月　　日"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
