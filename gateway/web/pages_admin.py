"""Pages of campaign admins (school admins; a college's admin for its own college
campaigns): open and configure a campaign, the scoring setup, reviewer assignment,
the results preview and ranking with the cut line, publishing, and the documents.
The notice, objections, final list and nominations are in pages_admin_notice.py.
Every permission is the services' (scoring and applications refuse non-admins)."""
from flask import g, redirect, render_template, request, url_for

from core.errors import ChuangxianError, field_error, invalid
from gateway.api import rpc
from gateway.rpc import answers
from gateway.web import blp, i18n, menu, session
from gateway.web.page_helpers import field_errors, form_nonce, idempotency_key, with_message
from gateway.web.pages_common import load_me
from gateway.web.pages_jobs import job_of
from gateway.web.schema_form import normalise_time

i18n.add({
    "setup_saved_ok": ("评审设置已保存：每份申报由 {k} 位评审专家评分", "Scoring set up: {k} reviewer(s) per application"),
    "assigned_ok": ("已自动分配评审专家，评审专家登录后即可看到待评申报", "Reviewers assigned; they see their applications when they log in"),
    "results_published_ok": ("已发布评审结果（第 {round} 轮），申报人现在可以查看排名与结果", "Results published (round {round}); applicants can now see their ranking"),
    "manage_campaigns": ("活动管理", "Manage campaigns"),
    "open_campaign": ("发起评选活动", "Open a campaign"),
    "title": ("标题", "Title"),
    "unit_scope": ("评选范围（学校或学院）", "Scope (the school or a college)"),
    "application_opens_at": ("申报开始（北京时间）", "Applications open (Beijing time)"),
    "application_closes_at": ("申报截止（北京时间）", "Applications close (Beijing time)"),
    "review_opens_at": ("评审开始（北京时间，可选）", "Review opens (Beijing time, optional)"),
    "review_closes_at": ("评审截止（北京时间，可选）", "Review closes (Beijing time, optional)"),
    "settings_after_open": ("活动设置默认采用项目设置，创建后可在“活动设置”页逐项修改。",
                            "The campaign starts with its program's settings; change them afterwards on its settings page."),
    "phase": ("状态", "Status"),
    "parent_campaign": ("上级评选活动（学院活动推荐上报用，可选）", "Parent campaign (a college campaign nominates to it; optional)"),
    "none": ("无", "None"),
    "nomination_quota": ("每个学院推荐名额（校级活动，可选）", "Nominations accepted per college (school campaigns; optional)"),
    "manage": ("管理", "Manage"),
    "campaign_admin": ("活动管理", "Campaign administration"),
    "scoring_setup": ("评审设置", "Scoring setup"),
    "reviewers_per_application": ("每份申报评审专家人数", "Reviewers per application"),
    "blind_review_label": ("匿名评审（专家看不到申报对象名称）", "Blind review (reviewers see no applicant names)"),
    "aggregation": ("汇总方式", "Aggregation"),
    "agg_mean": ("平均分", "Mean"),
    "agg_median": ("中位数", "Median"),
    "agg_trimmed_mean": ("去掉一个最高分和一个最低分后取平均", "Trimmed mean (drop the highest and the lowest)"),
    "zscore_label": ("按评审专家标准化分数（z-score）", "Normalise each reviewer's marks (z-score)"),
    "save_setup": ("保存设置", "Save setup"),
    "setup_not_saved": ("尚未保存评审设置；保存后才能分配评审专家。", "The setup is not saved yet; save it to assign reviewers."),
    "assignments": ("评审分配", "Reviewer assignments"),
    "auto_assign": ("自动分配评审专家", "Assign reviewers automatically"),
    "reviewer": ("评审专家", "Reviewer"),
    "sheet": ("评分表", "Score sheet"),
    "loads": ("专家工作量", "Reviewer loads"),
    "no_assignments": ("暂无分配", "No assignments yet"),
    "ranking_rows_shown": ("显示第 {first}–{last} 条，共 {total} 条", "Showing {first}–{last} of {total}"),
    "previous_page": ("上一页", "Previous page"),
    "newest_shown": ("下表为最新 {n} 份", "the newest {n} below"),
    "all_applications": ("查看全部申报", "All applications"),
    "assignments_shown": ("共 {total} 条分配，本页 {shown} 条", "{total} assignments, {shown} on this page"),
    "results": ("评审结果", "Results"),
    "preview": ("遴选预览（尚未发布）", "Selection preview (not published)"),
    "published_results": ("已发布的结果", "Published results"),
    "publish_results": ("发布评审结果", "Publish the results"),
    "publish_round": ("发布新一轮结果", "Publish a new round"),
    "stale_results": ("评分或否决已变化，已发布结果与当前数据不一致。", "Scores or vetoes changed since publication."),
    "rank": ("排名", "Rank"),
    "total": ("总分", "Total"),
    "grade": ("等次", "Grade"),
    "outcome": ("结果", "Outcome"),
    "selected": ("入选", "Selected"),
    "not_selected": ("未入选", "Not selected"),
    "cut_line": ("入选线", "Cut line"),
    "cut_line_at": ("以上入选，以下未入选", "above: selected; below: not selected"),
    "no_preview": ("暂无法预览", "No preview yet"),
    "documents": ("文档下载", "Documents"),
    "summary_xlsx": ("申报汇总表（Excel）", "Application summary (Excel)"),
    "ranking_xlsx": ("评审结果（Excel）", "Ranking (Excel)"),
    "grants_xlsx": ("立项经费与报销（Excel）", "Grants and claims (Excel)"),
    "word_form": ("申请表（Word）", "Application form (Word)"),
    "word_approval": ("考核审批表（Word）", "Approval form (Word)"),
    "applications_count": ("申报数", "Applications"),
    "notice_admin": ("公示、异议与正式名单", "Notice, objections and final list"),
    "level": ("级别", "Level"),
    "level_school": ("校级", "School"),
    "level_college": ("院级", "College"),
})
ADMIN_ROLES = ["school_admin", "college_admin"]
menu.add("web.admin_campaigns", "manage_campaigns", ADMIN_ROLES)

TIME_FIELDS = ("application_opens_at", "application_closes_at", "review_opens_at", "review_closes_at")


def _open_form_context(cluster):
    programs = cluster.applications.list_programs()
    units = cluster.applications.list_units(g.actor_id, "school", None) + \
        cluster.applications.list_units(g.actor_id, "college", None)
    campaigns = cluster.applications.list_campaigns(g.actor_id, False)
    return {"programs": programs, "units": units, "campaigns": campaigns,
            "parents": [c for c in campaigns if c.get("level") == "school"]}


def campaign_payload(form):
    """The open_campaign payload from the posted form. Times are the browser's
    datetime-local values without an offset: the service reads them as Beijing time.
    The campaign starts with its program's settings (changed afterwards on the
    settings form, pages_admin_campaign_settings.py). Raises ValidationFailed
    (nothing is sent) for a quota that is not a whole number."""
    payload = {k: (form.get(k) or "").strip() for k in ("program", "title", "academic_year", "unit_id")}
    problems = []
    for name in TIME_FIELDS:
        if (form.get(name) or "").strip():
            payload[name] = normalise_time(form[name])   # "2026-12-11 17:00" (Beijing) -> ISO
        elif name.startswith("application"):
            # (the service skips an empty time instead of refusing it: say so here)
            problems.append(field_error(name, "Required.", "必填"))
    if form.get("parent_campaign_id"):
        payload["parent_campaign_id"] = form["parent_campaign_id"]
    quota = (form.get("per_college") or "").strip()
    if quota:
        if not quota.isdigit():
            problems.append(field_error("nomination_quota.per_college", "Must be a whole number.", "须为整数"))
        else:
            payload["nomination_quota"] = {"per_college": int(quota)}
    if problems:
        raise invalid(problems)
    return payload


def _manageable(campaigns):
    """Ids of the campaigns this person may manage (a link to any other would only
    lead to 403): all for a school admin, their college's for a college admin."""
    roles = g.me.get("roles", [])
    if any(r["role"] == "school_admin" for r in roles):
        return {c["id"] for c in campaigns}
    colleges = {r.get("unit_id") for r in roles if r["role"] == "college_admin"}
    return {c["id"] for c in campaigns if c.get("unit_id") in colleges}


@blp.route("/admin/campaigns", methods=["GET", "POST"])
@session.page_login_required
def admin_campaigns():
    load_me(ADMIN_ROLES)
    error = None
    with rpc() as cluster:
        if request.method == "POST":
            try:
                created = cluster.applications.open_campaign(g.actor_id, campaign_payload(request.form),
                                                             idempotency_key("open-campaign"))
            except ChuangxianError as exc:
                error = exc.to_dict()
            else:
                return redirect(url_for("web.admin_campaign", campaign_id=created["id"]))
        context = _open_form_context(cluster)
    return render_template("admin_campaigns.html", error=error, errors=field_errors(error) if error else {},
                           manageable=_manageable(context["campaigns"]),
                           values=request.form, nonce=request.form.get("nonce") or form_nonce(),
                           message=request.args.get("message"), **context), (422 if error else 200)


ASSIGNMENTS_PAGE = 50
RANKING_PAGE = 100
APPS_SHOWN = 50


def _ranking_from():
    """The first ranking row the page shows (`ranking_from`; 0 when absent or not a number)."""
    raw = request.args.get("ranking_from") or "0"
    return min(int(raw), 1_000_000) if raw.isdigit() else 0


def ranking_rows(results):
    """Selected entries in rank order, then the rest; the cut line falls between."""
    if not results:
        return [], []
    rest = sorted(results.get("rest") or [], key=lambda r: (r.get("rank") is None, r.get("rank") or 0))
    return list(results.get("selected") or []), rest


@blp.route("/admin/campaigns/<campaign_id>")
@session.page_login_required
def admin_campaign(campaign_id):
    load_me(ADMIN_ROLES)
    # The job first: when it has finished, the lists read next already hold its work; when it
    # has not, static/jobs.js reloads the page once it has (read after the lists, a job that
    # ended meanwhile showed as done above lists without its work, and nothing reloaded).
    job = job_of(request.args["job"]) if request.args.get("job") else None
    me = g.actor_id
    with rpc() as cluster:
        # Asked at once (they do not depend on each other): the page waits for the slowest.
        read = answers({
            "campaign": cluster.applications.get_campaign.call_async(me, campaign_id),
            "setup": cluster.scoring.get_setup.call_async(me, campaign_id),
            "results": cluster.scoring.results.call_async(me, campaign_id,
                                                          {"offset": _ranking_from(), "limit": RANKING_PAGE}),
            # The newest (a school's thousands are paged on the review queue, linked below the table).
            "apps": cluster.applications.list_applications.call_async(me, {"campaign_id": campaign_id,
                                                                           "limit": APPS_SHOWN}),
            "apps_total": cluster.applications.count_applications.call_async(me, {"campaign_id": campaign_id}),
            "notice": cluster.applications.get_notice.call_async(me, campaign_id)}, optional=("notice",))
        campaign, setup, results, apps = read["campaign"], read["setup"], read["results"], read["apps"]
        # One page of the assignments (a school campaign has tens of thousands), from
        # `assignments_after` on; the loads and the count cover them all.
        page = {"limit": ASSIGNMENTS_PAGE, "after": request.args.get("assignments_after") or None}
        more = answers({"program": cluster.applications.get_program.call_async(campaign["program"],
                                                                                campaign.get("program_version")),
                        **({"assignments": cluster.scoring.list_assignments.call_async(me, campaign_id, page)}
                           if setup.get("configured") else {})})
        program, assignments = more["program"], more.get("assignments")
    apps_total, notice = read["apps_total"], read["notice"]
    apps = [a for a in apps if a["state"] != "draft"]   # (only the admin's own: others' are hidden)
    # The preview is stored; when outdated its job is under way: show its progress (the page reloads at its end).
    job = job or results.get("preview_job")
    names = {rid: name or "—" for rid, name in ((assignments or {}).get("reviewer_names") or {}).items()}
    # Only the workbooks that apply: no funding workbook for a program without funding.
    return render_template("admin_campaign.html", campaign=campaign, setup=setup, assignments=assignments,
                           has_funding=bool((program or {}).get("funding")),
                           reviewer_names=names,
                           results=results, apps=apps, notice=notice, ranking_rows=ranking_rows,
                           page_rows=RANKING_PAGE, apps_total=apps_total,
                           nonce=form_nonce(), message=request.args.get("message"), job=job)


def _checked(name):
    return request.form.get(name) in ("on", "true", "1")


@blp.route("/admin/campaigns/<campaign_id>/setup", methods=["POST"])
@session.page_login_required
def admin_setup(campaign_id):
    raw_k = (request.form.get("reviewers_per_application") or "").strip()
    if not raw_k.isdigit():
        raise invalid([field_error("reviewers_per_application", "Must be a whole number from 1 to 20.",
                                   "须为 1 到 20 的整数")])
    payload = {"reviewers_per_application": int(raw_k), "blind_review": _checked("blind_review"),
               "zscore": _checked("zscore"), "version": int(request.form.get("version") or 0)}
    if request.form.get("aggregation"):
        payload["aggregation"] = request.form["aggregation"]
    with rpc() as cluster:
        cluster.scoring.configure(g.actor_id, campaign_id, payload)
    return redirect(with_message(url_for("web.admin_campaign", campaign_id=campaign_id), "setup_saved_ok", "#setup",
                                 k=payload["reviewers_per_application"]))


@blp.route("/admin/campaigns/<campaign_id>/auto-assign", methods=["POST"])
@session.page_login_required
def admin_auto_assign(campaign_id):
    """Starts the assignment job; the campaign page then shows its progress."""
    with rpc() as cluster:
        job = cluster.scoring.auto_assign(g.actor_id, campaign_id)
    return redirect(url_for("web.admin_campaign", campaign_id=campaign_id, job=job["id"]) + "#job")


@blp.route("/admin/campaigns/<campaign_id>/publish", methods=["POST"])
@session.page_login_required
def admin_publish(campaign_id):
    """Starts the publishing job. Publishing the same inputs twice returns the stored
    round (the service's guarantee), so a double click publishes once."""
    payload = {}
    if (request.form.get("round") or "").isdigit():
        payload["round"] = int(request.form["round"])
    with rpc() as cluster:
        job = cluster.scoring.publish_results(g.actor_id, campaign_id, payload)
    # The job computes and publishes; the page shows its progress, then the published round.
    return redirect(url_for("web.admin_campaign", campaign_id=campaign_id, job=job["id"]) + "#job")
