"""Pages of reviewers (评审专家): their assigned applications only, the score sheet
built from the program's criteria with each item's scale, drafts, submit. In blind
review the service hides names and units; these pages show what it returns."""
from flask import g, redirect, render_template, request, url_for

from core.errors import ChuangxianError
from gateway.api import rpc
from gateway.web import blp, i18n, menu, session
from gateway.web.pages_common import load_me

i18n.add({
    "my_reviews": ("我的评审", "My reviews"),
    "score_sheet": ("评分表", "Score sheet"),
    "indicator": ("指标", "Indicator"),
    "scale": ("分值范围", "Scale"),
    "your_score": ("评分", "Your score"),
    "pass": ("合格", "Pass"),
    "fail": ("不合格", "Fail"),
    "sheet_state": ("评分状态", "Sheet"),
    "not_started": ("未开始", "Not started"),
    "draft_saved": ("草稿已保存", "Draft saved"),
    "sheet_submitted": ("已提交（锁定）", "Submitted (locked)"),
    "blind_review": ("匿名评审：申报对象信息已隐藏", "Blind review: the applicant is hidden"),
    "share_of_total": ("占总分", "Share of total"),
})
REVIEWER_ROLES = ["reviewer", "counselor"]
menu.add("web.my_reviews", "my_reviews", REVIEWER_ROLES)


@blp.route("/reviews")
@session.page_login_required
def my_reviews():
    load_me(REVIEWER_ROLES)
    with rpc() as cluster:
        assignments = cluster.scoring.my_assignments(g.actor_id, None)
    return render_template("my_reviews.html", assignments=assignments)


def scorable_leaves(node, role, categories, path=()):
    """The leaves a sheet of `role` scores, in tree order, each with its path of names
    (a `by_category` switch keeps only the application's categories)."""
    out = []
    if node.get("by_category"):
        for category, child in node["by_category"].items():
            if not categories or category in categories:
                out += scorable_leaves(child, role, categories, (*path, f"{node.get('name', '')}·{category}"))
        return out
    children = node.get("children")
    if not children:
        roles = set((node.get("role_weights") or {}).keys()) or {node.get("scorer_role")}
        if role in roles:
            out.append({"id": node["id"], "name": node.get("name", node["id"]), "path": path,
                        "scale": node.get("scale") or {}})
        return out
    for child in children:
        out += scorable_leaves(child, role, categories, (*path, node.get("name", "")) if path or node.get("name") else path)
    return out


def _sheet_context(cluster, campaign_id, application_id):
    assigned = cluster.scoring.assigned_application(g.actor_id, campaign_id, application_id)
    # The service answers {"application", "role", "indicators", "sheet"}: the page shows the application,
    # its form fields labelled from the program's schema.
    assigned = dict(assigned.get("application") or assigned)
    program = cluster.applications.get_program(assigned["program"], assigned.get("program_version"))
    assigned["labels"] = {k: (p.get("title") or k, p.get("description") or k)
                          for k, p in (program.get("form_schema", {}).get("properties") or {}).items()}
    sheet = cluster.scoring.get_sheet(g.actor_id, campaign_id, application_id)
    criteria = cluster.scoring.campaign_criteria(g.actor_id, campaign_id)
    category = sheet.get("category")
    categories = [category] if isinstance(category, str) else list(category or [])
    leaves = scorable_leaves(criteria["criteria"], sheet.get("role", "reviewer"), categories)
    return assigned, sheet, leaves


def _save_valid_scores(cluster, campaign_id, application_id, payload, error):
    """A draft sheet that breaks a rule: save it without the refused scores, so what
    was valid is kept (the page still shows every score as typed)."""
    refused = {str(d.get("field", ""))[7:] for d in error.get("details") or []
               if isinstance(d, dict) and str(d.get("field", "")).startswith("scores.")}
    if not refused:
        return
    rest = {leaf: (None if leaf in refused else value) for leaf, value in payload["scores"].items()}
    try:
        cluster.scoring.save_sheet(g.actor_id, campaign_id, application_id, dict(payload, scores=rest))
    except ChuangxianError:
        pass  # nothing more can be kept; the page shows the errors


@blp.route("/reviews/<campaign_id>/<application_id>", methods=["GET", "POST"])
@session.page_login_required
def score_sheet(campaign_id, application_id):
    load_me(REVIEWER_ROLES)
    error, values = None, None
    with rpc() as cluster:
        assigned, sheet, leaves = _sheet_context(cluster, campaign_id, application_id)
        if request.method == "POST":
            values = {}
            for leaf in leaves:
                raw = (request.form.get(f"score.{leaf['id']}") or "").strip()
                if raw == "":
                    values[leaf["id"]] = None
                elif leaf["scale"].get("kind") == "pass_fail":
                    values[leaf["id"]] = raw == "pass"
                else:
                    try:
                        values[leaf["id"]] = float(raw)
                    except ValueError:
                        values[leaf["id"]] = raw   # the service names the leaf and its scale
            payload = {"scores": values, "version": sheet.get("version", 0)}
            try:
                if request.form.get("intent") == "submit":
                    cluster.scoring.submit_sheet(g.actor_id, campaign_id, application_id, payload)
                else:
                    cluster.scoring.save_sheet(g.actor_id, campaign_id, application_id, payload)
            except ChuangxianError as exc:
                error = exc.to_dict()
                if request.form.get("intent") != "submit":
                    _save_valid_scores(cluster, campaign_id, application_id, payload, error)
            else:
                return redirect(url_for("web.score_sheet", campaign_id=campaign_id, application_id=application_id))
    field_errors = {}
    for d in (error or {}).get("details") or []:
        if isinstance(d, dict) and str(d.get("field", "")).startswith("scores."):
            field_errors[d["field"][7:]] = (d.get("message_zh"), d.get("message"))
    shown = values if values is not None else (sheet.get("scores") or {})
    return render_template("score_sheet.html", assigned=assigned, sheet=sheet, leaves=leaves, scores=shown,
                           error=error, field_errors=field_errors), (422 if error else 200)
