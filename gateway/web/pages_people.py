"""People pages (人员名录): search and list, a person's record with their roles and the
grant / revoke forms (each with a reason, audited), the grants a college admin made,
and everyone's own record (我的信息). Roles show as Chinese labels, never as keys."""
from flask import g, redirect, render_template, request, url_for

from core import roles as role_rules
from core.errors import ChuangxianError
from gateway.api import rpc
from gateway.web import blp, i18n, menu, session
from gateway.web.page_helpers import field_errors
from gateway.web.pages_common import load_me

i18n.add({
    "people": ("人员名录", "People"),
    "my_record": ("我的信息", "My record"),
    "role_grants": ("授权记录", "Role grants"),
    "search_people": ("姓名、学号或工号", "Name, student or staff number"),
    "search": ("查询", "Search"),
    "name": ("姓名", "Name"),
    "number": ("学号/工号", "Number"),
    "college": ("学院", "College"),
    "class": ("班级", "Class"),
    "dorm": ("寝室", "Dorm"),
    "branch": ("党支部", "Party branch"),
    "roles": ("角色", "Roles"),
    "role": ("角色", "Role"),
    "unit": ("任职单位", "Unit"),
    "academic_year": ("学年", "Academic year"),
    "academic_year_hint": ("选填，如 2025-2026；学年结束后自动失效", "Optional, e.g. 2025-2026; ends by itself"),
    "reason": ("理由", "Reason"),
    "grant_role": ("授予角色", "Grant a role"),
    "grant": ("授予", "Grant"),
    "revoke": ("撤销", "Revoke"),
    "revoke_reason": ("撤销理由", "Reason to revoke"),
    "in_force": ("有效", "In force"),
    "ended": ("已到期", "Ended"),
    "granted_by": ("授权人", "Granted by"),
    "granted_at": ("时间", "When"),
    "next_page": ("下一页", "Next page"),
    "first_page": ("第一页", "First page"),
    "found": ("共", "Found"),
    "role_history": ("角色变更记录", "Role history"),
    "action": ("操作", "Action"),
    "role_granted": ("授予", "Granted"),
    "revoked": ("撤销", "Revoked"),
    "person": ("人员", "Person"),
    "applications": ("申报", "Applications"),
    "any": ("不限", "Any"),
    "add_person": ("添加教师或校外专家", "Add a teacher or outside expert"),
    "staff_no": ("工号", "Staff number"),
    "job_title": ("职务/职称", "Title"),
    "add": ("添加", "Add"),
    "no_people": ("没有符合条件的人员", "Nobody matches"),
    "roster_import_source": ("名单导入", "Roster import"),
    "role_state": ("状态", "Status"),
    "role_scope": ("适用范围", "For"),
})
ADMIN_ROLES = ["school_admin", "college_admin", "counselor"]
GRANTER_ROLES = ["school_admin", "college_admin"]
menu.add("web.people", "people", ADMIN_ROLES)
menu.add("web.role_grants", "role_grants", GRANTER_ROLES)
menu.add("web.my_record", "my_record")

KIND_LABELS = {"school": ("学校", "School"), "college": ("学院", "College"), "class": ("班级", "Class"),
               "dorm": ("寝室", "Dorm"), "branch": ("党支部", "Party branch")}


def role_label(role):
    """A role's label in the reader's language: from the catalogue this request read
    (`_catalogue`: programs' own rater roles too), else core.roles's platform labels."""
    found = (g.get("role_catalogue") or {}).get(role)
    return i18n.pick(*(found or (role_rules.label(role), role_rules.label(role, "en"))))


@blp.app_template_filter("role_label")
def _role_label_filter(role):
    return role_label(role)


def _filters():
    out = {k: request.args[k] for k in ("q", "college_id", "role", "after") if request.args.get(k)}
    out["limit"] = 30
    return out


@blp.route("/people")
@session.page_login_required
def people():
    load_me()
    filters = _filters()
    with rpc() as cluster:
        page = cluster.applications.search_people(g.actor_id, filters)
        colleges = cluster.applications.list_units(g.actor_id, "college", None)
        roles = _catalogue(cluster)
    return render_template("people.html", page=page, filters=filters, colleges=colleges,
                           role_options=_role_options(sorted(r["role"] for r in roles)), add_units=_add_units(colleges))


@blp.route("/people/add", methods=["POST"])
@session.page_login_required
def add_person():
    session.check_csrf()
    load_me()
    payload = {k: (request.form.get(k) or "").strip() or None for k in ("name", "staff_no", "unit_id", "title")}
    with rpc() as cluster:
        person = cluster.applications.add_person(g.actor_id, payload)
    return redirect(url_for("web.person", person_id=person["id"]))


@blp.route("/people/<person_id>")
@session.page_login_required
def person(person_id):
    load_me()
    return _person_page(person_id)


@blp.route("/me/record")
@session.page_login_required
def my_record():
    load_me()
    return _person_page(g.actor_id)


def _person_page(person_id, error=None, form=None, status=200):
    with rpc() as cluster:
        record = cluster.applications.get_person(g.actor_id, person_id)
        grantable = [r["role"] for r in _catalogue(cluster) if r["grantable"]]
        units = _grant_units(cluster, record) if grantable else []
    return render_template("person.html", person=record, units=units, grantable=_role_options(grantable),
                           error=error, errors=field_errors(error) if error else {}, form=form or {},
                           kind_label=lambda k: i18n.pick(*KIND_LABELS.get(k, (k, k)))), status


@blp.route("/people/<person_id>/grant", methods=["POST"])
@session.page_login_required
def grant_role(person_id):
    session.check_csrf()
    load_me()
    payload = {k: (request.form.get(k) or "").strip() or None for k in ("role", "unit_id", "reason", "academic_year")}
    payload = {k: v for k, v in payload.items() if v is not None or k in ("role", "unit_id", "reason")}
    try:
        with rpc() as cluster:
            cluster.applications.grant_role(g.actor_id, person_id, payload)
    except ChuangxianError as exc:
        from gateway.errors import status_of
        return _person_page(person_id, exc.to_dict(), request.form, status_of(exc))
    return redirect(url_for("web.person", person_id=person_id))


@blp.route("/people/<person_id>/revoke/<grant_id>", methods=["POST"])
@session.page_login_required
def revoke_role(person_id, grant_id):
    session.check_csrf()
    load_me()
    try:
        with rpc() as cluster:
            cluster.applications.revoke_role(g.actor_id, person_id, grant_id,
                                             {"reason": (request.form.get("reason") or "").strip()})
    except ChuangxianError as exc:
        from gateway.errors import status_of
        return _person_page(person_id, exc.to_dict(), None, status_of(exc))
    return redirect(url_for("web.person", person_id=person_id))


@blp.route("/people/grants")
@session.page_login_required
def role_grants():
    load_me()
    everyone = request.args.get("all") == "1" and "school_admin" in g.my_roles
    with rpc() as cluster:
        entries = cluster.applications.role_grants_log(g.actor_id, not everyone)
    return render_template("role_grants.html", entries=entries, everyone=everyone)


def _catalogue(cluster):
    """Every role with its labels and whether I may grant it (the applications service
    knows the rater roles programs declare); kept on `g` for `role_label`."""
    roles = cluster.applications.role_catalogue(g.actor_id)
    g.role_catalogue = {r["role"]: (r["label_zh"], r["label_en"]) for r in roles}
    return roles


def _role_options(keys):
    return [{"value": k, "label": role_label(k)} for k in keys]


def _grant_units(cluster, record):
    """The units a grant on this page may name, by name: the school, the colleges,
    and the classes, dorms and branches of the person's college."""
    units = cluster.applications.list_units(g.actor_id, "school", None)
    units += cluster.applications.list_units(g.actor_id, "college", None)
    if record.get("college_id"):
        units += cluster.applications.list_units(g.actor_id, None, record["college_id"])
    return [u for u in units if _in_my_scope(u)]


def _in_my_scope(unit):
    mine = {r["unit_id"] for r in g.me.get("roles", []) if r["role"] in GRANTER_ROLES}
    return bool(mine & set(unit.get("path") or [])) or bool(
        "school_admin" in g.my_roles and unit.get("kind") == "school" and unit["id"] in mine)


def _add_units(colleges):
    if not ({"school_admin", "college_admin"} & g.my_roles):
        return []
    with rpc() as cluster:
        schools = cluster.applications.list_units(g.actor_id, "school", None)
    return [u for u in schools + colleges if _in_my_scope(u)]
