"""Each document opened with its library and its values read back."""
import io

import pypdf
from docx import Document
from openpyxl import load_workbook

from core import excel
from gateway.documents import certificate, word
from plugins.pilot_branches.program import PROGRAM

CAMPAIGN = {"id": "cmp_1", "title": "2026-2027 学年对标争先", "academic_year": "2026-2027"}
APPS = [
    {"id": "a1", "college_id": "college_me", "applicant_name": "机电学生第一党支部", "state": "approved",
     "submitted_at": "2026-09-20T09:30:00Z", "form": {"title": "先锋领航进宿舍", "planned_budget_yuan": "2800.00"},
     "final_result": {"total": 87.5, "rank": 1, "grade_name_zh": "重点"}},
    {"id": "a2", "college_id": "college_em", "applicant_name": "经管学生第一党支部", "state": "submitted",
     "submitted_at": "2026-09-21T01:00:00Z", "form": {"title": "党旗飘扬", "planned_budget_yuan": "1000"}},
]
NAMES = {"college_me": "机电与信息工程学院", "college_em": "经济管理学院"}


def test_application_summary_has_headers_numbers_a_frozen_row_and_a_sheet_per_college():
    wb = load_workbook(io.BytesIO(excel.application_summary(CAMPAIGN, APPS, NAMES)))
    assert wb.sheetnames == ["汇总", "机电与信息工程学院", "经济管理学院"]
    ws = wb["汇总"]
    assert ws["A1"].value == "2026-2027 学年对标争先 申报汇总表" and ws["A2"].value.startswith("填报单位")
    assert [c.value for c in ws[3]][:9] == ["序号", "学院", "申报对象", "主题", "项目名称", "负责人", "指导教师",
                                            "联系电话", "状态"]
    assert ws.freeze_panes == "A4" and ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.column_dimensions["C"].width == 22
    row = [c.value for c in ws[4]]
    assert row[2] == "机电学生第一党支部" and row[4] == "先锋领航进宿舍" and row[8] == "已批准"
    assert row[10] == 2800 and isinstance(row[10], (int, float))     # a number, not text
    assert row[9].hour == 17 and row[9].minute == 30                  # 09:30 UTC is 17:30 in Beijing
    assert row[11] == 87.5 and row[12] == 1 and row[13] == "重点"
    # per-college subtotals, then the total
    values = [[c.value for c in r] for r in ws.iter_rows(min_row=4)]
    assert values[1][1] == "机电与信息工程学院 小计" and values[1][10] == 2800
    assert values[4][1] == "合计" and values[4][2] == "2 项" and values[4][10] == 3800
    assert any("盖章" in str(v) for r in values for v in r if v)
    assert wb["经济管理学院"]["C4"].value == "经管学生第一党支部"
    # how each row looks: boxed, wrapped at the top; 小计/合计 bold and shaded; numbers formatted
    data, subtotal = ws["C4"], ws["C5"]
    assert data.border.left.style == data.border.bottom.style == "thin" and data.alignment.wrap_text
    assert data.alignment.vertical == "top" and not data.font.bold and data.fill.fill_type is None
    assert subtotal.font.bold and subtotal.fill.fgColor.rgb.endswith("F2F4F7") and subtotal.border.top.style == "thin"
    assert ws["K4"].number_format == "#,##0.00" and ws["J4"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["K5"].number_format == "#,##0.00" and ws["L4"].number_format == "0.00" and ws["C4"].number_format == "General"
    assert ws["A3"].font.bold and ws["A3"].fill.fgColor.rgb.endswith("DDE3EA")     # the header row


def test_ranking_lists_the_selected_and_the_rest_with_reasons_in_rank_order():
    published = {"round": 1, "selected": [{"rank": 1, "applicant_name": "甲", "total": 90.0, "grade_name_zh": "重点"}],
                 "rest": [{"rank": 2, "applicant_name": "乙", "total": 58.0, "message_zh": "低于 60 分"},
                          {"rank": None, "applicant_name": "丙", "total": None, "message_zh": "一票否决"}]}
    ws = load_workbook(io.BytesIO(excel.ranking(CAMPAIGN, published))).active
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=4, max_row=6)]
    assert values[0][:5] == [1, "甲", 90.0, "入选", "重点"]
    assert values[1][3:] == ["未入选", None, "低于 60 分"] and values[2][1] == "丙" and values[2][5] == "一票否决"


def test_grants_and_claims_in_yuan_as_numbers():
    grants = [{"id": "g1", "project_title": "先锋领航进宿舍", "tier": "key", "granted_fen": 500000,
               "paid_fen": 12345, "remaining_fen": 487655, "status": "active"}]
    claims = {"g1": [{"purpose": "宣传展板", "total_fen": 12345, "status": "paid", "filed_at": "2026-10-10T02:00:00Z",
                      "payment_reference": "记-2026-0118"}]}
    wb = load_workbook(io.BytesIO(excel.grants_and_claims("对标争先", grants, claims)))
    assert [c.value for c in wb["立项经费"][4]][:5] == ["先锋领航进宿舍", "重点", 5000.0, 123.45, 4876.55]
    assert [c.value for c in wb["报销明细"][4]][:4] == ["先锋领航进宿舍", "宣传展板", 123.45, "已支付"]
    assert [c.value for c in wb["报销明细"][3]][-1] == "付款凭证号" and wb["报销明细"][4][-1].value == "记-2026-0118"


def test_word_application_form_has_every_field_with_its_chinese_label_and_the_stamp_blocks():
    declaration = PROGRAM.declaration()
    app = {"applicant_name": "机电学生第一党支部", "form": {
        "theme": "先锋领航·校园善治", "title": "先锋领航进宿舍", "planned_budget_yuan": "2800.00",
        "faculty_advisor": {"name": "陈老师", "phone": "13800000000"}},
        "attachments": [{"filename": "申请表.pdf"}], "final_result": {"total": 87.5, "rank": 1, "grade_name_zh": "重点"}}
    document = Document(io.BytesIO(word.application_form(CAMPAIGN, declaration, app)))
    assert document.paragraphs[0].text == "对标争先建设项目申请表"
    cells = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert cells["项目主题"] == "先锋领航·校园善治" and cells["预算金额（元）"] == "2800.00"
    assert cells["指导教师·姓名"] == "陈老师" and cells["附件"] == "申请表.pdf"
    assert "得分 87.50" in cells["评审结果"] and "重点" in cells["评审结果"]
    assert "盖章" in cells["学院审核意见"] and "学校审批意见" in cells


def test_certificate_pdf_names_the_recipient_and_title_in_chinese():
    award = {"award_id": "award:a1:key", "recipient_name": "机电学生第一党支部", "title": "对标争先建设项目（重点）",
             "academic_year": "2026-2027"}
    number = certificate.certificate_number("创先", 2026, 12)
    assert number == "创先〔2026〕012号"
    reader = pypdf.PdfReader(io.BytesIO(certificate.certificate(award, "示范大学", "2026年11月21日", number=number,
                                                                issuer="党委学生工作部")))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in ("荣 誉 证 书", "机电学生第一党支部", "对标争先建设项目（重点）", "示范大学", "2026年11月21日",
                     "创先〔2026〕012号", "党委学生工作部", "盖章", "2026-2027"):
        assert expected in text, expected
    assert "award:" not in text
    assert reader.metadata.title.startswith("荣誉证书")
