"""Certificates (荣誉证书) as PDF, A4 landscape, with a Chinese font embedded (only
the glyphs used), so they print the same anywhere."""
import os

from fpdf import FPDF

from core.document_text import scrubbed

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",     # Debian fonts-wqy-microhei (deploy/platform installs it)
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


class FontMissing(RuntimeError):
    pass


def _font_path():
    override = os.environ.get("CX_CJK_FONT")
    for path in ((override,) if override else ()) + FONT_CANDIDATES:
        if path and os.path.isfile(path):
            return path
    raise FontMissing("No Chinese font found: install fonts-wqy-microhei (deploy/platform does) or set CX_CJK_FONT.")


def certificate_number(prefix, year, sequence):
    """A number people can read out and file: 创先〔2026〕012号."""
    return f"{prefix}〔{year}〕{int(sequence):03d}号"


@scrubbed
def certificate(award, school_name, issued_on, number="", issuer=""):
    """One certificate: the recipient (unit or project name), the title, the
    campaign's year, the issuing department (`issuer`, from configuration) over the
    school's name with a seal area, the date, and the readable `number`.
    `issued_on` is the date text (e.g. 2026年11月21日)."""
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.add_font("cjk", fname=_font_path(), collection_font_number=0)
    pdf.set_draw_color(164, 22, 26)
    pdf.set_line_width(2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.5)
    pdf.rect(14, 14, 269, 182)
    pdf.set_text_color(164, 22, 26)
    pdf.set_font("cjk", size=40)
    pdf.set_xy(10, 30)
    pdf.cell(277, 20, "荣 誉 证 书", align="C")
    pdf.set_text_color(31, 35, 40)
    pdf.set_font("cjk", size=20)
    pdf.set_xy(40, 68)
    recipient = award.get("recipient_name") or award.get("subject_name") or ""
    year = award.get("academic_year") or ""
    pdf.multi_cell(217, 14, f"{recipient}：", align="L")
    if award.get("project_title"):
        pdf.set_x(40)
        pdf.multi_cell(217, 12, f"　　项目：{award['project_title']}", align="L")
    pdf.set_x(40)
    pdf.multi_cell(217, 14, f"　　在{year}学年创先争优工作中表现突出，被评为", align="L")
    pdf.set_font("cjk", size=30)
    pdf.set_x(40)
    pdf.cell(217, 22, f"「{award.get('title', '')}」", align="C")
    pdf.ln(24)
    pdf.set_font("cjk", size=20)
    pdf.set_x(40)
    pdf.cell(217, 12, "特发此证，以资鼓励。", align="L")
    # The seal area: a dashed circle where the department's seal is stamped.
    pdf.set_draw_color(200, 120, 120)
    pdf.set_line_width(0.3)
    pdf.set_dash_pattern(dash=1.5, gap=1.5)
    pdf.ellipse(183, 138, 44, 44)
    pdf.set_dash_pattern()
    pdf.set_font("cjk", size=9)
    pdf.set_text_color(200, 120, 120)
    pdf.set_xy(183, 157)
    pdf.cell(44, 6, "（盖章）", align="C")
    pdf.set_text_color(31, 35, 40)
    pdf.set_font("cjk", size=18)
    pdf.set_xy(150, 150)
    pdf.cell(110, 10, school_name, align="C")
    if issuer:
        pdf.set_xy(150, 161)
        pdf.cell(110, 10, issuer, align="C")
    pdf.set_xy(150, 172)
    pdf.cell(110, 10, issued_on, align="C")
    if number:
        pdf.set_font("cjk", size=11)
        pdf.set_text_color(87, 96, 106)
        pdf.set_xy(24, 182)
        pdf.cell(120, 8, f"证书编号：{number}", align="L")
    pdf.set_title(f"荣誉证书 {recipient} {award.get('title', '')}")
    return bytes(pdf.output())
