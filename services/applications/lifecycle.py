"""What notices, the final list, stages and awards share: their dependencies, who is
in a campaign's scope, and the people behind an application (for events)."""
from dataclasses import dataclass
from typing import Any, Callable

from core.errors import PermissionDenied
from services.applications.domain import notice_rules
from core import roles as role_rules
from services.applications.domain.actors import ROLES, Actor

SOURCE = "applications"
PERSON_UNIT_FIELDS = ("school_id", "college_id", "class_id", "dorm_id", "branch_id")
MEMBER_FIELD = {"class": "class_id", "dorm": "dorm_id", "branch": "branch_id"}


@dataclass
class Deps:
    """`apps`: the ApplicationsStore; `notes`: the NoticeStore (same database);
    `hooks`: program hooks over RPC; `dispatch`: the event dispatcher."""

    apps: Any
    notes: Any
    hooks: Any
    dispatch: Callable
    config: dict


def who(apps, actor_id):
    """(Actor, person record) rebuilt from the directory on every call."""
    person = apps.get_person(actor_id)
    return Actor.from_person(person), person


def _paths(apps, ids):
    ids = sorted(i for i in ids if i)
    found = apps.find_units({"_id": {"$in": ids}}, limit=len(ids) + 1) if ids else []
    return {u["_id"]: u.get("path") or [u["_id"]] for u in found}


def in_scope(apps, actor, person, campaign):
    """Whether the person's own units or their roles' units put them in the
    campaign's scope (notice_rules.in_scope); a stale unit id is left out."""
    members = _paths(apps, {person.get(f) for f in PERSON_UNIT_FIELDS})
    roles = _paths(apps, {unit for _role, unit in actor.roles})
    return notice_rules.in_scope(members, roles, campaign)


def require_in_scope(apps, actor, person, campaign):
    """Raises PermissionDenied unless the person is in the campaign's scope (or above it)."""
    if not in_scope(apps, actor, person, campaign):
        raise PermissionDenied("You are outside this campaign's scope.", "您不在本次评选活动的范围内",
                               field="campaign_id")


def program_of(apps, campaign):
    """The program version the campaign pinned."""
    return apps.get_program(campaign["program"], campaign["program_version"])


def setting(campaign, program, name, default=None):
    """A setting as the campaign has it, else the program's default."""
    return (campaign.get("settings") or {}).get(name, (program.get("settings") or {}).get(name, default))


def representatives(apps, application):
    """Who speaks for the applicant: the branch's secretary, the class's monitor, the
    dorm's leader; a person applicant themself."""
    if application["applicant_kind"] == "person":
        return [application["applicant_id"]]
    keys = role_rules.representative_keys(application["applicant_kind"], application["applicant_id"])
    return [p["_id"] for p in apps.people_holding(keys)]


def counselors(apps, college_id):
    if not college_id:
        return []
    return [p["_id"] for p in apps.people_holding(role_rules.college_staff_keys(college_id))]


def member_ids(apps, application):
    """The people of the applying class / dorm / branch (persons whose class_id,
    dorm_id or branch_id is the unit); for a person applicant, themself."""
    field = MEMBER_FIELD.get(application["applicant_kind"])
    if field is None:
        return [application["applicant_id"]]
    return [p["_id"] for p in apps.find_people({field: application["applicant_id"]}, limit=5000)]


def scope_audience(apps, campaign):
    """(scope_unit_ids, scope_user_ids) for a notice's routing hints: the colleges in
    scope, or the campaign's own unit below the school (the notifications service
    expands them to their members), and the people
    holding a role at the campaign's unit or one of those colleges (staff have no
    college_id of their own)."""
    unit = apps.get_unit(campaign["unit_id"])
    if unit["kind"] == "school":
        colleges = [u["_id"] for u in apps.find_units({"kind": "college", "path": {"$in": [unit["_id"]]}})]
    else:  # a college (or a smaller unit): its own members
        colleges = [unit["_id"]]
    keys = [f"{role}@{unit}" for unit in [campaign["unit_id"], *colleges] for role in ROLES]
    staff = [p["_id"] for p in apps.people_holding(keys, limit=5000)]
    return sorted(set(colleges)), staff
