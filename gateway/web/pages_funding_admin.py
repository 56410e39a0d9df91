"""A campaign's funding page (立项与经费) for whoever awards grants (a school admin,
finance): the campaign budget (set, changed with a reason) and what is left of it;
the final list (正式名单) with, per project, the tier the review proposed (its grade),
changeable with a reason, the amount within the tier's cap, and the faculty advisor
picked from the directory's advisors (searched by name, never typed as an id). The
ticked projects are awarded in one request that starts a background job (the
funding service checks every row first and never lets the awards exceed the budget);
the page follows the job and lists any row it refused. Reached from the campaign's
admin page and from 项目经费."""
from flask import g, redirect, render_template, request, url_for

from core.errors import ChuangxianError, NotFound
from gateway.api import rpc
from gateway.errors import status_of
from gateway.web import blp, i18n, session
from gateway.web.page_helpers import form_nonce, idempotency_key, with_message
from gateway.web.pages_common import load_me
from gateway.web.pages_jobs import job_of

i18n.add({
    "campaign_funding": ("立项与经费", "Grants and budget"),
    "campaign_budget": ("批次经费预算", "Campaign budget"),
    "budget_total": ("预算总额", "Budget"),
    "budget_granted": ("已立项", "Granted"),
    "budget_left": ("剩余可分配", "Left to award"),
    "budget_yuan": ("预算总额（元）", "Budget (yuan)"),
    "budget_reason": ("调整原因（调整预算时必填）", "Reason (required to change the budget)"),
    "budget_not_set": ("尚未设置本批次的经费预算；设置后才能立项。", "No budget yet: set it to award grants."),
    "set_budget": ("保存预算", "Save the budget"),
    "budget_saved": ("经费预算已保存：{budget}", "Budget saved: {budget}"),
    "final_list_awards": ("正式名单与立项", "Final list and awards"),
    "no_final_list": ("尚无正式名单：公示期满并确定正式名单后才能立项。", "No final list yet: awards follow the final list."),
    "review_grade": ("评审等次", "Review grade"),
    "award_this": ("立项", "Award"),
    "award_tier": ("资助档次（上限）", "Tier (cap)"),
    "award_amount": ("资助金额（元）", "Amount (yuan)"),
    "tier_reason": ("调整档次的理由（与评审等次不同时必填）", "Why this tier (required if it differs from the review grade)"),
    "advisor_pick": ("指导教师", "Faculty advisor"),
    "choose_advisor": ("请选择指导教师", "Choose the advisor"),
    "advisor_search": ("按姓名查找指导教师", "Find advisors by name"),
    "search": ("查询", "Search"),
    "advisor_named_in_form": ("申报书填写的指导教师", "Advisor named in the application"),
    "award_selected": ("为所选项目立项", "Award the ticked projects"),
    "awards_started": ("已开始立项：所选项目正在后台逐个拨付", "Awarding started: the ticked projects are funded in the background"),
    "awarded_already": ("已立项", "Awarded"),
    "open_project": ("项目页面", "Project page"),
    "proposed": ("建议", "proposed"),
    "refused_rows": ("以下项目未能立项", "These projects were not awarded"),
    "job_kind_award_grants": ("批量立项", "Awarding grants"),
    "job_count_awarded": ("已立项", "Awarded"),
    "nothing_ticked": ("请至少勾选一个项目", "Tick at least one project"),
    "rank_total": ("第 {rank} 名 · {total} 分", "rank {rank} · {total} points"),
})
AWARD_ROLES = ["school_admin", "finance"]


def _optional(call, *args):
    try:
        return call(*args)
    except NotFound:
        return None


def _rows(final, apps, grants, tiers, advisors):
    """One row per final-list entry: its grant if awarded, else what the form proposes
    (the grade's tier, the tier's cap or the planned budget if lower, the advisor the
    application names when the directory has that advisor)."""
    by_app = {a["id"]: a for a in apps}
    granted = {gr["project_id"]: gr for gr in grants}
    caps = {t["code"]: t["cap_fen"] for t in tiers}
    by_name = {}
    for person in advisors:
        by_name.setdefault(person["name"], person["id"])
    rows = []
    for entry in (final or {}).get("entries", []):
        app = by_app.get(entry["application_id"], {})
        form = app.get("form") or {}
        tier = entry.get("grade") if entry.get("grade") in caps else None
        planned = _fen_of(form.get("planned_budget_yuan"))
        amount = min(caps[tier], planned) if tier and planned else (caps[tier] if tier else None)
        named = (form.get("faculty_advisor") or {}).get("name")
        rows.append({"application_id": entry["application_id"], "name": entry.get("applicant_name") or "—",
                     "title": form.get("title"), "grade": entry.get("grade_name_zh") or entry.get("grade"),
                     "rank": entry.get("rank"), "total": entry.get("total"), "proposed_tier": tier,
                     "amount_yuan": _yuan_text(amount), "advisor_named": named,
                     "advisor_id": by_name.get(named), "grant": granted.get(entry["application_id"])})
    return rows


def _fen_of(yuan):
    try:
        return int(round(float(str(yuan).replace(",", "")) * 100))
    except (TypeError, ValueError):
        return None


def _yuan_text(fen):
    return None if fen is None else f"{fen // 100}.{fen % 100:02d}"


def _page(campaign_id, error=None, status=200, row_errors=None):
    load_me(AWARD_ROLES)
    job = job_of(request.args["job"]) if request.args.get("job") else None
    q = (request.args.get("q") or "").strip()[:40]
    with rpc() as cluster:
        campaign = cluster.applications.get_campaign(g.actor_id, campaign_id)
        funding = _optional(cluster.funding.get_campaign, g.actor_id, campaign_id)
        final = _optional(cluster.applications.get_final_list, g.actor_id, campaign_id)
        grants = cluster.funding.list_grants(g.actor_id, campaign_id) if funding else []
        apps = cluster.applications.list_applications(g.actor_id, {"campaign_id": campaign_id, "limit": 500}) \
            if final else []
        advisors = cluster.applications.search_people(
            g.actor_id, {"role": "advisor", "limit": 50, **({"q": q} if q else {})})["items"] if final else []
        tiers = funding["tiers"] if funding else []
    return render_template(
        "campaign_funding.html", campaign=campaign, funding=funding, final=final, tiers=tiers, q=q,
        rows=_rows(final, apps, grants, tiers, advisors), advisors=advisors, job=job, error=error,
        row_errors=row_errors or {}, values=request.form, posted=request.method == "POST",
        nonce=form_nonce(), refused=((job or {}).get("result") or {}).get("refused") or []), status


@blp.route("/admin/campaigns/<campaign_id>/funding")
@session.page_login_required
def campaign_funding(campaign_id):
    return _page(campaign_id)


@blp.route("/admin/campaigns/<campaign_id>/funding/budget", methods=["POST"])
@session.page_login_required
def campaign_budget(campaign_id):
    """Open the campaign's funding account with its budget, or change the budget
    (a reason required); never below what is awarded (the service refuses)."""
    load_me(AWARD_ROLES)
    budget = (request.form.get("budget_yuan") or "").strip()
    reason = (request.form.get("reason") or "").strip()
    try:
        with rpc() as cluster:
            opened = _optional(cluster.funding.get_campaign, g.actor_id, campaign_id)
            if opened is None:
                done = cluster.funding.open_campaign(g.actor_id, {"campaign_id": campaign_id, "budget_yuan": budget,
                                                                  "reason": reason or None},
                                                     idempotency_key(campaign_id, "open"))
            else:
                done = cluster.funding.set_budget(g.actor_id, campaign_id, {"budget_yuan": budget, "reason": reason},
                                                  idempotency_key(campaign_id, "budget"))
    except ChuangxianError as exc:
        return _page(campaign_id, exc.to_dict(), status_of(exc))
    return redirect(with_message(url_for("web.campaign_funding", campaign_id=campaign_id), "budget_saved",
                                 budget=done["display"]["budget"]))


def _ticked(form):
    """The ticked rows as awards, and the page row each came from."""
    awards, rows = [], []
    for i in range(int(form.get("rows") or 0)):
        if form.get(f"award{i}") != "1":
            continue
        awards.append({"application_id": form.get(f"app{i}") or "", "tier": form.get(f"tier{i}") or "",
                       "amount_yuan": (form.get(f"amount{i}") or "").strip(),
                       "tier_reason": (form.get(f"reason{i}") or "").strip() or None,
                       "advisor_id": form.get(f"advisor{i}") or ""})
        rows.append(i)
    return awards, rows


def _by_row(error, rows):
    """{page row: {field: (zh, en)}} of a batch refusal naming `awards[n].<field>`."""
    import re
    out = {}
    for d in (error.get("details") if isinstance(error.get("details"), list) else []):
        m = re.match(r"awards\[(\d+)\]\.(\w+)", str(d.get("field") or ""))
        if m and int(m.group(1)) < len(rows):
            field = {"amount_fen": "amount_yuan"}.get(m.group(2), m.group(2))
            out.setdefault(rows[int(m.group(1))], {})[field] = (d.get("message_zh"), d.get("message"))
    return out


@blp.route("/admin/campaigns/<campaign_id>/funding/awards", methods=["POST"])
@session.page_login_required
def campaign_awards(campaign_id):
    """The ticked projects, awarded by one background job of the funding service."""
    load_me(AWARD_ROLES)
    awards, rows = _ticked(request.form)
    if not awards:
        return _page(campaign_id, {"code": "validation_failed", "message": i18n.MESSAGES["nothing_ticked"][1],
                                   "message_zh": i18n.MESSAGES["nothing_ticked"][0], "field": "awards"}, 422)
    try:
        with rpc() as cluster:
            job = cluster.funding.award_grants(g.actor_id, campaign_id, {"awards": awards})
    except ChuangxianError as exc:
        error = exc.to_dict()
        return _page(campaign_id, error, status_of(exc), _by_row(error, rows))
    return redirect(with_message(url_for("web.campaign_funding", campaign_id=campaign_id, job=job["id"]),
                                 "awards_started", "#awards"))
