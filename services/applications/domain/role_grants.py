"""Granting and revoking roles (授予 / 撤销角色): plain rules, no I/O.

A grant is (person, role, unit, optional program / campaign, optional academic year),
kept on the person as a role entry::

    {"grant_id", "role", "unit_id", "program", "campaign_id", "academic_year",
     "granted_by": {"id", "name"}, "granted_at": "<ISO UTC>", "reason", "source"}

Guarantees:
  * who may grant what is core.roles.grant_problem (school admins: college admins,
    finance, school reviewers; college admins: counselors, college reviewers,
    advisors, the student posts of their college and the rater roles programs
    declare for them); revoking needs the same right;
  * a grant's id is derived from what it grants, so the same grant twice is a
    duplicate (Conflict naming ``role``), and a retry can never add it twice;
  * every grant and revoke yields an audit entry (who, when, why) written with the
    change; a bad request raises before anything is planned, so nothing changes.
"""
import hashlib

from core import audit as audit_entries
from core import roles as role_rules
from core.errors import Conflict, NotFound, PermissionDenied, field_error, invalid

SCOPE_FIELDS = ("program", "campaign_id", "academic_year")


def grant_id(person_id, role, unit_id, program=None, campaign_id=None, academic_year=None):
    raw = "|".join(str(v or "") for v in (person_id, role, unit_id, program, campaign_id, academic_year))
    return "g_" + hashlib.sha256(raw.encode()).hexdigest()[:16]


def id_of(person_id, role):
    """A role entry's grant id (entries seeded before grants had ids get theirs here)."""
    return role.get("grant_id") or grant_id(person_id, role["role"], role["unit_id"],
                                             *(role.get(f) for f in SCOPE_FIELDS))


def _check_right(granter_roles, role, unit):
    problem = role_rules.grant_problem(granter_roles, role, unit)
    if problem is None:
        return
    field, en, zh = problem
    if field == "unit_id":
        raise invalid([field_error("unit_id", en, zh)])
    if role not in role_rules.ROLES:
        raise invalid([field_error("role", en, zh)])
    raise PermissionDenied(en, zh, field="role")


def plan_grant(granter, person, data, unit, now_iso):
    """(new roles, audit entry) for granting `data` ({"role", "unit_id", "reason",
    optional scope fields}) to `person` at `unit`; `granter` is {"id", "name",
    "roles"} with the roles in force."""
    _check_right(granter["roles"], data["role"], unit)
    scope = {f: data.get(f) for f in SCOPE_FIELDS if data.get(f)}
    gid = grant_id(person["_id"], data["role"], unit["_id"], *(scope.get(f) for f in SCOPE_FIELDS))
    held = role_rules.current(person.get("roles"), _parse(now_iso))
    if any(id_of(person["_id"], r) == gid for r in held):
        raise Conflict(f"{person.get('name')} already holds this role here.",
                       f"{person.get('name')}已在该单位担任「{role_rules.label(data['role'])}」", field="role")
    by = {"id": granter["id"], "name": granter.get("name")}
    entry = {"grant_id": gid, "role": data["role"], "unit_id": unit["_id"], **scope, "granted_by": by,
             "granted_at": now_iso, "reason": data["reason"], "source": data.get("source", "grant")}
    # an expired entry of the same grant is replaced by the new one
    roles = [r for r in person.get("roles") or [] if id_of(person["_id"], r) != gid] + [entry]
    return roles, _audit("grant", person, entry, by, now_iso, data["reason"])


def plan_revoke(granter, person, gid, unit_of, reason, now_iso):
    """(new roles, audit entry) for revoking grant `gid`; `unit_of(unit_id)` returns
    the unit record (for the right to revoke)."""
    found = [r for r in person.get("roles") or [] if id_of(person["_id"], r) == gid]
    if not found:
        raise NotFound(f"{person.get('name')} holds no such role.", f"{person.get('name')}没有该角色",
                       field="grant_id")
    role = found[0]
    _check_right(granter["roles"], role["role"], unit_of(role["unit_id"]))
    by = {"id": granter["id"], "name": granter.get("name")}
    roles = [r for r in person["roles"] if id_of(person["_id"], r) != gid]
    return roles, _audit("revoke", person, dict(role, grant_id=gid), by, now_iso, reason)


def _audit(action, person, role, by, now_iso, reason):
    """The person's role-history entry (core/audit.py's shape), the role it concerns
    in its details; its id and seq are given where it is stored."""
    return audit_entries.entry(None, "person", person["_id"], action, by, now_iso, reason=reason,
                               person_name=person.get("name"), grant_id=role["grant_id"], role=role["role"],
                               unit_id=role["unit_id"], **{f: role[f] for f in SCOPE_FIELDS if role.get(f)})


def roster_changes(person, new_roles, by, now_iso):
    """(person with `new_roles`, its role history and version advanced; the new audit
    entries) for an import that set the posts of the registrar's export: one "grant"
    entry per post the row added and one "revoke" per post it no longer carries, by
    the importer, with the reason 名单导入."""
    old_ids = {id_of(person["_id"], r): r for r in person.get("roles") or [] if r.get("source") == "roster"}
    new_ids = {id_of(person["_id"], r): r for r in new_roles if r.get("source") == "roster"}
    changes = [("grant", new_ids[g]) for g in sorted(set(new_ids) - set(old_ids))]
    changes += [("revoke", old_ids[g]) for g in sorted(set(old_ids) - set(new_ids))]
    version = person.get("roles_version", 0)
    entries = []
    for action, role in changes:
        version += 1
        entry = _audit(action, person, dict(role, grant_id=id_of(person["_id"], role)), by, now_iso, "名单导入 roster import")
        entries.append(dict(entry, _id=f"{person['_id']}:{version:06d}", seq=version))
    updated = dict(person, roles=new_roles, roles_version=version,
                   role_history=list(person.get("role_history") or []) + entries)
    return updated, entries


def _parse(iso):
    from datetime import datetime
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def role_rows(person_id, roles, now, unit_names=None, lang="zh"):
    """A person's roles for pages: label, unit name, scope, whether in force."""
    names = unit_names or {}
    rows = []
    for r in roles or []:
        rows.append({"grant_id": id_of(person_id, r), "role": r["role"], "label": role_rules.label(r["role"], lang),
                     "unit_id": r["unit_id"], "unit_name": names.get(r["unit_id"], ""),
                     "academic_year": r.get("academic_year"), "program": r.get("program"),
                     "campaign_id": r.get("campaign_id"), "granted_by": r.get("granted_by"),
                     "granted_at": r.get("granted_at"), "reason": r.get("reason"), "source": r.get("source"),
                     "current": role_rules.is_current(r, now)})
    return rows


def renamed(person_id, role, new_role):
    """A role entry moved to `new_role` (a program now declares the role under its own
    key): the same unit, scope and provenance; a stored grant id is derived again from
    what it now grants, so granting the new role there again is a duplicate."""
    entry = dict(role, role=new_role)
    if role.get("grant_id"):
        entry["grant_id"] = grant_id(person_id, new_role, role["unit_id"], *(role.get(f) for f in SCOPE_FIELDS))
    return entry
