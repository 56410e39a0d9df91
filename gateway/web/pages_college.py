"""Pages of counselors and college admins: the review queue with filters, bulk
approve or return with a reason (each application its own audited step), and the
roster import from Excel with a row-by-row error report."""
from flask import g, redirect, render_template, request, url_for

from core.excel import MAX_IMPORT_ROWS
from core.errors import ChuangxianError
from gateway import files
from gateway.api import rpc
from gateway.web import blp, i18n, menu, session
from gateway.web.pages_common import load_me
from gateway.web.pages_jobs import job_of

i18n.add({
    "review_queue": ("审核队列", "Review queue"),
    "filter": ("筛选", "Filter"),
    "all": ("全部", "All"),
    "campaign": ("评选活动", "Campaign"),
    "applicant": ("申报对象", "Applicant"),
    "submitted_at": ("提交时间", "Submitted"),
    "select": ("选择", "Select"),
    "bulk_action": ("批量操作", "Bulk action"),
    "approve_selected": ("审核通过所选", "Approve selected"),
    "return_selected": ("退回所选", "Return selected"),
    "reason_for_return": ("退回理由（退回时必填）", "Reason (required to return)"),
    "done_count": ("已处理", "Done"),
    "failed_count": ("未处理", "Not done"),
    "import_roster": ("导入学生名单", "Import roster"),
    "excel_or_csv": ("Excel（.xlsx）或 CSV 文件", "Excel (.xlsx) or CSV file"),
    "import": ("导入", "Import"),
    "imported": ("导入成功", "Imported"),
    "row": ("行", "Row"),
    "column": ("列", "Column"),
    "problem": ("问题", "Problem"),
    "nothing_imported": ("文件有错误，未导入任何数据", "The file has errors; nothing was imported"),
    "quotas": ("名额使用", "Quotas used"),
})
REVIEW_ROLES = ["counselor", "college_admin", "school_admin"]
QUEUE_PAGE = 100
menu.add("web.review_queue", "review_queue", REVIEW_ROLES)
ROSTER_ROLES = ["school_admin", "college_admin", "counselor"]
menu.add("web.import_roster", "import_roster", ROSTER_ROLES)


@blp.route("/review")
@session.page_login_required
def review_queue():
    load_me(REVIEW_ROLES)
    # What waits for this reader: the college's reviewers decide submitted applications,
    # a school admin (only) those the college approved.
    waiting = "submitted" if g.my_roles & {"counselor", "college_admin"} else "college_approved"
    filters = {"state": request.args.get("state") or waiting}
    for key in ("campaign_id", "college_id"):
        if request.args.get(key):
            filters[key] = request.args[key]
    if filters["state"] == "all":
        filters.pop("state")
    after = request.args.get("after") or None
    with rpc() as cluster:
        page = _queue_page(cluster, filters, after)
    done = request.args.get("done", type=int)
    return render_template("review_queue.html", **page, filters=filters, after=after, results=None, done=done,
                           done_action=request.args.get("action"), queue=_queue_args(filters))


def _queue_page(cluster, filters, after=None):
    """One page of the queue (newest first, by key: a school's queue holds thousands)
    with the whole count, the id to ask after for the next page (None on the last)
    and the campaigns of the filter."""
    apps = cluster.applications.list_applications(g.actor_id, dict(filters, limit=QUEUE_PAGE + 1, after=after))
    more = len(apps) > QUEUE_PAGE
    apps = apps[:QUEUE_PAGE]
    return {"applications": apps, "next_after": apps[-1]["id"] if more else None,
            "total": cluster.applications.count_applications(g.actor_id, filters),
            "campaigns": cluster.applications.list_campaigns(g.actor_id, False)}


def _queue_args(filters):
    """The queue's filters as the review page carries them, so "next" stays in this queue."""
    return {k: v for k, v in filters.items() if k in ("campaign_id", "state", "college_id")} | (
        {} if filters.get("state") else {"state": "all"})


@blp.route("/review/bulk", methods=["POST"])
@session.page_login_required
def review_bulk():
    """Each selected application is one step; one failing does not stop the others,
    and the page lists which were done and why the rest were not."""
    load_me()
    action = request.form.get("action")
    reason = (request.form.get("reason") or "").strip() or None
    done, failed = [], []
    with rpc() as cluster:
        for app_id in request.form.getlist("application_id"):
            try:
                cluster.applications.act(g.actor_id, app_id, {"action": action, "reason": reason},
                                         f"web-bulk-{request.form.get('batch', '')}-{app_id}-{action}")
                done.append(app_id)
            except ChuangxianError as exc:
                failed.append({"id": app_id, "name": _name_of(cluster, app_id), "error": exc.to_dict()})
        if not failed:
            # Post/Redirect/Get: a refresh of the queue repeats nothing.
            return redirect(url_for("web.review_queue", done=len(done), action=action), 303)
        filters = {"state": "submitted"}
        page = _queue_page(cluster, filters)
    return render_template("review_queue.html", **page, filters=filters, after=None,
                           results={"done": done, "failed": failed}, queue=filters), 422


def _name_of(cluster, app_id):
    """The applicant's name of an application a bulk step refused (only those are read)."""
    try:
        return cluster.applications.get_application(g.actor_id, app_id).get("applicant_name") or "—"
    except ChuangxianError:
        return "—"


@blp.route("/directory/import", methods=["GET", "POST"])
@session.page_login_required
def import_roster():
    """Upload a roster: the import runs as a background job; the page then shows its
    progress (?job=<id>) and, when done, the count or every bad row."""
    me = load_me(ROSTER_ROLES)
    error, job = None, None
    if request.method == "POST":
        upload = request.files.get("file")
        school_id = me.get("school_id") or "school_demo"
        try:
            with rpc() as cluster:
                job = cluster.applications.import_students(   # the bytes by reference (core/filestore.py)
                    g.actor_id, school_id, upload.filename if upload else "",
                    files.put(upload.read()) if upload and upload.filename else None)
            return redirect(url_for("web.import_roster", job=job["id"]), 303)
        except ChuangxianError as exc:
            error = exc.to_dict()
    elif request.args.get("job"):
        job = job_of(request.args["job"])
    status = 200 if error is None else 422
    return render_template("import_roster.html", job=job, error=error, max_import_rows=MAX_IMPORT_ROWS), status
