"""Who is acting, and what their role allows on a grant (立项项目).

An actor is the authenticated user as the gateway passes it::

    {"id": "u-42", "name": "张老师", "roles": ["college_admin"], "college_id": "col-me"}

Roles may also be scoped pairs, as the applications service's directory holds them:
``"roles": [["college_admin", "col-me"], ["finance", "school"]]`` (or
``{"role", "unit_id"}`` dicts). A scoped ``college_admin`` counts for its unit; a bare
one counts for ``actor["college_id"]``.

Roles that matter here:

- project lead (项目负责人): ``actor["id"] == grant["lead_id"]`` (no role needed)
- faculty advisor (指导老师): ``actor["id"] == grant["advisor_id"]``
- ``college_admin`` of the grant's college: role plus ``actor["college_id"] == grant["college_id"]``;
  for the claim approval step ``college`` (and closing) the college's ``counselor``
  (辅导员) counts too, as in the applications service's college review
- ``finance`` (财务): school-wide
- ``school_admin`` (学校管理员, 党委学生工作部): school-wide

Guarantee: every ``require_*`` raises PermissionDenied (zh + en, naming the role
needed) or returns None; none of them consults anything but the two dicts.
"""
from core import roles as role_rules
from core.errors import PermissionDenied

FINANCE = "finance"
COLLEGE_ADMIN = "college_admin"
COUNSELOR = "counselor"
#: Roles that speak for a college at the ``college`` step (学院审核): as in the
#: applications service, the college admin or a counselor of that college.
COLLEGE_ROLES = role_rules.COLLEGE_REVIEW_ROLES
SCHOOL_ADMIN = "school_admin"

ROLE_NAMES = {
    "lead": ("project lead", "项目负责人"),
    "advisor": ("faculty advisor of the project", "项目指导老师"),
    "college": ("college administrator or counselor of the project's college",
                "项目所在学院管理员或辅导员"),
    "finance": ("finance office", "财务处"),
    "school_admin": ("school administrator", "学校管理员"),
}


def actor_ref(actor):
    """The part of an actor recorded in audit entries and events: ``{"id", "name"}``."""
    if not isinstance(actor, dict) or not isinstance(actor.get("id"), str) or not actor["id"]:
        raise PermissionDenied("an authenticated user is required", "需要登录用户")
    return {"id": actor["id"], "name": actor.get("name") or actor["id"]}


def role_units(actor):
    """``[(role, unit_id or None)]`` from any of the accepted role shapes."""
    return role_rules.pairs(actor.get("roles"))


def roles(actor):
    return {role for role, _unit in role_units(actor)}


def is_lead(actor, grant):
    return actor.get("id") == grant.get("lead_id")


def is_advisor(actor, grant):
    return actor.get("id") == grant.get("advisor_id")


def _college_role(actor, grant, allowed):
    college = grant.get("college_id")
    return college is not None and any(
        role in allowed and (unit or actor.get("college_id")) == college
        for role, unit in role_units(actor))


def is_college_admin(actor, grant):
    return _college_role(actor, grant, (COLLEGE_ADMIN,))


def is_college_staff(actor, grant):
    """College admin or counselor of the grant's college (the ``college`` role)."""
    return _college_role(actor, grant, COLLEGE_ROLES)


def college_ids(actor):
    """Colleges the actor speaks for (admin or counselor); bare roles count for
    ``actor["college_id"]``."""
    return sorted({unit or actor.get("college_id") for role, unit in role_units(actor)
                   if role in COLLEGE_ROLES and (unit or actor.get("college_id"))})


def is_finance(actor):
    return FINANCE in roles(actor)


def is_school_admin(actor):
    return SCHOOL_ADMIN in roles(actor)


def holds(actor, grant, role):
    """Whether ``actor`` holds ``role`` (a key of ROLE_NAMES) for ``grant``."""
    return {
        "lead": lambda: is_lead(actor, grant),
        "advisor": lambda: is_advisor(actor, grant),
        "college": lambda: is_college_staff(actor, grant),
        "finance": lambda: is_finance(actor),
        "school_admin": lambda: is_school_admin(actor),
    }[role]()


def require_any(actor, grant, allowed, action_en, action_zh):
    """PermissionDenied unless the actor holds one of ``allowed`` roles for ``grant``."""
    actor_ref(actor)
    if any(holds(actor, grant, role) for role in allowed):
        return
    en = " or ".join(ROLE_NAMES[r][0] for r in allowed)
    zh = "或".join(ROLE_NAMES[r][1] for r in allowed)
    raise PermissionDenied(f"only the {en} may {action_en}", f"只有{zh}可以{action_zh}",
                           details={"allowed_roles": list(allowed)})


def can_view_grant(actor, grant):
    """Read access: the lead and advisor see their project, a college admin the
    college's projects, finance and school admins everything financial."""
    return any(holds(actor, grant, r) for r in ("lead", "advisor", "college", "finance",
                                                "school_admin"))
