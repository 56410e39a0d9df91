"""Reading an uploaded spreadsheet (.csv or .xlsx) and its cells.

Offices export from Excel, so: CSV in UTF-8 (with or without BOM) or GBK/GB18030
(Excel on Chinese Windows); XLSX first sheet, where dates arrive as dates or as
Excel serial numbers. Row numbers are as the spreadsheet shows them (header = 1).
"""
import csv
import io
import re
from datetime import date, datetime, timedelta

from core.errors import field_error, invalid
from core.excel import MAX_IMPORT_ROWS

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)
EARLIEST, LATEST = date(1950, 1, 1), date(2100, 12, 31)
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def read_table(filename, data):
    """(header, rows) of the first sheet; ValidationFailed (field ``file``) when the
    file is not a readable .csv/.xlsx, is empty or has more than MAX_IMPORT_ROWS rows."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise invalid([field_error("file", f"Not a readable .xlsx file ({exc.__class__.__name__}).",
                                       "无法读取该 .xlsx 文件")]) from None
    elif name.endswith(".csv"):
        text = None
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            raise invalid([field_error("file", "The CSV file is neither UTF-8 nor GBK text.",
                                       "CSV 文件编码无法识别（须为 UTF-8 或 GBK）")])
        rows = list(csv.reader(io.StringIO(text)))
    else:
        raise invalid([field_error("file", "Upload a .csv or .xlsx file.", "请上传 .csv 或 .xlsx 文件")])
    while rows and all(is_blank(c) for c in rows[-1]):
        rows.pop()
    if not rows:
        raise invalid([field_error("file", "The file is empty.", "文件为空")])
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise invalid([field_error("file", f"At most {MAX_IMPORT_ROWS:,} rows per import.", f"每次最多导入 {MAX_IMPORT_ROWS:,} 行")])
    return [cell_text(h) for h in rows[0]], rows[1:]


def is_blank(cell):
    return cell is None or (isinstance(cell, str) and not cell.strip())


def cell_text(cell):
    """A cell as trimmed text; 2023.0 (Excel numbers) as "2023"."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return str(cell).strip()


def cell_date(cell):
    """A `date` from a date cell, an Excel serial number or text YYYY-MM-DD (also
    YYYY/M/D, 2023年10月8日); None when the cell is none of these or out of range."""
    if isinstance(cell, datetime):
        day = cell.date()
    elif isinstance(cell, date):
        day = cell
    elif isinstance(cell, (int, float)) and not isinstance(cell, bool):
        if not float(cell).is_integer() or not 1 <= cell <= 2958465:
            return None
        day = EXCEL_EPOCH + timedelta(days=int(cell))
    else:
        text = cell_text(cell)
        if re.fullmatch(r"\d{5}", text):  # a serial number that went through CSV
            return cell_date(int(text))
        match = _DATE.match(text)
        if not match:
            return None
        try:
            day = date(*(int(part) for part in match.groups()))
        except ValueError:
            return None
    return day if EARLIEST <= day <= LATEST else None
