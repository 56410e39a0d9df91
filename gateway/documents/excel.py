"""Excel workbooks: Chinese column headers, widths, a frozen header row, numbers
stored as numbers (never as text), one sheet per college where that is how offices
file them."""
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from core.labels import label
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_time(value):
    """ISO 8601 UTC text -> naive Beijing datetime (Excel has no time zones)."""
    if not value:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment.astimezone(SHANGHAI).replace(tzinfo=None)


def _sheet(wb, title, columns, rows, first=False):
    """columns: [(header, width, number_format or None)]; rows: lists of values."""
    ws = wb.active if first else wb.create_sheet()
    ws.title = title[:31]
    ws.append([c[0] for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        ws.append(row)
    for index, (_header, width, number_format) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
        if number_format:
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    ws.freeze_panes = "A2"
    return ws


def _bytes(wb):
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


SUMMARY_COLUMNS = [("序号", 6, None), ("学院", 22, None), ("申报对象", 24, None), ("项目名称/主题", 30, None),
                   ("状态", 12, None), ("提交时间", 18, "yyyy-mm-dd hh:mm"), ("预算（元）", 12, "#,##0.00"),
                   ("评审得分", 10, "0.00"), ("排名", 8, "0"), ("等级", 10, None)]


def _summary_row(n, app, college_names):
    form = app.get("form") or {}
    result = app.get("final_result") or app.get("review_result") or {}
    budget = form.get("planned_budget_yuan")
    return [n, college_names.get(app.get("college_id"), app.get("college_id") or ""), app.get("applicant_name"),
            form.get("title") or form.get("theme") or "", label("state", app.get("state")),
            local_time(app.get("submitted_at")), float(budget) if budget not in (None, "") else None,
            result.get("total"), result.get("rank"), result.get("grade_name_zh") or ""]


def application_summary(campaign, applications, college_names):
    """申报汇总表: the whole campaign on the first sheet, then one sheet per college."""
    wb = Workbook()
    rows = [_summary_row(i, a, college_names) for i, a in enumerate(applications, start=1)]
    _sheet(wb, "汇总", SUMMARY_COLUMNS, rows, first=True)
    by_college = {}
    for app in applications:
        by_college.setdefault(app.get("college_id"), []).append(app)
    for college_id, apps in sorted(by_college.items(), key=lambda kv: college_names.get(kv[0], kv[0] or "")):
        _sheet(wb, college_names.get(college_id, college_id or "未分学院"), SUMMARY_COLUMNS,
               [_summary_row(i, a, college_names) for i, a in enumerate(apps, start=1)])
    wb.properties.title = f"{campaign.get('title', '')} 申报汇总表"
    return _bytes(wb)


def ranking(campaign, published):
    """评审结果: every ranked application with its total, rank, grade/category, and
    the rest with the reason they are out; the cut line in the title row's note."""
    wb = Workbook()
    columns = [("排名", 8, "0"), ("申报对象", 26, None), ("总分", 10, "0.00"), ("结果", 10, None),
               ("等级/类型", 14, None), ("说明", 40, None)]
    rows = []
    for entry in published.get("selected", []):
        rows.append([entry.get("rank"), entry.get("applicant_name"), entry.get("total"), "入选",
                     entry.get("grade_name_zh") or entry.get("category_name_zh") or entry.get("category") or "", ""])
    for entry in published.get("rest", []):
        rows.append([entry.get("rank"), entry.get("applicant_name"), entry.get("total"), "未入选", "",
                     entry.get("message_zh") or entry.get("reason") or ""])
    rows.sort(key=lambda r: (r[0] is None, r[0] or 0))
    _sheet(wb, "评审结果", columns, rows, first=True)
    wb.properties.title = f"{campaign.get('title', '')} 评审结果（第 {published.get('round', 1)} 轮）"
    return _bytes(wb)




def grants_and_claims(campaign_title, grants, claims_by_grant):
    """立项经费与报销: one row per grant (yuan as numbers), one per claim."""
    wb = Workbook()
    yuan = "#,##0.00"
    grant_rows = [[g.get("project_title") or g.get("project_id"), label("tier", g.get("tier")),
                   (g.get("granted_fen") or 0) / 100, (g.get("paid_fen") or 0) / 100,
                   (g.get("remaining_fen") or 0) / 100, label("funding_status", g.get("status"))]
                  for g in grants]
    _sheet(wb, "立项经费", [("项目", 30, None), ("档次", 10, None), ("立项金额（元）", 14, yuan),
                         ("已支付（元）", 14, yuan), ("余额（元）", 14, yuan), ("状态", 10, None)], grant_rows, first=True)
    claim_rows = []
    for g in grants:
        for c in claims_by_grant.get(g.get("id"), []):
            claim_rows.append([g.get("project_title") or g.get("project_id"), c.get("purpose") or "",
                               (c.get("total_fen") or 0) / 100, label("funding_status", c.get("status")),
                               local_time(c.get("filed_at"))])
    _sheet(wb, "报销明细", [("项目", 30, None), ("用途", 30, None), ("金额（元）", 14, yuan), ("状态", 12, None),
                         ("提交时间", 18, "yyyy-mm-dd hh:mm")], claim_rows)
    wb.properties.title = f"{campaign_title} 立项经费与报销"
    return _bytes(wb)
