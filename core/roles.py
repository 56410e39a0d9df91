"""Roles and who holds them: the one place every service asks (角色与授权).

A role grant is (person, role, unit, optional program / campaign, optional academic
year). Services see a person's roles as ``{"role", "unit_id", ...}`` dicts (the
directory's shape) or as ``(role, unit_id)`` pairs; every function here takes either.

Guarantees:
  * "who speaks for an applicant" (a branch's secretary, a class's monitor, a
    dorm's leader, or the person themself) and "who is a campaign's admin" are
    decided here and nowhere else;
  * a role granted for an academic year (学年, 1 September to 31 August, Beijing
    time) stops by itself when that year ends: `current` drops it at read time, so
    no sweeper is needed and a request after the end never sees it;
  * a program's own rater roles (core.declaration.rater_roles, stored as
    ``<program>:<key>``) are roles like the platform's once this process learns them
    (`declare`): granted by whom the program says, at the units it says, labelled as
    it says; the platform's lists below do not name them;
  * plain functions, no I/O.
"""
from datetime import datetime, timedelta, timezone

from core import labels
from core.declaration.rater_roles import rater_role_key
from core.periods import academic_year_period

#: Every platform role a person can hold; labels (Chinese, English) live in the one
#: catalogue, core/labels.py, so pages never show a key. ROLES adds the rater roles
#: programs declare once they are learned (`declare`).
ROLE_KEYS = ("school_admin", "college_admin", "counselor", "finance", "reviewer", "advisor", "branch_secretary",
             "branch_deputy", "class_monitor", "league_secretary", "dorm_leader", "student")
labels.register("role", {"branch_deputy": ("党支部副书记", "Branch deputy secretary"),
                         "league_secretary": ("团支书", "Youth League secretary")})
ROLES = {key: labels.pair("role", key) for key in ROLE_KEYS}

#: The role through which a person speaks for an applicant of each kind.
APPLICANT_ROLE = {"branch": "branch_secretary", "class": "class_monitor", "dorm": "dorm_leader"}

#: Roles that may apply on behalf of an applicant of a kind inside the unit where they
#: hold the role (辅导员代班级申报: a counselor applies for a class of their college).
ON_BEHALF_ROLES = {"class": ("counselor",)}

#: Roles that review for a college (学院审核: 辅导员审核把关, 学院管理员).
COLLEGE_REVIEW_ROLES = ("college_admin", "counselor")

#: The kinds of unit each role may be held at.
ROLE_UNIT_KINDS = {
    "school_admin": ("school",), "finance": ("school",),
    "college_admin": ("college",), "counselor": ("college",),
    "reviewer": ("school", "college"), "advisor": ("school", "college"),
    "branch_secretary": ("branch",), "branch_deputy": ("branch",),
    "class_monitor": ("class",), "league_secretary": ("class",), "student": ("class",),
    "dorm_leader": ("dorm",),
}

#: Who grants what. A school admin grants these at units inside their school:
SCHOOL_GRANTS = ("college_admin", "finance", "reviewer", "school_admin")
#: A college admin grants these at their college or a unit inside it (a school
#: admin may grant them too, anywhere in the school):
COLLEGE_GRANTS = ("counselor", "reviewer", "advisor", "branch_secretary", "branch_deputy", "class_monitor",
                  "league_secretary", "dorm_leader")

#: Rater roles programs declare (core.declaration.rater_roles), by stored key
#: ``<program>:<key>``: the spec with ``program`` and ``role`` (the stored key). They
#: join ROLES and ROLE_UNIT_KINDS in a process that learns them (`declare`): the
#: applications service from the programs registered with it; others ask it.
DECLARED = {}
#: A declared role's former platform key -> its stored key (the applications service
#: moves grants of the former key at registration; labels of old audit entries).
FORMER = {}

#: Roles that make a person a member of a unit for conflicts of interest (a
#: reviewer never scores a unit they belong to or answer for).
ROLE_UNIT_FIELD = {"class_monitor": "class_id", "league_secretary": "class_id", "dorm_leader": "dorm_id",
                   "branch_secretary": "branch_id", "branch_deputy": "branch_id",
                   "counselor": "college_id", "college_admin": "college_id"}


def label(role, lang="zh"):
    zh, en = ROLES.get(role) or ROLES.get(FORMER.get(role), (role, role))
    return en if lang == "en" else zh


def declare(program, specs):
    """Make a program's declared rater roles (the specs of its newest version) known
    in this process: ROLES, their labels, ROLE_UNIT_KINDS and who grants them. Roles
    the program declared before and no longer does are forgotten (grants of them
    remain, shown by their key). Idempotent."""
    for key in [k for k, spec in DECLARED.items() if spec["program"] == program]:
        spec = DECLARED.pop(key)
        ROLES.pop(key, None)
        ROLE_UNIT_KINDS.pop(key, None)
        if FORMER.get(spec.get("formerly")) == key:
            FORMER.pop(spec["formerly"])
    for spec in specs or ():
        key = rater_role_key(program, spec["key"])
        DECLARED[key] = dict(spec, program=program, role=key)
        ROLES[key] = (spec["label_zh"], spec["label_en"])
        ROLE_UNIT_KINDS[key] = tuple(spec["scopes"])
        labels.register("role", {key: ROLES[key]}, replace=True)
        if spec.get("formerly"):
            FORMER[spec["formerly"]] = key


def school_grants():
    """The roles a school admin grants (inside their school) besides COLLEGE_GRANTS."""
    return SCHOOL_GRANTS + tuple(k for k, s in DECLARED.items() if s["granted_by"] == "school_admin")


def college_grants():
    """The roles a college admin grants inside their college (a school admin too)."""
    return COLLEGE_GRANTS + tuple(k for k, s in DECLARED.items() if s["granted_by"] == "college_admin")


def grantable(granter_roles):
    """The roles the holder of `granter_roles` may grant somewhere, in catalogue order."""
    held = {role for role, _unit in pairs(granter_roles)}
    mine = set()
    if "school_admin" in held:
        mine |= set(school_grants()) | set(college_grants())
    if "college_admin" in held:
        mine |= set(college_grants())
    return [key for key in ROLES if key in mine]


def catalogue(granter_roles=()):
    """Every role known here, for pages and the API: {"role", "label_zh", "label_en",
    "unit_kinds", "program" (None for the platform's), "granted_by" ("school_admin",
    "college_admin" or None), "grantable" (by the holder of `granter_roles`)}."""
    mine = set(grantable(granter_roles))
    college, school = set(college_grants()), set(school_grants())
    return [{"role": key, "label_zh": zh, "label_en": en, "unit_kinds": list(ROLE_UNIT_KINDS.get(key, ())),
             "program": DECLARED.get(key, {}).get("program"),
             "granted_by": "college_admin" if key in college else "school_admin" if key in school else None,
             "grantable": key in mine}
            for key, (zh, en) in ROLES.items()]


def pairs(roles):
    """[(role, unit_id)] from dicts, pairs or bare role names (unit None)."""
    out = []
    for r in roles or ():
        if isinstance(r, str):
            out.append((r, None))
        elif isinstance(r, dict):
            out.append((r.get("role"), r.get("unit_id")))
        elif isinstance(r, (list, tuple)) and len(r) == 2:
            out.append((r[0], r[1]))
    return out


def units_with(roles, *names):
    """The units at which `roles` hold any of `names`."""
    return {unit for role, unit in pairs(roles) if role in names}


def role_key(role):
    """The flat key the directory queries by ("role@unit"); a campaign-scoped role
    adds the campaign, so it never counts for another campaign's lookups."""
    key = f"{role['role']}@{role['unit_id']}"
    return f"{key}@{role['campaign_id']}" if role.get("campaign_id") else key


def role_index(roles):
    """The flat fields the directory queries a person's roles by: `role_keys`
    ("role@unit", who holds a role where) and `role_names` (who holds a role at all)."""
    return {"role_keys": [role_key(r) for r in roles], "role_names": sorted({r["role"] for r in roles})}


def ends_at(role):
    """When a role stops (UTC), or None when it is not tied to an academic year."""
    year = role.get("academic_year") if isinstance(role, dict) else None
    if not year:
        return None
    until = academic_year_period(year, field="academic_year").until
    return datetime(until.year, until.month, until.day, tzinfo=timezone(timedelta(hours=8))).astimezone(
        timezone.utc)


def is_current(role, now):
    end = ends_at(role)
    return end is None or now < end


def current(roles, now):
    """The roles still in force at `now` (a role of an ended academic year is gone)."""
    return [r for r in roles or () if is_current(r, now)]


def speaks_for(roles, person_id, applicant_kind, applicant_id):
    """True when the holder of `roles` (person `person_id`) represents the applicant."""
    if applicant_kind == "person":
        return person_id == applicant_id
    role = APPLICANT_ROLE.get(applicant_kind)
    return role is not None and applicant_id in units_with(roles, role)


def on_behalf_units(roles, applicant_kind):
    """The units (colleges) inside which the holder may apply on behalf of an
    applicant of `applicant_kind`."""
    return units_with(roles, *ON_BEHALF_ROLES.get(applicant_kind, ()))


def may_apply_on_behalf(roles, applicant_kind, unit_path):
    """True when the holder may apply on behalf of the unit whose path is `unit_path`
    (a counselor of the college the class is in)."""
    return bool(on_behalf_units(roles, applicant_kind) & set(unit_path or ()))


def may_apply_for(roles, person_id, applicant_kind, applicant_id, unit_path):
    """Who may start an application for an applicant: its representative
    (`speaks_for`) or someone who may apply on its behalf."""
    return (speaks_for(roles, person_id, applicant_kind, applicant_id)
            or may_apply_on_behalf(roles, applicant_kind, unit_path))


def speaks_for_application(roles, person_id, application):
    """True when the holder acts as the applicant of `application` (needs
    `applicant_kind`, `applicant_id`, `unit_path`, `on_behalf_by`): its representative,
    or the person who applied on its behalf while they still hold the role that let
    them (a counselor moved to another college no longer does)."""
    kind = application.get("applicant_kind")
    if speaks_for(roles, person_id, kind, application.get("applicant_id")):
        return True
    return (bool(person_id) and application.get("on_behalf_by") == person_id
            and may_apply_on_behalf(roles, kind, application.get("unit_path")))


def application_sides(roles, person_id, application, campaign=None):
    """The sides the holder of `roles` (person `person_id`) stands on for
    `application`: "applicant" (speaks for it), "college" (a counselor or college
    admin of its college — not the one who applied on its behalf: another reviews
    it), "school" (a school_admin on its unit path or, given its `campaign`, that
    campaign's admin). The applications service decides with this, and pages offer
    the buttons of these sides."""
    sides = set()
    if speaks_for_application(roles, person_id, application):
        sides.add("applicant")
    if (application.get("college_id") in units_with(roles, *COLLEGE_REVIEW_ROLES)
            and application.get("on_behalf_by") != person_id):
        sides.add("college")
    if units_with(roles, "school_admin") & set(application.get("unit_path") or ()) or (
            campaign is not None and is_campaign_admin(roles, campaign)):
        sides.add("school")
    return sides


def represented_units(roles):
    """Every unit the holder speaks for as an applicant."""
    return units_with(roles, *APPLICANT_ROLE.values())


def representative_keys(applicant_kind, unit_id):
    """The role keys of whoever speaks for a unit applicant ([] for a person)."""
    role = APPLICANT_ROLE.get(applicant_kind)
    return [f"{role}@{unit_id}"] if role else []


def college_staff_keys(college_id):
    """The role keys of a college's reviewers (its admins and counselors)."""
    return [f"{role}@{college_id}" for role in COLLEGE_REVIEW_ROLES] if college_id else []


def campaign_level(campaign):
    """"school" or "college": campaigns opened before levels were stored are school-level."""
    return campaign.get("level") or "school"


def is_campaign_admin(roles, campaign):
    """The campaign admin: a school_admin of any unit on the campaign's `unit_path`,
    or, for a college-level campaign, a college_admin of that college (the
    campaign's unit). Needs only `level`, `unit_id` and `unit_path`."""
    if units_with(roles, "school_admin") & set(campaign.get("unit_path") or ()):
        return True
    return campaign_level(campaign) == "college" and campaign.get("unit_id") in units_with(roles, "college_admin")


def grant_problem(granter_roles, role, unit):
    """None when the holder of `granter_roles` may grant `role` at `unit` (a unit
    record with `kind` and `path`), else (field, en, zh) saying why not."""
    if role not in ROLES:
        return "role", f"Unknown role {role!r}.", f"未知角色：{role}"
    kinds = ROLE_UNIT_KINDS[role]
    if unit.get("kind") not in kinds:
        return ("unit_id", f"A {label(role, 'en')} is held at a {' or '.join(kinds)}, not a {unit.get('kind')}.",
                f"{label(role)}只能在{'或'.join(_KIND_ZH[k] for k in kinds)}任职，不能在{_KIND_ZH.get(unit.get('kind'), '该单位')}")
    path = set(unit.get("path") or ())
    if role in school_grants() + college_grants() and units_with(granter_roles, "school_admin") & path:
        return None
    if role in college_grants() and units_with(granter_roles, "college_admin") & path:
        return None
    return ("role", f"You may not grant {label(role, 'en')} at this unit.",
            f"您无权在该单位授予「{label(role)}」角色")


_KIND_ZH = {"school": "学校", "college": "学院", "class": "班级", "dorm": "寝室", "branch": "党支部"}
