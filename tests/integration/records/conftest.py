"""The records service on the platform (with the applications service, whose
directory it checks subjects against), and helpers to build import files."""
import csv
import io

import eventlet
import pytest
from openpyxl import Workbook

ADMIN = "p_admin"
LI_MING = "p_2023010101"        # 机电 student, secretary of branch_me1, lives in dorm_me1
WANG_FANG = "p_2023010102"      # 机电 student, dorm_me1
CHEN_JING = "p_2023020101"      # 经管 student
FACT_HEADER = ["对象类型", "对象编号", "对象名称", "类别", "日期", "学年", "等级", "级别", "名称", "课程", "是否必修",
               "月份", "是否获评", "来源", "来源编号", "备注"]
AWARD_HEADER = ["对象类型", "对象编号", "对象名称", "项目", "称号", "代码", "类别", "级别", "学年", "日期", "成员",
                "来源", "来源编号"]


@pytest.fixture
def extra_services():
    from services.records.service import RecordsService
    return [RecordsService]


def fact_row(kind, subject_id="2023010101", day="2023-10-08", subject_kind="个人", source="教务处", ref=None, **value):
    cells = dict.fromkeys(FACT_HEADER, "")
    cells.update({"对象类型": subject_kind, "对象编号": subject_id, "类别": kind, "日期": day, "来源": source,
                  "来源编号": ref or ""}, **value)
    return [cells[h] for h in FACT_HEADER]


def csv_bytes(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(header, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(http, login, url, name, data):
    """The answer to an upload; for one that starts a job (facts), the job's outcome."""
    from tests.integration.helpers import job_outcome
    return job_outcome(http, login, http.as_(login, "POST", url, data={"file": (io.BytesIO(data), name)},
                                             content_type="multipart/form-data"))


def wait_until(predicate, seconds=10):
    for _ in range(int(seconds * 10)):
        if predicate():
            return True
        eventlet.sleep(0.1)
    return predicate()
