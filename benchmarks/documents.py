"""The 申报汇总表 workbook (core/excel.py `application_summary`) of N applications,
against a floor measured in the same run: openpyxl writing the same values to as
many sheets in write-only mode, with no styles. The ratio says what the layout
(styles, merged title rows, print setup) costs; a ratio that grows with N says some
step is not linear in the rows.

    .venv/bin/python benchmarks/documents.py [--rows 1000 5000 10000]
"""
import argparse
import io
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from openpyxl import Workbook  # noqa: E402

from core import excel  # noqa: E402

COLLEGES = {f"college_{i:02d}": f"第{i + 1}学院" for i in range(20)}


def applications(n):
    return [{"id": f"a{i}", "college_id": f"college_{i % 20:02d}", "applicant_name": f"东区{i // 300 + 1}号楼{i % 300}室",
             "state": "approved", "submitted_at": "2026-10-17T08:00:00.000Z",
             "form": {"theme": "环境优美型", "title": "文明寝室创建", "phone": "13800000000",
                      "planned_budget_yuan": "1200.00"},
             "created_by": {"name": "张同学"}, "final_result": {"total": 80 + i % 20 / 3, "rank": i + 1}}
            for i in range(n)]


def floor(apps):
    """The same cells (a summary sheet, then one a college) written with no layout."""
    wb = Workbook(write_only=True)
    rows = [excel._summary_row(i, a, COLLEGES) for i, a in enumerate(apps, 1)]
    for name in ["汇总", *COLLEGES.values()]:
        ws = wb.create_sheet(name)
        for row in (rows if name == "汇总" else rows[:len(rows) // len(COLLEGES)]):
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    print(f"load {os.getloadavg()[0]:.2f}, {os.cpu_count()} cpus")
    print(f"  {'rows':>7} {'floor s':>9} {'申报汇总表 s':>12} {'ratio':>7} {'ms/row':>8}")
    for n in args.rows:
        apps = applications(n)
        base = best_of(lambda: floor(apps), args.repeat)
        summary = best_of(lambda: excel.application_summary({"title": "2026 文明寝室"}, apps, COLLEGES), args.repeat)
        print(f"  {n:7,} {base:9.2f} {summary:12.2f} {summary / base:6.1f}x {1000 * summary / n:8.2f}")


if __name__ == "__main__":
    main()
