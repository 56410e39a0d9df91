"""导入记录: the school admin imports the facts programs score from (monthly dorm
ratings, inspections, failed courses, scholarships, discipline...) and the awards of
the years before the platform, from Excel or CSV.

The page lists every fact kind with the columns it is read from, so the office can
prepare its sheet. Facts are imported by a background job (the page shows its
progress, then the counts or every bad row); the bytes go to the file store and the
RPC carries their id. Awards from before the platform are a short history file,
imported at once (all or nothing, every bad row reported). Both send the file
store's reference, never the bytes, over RPC.
"""
from flask import g, redirect, render_template, request, url_for

from core.excel import MAX_IMPORT_ROWS
from core.errors import ChuangxianError
from gateway import files
from gateway.api import rpc
from gateway.errors import status_of
from gateway.web import blp, i18n, menu, session
from gateway.web.page_helpers import upload_bytes
from gateway.web.pages_common import load_me
from gateway.web.pages_jobs import job_of

i18n.add({
    "import_records": ("导入记录", "Import records"),
    "import_facts": ("导入日常记录", "Import facts"),
    "import_facts_hint": ("检查评比、考试、奖学金、违纪等记录，供各评选项目计分与否决使用；同一文件重复导入不会重复记录。",
                          "Inspections, ratings, exams, scholarships, discipline… which programs score and veto "
                          "from; importing the same file again records nothing twice."),
    "facts_columns": ("表格列", "Columns"),
    "fact_kind": ("类别", "Kind"),
    "fact_applies_to": ("适用对象", "Applies to"),
    "fact_value_columns": ("该类别的列", "Its columns"),
    "import_awards": ("导入往年荣誉", "Import past awards"),
    "import_awards_hint": ("平台启用前获得的荣誉（如往年文明寝室），供“不得重复申报同一类型”等规则使用。",
                           "Awards from before the platform (e.g. last year's civilized dorms), for rules such as "
                           "“not the same type twice”."),
    "awards_imported": ("往年荣誉已导入：新增 {created} 条，更新 {updated} 条，已有 {unchanged} 条",
                        "Past awards imported: {created} new, {updated} updated, {unchanged} already there"),
    "required_mark": ("（必填）", " (required)"),
})
menu.add("web.import_records", "import_records", ["school_admin"])

FACT_COLUMNS = "对象类型, 对象编号, 对象名称, 类别, 日期, 学年, <该类别的列>, 来源, 来源编号, 备注"
AWARD_COLUMNS = "对象类型, 对象编号, 对象名称, 项目, 称号, 代码, 类别, 级别, 学年, 日期, 成员, 来源, 来源编号, 备注"


@blp.route("/records/import", methods=["GET", "POST"])
@session.page_login_required
def import_records():
    """GET: the kinds and both forms (with ?job=<id>, the facts import's progress).
    POST (what=facts): start the import job, then show it; (what=awards): import now."""
    load_me(["school_admin"])
    error, job, message, status = None, None, None, 200
    if request.method == "POST":
        try:
            filename, data = upload_bytes("file", required=True)
            with rpc() as cluster:
                if request.form.get("what") == "awards":
                    counts = cluster.records.import_awards(g.actor_id, filename, files.put(data))
                    message = i18n.t("awards_imported").format(**{k: counts.get(k, 0) for k in
                                                                 ("created", "updated", "unchanged")})
                else:
                    job = cluster.records.import_facts(g.actor_id, filename, files.put(data))
                    return redirect(url_for("web.import_records", job=job["id"]), 303)
        except ChuangxianError as exc:
            error, status = exc.to_dict(), status_of(exc)
    elif request.args.get("job"):
        job = job_of(request.args["job"])
    with rpc() as cluster:
        kinds = cluster.records.kinds()
    return render_template("import_records.html", job=job, error=error, message=message, kinds=kinds,
                           max_import_rows=MAX_IMPORT_ROWS,
                           fact_columns=FACT_COLUMNS, award_columns=AWARD_COLUMNS,
                           subject_labels={s["code"]: s for s in kinds["subject_kinds"]}), status
