"""Whose records a person may see in the directory (人员名录的查看范围).

  * a school admin: everyone of their school;
  * a college admin or counselor: everyone of their college;
  * anyone: themself (an applicant sees their own record, dorm included), and the
    faculty advisors (指导教师) and reviewers of their school by name only, so a form
    can pick an advisor by search instead of guessing an id.
Plain rules over role pairs; the store turns `search_scope` into a query.
"""
from core import roles as role_rules
from core.errors import PermissionDenied

PUBLIC_ROLES = ("advisor",)


def admin_units(roles):
    return {"schools": role_rules.units_with(roles, "school_admin"),
            "colleges": role_rules.units_with(roles, *role_rules.COLLEGE_REVIEW_ROLES)}


def is_directory_admin(roles):
    units = admin_units(roles)
    return bool(units["schools"] or units["colleges"])


def may_see(viewer_id, viewer_roles, person):
    if viewer_id == person["_id"]:
        return True
    units = admin_units(viewer_roles)
    held_at = {unit for _role, unit in role_rules.pairs(person.get("roles"))}
    return (person.get("school_id") in units["schools"] or person.get("college_id") in units["colleges"]
            or bool(held_at & units["colleges"]))


def college_staff_keys(colleges):
    """Role keys of the staff who hold a role at one of `colleges` (a counselor seeded
    without a college of their own still belongs to the college they counsel)."""
    return sorted(f"{role}@{college}" for college in colleges for role, kinds in role_rules.ROLE_UNIT_KINDS.items()
                  if "college" in kinds)


def require_see(viewer_id, viewer_roles, person):
    if not may_see(viewer_id, viewer_roles, person):
        raise PermissionDenied("You may not see this person's record.", "您无权查看该人员信息", field="person_id")


def search_scope(viewer_roles, viewer_school_id):
    """{"schools", "colleges"} an admin searches in, or {"public_in": school} for
    everyone else (advisors of their own school, by name only)."""
    units = admin_units(viewer_roles)
    if units["schools"] or units["colleges"]:
        return {"schools": sorted(units["schools"]), "colleges": sorted(units["colleges"])}
    return {"public_in": viewer_school_id}


def may_add_person_at(roles, unit):
    """School admins add staff at their school or its colleges; college admins at their college."""
    path = set(unit.get("path") or ())
    return bool(role_rules.units_with(roles, "school_admin") & path) or (
        unit.get("kind") == "college" and unit["_id"] in role_rules.units_with(roles, "college_admin"))
