"""What the funding service asks the applications service (its internal RPCs): who
is acting, the campaign, the approved application and the people behind a project.

The funding service keeps no copy of the directory: every call re-reads the actor,
so a role revoked there takes effect here at once.
"""
from core import roles as role_rules
from core.errors import Conflict, NotFound, field_error, invalid


def actor(apps, actor_id):
    """The acting person as the domain takes it: ``{"id", "name", "roles": [{"role",
    "unit_id"}], "college_id", ...}``; NotFound for an unknown id."""
    return apps.internal_actor(actor_id)


def campaign(apps, campaign_id):
    try:
        return apps.internal_campaign(campaign_id)
    except NotFound:
        raise NotFound(f"No campaign {campaign_id!r}.", f"评选活动不存在：{campaign_id}",
                       field="campaign_id") from None


def application(apps, application_id):
    try:
        return apps.internal_application(application_id)
    except NotFound:
        raise NotFound(f"No application {application_id!r}.", f"申报不存在：{application_id}",
                       field="application_id") from None


def lead_of(apps, app):
    """The project lead: for a branch its secretary (``branch_secretary@<branch>``), for
    a class its monitor, for a dorm its leader, for a person the person."""
    if app.get("applicant_kind") == "person":
        return app["applicant_id"]
    # whoever speaks for the applicant (core.roles) leads the funded project
    keys = role_rules.representative_keys(app.get("applicant_kind") or "branch", app["applicant_id"])
    role = role_rules.label(keys[0].split("@")[0])
    people = apps.internal_people(role_keys=keys)
    if not people:
        raise Conflict(f"{app.get('applicant_name') or app['applicant_id']} has no {role} to lead the project; "
                       "appoint one in the directory first",
                       f"{app.get('applicant_name') or app['applicant_id']}尚无负责人（{role}），请先在名录中设置",
                       field="application_id")
    return sorted(p["id"] for p in people)[0]


ADVISOR_ROLE = "advisor"


def advisor(apps, advisor_id):
    """The faculty advisor: a person of the directory who holds the advisor role
    (指导教师) now; ValidationFailed naming ``advisor_id`` otherwise."""
    try:
        person = apps.internal_actor(advisor_id)
    except NotFound:
        raise invalid([field_error("advisor_id", f"no person {advisor_id!r} in the directory",
                                   f"名录中不存在人员 {advisor_id}")]) from None
    if ADVISOR_ROLE not in {role for role, _unit in role_rules.pairs(person.get("roles"))}:
        name = person.get("name") or advisor_id
        raise invalid([field_error("advisor_id", f"{name} is not a faculty advisor; grant the advisor role in the "
                                                 "directory first",
                                   f"{name}不是指导教师，请先在人员名录中授予指导教师角色")])
    return person


def project_of(apps, app, advisor_id):
    """The project as domain/grants.py takes it, from an application; its
    ``proposed_tier`` is the grade the final list gave it (if any)."""
    lead_id = lead_of(apps, app)
    if advisor_id == lead_id:
        raise invalid([field_error("advisor_id", "the faculty advisor cannot be the project lead",
                                   "指导老师不能是项目负责人本人")])
    person = advisor(apps, advisor_id)
    return {"id": app["id"], "campaign_id": app["campaign_id"], "college_id": app.get("college_id"),
            "title": (app.get("form") or {}).get("title") or app.get("applicant_name"),
            "lead_id": lead_id, "advisor_id": advisor_id, "advisor_name": person.get("name"),
            "status": app.get("state"), "proposed_tier": (app.get("final_result") or {}).get("grade")}


def approver_ids(apps, grant, step, school_id):
    """Who acts at a claim's approval step (routing hints for the notifications
    service): the project's advisor, the college's admins and counselors, or finance."""
    if step == "advisor":
        return [grant["advisor_id"]] if grant.get("advisor_id") else []
    if step == "college":
        if not grant.get("college_id"):
            return []
        return sorted(p["id"] for p in apps.internal_people(role_keys=role_rules.college_staff_keys(grant["college_id"])))
    if step == "finance":
        return finance_ids(apps, school_id)
    return []


def finance_ids(apps, school_id):
    """Finance staff of the school: routing hints for the notifications service."""
    if not school_id:
        return []
    return sorted(p["id"] for p in apps.internal_people(role_keys=[f"finance@{school_id}"]))


def college_names(apps, college_ids):
    names = {}
    for college_id in college_ids:
        try:
            names[college_id] = apps.internal_unit(college_id).get("name")
        except NotFound:
            names[college_id] = None
    return names
