"""The school admin's dashboard: for one campaign, charts drawn on the page with
chart.js (served locally from npm): applications per college and per state over
time, each reviewer's score distribution before and after normalisation, and the
budget used per funding tier. Each chart has a table with the same numbers
(dashboard_data.py computes them from the services' RPC answers)."""
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
    "claimed": ("已申请报销", "Claimed"),
    "approved_total": ("已批准（含已支付）", "Approved (paid included)"),
    "projects": ("项目数", "Projects"),
    "no_data": ("暂无数据", "No data yet"),
    "scores_after_publish": ("评审结果发布后显示。", "Shown once results are published."),
    "zscore_off": ("本活动未启用标准化，标准化前后相同。", "This campaign does not normalise reviewers: before equals after."),
    "no_funding": ("本活动尚未设置经费。", "No funding is set up for this campaign."),
    "truncated": ("仅统计前 %d 份申报。", "Only the first %d applications are counted."),
})
DASHBOARD_ROLES = ["school_admin"]
menu.add("web.dashboard", "dashboard", DASHBOARD_ROLES)
LIMIT = 300   # applications whose audit trails and explanations are read per view


def _applications(cluster, campaign_id):
    apps, skip = [], 0
    while True:
        page = cluster.applications.list_applications(g.actor_id, {"campaign_id": campaign_id, "limit": 500,
                                                                   "skip": skip})
        apps += page
        if len(page) < 500:
            return apps
        skip += 500


def _reviewers(cluster, campaign_id):
    """(spread, zscore?) from the published results; (None, None) before them."""
    published = cluster.scoring.published_results(g.actor_id, campaign_id)
    if not published:
        return None, None
    ids = [e["application_id"] for e in (published.get("selected") or []) + (published.get("rest") or [])][:LIMIT]
    explanations = [cluster.scoring.explain(g.actor_id, campaign_id, aid) for aid in ids]
    criteria = cluster.scoring.campaign_criteria(g.actor_id, campaign_id)
    setup = cluster.scoring.get_setup(g.actor_id, campaign_id)
    spread = dashboard_data.reviewer_spread(explanations, criteria.get("leaf_shares") or {},
                                            criteria.get("leaf_shares_by_category"))
    return spread, bool(setup.get("zscore"))


def _budget(cluster, campaign_id):
    try:
        funding = cluster.funding.get_campaign(g.actor_id, campaign_id)
        rows = cluster.funding.report(g.actor_id, campaign_id, "project")
    except (NotFound, PermissionDenied):
        return None
    tiers = [dict(t, name=i18n.pick(t.get("name") or t["code"], t.get("name_en") or t.get("name") or t["code"]))
             for t in funding.get("tiers") or []]
    return dashboard_data.budget_by_tier(rows, tiers)


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
                            "before": [r["before"] for r in data["reviewers"]],
                            "after": [r["after"] for r in data["reviewers"]],
                            "beforeLabel": t("before_norm"), "afterLabel": t("after_norm")}
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
            apps = _applications(cluster, cid)
            names = {u["id"]: u["name"] for u in cluster.applications.list_units(g.actor_id, "college", None)}
            trails = {a["id"]: cluster.applications.audit_trail(g.actor_id, a["id"]) for a in apps[:LIMIT]}
            try:
                spread, zscore = _reviewers(cluster, cid)
            except (Conflict, PermissionDenied):
                spread, zscore = None, None
            data = {"by_college": dashboard_data.by_college(apps, names),
                    "over_time": dashboard_data.stages_over_time(trails, dashboard_data.today_in_beijing()),
                    "reviewers": spread, "zscore": zscore, "budget": _budget(cluster, cid),
                    "truncated": len(apps) > LIMIT}
    return render_template("dashboard.html", campaigns=campaigns, chosen=chosen, data=data, limit=LIMIT,
                           charts=charts(data) if data else None)
