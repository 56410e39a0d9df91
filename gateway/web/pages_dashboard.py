"""The school admin's dashboard: for one campaign, charts drawn on the page with
chart.js (served locally from npm): applications per college and per state over
time, each reviewer's score distribution before and after normalisation (a box per
reviewer: the scoring service sends each one's quartiles and extremes, not every
total), and the budget used per funding tier. Each chart has a table with the same
numbers.

The numbers cover the whole campaign and are counted where the data is, so the
page makes the same few calls however many applications there are: the
applications service's `campaign_dashboard` (per college and state, states per
day), the scoring service's `reviewer_spread` (the published round) and the
funding service's campaign and report (summed per tier by dashboard_data.py)."""
from flask import g, render_template, request

from core.errors import Conflict, NotFound, PermissionDenied
from gateway.api import rpc
from gateway.web import blp, dashboard_data, i18n, menu, session
from gateway.web.pages_common import load_me

i18n.add({
    "dashboard": ("数据看板", "Dashboard"),
    "show": ("查看", "Show"),
    "chart_by_college": ("各学院申报数（按状态）", "Applications per college (by state)"),
    "chart_over_time": ("各阶段申报数随时间变化", "Applications per stage over time"),
    "chart_reviewers": ("各评审专家评分分布（标准化前后）", "Each reviewer's scores before and after normalisation"),
    "chart_budget": ("各档次经费使用", "Budget used per tier"),
    "data_table": ("数据表", "Data table"),
    "see_table": ("数据见下方表格", "the same data is in the table below"),
    "day": ("日期", "Day"),
    "before_norm": ("标准化前", "Before normalisation"),
    "after_norm": ("标准化后", "After normalisation"),
    "count": ("份数", "Count"),
    "mean": ("平均", "Mean"),
    "sd": ("标准差", "SD"),
    "min": ("最低", "Min"),
    "max": ("最高", "Max"),
    "median": ("中位数", "Median"),
    "quartiles": ("四分位", "Quartiles"),
    "spread_range": ("最低–最高", "lowest–highest"),
    "claimed": ("已申请报销", "Claimed"),
    "approved_total": ("已批准（含已支付）", "Approved (paid included)"),
    "projects": ("项目数", "Projects"),
    "no_data": ("暂无数据", "No data yet"),
    "scores_after_publish": ("评审结果发布后显示。", "Shown once results are published."),
    "zscore_off": ("本活动未启用标准化，标准化前后相同。", "This campaign does not normalise reviewers: before equals after."),
    "no_funding": ("本活动尚未设置经费。", "No funding is set up for this campaign."),
    "reviewer_n": ("评审专家 {n}", "Reviewer {n}"),
    "counts_updating": ("申报数据正在重新统计，完成后本页自动刷新；下方为上次统计的结果。",
                        "The applications are being counted again; this page reloads when that is done. "
                        "Below are the counts from last time."),
})
DASHBOARD_ROLES = ["school_admin"]
menu.add("web.dashboard", "dashboard", DASHBOARD_ROLES)


def _reviewers(cluster, campaign_id):
    """(spread, zscore?) of the latest published round; (None, None) before one."""
    spread = cluster.scoring.reviewer_spread(g.actor_id, campaign_id)
    if not spread:
        return None, None
    return named(spread["reviewers"]), bool(spread["zscore"])


def named(reviewers):
    """The reviewers with a name to show: one whose sheets carry no name (None from
    the service; their id in a spread kept before it said None) is "评审专家 N",
    never an internal id."""
    out = []
    for n, r in enumerate(reviewers, 1):
        unnamed = not r.get("name") or r.get("name") == r.get("reviewer_id")
        out.append(dict(r, name=i18n.t("reviewer_n").format(n=n)) if unnamed else r)
    return out


def _budget(cluster, campaign_id):
    try:
        funding = cluster.funding.get_campaign(g.actor_id, campaign_id)
        rows = cluster.funding.report(g.actor_id, campaign_id, "project")
    except (NotFound, PermissionDenied):
        return None
    tiers = [dict(t, name=i18n.pick(t.get("name") or t["code"], t.get("name_en") or t.get("name") or t["code"]))
             for t in funding.get("tiers") or []]
    return dashboard_data.budget_by_tier(rows, tiers)


def box(stats):
    """[lowest, Q1, median, Q3, highest] of a reviewer's totals: the box the chart draws."""
    return [stats[k] for k in ("min", "q1", "median", "q3", "max")]


def charts(data):
    """What static/dashboard.js draws (labels already in the reader's language)."""
    from gateway.web.pages_applicant import state_label
    t = i18n.t
    college = data["by_college"]
    out = {"byCollege": {"labels": [c["name"] for c in college["colleges"]],
                         "datasets": [{"label": state_label(s), "state": s,
                                       "data": [c["states"][s] for c in college["colleges"]]}
                                      for s in college["states"]]},
           "overTime": {"labels": data["over_time"]["days"],
                        "datasets": [{"label": state_label(s), "state": s, "data": data["over_time"]["series"][s]}
                                     for s in data["over_time"]["states"]]}}
    if data["reviewers"]:
        out["reviewers"] = {"names": [r["name"] for r in data["reviewers"]],
                            "before": [box(r["before_stats"]) for r in data["reviewers"]],
                            "after": [box(r["after_stats"]) for r in data["reviewers"]],
                            "beforeLabel": t("before_norm"), "afterLabel": t("after_norm"),
                            "rangeLabel": t("spread_range"), "medianLabel": t("median")}
    if data["budget"]:
        keys = (("granted_fen", "granted"), ("claimed_fen", "claimed"), ("approved_fen", "approved_total"),
                ("paid_fen", "paid"))
        out["budget"] = {"labels": [b["name"] for b in data["budget"]],
                         "datasets": [{"label": t(label), "data": [b[key] / 100 for b in data["budget"]]}
                                      for key, label in keys]}
    return out


@blp.route("/dashboard")
@session.page_login_required
def dashboard():
    load_me(DASHBOARD_ROLES)
    with rpc() as cluster:
        campaigns = cluster.applications.list_campaigns(g.actor_id, False)
        chosen = next((c for c in campaigns if c["id"] == request.args.get("campaign_id")),
                      campaigns[0] if campaigns else None)
        data = None
        if chosen:
            cid = chosen["id"]
            counts = cluster.applications.campaign_dashboard(g.actor_id, cid)
            try:
                spread, zscore = _reviewers(cluster, cid)
            except (Conflict, PermissionDenied):
                spread, zscore = None, None
            # a large campaign is counted by a job: the counts kept last meanwhile, and the
            # job's progress (the page reloads at its end)
            data = {"by_college": counts["by_college"], "over_time": counts["over_time"],
                    "updating": counts.get("updating"),
                    "reviewers": spread, "zscore": zscore, "budget": _budget(cluster, cid)}
    return render_template("dashboard.html", campaigns=campaigns, chosen=chosen, data=data,
                           charts=charts(data) if data else None)
