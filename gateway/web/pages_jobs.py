"""Background jobs on the web pages: the JSON a page's progress bar polls, and the
file an export job produced (cookie log-in, like every page).

A page that starts a job shows `_job.html` with the job; `static/jobs.js` polls
`/jobs/<id>.json` and reloads the page when the job has finished, so the server
renders its result (counts, row errors, the file link).
"""
from flask import g, jsonify, render_template

from gateway.api import file_response, rpc
from gateway.api.jobs import owning_service
from gateway.web import blp, i18n, session
from gateway.web.pages_common import load_me

i18n.add({
    "job_queued": ("排队中", "Queued"),
    "job_running": ("处理中", "Working"),
    "job_succeeded": ("已完成", "Done"),
    "job_failed": ("未完成", "Failed"),
    "job_progress": ("进度", "Progress"),
    "job_refresh": ("刷新", "Refresh"),
    "job_download": ("下载文件", "Download the file"),
    "job_rows": ("条", "rows"),
    "import_at_most": ("每个文件最多", "At most"),
    "import_rows_per_file": ("行（.csv 或 .xlsx，第一行为表头）", "rows per file (.csv or .xlsx, headers in the first row)"),
    "job_kind_import_students": ("导入学生名单", "Roster import"),
    "job_kind_import_facts": ("导入记录", "Records import"),
    "job_kind_auto_assign": ("自动分配评审专家", "Automatic reviewer assignment"),
    "job_kind_publish_results": ("计算并发布评审结果", "Computing and publishing the results"),
    "job_kind_finalise": ("确定正式名单", "Finalising the list"),
    "job_kind_dashboard_counts": ("统计申报数据", "Counting the applications"),
    "job_kind_nominate": ("推荐上报", "Nominating upward"),
    "job_kind_compute_results": ("计算评审结果", "Computing the results"),
    "job_kind_export_summary": ("生成申报汇总表", "Building the application summary"),
    "job_kind_export_ranking": ("生成评审结果表", "Building the ranking workbook"),
    "job_kind_export_grants": ("生成立项经费与报销表", "Building the grants and claims workbook"),
    "export_build": ("生成并下载", "Build and download"),
    "job_count_imported": ("导入条数", "Rows imported"),
    "job_count_units_touched": ("涉及单位", "Units touched"),
    "job_count_created": ("新增分配", "Assignments made"),
    "job_count_decided": ("已决定的申报", "Applications decided"),
    "job_count_nominated": ("推荐数", "Nominated"),
    "job_count_rows": ("行数", "Rows"),
    "job_count_claims": ("报销单数", "Claims"),
    "job_count_recorded": ("记录数", "Records"),
})


def job_of(job_id):
    """The logged-in person's job (NotFound for anyone else's)."""
    with rpc() as cluster:
        return getattr(cluster, owning_service(job_id)).get_job(g.actor_id, job_id)


@blp.route("/jobs/<job_id>")
@session.page_login_required
def job_page(job_id):
    """A job's own page: progress, then the result or the file."""
    load_me()
    return render_template("job.html", job=job_of(job_id))


@blp.route("/jobs/<job_id>.json")
@session.page_login_required
def job_json(job_id):
    return jsonify(job_of(job_id))


@blp.route("/jobs/<job_id>/file")
@session.page_login_required
def job_file(job_id):
    with rpc() as cluster:
        doc = getattr(cluster, owning_service(job_id)).get_job_file(g.actor_id, job_id)
    return file_response(doc)
