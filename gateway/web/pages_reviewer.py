"""Pages of reviewers (评审专家): their assigned applications only, the score sheet
built from the program's criteria with each item's scale, drafts, submit. In blind
review the service hides names and units; these pages show what it returns."""
from flask import g, redirect, render_template, request, url_for

from core.errors import ChuangxianError
from gateway.api import rpc
from gateway.web import attachment_preview, blp, i18n, menu, session
from gateway.web.page_helpers import with_message
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
    "review_comment": ("评审意见", "Comment"),
    "review_comment_hint": ("可选；与评分一同保存，提交后锁定。", "Optional; saved with the scores and locked on submitting."),
    "running_total": ("当前合计（按所填分数，未保存）", "Running total (as typed, not saved)"),
    "saved_total": ("已保存的得分", "Saved total"),
    "sheet_evidence": ("申报材料", "Application materials"),
    "sheet_saved_ok": ("评分草稿已保存", "Draft scores saved"),
    "sheet_submitted_next": ("评分已提交并锁定；下面是下一份待评分的申报。", "Scores submitted and locked; here is the next application to score."),
    "sheet_submitted_last": ("评分已提交并锁定；您的评审任务已全部完成。", "Scores submitted and locked; nothing else waits for your scores."),
})
REVIEWER_ROLES = ["reviewer", "counselor"]
REVIEWS_PAGE = 100   # assignments on one page of "my reviews"
menu.add("web.my_reviews", "my_reviews", REVIEWER_ROLES)


@blp.route("/reviews")
@session.page_login_required
def my_reviews():
    """One page of the reviewer's assignments (by key: a school's reviewer has
    thousands) with how many there are and how many wait for their scores."""
    load_me(REVIEWER_ROLES)
    after = request.args.get("after") or None
    with rpc() as cluster:
        page = cluster.scoring.my_assignments(g.actor_id, None, {"limit": REVIEWS_PAGE, "after": after})
    return render_template("my_reviews.html", **page, after=after)


def scorable_leaves(node, role, categories, path=()):
    """The leaves a sheet of `role` scores, in tree order, each with its path of names
    (a `by_category` switch keeps only the application's categories)."""
    out = []
    if node.get("by_category"):
        for category, child in node["by_category"].items():
            if not categories or category in categories:
                # the category's own node names it (环境优美型寝室条件); its code is not for readers
                out += scorable_leaves(child, role, categories, (*path, node["name"]) if node.get("name") else path)
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
    answer = cluster.scoring.assigned_application(g.actor_id, campaign_id, application_id)
    # The service answers {"application", "role", "indicators", "sheet", "total", "attachments"}: the page
    # shows the application, its form fields labelled from the program's schema, and its attachments.
    assigned = dict(answer.get("application") or answer)
    program = cluster.applications.get_program(assigned["program"], assigned.get("program_version"))
    assigned["labels"] = {k: (p.get("title") or k, p.get("description") or k)
                          for k, p in (program.get("form_schema", {}).get("properties") or {}).items()}
    assigned["total"] = answer.get("total")
    names = attachment_preview.kind_names(program)
    blind = assigned.get("blind") is not False
    assigned["previews"] = attachment_preview.items(
        answer.get("attachments") or [], names,
        lambda att: url_for("web.sheet_attachment", campaign_id=campaign_id, application_id=application_id,
                            attachment_id=att),
        lambda att: url_for("web.sheet_attachment", campaign_id=campaign_id, application_id=application_id,
                            attachment_id=att, download=1),
        hide_names=blind)
    sheet = cluster.scoring.get_sheet(g.actor_id, campaign_id, application_id)
    criteria = cluster.scoring.campaign_criteria(g.actor_id, campaign_id)
    category = sheet.get("category")
    categories = [category] if isinstance(category, str) else list(category or [])
    leaves = scorable_leaves(criteria["criteria"], sheet.get("role", "reviewer"), categories)
    shares = (answer.get("total") or {}).get("shares") or {}
    for leaf in leaves:
        leaf["share"] = shares.get(leaf["id"])
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
            comment = request.form.get("comment")
            payload = {"scores": values, "version": sheet.get("version", 0),
                       "comment": comment.strip() if comment is not None else None}
            submitting = request.form.get("intent") == "submit"
            try:
                if submitting:
                    cluster.scoring.submit_sheet(g.actor_id, campaign_id, application_id, payload)
                else:
                    cluster.scoring.save_sheet(g.actor_id, campaign_id, application_id, payload)
            except ChuangxianError as exc:
                error = exc.to_dict()
                if not submitting:
                    _save_valid_scores(cluster, campaign_id, application_id, payload, error)
            else:
                if not submitting:
                    return redirect(with_message(url_for("web.score_sheet", campaign_id=campaign_id,
                                                         application_id=application_id), "sheet_saved_ok"), 303)
                # this campaign's first without a submitted sheet (then any campaign's)
                following = cluster.scoring.next_to_score(g.actor_id, campaign_id, application_id)
                if following:
                    return redirect(with_message(url_for("web.score_sheet", campaign_id=following["campaign_id"],
                                                         application_id=following["application_id"]),
                                                 "sheet_submitted_next"), 303)
                return redirect(with_message(url_for("web.my_reviews"), "sheet_submitted_last"), 303)
    field_errors = {}
    for d in (error or {}).get("details") or []:
        if isinstance(d, dict) and str(d.get("field", "")).startswith("scores."):
            field_errors[d["field"][7:]] = (d.get("message_zh"), d.get("message"))
    shown = values if values is not None else (sheet.get("scores") or {})
    comment = request.form.get("comment", "") if values is not None else (sheet.get("comment") or "")
    return render_template("score_sheet.html", assigned=assigned, sheet=sheet, leaves=leaves, scores=shown,
                           comment=comment, error=error, field_errors=field_errors), (422 if error else 200)


@blp.route("/reviews/<campaign_id>/<application_id>/attachments/<attachment_id>")
@session.page_login_required
def sheet_attachment(campaign_id, application_id, attachment_id):
    """An attachment of an application assigned to the reviewer: PDFs and photos
    shown in the score sheet, anything else (or with ?download=1) downloaded; under
    blind review the download is named by its kind, not its original name."""
    with rpc() as cluster:
        doc = cluster.scoring.assigned_attachment(g.actor_id, campaign_id, application_id, attachment_id)
    if request.args.get("download") or not attachment_preview.preview_kind(doc):
        name = doc.get("filename") or f"{doc.get('kind') or 'file'}.{doc.get('type') or 'bin'}"
        return attachment_preview.download(doc, name)
    return attachment_preview.inline(doc)
