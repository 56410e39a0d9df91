"""Who may do what in scoring — the one place for it in this service.

A `Person` is rebuilt from the applications service's directory on every call
(`internal_actor`), so a role revoked there takes effect here at once.

- The campaign admin (docs/PROGRAM_LIFECYCLE.md: a ``school_admin`` at any unit on
  the campaign's ``unit_path``, or, for a campaign whose ``level`` is ``"college"``,
  a ``college_admin`` of the campaign's unit) sets scoring up, assigns reviewers,
  changes submitted sheets with a reason, vetoes (when the program lets
  ``school_admin`` veto), publishes results and sees every reviewer's marks. A
  campaign without ``level`` is a school-level one.
- A reviewer sees and scores only the applications assigned to them.
- An applicant's representative (the branch's secretary, the class's monitor, the
  dorm's leader, or the person) sees the explanation of their own application's
  published result, aggregated, without reviewers' identities.
Who may not see an application is told it does not exist (NotFound).
"""
from dataclasses import dataclass

from core import roles as role_rules
from core.errors import NotFound, PermissionDenied

# Units a person belongs to for conflicts of interest: their own class/dorm/branch/
# college, and the units they hold a role at (core.roles.ROLE_UNIT_FIELD).
UNIT_FIELDS = ("class_id", "dorm_id", "branch_id", "college_id")


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    roles: tuple          # ((role, unit_id), ...)
    units: dict           # {"class_id": ..., "dorm_id": ..., "branch_id": ..., "college_id": ...}

    @classmethod
    def from_view(cls, view):
        roles = tuple((r["role"], r["unit_id"]) for r in view.get("roles") or [])
        return cls(view["id"], view.get("name", ""), roles, {f: view.get(f) for f in UNIT_FIELDS})

    def ref(self):
        return {"id": self.id, "name": self.name}

    def units_with(self, *roles):
        return {unit for role, unit in self.roles if role in roles}

    def is_campaign_admin(self, campaign):
        """The campaign-admin rule (see the module docstring): core.roles."""
        return role_rules.is_campaign_admin(self.roles, campaign)

    def may_score_as(self, *roles):
        """A person scores as a scorer role when they hold the directory role of the
        same name (reviewer, counselor, a program's ``<program>:<key>``, ...) — or one
        of `roles` that stands for it (programs.holder_roles)."""
        return bool(self.units_with(*roles))

    def speaks_for(self, application):
        return role_rules.speaks_for_application(self.roles, self.id, application)

    def conflict_units(self):
        """{field: [unit ids]} for `domain.assignment.conflicts`."""
        out = {f: [self.units[f]] if self.units.get(f) else [] for f in UNIT_FIELDS}
        for role, unit in self.roles:
            field = role_rules.ROLE_UNIT_FIELD.get(role)
            if field and unit not in out[field]:
                out[field].append(unit)
        return out

    def as_reviewer(self):
        return {"reviewer_id": self.id, "units": self.conflict_units()}

    def domain_actor(self):
        """The actor shape of the domain core: {"id", "roles": [role names]}."""
        return {"id": self.id, "roles": sorted({role for role, _ in self.roles})}


def application_units(application):
    """The application in the shape `domain.assignment.conflicts` takes."""
    kind, applicant = application.get("applicant_kind"), application.get("applicant_id")
    units = {"college_id": application.get("college_id")}
    members = []
    if kind in ("branch", "class", "dorm"):
        units[f"{kind}_id"] = applicant
    elif kind == "person":
        members.append(applicant)
        path = application.get("unit_path") or []
        if len(path) > 2:
            units["class_id"] = path[-1]
    creator = (application.get("created_by") or {}).get("id")
    if creator:
        members.append(creator)  # whoever filed it speaks for the applicant
    return {"application_id": application["id"], "units": units, "member_ids": members}


def require_campaign_admin(person, campaign):
    if not person.is_campaign_admin(campaign):
        raise PermissionDenied("Only an administrator of this campaign may do this.",
                               "只有本次评选活动的管理员可以执行此操作", field="actor")


# The role a campaign admin acts with in the domain core (sheets' admin changes).
CAMPAIGN_ADMIN = "campaign_admin"


def hidden(application_id):
    return NotFound(f"No application {application_id!r} for you here.", f"申报不存在：{application_id}",
                    field="application_id")
