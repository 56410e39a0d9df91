"""The people directory (人员名录) and role grants, as the applications service offers them.

Guarantees:
  * search is index-backed and paged by a keyset cursor (`next`, the last id), so
    page 1000 costs what page 1 does; `total` is counted on the first page only and
    no further than COUNT_CAP (the page says "1000+" beyond it; None on later pages);
  * who sees whom is domain/people_scope.py; who grants what is core.roles;
  * a grant or revoke is one conditional write of the person's roles with its audit
    entry (who, when, why); a concurrent change is retried on fresh data, so two
    grants never overwrite each other, and bad input changes nothing;
  * a grant takes effect at once: every request rebuilds the actor from the directory.
"""
import re
from datetime import datetime, timezone

from core import audit, labels
from core import roles as role_rules
from core.envelope import iso_utc
from core.errors import Conflict, NotFound, PermissionDenied, field_error, invalid
from services.applications.domain import people_scope, permissions, role_grants
from services.applications.domain.actors import Actor
from services.applications.views import application_view, person_view

COUNT_CAP = 1000
RETRIES = 5
_PUBLIC_FIELDS = ("id", "name", "college_id", "college_name", "title")


def search(store, viewer, filters):
    """{"items", "next", "total", "total_capped"} of the people `viewer` (a person
    record) may see that match `filters` (PeopleQuery)."""
    roles = role_rules.current(viewer.get("roles"), _now())
    scope = people_scope.search_scope(roles, viewer.get("school_id"))
    parts = []
    if "public_in" in scope:
        parts += [{"school_id": scope["public_in"]},
                  {"role_keys": {"$in": [f"{r}@{u}" for r in people_scope.PUBLIC_ROLES
                                         for u in _school_and_colleges(store, scope["public_in"])]}}]
    else:
        # plain equalities where one value will do: each is one index range (an $or or
        # $in costs more on every server, much more on the embedded one)
        ors = [_one_of("school_id", scope["schools"])] if scope["schools"] else []
        if scope["colleges"] and not scope["schools"]:   # a school admin sees the colleges' people already
            ors += [_one_of("college_id", scope["colleges"]),
                    {"role_keys": {"$in": people_scope.college_staff_keys(scope["colleges"])}}]
        parts.append(ors[0] if len(ors) == 1 else {"$or": ors})
    for field in ("college_id", "class_id", "dorm_id", "branch_id"):
        if filters.get(field):
            parts.append({field: filters[field]})
    if filters.get("role"):
        if filters["role"] not in role_rules.ROLES:
            raise invalid([field_error("role", f"Unknown role {filters['role']!r}.", f"未知角色：{filters['role']}")])
        parts.append({"role_names": {"$in": [filters["role"]]}})
    # `q` matches any of a few fields: each alternative is a query of its own, merged by
    # the store (an $or over them scans every person on the embedded server: 1-2 s at
    # 10,000), and a prefix is a range of its field's index (a regex is not counted from
    # the index there). The alternative leads its query: the few people it holds are
    # read by it alone and the scope checked in the process (store.find_people_any).
    alternatives, leads = [{}], True
    if filters.get("q"):
        q = filters["q"].strip()
        if re.fullmatch(r"[0-9A-Za-z_]+", q):   # a 学号 / 工号 / login (or a name in letters)
            alternatives = [{"student_no": _prefix(q)}, {"staff_no": _prefix(q)}, {"login": q}, {"name": _prefix(q)}]
        else:                                     # a Chinese name
            alternatives = [{"name": _prefix(q)}]
            # a surname alone holds hundreds in a school (李: 938 of 30,000): counting it
            # first only to learn that costs 10-30 ms, so it leads nothing
            leads = len(q) > 1
    ways = [(flat(parts + [alt]), alt if leads and alt else None) for alt in alternatives]
    limit = filters.get("limit", 50)
    # counted on the first page only: a page further on says where it is by its cursor
    found, total = store.find_people_any(ways, filters.get("after"), limit + 1,
                                         cap=None if filters.get("after") else COUNT_CAP + 1)
    page, more = found[:limit], len(found) > limit
    names = _unit_names(store, page)
    items = [_row(p, names) for p in page]
    if "public_in" in scope:
        items = [{k: v for k, v in item.items() if k in _PUBLIC_FIELDS} for item in items]
    return {"items": items, "next": page[-1]["_id"] if more else None,
            "total": None if total is None else min(total, COUNT_CAP),
            "total_capped": total is not None and total > COUNT_CAP}


def flat(parts):
    """One query dict of the conditions in `parts` where their fields differ (servers
    plan a flat query's index use more simply than an $and), else an $and."""
    merged, rest = {}, []
    for part in parts:
        if set(part) & set(merged):
            rest.append(part)
        else:
            merged.update(part)
    return {"$and": [merged, *rest]} if rest else merged


def _prefix(text):
    """The strings that start with `text`, as a range (binary order, as both servers
    compare strings): the same as an anchored regex, served by the field's index."""
    return {"$gte": text, "$lt": text + chr(0x10FFFF)}


def _one_of(field, values):
    return {field: values[0]} if len(values) == 1 else {field: {"$in": list(values)}}


def person_page(store, viewer, person_id):
    """A person's record: units, every role (with scope, year and whether in force)
    and the applications they made or speak for, as far as `viewer` may see them."""
    now = _now()
    viewer_roles = role_rules.current(viewer.get("roles"), now)
    person = _person(store, person_id)
    people_scope.require_see(viewer["_id"], viewer_roles, person)
    names = _unit_names(store, [person])
    view = _row(person, names)
    view["roles"] = role_grants.role_rows(person["_id"], person.get("roles"), now, names)
    for row in view["roles"]:
        row["scope_zh"], row["scope_en"] = _scope_label(store, row)
        row["grantable"] = row["current"] and role_rules.grant_problem(
            viewer_roles, row["role"], _unit_or_empty(store, row["unit_id"])) is None
    view["history"] = [_labelled(_history_row(e), names) for e in reversed(person.get("role_history") or [])]
    actor = Actor.from_person(viewer, now)
    represented = role_rules.represented_units(role_rules.current(person.get("roles"), now))
    apps = store.applications_of({person["_id"], *represented})
    view["applications"] = [application_view(a) for a in apps if permissions.can_view(actor, a)]
    return view


def grant(store, granter, person_id, data):
    """Grant `data` (RoleGrantInput) to a person; returns the person page row of the role."""
    unit = _unit(store, data["unit_id"])
    if data.get("program"):
        try:
            store.get_program(data["program"])
        except NotFound:
            raise invalid([field_error("program", "No such program.", "评选项目不存在")]) from None
    if data.get("campaign_id"):
        try:
            campaign = store.get_campaign(data["campaign_id"])
        except NotFound:
            raise invalid([field_error("campaign_id", "No such campaign.", "评选活动不存在")]) from None
        if unit["_id"] not in campaign.get("unit_path", []) and campaign["unit_id"] not in unit.get("path", []):
            raise invalid([field_error("unit_id", "The unit is outside the campaign's scope.",
                                       "该单位不在评选活动范围内")])
    return _change(store, granter, person_id, lambda g, p, now: role_grants.plan_grant(g, p, data, unit, now))


def revoke(store, granter, person_id, grant_id, reason):
    return _change(store, granter, person_id, lambda g, p, now: role_grants.plan_revoke(
        g, p, grant_id, lambda uid: _unit_or_empty(store, uid), reason, now))


def _change(store, granter, person_id, plan):
    for _ in range(RETRIES):
        now = _now()
        g = {"id": granter["_id"], "name": granter.get("name"), "roles": role_rules.current(granter.get("roles"), now)}
        person = _person(store, person_id)
        roles, entry = plan(g, person, iso_utc(now))
        if store.replace_roles(person, roles, entry, now) is not None:
            return _history_row(entry)
    raise Conflict("Someone else changed this person's roles at the same time; try again.",
                   "该人员的角色正被他人修改，请重试", field="person_id")


def role_catalogue(viewer):
    """core.roles.catalogue for `viewer` (a person record): every role with its labels
    and whether the viewer may grant it."""
    return role_rules.catalogue(role_rules.current(viewer.get("roles"), _now()))


def grants_log(store, viewer, mine_only=True, limit=200):
    """The audit of grants and revokes: by `viewer` (a college admin's own grants),
    or every entry for a school admin."""
    roles = role_rules.current(viewer.get("roles"), _now())
    if not mine_only and not role_rules.units_with(roles, "school_admin"):
        raise PermissionDenied("Only a school admin sees every grant.", "只有学校管理员可以查看全部授权记录")
    query = {"by.id": viewer["_id"]} if mine_only else {}
    entries = [_history_row(e) for e in store.role_audit(query, limit)]
    names = {u["_id"]: u["name"] for u in store.find_units({"_id": {"$in": sorted({e["unit_id"] for e in entries})}})}
    return [_labelled(e, names) for e in entries]


def add_person(store, adder, data):
    """A staff member or outside expert (教师、校外专家): school admins at their school or
    a college of it, college admins at their college. Login = 工号; no password
    (accounts are set apart)."""
    unit = _unit(store, data["unit_id"])
    roles = role_rules.current(adder.get("roles"), _now())
    if unit.get("kind") not in ("school", "college") or not people_scope.may_add_person_at(roles, unit):
        raise PermissionDenied("You may not add people to this unit.", "您无权在该单位添加人员", field="unit_id")
    person_id = f"p_{data['staff_no']}"
    if store.find_people({"$or": [{"_id": person_id}, {"login": data["staff_no"]}]}, limit=1):
        raise Conflict(f"工号 {data['staff_no']} is already in the directory.", f"工号 {data['staff_no']} 已存在",
                       field="staff_no")
    person = {"_id": person_id, "login": data["staff_no"], "staff_no": data["staff_no"], "name": data["name"],
              "school_id": unit["school_id"], "college_id": unit.get("college_id"), "title": data.get("title"),
              "roles": [], **role_rules.role_index([]), "roles_version": 0,
              "added_by": {"id": adder["_id"], "name": adder.get("name")}}
    store.upsert_person(person)
    return person_view(person)


def _scope_label(store, row):
    """(zh, en) of a role's program or campaign scope: names, never codes; ("", "") when none."""
    if row.get("campaign_id"):
        try:
            title = store.get_campaign(row["campaign_id"])["title"]
        except NotFound:
            title = ""
        return title, title
    if row.get("program"):
        return labels.pair("program", row["program"])
    return "", ""


def _school_and_colleges(store, school_id):
    if not school_id:
        return []
    return [school_id] + [u["_id"] for u in store.find_units({"kind": "college", "parent_id": school_id})]


def _row(person, names):
    view = person_view(person)
    for field in ("college_id", "class_id", "dorm_id", "branch_id"):
        view[field.replace("_id", "_name")] = names.get(view.get(field), "")
    view["role_labels"] = [{"label": role_rules.label(r["role"]), "label_en": role_rules.label(r["role"], "en"),
                            "unit_name": names.get(r["unit_id"], "")} for r in view["roles"] if r["role"] != "student"]
    view.pop("roles_version", None)
    return view


def _history_row(entry):
    """A grant or revoke as pages and the API show it: its audit entry (core/audit.py's
    shape, or an older one read as it) with the role it concerns (its details:
    grant_id, role, unit_id, scope, person_name) beside the entry's fields, and
    `person_id` (the subject)."""
    shaped = audit.read({k: v for k, v in entry.items() if k != "at_utc"})   # at_utc: role_audit's sort key
    row = {**(shaped["details"] or {}), **{k: v for k, v in shaped.items() if k not in ("_id", "details")}}
    return dict(row, person_id=shaped["subject_id"])


def _labelled(row, names):
    return dict(row, label=role_rules.label(row["role"]), label_en=role_rules.label(row["role"], "en"),
                unit_name=names.get(row["unit_id"], ""))


def _unit_names(store, people):
    ids = set()
    for p in people:
        ids |= {p.get(f) for f in ("college_id", "class_id", "dorm_id", "branch_id")}
        ids |= {r["unit_id"] for r in p.get("roles") or []}
    ids.discard(None)
    return {u["_id"]: u["name"] for u in store.find_units({"_id": {"$in": sorted(ids)}}, limit=len(ids) + 1)}


def _person(store, person_id):
    try:
        return store.get_person(person_id)
    except NotFound:
        raise NotFound(f"No person {person_id!r}.", f"人员不存在：{person_id}", field="person_id") from None


def _unit(store, unit_id):
    try:
        return store.get_unit(unit_id)
    except NotFound:
        raise invalid([field_error("unit_id", f"No unit {unit_id!r}.", f"单位不存在：{unit_id}")]) from None


def _unit_or_empty(store, unit_id):
    try:
        return store.get_unit(unit_id)
    except NotFound:
        return {"_id": unit_id}


def _now():
    return datetime.now(timezone.utc)
