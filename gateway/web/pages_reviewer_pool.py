"""The reviewer pool page of a campaign (评审专家库): the campaign admin builds the pool
from people of any role (teachers, branch secretaries, outside experts added as
people) and sees, before assigning, the pool size and for each application the
conflicts of interest and how many conflict-free reviewers it has.

Adding someone who holds no reviewer role gives them one for this campaign only
(held at the campaign's unit, for its academic year, audited with the reason), so
they can score it and it ends with the year; nobody else's lookups see it."""
from flask import g, redirect, render_template, request, url_for

from core.errors import Conflict
from gateway.api import rpc
from gateway.web import blp, i18n, session
from gateway.web.pages_common import load_me

i18n.add({
    "reviewer_pool": ("评审专家库", "Reviewer pool"),
    "pool_size": ("专家库人数", "Pool size"),
    "pool_default": ("尚未指定专家库：当前为本单位全部评审专家", "No pool set yet: every reviewer of the unit"),
    "reviewers_needed": ("每份申报需评审人数", "Reviewers needed per application"),
    "conflict_free": ("无冲突评审人数", "Conflict-free reviewers"),
    "conflicted_reviewers": ("需回避的评审人", "Reviewers in conflict"),
    "not_enough": ("不足", "Not enough"),
    "enough": ("足够", "Enough"),
    "short_count": ("份申报的无冲突评审人不足", "application(s) lack conflict-free reviewers"),
    "add_to_pool": ("加入专家库", "Add to pool"),
    "remove_from_pool": ("移出", "Remove"),
    "no_candidates": ("暂无学院审核通过的申报", "No applications approved by a college yet"),
    "find_reviewers": ("查找人员（任何角色）", "Find people (any role)"),
    "conflict_member": ("申报成员", "Member of the applicant"),
    "conflict_class_id": ("同班级", "Same class"),
    "conflict_dorm_id": ("同寝室", "Same dorm"),
    "conflict_branch_id": ("同党支部", "Same party branch"),
    "conflict_college_id": ("同学院", "Same college"),
    "conflict_declared": ("已申报回避", "Declared conflict"),
    "conflict_rules": ("回避规则", "Conflict rules"),
})


@blp.route("/admin/campaigns/<campaign_id>/reviewer-pool")
@session.page_login_required
def reviewer_pool(campaign_id):
    load_me()
    q = (request.args.get("q") or "").strip()
    with rpc() as cluster:
        campaign = cluster.applications.get_campaign(g.actor_id, campaign_id)
        preview = cluster.scoring.pool_preview(g.actor_id, campaign_id)
        found = cluster.applications.search_people(g.actor_id, {"q": q, "limit": 20})["items"] if q else []
    in_pool = {m["id"] for m in preview["pool"]}
    return render_template("reviewer_pool.html", campaign=campaign, preview=preview, q=q,
                           found=[p for p in found if p["id"] not in in_pool])


@blp.route("/admin/campaigns/<campaign_id>/reviewer-pool/add", methods=["POST"])
@session.page_login_required
def reviewer_pool_add(campaign_id):
    return _change_pool(campaign_id, add=True)


@blp.route("/admin/campaigns/<campaign_id>/reviewer-pool/remove", methods=["POST"])
@session.page_login_required
def reviewer_pool_remove(campaign_id):
    return _change_pool(campaign_id, add=False)


def _change_pool(campaign_id, add):
    """Add or remove one person; the pool starts from whoever is in it now (the
    school's reviewers when none was set), so adding one never drops the others."""
    session.check_csrf()
    load_me()
    person_id = request.form.get("person_id") or ""
    with rpc() as cluster:
        pool = {m["id"] for m in cluster.scoring.pool_preview(g.actor_id, campaign_id)["pool"]}
        if add:
            _ensure_reviewer(cluster, campaign_id, person_id)
            pool.add(person_id)
        else:
            pool.discard(person_id)
        cluster.scoring.configure(g.actor_id, campaign_id, {"reviewer_ids": sorted(pool)})
    return redirect(url_for("web.reviewer_pool", campaign_id=campaign_id))


def _ensure_reviewer(cluster, campaign_id, person_id):
    """A reviewer role for this campaign and its academic year, unless one is held."""
    person = cluster.applications.get_person(g.actor_id, person_id)
    if any(r["role"] == "reviewer" and r["current"] for r in person["roles"]):
        return
    campaign = cluster.applications.get_campaign(g.actor_id, campaign_id)
    try:
        cluster.applications.grant_role(g.actor_id, person_id, {
            "role": "reviewer", "unit_id": campaign["unit_id"], "campaign_id": campaign_id,
            "academic_year": campaign.get("academic_year"), "reason": f"加入「{campaign['title']}」评审专家库"})
    except Conflict:
        pass  # granted a moment ago (a double click): the pool is what matters


@blp.app_template_filter("conflict_label")
def _conflict_label(kind):
    return i18n.t(f"conflict_{kind}")


@blp.app_template_filter("role_names")
def _role_names(role_labels):
    return "、".join(i18n.pick(r["label"], r["label_en"]) for r in role_labels or [])


