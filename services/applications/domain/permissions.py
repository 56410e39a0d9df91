"""Role- and scope-based authorization: the one place that says who may do what.

Scope is a unit and everything below it: an application lies in the scope of a unit
when that unit is on the application's `unit_path` (school → college → branch).
Drafts and withdrawn drafts belong to the applicant's side alone: no reviewer, college
or school sees another branch's drafts.
"""
from core import roles as role_rules
from core.errors import PermissionDenied
from core.roles import APPLICANT_ROLE, COLLEGE_REVIEW_ROLES, campaign_level  # noqa: F401  (re-exported)

PRIVATE_STATES = {"draft"}


def speaks_for(actor, applicant_kind, applicant_id):
    """True when `actor` represents the applicant (a branch's secretary, a class's
    monitor, a dorm's leader, or the person themself)."""
    return role_rules.speaks_for(actor.roles, actor.id, applicant_kind, applicant_id)


def in_scope(unit_ids, unit_path):
    return any(unit in unit_path for unit in unit_ids)


def is_campaign_admin(actor, campaign):
    """The campaign admin (the "school side" of its applications): a school_admin of
    any unit on the campaign's `unit_path`, or, for a college-level campaign, a
    college_admin of that college (the campaign's unit). Needs only `level`,
    `unit_id` and `unit_path`, so a campaign view or a campaign being opened will do
    (the rule itself is core.roles.is_campaign_admin, shared by every service)."""
    return role_rules.is_campaign_admin(actor.roles, campaign)


def require_campaign_admin(actor, campaign):
    if not is_campaign_admin(actor, campaign):
        raise PermissionDenied(
            "Only an administrator of this campaign may do this.",
            "只有本次评选活动的管理员可以执行此操作",
            field="campaign_id",
        )


def actor_sides(actor, application, campaign=None):
    """The sides `actor` stands on for this application: applicant, college, school.

    The school side is a school_admin on the application's unit path, or, when the
    application's `campaign` is given, that campaign's admin (so a college admin
    decides the applications of a college-level campaign). Without the campaign only
    the first holds: callers that decide pass it. Who applied on a class's behalf (a
    counselor) does not also review it for the college: another counselor or the
    college admin does. The rule is core.roles.application_sides, shared with pages."""
    return role_rules.application_sides(actor.roles, actor.id, application, campaign)


def can_view(actor, application, campaign=None):
    sides = actor_sides(actor, application, campaign)
    if "applicant" in sides:
        return True
    if application["state"] in PRIVATE_STATES or _withdrawn_draft(application):
        return False
    return bool(sides)


def _withdrawn_draft(application):
    return application["state"] == "withdrawn" and not application.get("submitted_at")


def require_view(actor, application, campaign=None):
    """Raises PermissionDenied. Callers turn it into NotFound where existence itself
    must not leak."""
    if not can_view(actor, application, campaign):
        raise PermissionDenied(
            "You may not see this application.", "您无权查看此申报", field="application_id"
        )


def require_applicant(actor, application):
    if "applicant" not in actor_sides(actor, application):
        raise PermissionDenied(
            "Only the applicant's representative may change this application.",
            "只有申报单位负责人可以修改此申报",
            field="application_id",
        )


def visible_filter(actor):
    """A store-neutral description of what `actor` may list: the store turns it into
    a query. {"applicant_ids": [...], "on_behalf_ids": [the actor, when they may apply
    on a unit's behalf], "college_ids": [...], "school_units": [...]}"""
    applicant_ids = role_rules.represented_units(actor.roles) | {actor.id}
    on_behalf = any(role_rules.on_behalf_units(actor.roles, kind) for kind in role_rules.ON_BEHALF_ROLES)
    return {
        "applicant_ids": sorted(applicant_ids),
        "on_behalf_ids": [actor.id] if on_behalf else [],
        "college_ids": sorted(actor.units_with(*COLLEGE_REVIEW_ROLES)),
        "school_units": sorted(actor.units_with("school_admin")),
        "hidden_states": sorted(PRIVATE_STATES),
    }


def require_school_admin_of(actor, unit_path):
    if not in_scope(actor.units_with("school_admin"), unit_path):
        raise PermissionDenied(
            "Only a school administrator of this unit may do this.",
            "只有该单位的学校管理员可以执行此操作",
        )
