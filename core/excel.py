"""Excel workbooks as offices file them: a title row, the 填报单位 / 填报日期 line,
Chinese column headers, widths, a frozen header row, numbers stored as numbers
(never as text), per-college subtotals and one sheet per college, a 盖章 line under
the table, and print setup (A4 landscape, fit to one page wide, the header row
repeated on every page). Codes never appear: states, tiers and statuses are shown
by their labels (core/labels.py)."""
import io
from copy import copy
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.styles.fonts import DEFAULT_FONT
from openpyxl.utils import get_column_letter

from core.document_text import scrubbed
from core.labels import label

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"   # the content type
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
SUBTOTAL_FILL = PatternFill("solid", fgColor="F2F4F7")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
SHANGHAI = ZoneInfo("Asia/Shanghai")
# The most rows one imported file (a registrar's roster, a facts table) may hold: a
# whole university's 30,000+ students in one file; the import runs as a job in batches.
MAX_IMPORT_ROWS = 50_000
HEADER_ROW = 3          # title, 填报单位/日期, then the headers


def local_time(value):
    """ISO 8601 UTC text -> naive Beijing datetime (Excel has no time zones)."""
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment.astimezone(SHANGHAI).replace(tzinfo=None)


def _today():
    now = datetime.now(SHANGHAI)
    return f"{now.year}年{now.month}月{now.day}日"


def _sheet(wb, title, columns, rows, first=False, heading=None, unit="", subtotal_rows=()):
    """columns: [(header, width, number_format or None)]; rows: lists of values.
    `heading` is the title row; `unit` the 填报单位; rows whose index is in
    `subtotal_rows` are shaded and bold (小计, 合计)."""
    ws = wb.active if first else wb.create_sheet()
    ws.title = title[:31]
    last = get_column_letter(len(columns))
    ws.append([heading or title])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(name="黑体", size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.append([f"填报单位（盖章）：{unit}"] + [None] * (len(columns) - 1))
    half = max(1, len(columns) // 2)
    ws.merge_cells(f"A2:{get_column_letter(half)}2")
    if len(columns) > half:
        ws.cell(row=2, column=half + 1, value=f"填报日期：{_today()}")
        ws.merge_cells(f"{get_column_letter(half + 1)}2:{last}2")
        ws.cell(row=2, column=half + 1).alignment = Alignment(horizontal="right")
    ws.append([c[0] for c in columns])
    for cell in ws[HEADER_ROW]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    # Each cell is given one named style (not a border, an alignment, a font, a fill and
    # a format one by one: openpyxl looks each up in the workbook's lists), and by its
    # row and column (`ws[ws.max_row]` walks every cell of the sheet to find the width:
    # 5,000 rows took 30 s that way).
    formats = [c[2] for c in columns]
    styles = {(sub, f): _cell_style(wb, sub, f) for sub in (False, True) for f in set(formats)}
    for index, row in enumerate(rows):
        sub = index in subtotal_rows
        for column, number_format in enumerate(formats):
            cell = ws.cell(row=HEADER_ROW + 1 + index, column=column + 1,
                           value=row[column] if column < len(row) else None)
            cell.style = styles[sub, number_format]
    for index, (_header, width, _format) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    footer = HEADER_ROW + len(rows) + 2
    ws.cell(row=footer, column=1, value="负责人（签字）：")
    ws.cell(row=footer, column=max(2, half + 1), value="单位（盖章）：　　　　　　　　年　　月　　日")
    # Print as offices do: A4 landscape, one page wide, the header row on every page.
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    return ws


def _cell_style(wb, subtotal, number_format):
    """The name of a data cell's style, added to `wb` once: boxed, top-aligned and
    wrapped; bold and shaded on a 小计/合计 row; in the column's number format."""
    name = f"{'小计' if subtotal else '数据'}-{number_format or 'General'}"
    if name not in wb.named_styles:
        wb.add_named_style(NamedStyle(
            name=name, border=BOX, alignment=Alignment(vertical="top", wrap_text=True),
            font=Font(bold=True) if subtotal else copy(DEFAULT_FONT),
            fill=SUBTOTAL_FILL if subtotal else PatternFill(), number_format=number_format or "General"))
    return name


def _bytes(wb):
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


SUMMARY_COLUMNS = [("序号", 6, None), ("学院", 20, None), ("申报对象", 22, None), ("主题", 18, None),
                   ("项目名称", 26, None), ("负责人", 10, None), ("指导教师", 10, None), ("联系电话", 14, None),
                   ("状态", 11, None), ("提交时间", 17, "yyyy-mm-dd hh:mm"), ("预算（元）", 12, "#,##0.00"),
                   ("评审得分", 10, "0.00"), ("排名", 7, "0"), ("等级", 10, None)]
BUDGET_COLUMN = 10      # 0-based index of 预算（元）


def _summary_row(n, app, college_names):
    form = app.get("form") or {}
    advisor = form.get("faculty_advisor") if isinstance(form.get("faculty_advisor"), dict) else {}
    result = app.get("final_result") or app.get("review_result") or {}
    budget = form.get("planned_budget_yuan")
    total = result.get("total")
    phone = next((str(form[k]) for k in ("phone", "lead_phone", "contact_phone") if form.get(k)), "") or \
        advisor.get("phone") or ""
    return [n, college_names.get(app.get("college_id"), "") or "未分学院", app.get("applicant_name"),
            form.get("theme") or "", form.get("title") or "", (app.get("created_by") or {}).get("name") or "",
            advisor.get("name") or "", phone, label("state", app.get("state")),
            local_time(app.get("submitted_at")), float(budget) if budget not in (None, "") else None,
            round(float(total), 2) if total is not None else None, result.get("rank"), result.get("grade_name_zh") or ""]


def _subtotal(name, rows):
    budgets = [r[BUDGET_COLUMN] for r in rows if isinstance(r[BUDGET_COLUMN], (int, float))]
    row = [None] * len(SUMMARY_COLUMNS)
    row[1], row[2] = f"{name} 小计", f"{len(rows)} 项"
    row[BUDGET_COLUMN] = round(sum(budgets), 2) if budgets else None
    return row


@scrubbed
def application_summary(campaign, applications, college_names, unit=""):
    """申报汇总表: the whole campaign on the first sheet, college by college with a
    小计 row after each and a 合计 row at the end; then one sheet per college."""
    wb = Workbook()
    by_college = {}
    for app in applications:
        by_college.setdefault(app.get("college_id"), []).append(app)
    ordered = sorted(by_college.items(), key=lambda kv: college_names.get(kv[0], "") or "")
    rows, subtotals, n = [], set(), 0
    for college_id, apps in ordered:
        block = []
        for app in apps:
            n += 1
            block.append(_summary_row(n, app, college_names))
        rows += block
        subtotals.add(len(rows))
        rows.append(_subtotal(college_names.get(college_id, "") or "未分学院", block))
    if applications:
        data_rows = [r for i, r in enumerate(rows) if i not in subtotals]
        total = _subtotal("", data_rows)
        total[1] = "合计"
        subtotals.add(len(rows))
        rows.append(total)
    title = f"{campaign.get('title', '')} 申报汇总表"
    _sheet(wb, "汇总", SUMMARY_COLUMNS, rows, first=True, heading=title, unit=unit, subtotal_rows=subtotals)
    for college_id, apps in ordered:
        name = college_names.get(college_id, "") or "未分学院"
        _sheet(wb, name, SUMMARY_COLUMNS, [_summary_row(i, a, college_names) for i, a in enumerate(apps, start=1)],
               heading=f"{title}（{name}）", unit=name)
    wb.properties.title = title
    return _bytes(wb)


def _two(value):
    return round(float(value), 2) if value is not None else None


@scrubbed
def ranking(campaign, published):
    """评审结果: every ranked application with its total, rank, grade/category, and
    the rest with the reason they are out; the cut line in the title row's note."""
    wb = Workbook()
    columns = [("排名", 8, "0"), ("申报对象", 26, None), ("总分", 10, "0.00"), ("结果", 10, None),
               ("等级/类型", 14, None), ("说明", 40, None)]
    rows = []
    for entry in published.get("selected", []):
        rows.append([entry.get("rank"), entry.get("applicant_name"), _two(entry.get("total")), "入选",
                     entry.get("grade_name_zh") or entry.get("category_name_zh")
                     or label("dorm_type", entry.get("category")) or "", ""])
    for entry in published.get("rest", []):
        rows.append([entry.get("rank"), entry.get("applicant_name"), _two(entry.get("total")), "未入选", "",
                     entry.get("message_zh") or entry.get("reason") or ""])
    rows.sort(key=lambda r: (r[0] is None, r[0] or 0))
    title = f"{campaign.get('title', '')} 评审结果（第 {published.get('round', 1)} 轮）"
    _sheet(wb, "评审结果", columns, rows, first=True, heading=title)
    wb.properties.title = title
    return _bytes(wb)




@scrubbed
def grants_and_claims(campaign_title, grants, claims_by_grant):
    """立项经费与报销: one row per grant (yuan as numbers), one per claim."""
    wb = Workbook()
    yuan = "#,##0.00"
    grant_rows = [[g.get("project_title") or "", label("tier", g.get("tier")),
                   (g.get("granted_fen") or 0) / 100, (g.get("paid_fen") or 0) / 100,
                   (g.get("remaining_fen") or 0) / 100, label("funding_status", g.get("status"))]
                  for g in grants]
    title = f"{campaign_title} 立项经费与报销"
    _sheet(wb, "立项经费", [("项目", 30, None), ("档次", 10, None), ("立项金额（元）", 14, yuan),
                         ("已支付（元）", 14, yuan), ("余额（元）", 14, yuan), ("状态", 10, None)], grant_rows, first=True,
           heading=f"{title}（立项经费）")
    claim_rows = []
    for g in grants:
        for c in claims_by_grant.get(g.get("id"), []):
            claim_rows.append([g.get("project_title") or "", c.get("purpose") or "",
                               (c.get("total_fen") or 0) / 100, label("funding_status", c.get("status")),
                               local_time(c.get("filed_at")), c.get("payment_reference") or ""])
    _sheet(wb, "报销明细", [("项目", 30, None), ("用途", 30, None), ("金额（元）", 14, yuan), ("状态", 12, None),
                         ("提交时间", 18, "yyyy-mm-dd hh:mm"), ("付款凭证号", 18, None)], claim_rows,
           heading=f"{title}（报销明细）")
    wb.properties.title = title
    return _bytes(wb)
