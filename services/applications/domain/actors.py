"""Who is acting: a person with roles, each role held at a unit (学校/学院/支部…).

An Actor is rebuilt by the service from its own directory on every call (the
gateway passes only the authenticated person's id), so a revoked role takes effect
at once.
"""
from dataclasses import dataclass, field
from datetime import datetime, timezone

from core import roles as role_rules
from core.roles import APPLICANT_ROLE, COLLEGE_REVIEW_ROLES  # noqa: F401  (the rules live in core.roles)

#: Role key → (Chinese, English) label: core.roles's own catalogue (the platform's
#: roles and the rater roles programs declared, as this process learned them).
ROLES = role_rules.ROLES


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    roles: tuple = field(default_factory=tuple)  # ((role, unit_id), ...)

    @classmethod
    def from_person(cls, person, now=None):
        """Only the roles in force at `now` (a role of an ended academic year is gone)."""
        held = role_rules.current(person.get("roles", []), now or datetime.now(timezone.utc))
        roles = tuple((r["role"], r["unit_id"]) for r in held)
        return cls(id=person["_id"], name=person.get("name", ""), roles=roles)

    def units_with(self, *roles):
        return {unit for role, unit in self.roles if role in roles}

    def has_role(self, *roles):
        return any(role in roles for role, _unit in self.roles)

    def ref(self):
        """What goes into audit entries and event envelopes."""
        return {"id": self.id, "name": self.name}
