"""Exports the applications service produces as background jobs (`core.jobs`).

申报汇总表: every application of a campaign that the person who asked may see (not
drafts), read by key in pages of PAGE, one row each, as `core.excel` lays it out; the
workbook is kept with the job (`JobStore.put_file`) and the job's result links to it.
"""
from core import excel
from core.off_hub import off_hub
from services.applications.domain import visibility
from services.applications.views import application_view

PAGE = 500


def summary_rows(store, actor, campaign, progress=None):
    """The campaign's applications `actor` may see (no drafts), by college then
    submission time."""
    visible = visibility.readable(actor, campaign)
    apps, after = [], None
    while True:
        page = store.list_applications(visible, campaign_id=campaign["_id"], limit=PAGE, after=after)
        apps += [application_view(a) for a in page if a.get("state") != "draft"]
        if progress:
            progress(len(apps), None)
        if len(page) < PAGE:
            break
        after = page[-1]["_id"]
    apps.sort(key=lambda a: (a.get("college_id") or "", a.get("submitted_at") or ""))
    return apps


def summary(store, jobs, actor, campaign, job_id, progress=None):
    """Build the 申报汇总表 and keep it with job `job_id`; {"rows", "file"}."""
    apps = summary_rows(store, actor, campaign, progress)
    colleges = {u["_id"]: u["name"] for u in store.find_units({"kind": "college"}, limit=10000)}
    data = off_hub(excel.application_summary, campaign, apps, colleges)   # seconds of pure work at 10,000
    link = jobs.put_file(job_id, f"{campaign['title']}-申报汇总表.xlsx", excel.XLSX, data)
    return {"rows": len(apps), "file": link}
