"""Score sheets (评分表) as stored documents, driven by `domain.score_sheet`.

One sheet per assignment (``_id`` = campaign:application:reviewer). The reviewer saves
drafts (each score checked against its leaf's scale; a bad one is refused with a
message naming the leaf and its scale) and submits once every leaf their role scores
is filled; a submitted sheet is locked. The campaign admin (access.py) may change a
submitted sheet's scores or reopen it, each time with a reason, audited (the entry
lists every old and new value). Every write is a conditional replace on the sheet's
``version``: of two concurrent writes exactly one wins, the other gets Conflict.
A caller may send the ``version`` it read to make sure it overwrites nothing unseen.
A new sheet records the categories the application is scored in, asked of the
program (``scoring_inputs``) when the criteria have category subtrees; a leaf scored
by ``imported_fact`` is never on a sheet (refused, naming it).
"""
from dataclasses import fields as dataclass_fields

from core.errors import Conflict, NotFound
from services.scoring import outbox, programs
from services.scoring.access import CAMPAIGN_ADMIN, require_campaign_admin
from services.scoring.domain import score_sheet as rules
from services.scoring.reviewing import application_categories, require_assigned
from services.scoring.store import pair_id
from services.scoring.views import sheet_view
from core.outbox import stamp as outbox_stamp

# Admin changes are made by the campaign admin (access.py), checked before the domain
# core is called; the core is told so with this role.
ADMIN_ROLES = (CAMPAIGN_ADMIN,)
_FIELDS = {f.name for f in dataclass_fields(rules.ScoreSheet)}


def to_sheet(doc):
    return rules.ScoreSheet.from_dict({k: v for k, v in doc.items() if k in _FIELDS})


def _definition(store, applications, campaign_id):
    campaign = applications.campaign(campaign_id)
    return campaign, programs.load(store, campaign["program"], campaign["program_version"])


def _check_version(sheet, data):
    expected = data.get("version")
    if expected is not None and expected != sheet.version:
        raise Conflict(f"The sheet is at version {sheet.version}, not {expected}; reload and try again.",
                       f"评分表已是第 {sheet.version} 版，而非第 {expected} 版，请刷新后重试", field="version")


def _persist(store, dispatch, old_version, sheet, now, reviewer_name=None, audit_action=None, person=None):
    doc = {"_id": sheet.id, **sheet.to_dict(), "updated_at": now}
    if reviewer_name is not None:
        doc["reviewer_name"] = reviewer_name
    if audit_action:
        last = sheet.audit[-1]
        entry = outbox.audit_entry(sheet.campaign_id, "score_sheet", sheet.id, sheet.version, audit_action,
                                   person.ref(), now, reason=last.get("reason"), application_id=sheet.application_id,
                                   reviewer_id=sheet.reviewer_id, changes=last.get("changes"))
        doc.update(outbox=outbox.box(entry), **outbox_stamp(now))
    saved = store.save_sheet(doc, old_version)
    outbox.finish(store, dispatch, "sheets", saved)
    return sheet_view(store.get_sheet(sheet.id))


def _own_sheet(store, applications, program_inputs, person, campaign, application_id, definition):
    """The reviewer's sheet, or a new draft for the application's categories (asked
    of the program when the criteria have category subtrees)."""
    campaign_id = campaign["id"]
    assignment = require_assigned(store, person, campaign_id, application_id)
    doc = store.get_sheet(assignment["_id"])
    if doc is not None:
        return to_sheet(doc), doc
    category = application_categories(applications, program_inputs, campaign, application_id, definition)
    sheet = rules.new_sheet(application_id, person.id, assignment.get("role", "reviewer"), definition.tree,
                            category=category, sheet_id=assignment["_id"], campaign_id=campaign_id)
    return sheet, None


def get_own(store, applications, program_inputs, person, campaign_id, application_id):
    """The reviewer's sheet (an empty draft at version 0 before the first save)."""
    campaign, definition = _definition(store, applications, campaign_id)
    sheet, doc = _own_sheet(store, applications, program_inputs, person, campaign, application_id, definition)
    if doc is not None:
        return sheet_view(doc)
    view = sheet.to_dict()
    view.pop("criteria_fingerprint", None)
    return view


def save_draft(store, applications, program_inputs, dispatch, person, campaign_id, application_id, data, now):
    campaign, definition = _definition(store, applications, campaign_id)
    sheet, _doc = _own_sheet(store, applications, program_inputs, person, campaign, application_id, definition)
    _check_version(sheet, data)
    new = rules.save_draft(sheet, data.get("scores") or {}, definition.tree, person.domain_actor(),
                           comment=data.get("comment"))
    return _persist(store, dispatch, sheet.version, new, now, reviewer_name=person.name)


def submit(store, applications, program_inputs, dispatch, person, campaign_id, application_id, data, now):
    """Merge any last scores, then submit (locked)."""
    campaign, definition = _definition(store, applications, campaign_id)
    sheet, _doc = _own_sheet(store, applications, program_inputs, person, campaign, application_id, definition)
    _check_version(sheet, data)
    actor = person.domain_actor()
    changed = data.get("scores") or data.get("comment") is not None
    drafted = rules.save_draft(sheet, data.get("scores") or {}, definition.tree, actor,
                               comment=data.get("comment")) if changed else sheet
    new = rules.submit(drafted, definition.tree, actor, at=now)
    return _persist(store, dispatch, sheet.version, new, now, reviewer_name=person.name,
                    audit_action="submitted", person=person)


def _admin_sheet(store, applications, person, campaign_id, application_id, reviewer_id):
    campaign, definition = _definition(store, applications, campaign_id)
    require_campaign_admin(person, campaign)
    doc = store.get_sheet(pair_id(campaign_id, application_id, reviewer_id))
    if doc is None:
        raise NotFound("No score sheet of this reviewer for this application.", "该评审人没有该申报的评分表",
                       field="reviewer_id")
    return to_sheet(doc), definition


def _admin_actor(person):
    """The campaign admin (already checked by `_admin_sheet`) as the domain core's actor."""
    return {"id": person.id, "roles": [CAMPAIGN_ADMIN]}


def admin_change(store, applications, dispatch, person, campaign_id, application_id, reviewer_id, data, now):
    """Change scores of a submitted sheet, with a reason (audited with old and new)."""
    sheet, definition = _admin_sheet(store, applications, person, campaign_id, application_id, reviewer_id)
    _check_version(sheet, data)
    new = rules.admin_change(sheet, data["scores"], definition.tree, _admin_actor(person), data["reason"], at=now,
                             admin_roles=ADMIN_ROLES)
    if new is sheet:
        return sheet_view(store.get_sheet(sheet.id))
    return _persist(store, dispatch, sheet.version, new, now, audit_action="changed_by_admin", person=person)


def reopen(store, applications, dispatch, person, campaign_id, application_id, reviewer_id, data, now):
    """Submitted -> draft so the reviewer may edit again (admin, reason, audited)."""
    sheet, _definition_ = _admin_sheet(store, applications, person, campaign_id, application_id, reviewer_id)
    new = rules.reopen(sheet, _admin_actor(person), data["reason"], at=now, admin_roles=ADMIN_ROLES)
    return _persist(store, dispatch, sheet.version, new, now, audit_action="reopened", person=person)


def list_for_application(store, applications, person, campaign_id, application_id):
    """Every reviewer's sheet of an application (admin)."""
    campaign = applications.campaign(campaign_id)
    require_campaign_admin(person, campaign)
    return [sheet_view(s) for s in store.campaign_sheets(campaign_id, application_id)]
