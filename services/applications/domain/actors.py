"""Who is acting: a person with roles, each role held at a unit (学校/学院/支部…).

An Actor is rebuilt by the service from its own directory on every call (the
gateway passes only the authenticated person's id), so a revoked role takes effect
at once.
"""
from dataclasses import dataclass, field

ROLES = {
    "school_admin": "学校管理员",
    "college_admin": "学院管理员",
    "counselor": "辅导员",
    "branch_secretary": "党支部书记",
    "class_monitor": "班长",
    "dorm_leader": "寝室长",
    "student": "学生",
    "reviewer": "评审专家",
    "league_branch": "团总支（测评）",
    "course_teacher": "任课教师（测评）",
    "finance": "财务",
}

# The role through which a person speaks for an applicant of each kind.
APPLICANT_ROLE = {"branch": "branch_secretary", "class": "class_monitor", "dorm": "dorm_leader"}

COLLEGE_REVIEW_ROLES = ("college_admin", "counselor")


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    roles: tuple = field(default_factory=tuple)  # ((role, unit_id), ...)

    @classmethod
    def from_person(cls, person):
        roles = tuple((r["role"], r["unit_id"]) for r in person.get("roles", []))
        return cls(id=person["_id"], name=person.get("name", ""), roles=roles)

    def units_with(self, *roles):
        return {unit for role, unit in self.roles if role in roles}

    def has_role(self, *roles):
        return any(role in roles for role, _unit in self.roles)

    def ref(self):
        """What goes into audit entries and event envelopes."""
        return {"id": self.id, "name": self.name}
