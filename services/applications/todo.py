"""What waits for a person in the applications service (the home page's to-do list).

`todo_counts(apps, notes, actor)` -> {item: count} with only the items the person's
roles make sense of:

  * ``review``: applications waiting at the person's review step: submitted ones of
    the colleges they counsel or administer; college-approved ones of the campaigns
    they administer, unless the program's final list decides those;
  * ``returned``: the person's own (or their units') applications returned to them;
  * ``objections``: pending objections on the notices of campaigns they administer;
  * ``stage_reports_to_assess``: stage reports (中期检查, 结项验收) handed in and not
    yet assessed, in campaigns they administer;
  * ``stage_reports_due``: stages of their approved applications waiting for a report
    (open with none yet, or returned for resubmission).

Guarantee: every count is an indexed count query (one per college reviewed, unit
represented or campaign administered: bounded by the person's roles and the
campaigns, never by the applications), and no query per application; counts stop
at `CAP` (the page shows "99+").
"""
from datetime import datetime, timedelta, timezone

from core import roles as role_rules
from core.decision_rules import decided_by_final_list
from core.mongo import count
from services.applications.domain import stage_rules
from services.applications.domain.permissions import COLLEGE_REVIEW_ROLES

CAP = 100
CURRENT_DAYS = 400
MAX_CAMPAIGNS = 500


def todo_counts(apps, notes, actor):
    out = {}
    colleges = sorted(actor.units_with(*COLLEGE_REVIEW_ROLES))
    campaigns = _administered(apps, actor)
    if colleges or campaigns:
        out["review"] = _review(apps, colleges, campaigns)
    own = sorted(role_rules.represented_units(actor.roles) | {actor.id})
    out["returned"] = min(CAP, sum(count(apps.db.applications, {"applicant_id": a, "state": "returned"}, CAP)
                                   for a in own))
    administered = [c["_id"] for c in campaigns]
    if administered:
        out["objections"] = count(notes.db.objections, {"campaign_id": {"$in": administered}, "state": "pending"},
                                  CAP)
        out["stage_reports_to_assess"] = count(
            notes.db.stage_reports, {"campaign_id": {"$in": administered}, "assessment": None,
                                     "report": {"$ne": None}}, CAP)
    due = _stage_reports_due(apps, notes, own)
    if due is not None:
        out["stage_reports_due"], waiting = due
        if len(waiting) == 1:             # the to-do can lead straight to its stages page
            out["stage_reports_due_application"] = waiting[0]
    return out


def _administered(apps, actor):
    """The campaigns the person administers (only admins read any): the fields the
    rules need, newest first, at most MAX_CAMPAIGNS."""
    if not actor.has_role("school_admin", "college_admin"):
        return []
    fields = {"unit_path": 1, "unit_id": 1, "level": 1, "program": 1, "program_version": 1,
              "application_closes_at": 1}
    found = apps.db.campaigns.find({}, fields, sort=[("application_closes_at", -1)], limit=MAX_CAMPAIGNS)
    return [c for c in found if role_rules.is_campaign_admin(actor.roles, c)]


def _review(apps, colleges, campaigns):
    """Submitted applications of the colleges reviewed, and college-approved ones of
    the campaigns administered whose program lets the school side decide them (where
    the final list decides, core/decision_rules.py, they wait for scoring instead).
    Campaigns whose window closed over CURRENT_DAYS ago are left out: their
    applications were decided long since, and a school's history of campaigns would
    otherwise cost a count each."""
    total = sum(count(apps.db.applications, {"college_id": c, "state": "submitted"}, CAP) for c in colleges)
    since = datetime.now(timezone.utc) - timedelta(days=CURRENT_DAYS)
    for campaign in campaigns:
        closes = campaign.get("application_closes_at")
        if isinstance(closes, datetime) and (closes if closes.tzinfo else closes.replace(tzinfo=timezone.utc)) < since:
            continue
        if not decided_by_final_list(apps.get_program(campaign["program"], campaign["program_version"])):
            total += count(apps.db.applications, {"campaign_id": campaign["_id"], "state": "college_approved"}, CAP)
    return min(CAP, total)


def _stage_reports_due(apps, notes, own):
    """(reports due, [the applications they are of]); None when none of the person's
    approved applications has stages."""
    approved = [a for unit in own for a in apps.db.applications.find(
        {"applicant_id": unit, "state": "approved"}, {"campaign_id": 1, "state": 1}, limit=CAP)]
    staged, stages_of = {}, {}
    for app in approved:
        if app["campaign_id"] not in stages_of:
            campaign = apps.get_campaign(app["campaign_id"])
            program = apps.get_program(campaign["program"], campaign["program_version"])
            stages_of[app["campaign_id"]] = stage_rules.declared(program.get("stages"))
        stages = stages_of[app["campaign_id"]]
        if stages:
            staged[app["_id"]] = (app, stages)
    if not staged:
        return None
    docs = {}
    for doc in notes.db.stage_reports.find({"application_id": {"$in": list(staged)}}):
        docs.setdefault(doc["application_id"], {})[doc["stage"]] = doc
    due, waiting = 0, []
    for app_id, (app, stages) in staged.items():
        mine = docs.get(app_id, {})
        here = sum(1 for s in stages if stage_rules.progress(stage_rules.stage_status(s, stages, app["state"], mine),
                                                             mine.get(s)) in ("to_submit", "returned"))
        due += here
        if here:
            waiting.append(app_id)
    return due, waiting
