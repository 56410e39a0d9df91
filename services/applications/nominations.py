"""Nomination upward (推荐上报): a college campaign sends some of its final list to
the school campaign it names as parent.

Guarantees:
  * only the college campaign's admin nominates, only after its final list exists,
    only applications on that list (anything else is refused and changes nothing);
  * a request is all or nothing on the quota: its new nominees take their slots
    together, or, when the college's quota cannot hold them all, none is taken and
    409 `quota_exceeded` names the quota (the counter in nomination_store.py, so
    concurrent requests never exceed it; two concurrent batches that each fit alone
    but not together may both be refused, and a retry then succeeds);
  * each nominee is one application of the parent campaign in state
    `college_approved`, with the form, the attachments (bytes included) and
    `nominated_from`; its audit entry "nominate" and the event
    `application.college_approved` go through the outbox like any other change;
  * repeating a nomination (a retry, a double click, a racing twin) returns the
    nominee already stored and takes no slot: its id is deterministic and the
    parent's one-application-per-applicant index holds.
"""
from core.envelope import make_event
from core.errors import Conflict, NotFound, PermissionDenied, field_error, invalid
from services.applications import outbox
from services.applications.domain import nomination_rules as rules
from services.applications.domain import permissions
from services.applications.domain.state_machine import audit_entry
# The same audit ids and event data as every other step of an application.
from services.applications.workflow import SOURCE, _audit, _event_data
from services.applications.views import jsonable
from core.outbox import stamp as outbox_stamp

NOMINATED_STATE = "college_approved"


def check(store, nominations, actor, campaign_id, application_ids):
    """What a nomination starts from, checked before its job is started (so a
    refusal is the request's answer): (campaign, parent, [(final-list entry,
    source application)]). Raises PermissionDenied, ValidationFailed (no parent; ids
    not on the final list or not of this campaign), Conflict (no final list yet)."""
    campaign = store.get_campaign(campaign_id)
    permissions.require_campaign_admin(actor, campaign)
    parent = _parent_of(store, campaign)
    final_list = nominations.final_list(campaign_id)
    if final_list is None:
        raise Conflict("This campaign's final list is not out yet; nominate after it is.",
                       "本次活动的最终名单尚未确定，确定后方可推荐上报", field="final_list")
    entries = rules.select_entries(final_list, application_ids)
    found = store.get_applications([entry["application_id"] for entry in entries])   # one query
    return campaign, parent, [(entry, _source(found, campaign_id, entry["application_id"])) for entry in entries]


def nominate(store, nominations, dispatch, actor, campaign_id, application_ids, now, progress=None):
    """Nominate `application_ids` of college campaign `campaign_id` to its parent
    (the NOMINATE job; `progress(done, total)` after each nominee). Returns
    {"campaign_id", "parent_campaign_id", "college_id", "quota", "used",
    "nominated", "nominations": [nomination view + "created"]}. Raises what `check`
    raises, Conflict (the applicant already applied to the parent otherwise),
    QuotaExceeded."""
    report = progress or (lambda done, total: None)
    campaign, parent, pairs = check(store, nominations, actor, campaign_id, application_ids)
    college_id, quota = campaign["unit_id"], rules.quota_of(parent)

    done, fresh = _split_repeats(nominations, parent, pairs)
    report(len(done), len(pairs))
    if fresh and not _take_slots(nominations, parent["_id"], college_id, quota, len(fresh)):
        # A racing twin may have nominated them meanwhile: then this is a repeat.
        repeated, fresh = _split_repeats(nominations, parent, fresh)
        done.extend(repeated)
        if fresh:
            used = nominations.usage(parent["_id"]).get(college_id, 0)
            raise rules.quota_exceeded(quota, used, len(fresh), college_id, parent["_id"])
    unused = len(fresh)
    try:
        for entry, source in fresh:
            nominee, created = _store_nominee(store, nominations, actor, parent, campaign, source, entry, now)
            unused -= 1
            if not created:  # a racing twin stored it: its slot counts, ours goes back
                nominations.release_slot(parent["_id"], college_id)
            done.append((nominee, created))
            report(len(done), len(pairs))
    finally:
        for _ in range(unused):  # the copies that were not made give their slots back
            nominations.release_slot(parent["_id"], college_id)
    for nominee, _created in done:
        # After the slots are settled: an interrupted finish is the sweep's to redo.
        outbox.finish(store, dispatch, nominee)
    return {
        "campaign_id": campaign_id, "parent_campaign_id": parent["_id"], "college_id": college_id, "quota": quota,
        "used": nominations.usage(parent["_id"]).get(college_id, 0),
        "nominated": sum(1 for _nominee, created in done if created),
        "nominations": [dict(nomination_view(n), created=created) for n, created in done],
    }


def _parent_of(store, campaign):
    if not campaign.get("parent_campaign_id"):
        raise rules.not_a_child(campaign["_id"])
    return store.get_campaign(campaign["parent_campaign_id"])


def _source(found, campaign_id, application_id):
    source = found.get(application_id)
    if source is None or source["campaign_id"] != campaign_id:  # a final list names its own campaign's applications only
        raise invalid([field_error("application_ids", f"{application_id} is not an application of {campaign_id}.",
                                   f"{application_id} 不是本次活动的申报")])
    return source


def _split_repeats(nominations, parent, pairs):
    """([(nominee, False)] already nominated, [(entry, source)] still to nominate);
    raises Conflict for an applicant with another application in the parent."""
    done, fresh = [], []
    for entry, source in pairs:
        existing = nominations.application_of(parent["_id"], source["applicant_id"])
        if existing is None:
            fresh.append((entry, source))
        elif rules.is_same_nomination(existing, parent["_id"], source["_id"]):
            done.append((existing, False))
        else:
            raise _already_in_parent(source, existing)
    return done, fresh


def _already_in_parent(source, existing):
    return Conflict(
        f"{source['applicant_name']} already has an application in the parent campaign.",
        f"{source['applicant_name']} 在上级评选活动中已有申报", field="application_ids",
        details={"application_id": source["_id"], "existing_application_id": existing["_id"]})


def _take_slots(nominations, parent_id, college_id, quota, count):
    """Take `count` slots or none."""
    for taken in range(count):
        if not nominations.take_slot(parent_id, college_id, quota):
            for _ in range(taken):
                nominations.release_slot(parent_id, college_id)
            return False
    return True


def _store_nominee(store, nominations, actor, parent, campaign, source, entry, now):
    """Store the nominee, its audit entry and event in its outbox (attachments
    first, so a stored nominee always has them). Returns (nominee, created)."""
    nominee_id = rules.nomination_id(parent["_id"], source["_id"])
    nominations.copy_attachments(source["_id"], nominee_id)
    entry_audit = audit_entry(actor, "nominate", None, NOMINATED_STATE, None, now)
    nominee = {
        "_id": nominee_id, "campaign_id": parent["_id"], "program": parent["program"],
        "program_version": parent["program_version"], "applicant_kind": source["applicant_kind"],
        "applicant_id": source["applicant_id"], "applicant_name": source["applicant_name"],
        "unit_path": source["unit_path"], "college_id": source.get("college_id"), "state": NOMINATED_STATE,
        "form": source.get("form") or {}, "version": 1, "created_by": actor.ref(), "created_at": now,
        "updated_at": now, "updated_ts": now.timestamp(), "submitted_at": source.get("submitted_at"),
        "first_submitted_at": source.get("first_submitted_at"), "created_key": None,
        "attachment_counts": dict(source.get("attachment_counts") or {}),
        "nominated_from": rules.nominated_from(campaign, entry),
    }
    event = make_event("application.college_approved", _event_data(store, nominee, None, None), SOURCE,
                       actor=actor.ref(), event_id=f"{nominee_id}.1", occurred_at=now)
    nominee.update(outbox={"audit": _audit(nominee, 1, entry_audit), "event": event}, **outbox_stamp(now))
    try:
        stored, created = nominations.insert_nominee(nominee)
    except Exception:
        nominations.drop_attachments(nominee_id)
        raise
    if stored["_id"] != nominee_id:  # the applicant applied to the parent some other way meanwhile
        nominations.drop_attachments(nominee_id)
        raise _already_in_parent(source, stored)
    return stored, created


def nomination_view(nominee):
    view = jsonable({k: nominee.get(k) for k in (
        "campaign_id", "applicant_kind", "applicant_id", "applicant_name", "college_id", "state",
        "nominated_from", "created_at", "review_result")})
    view["id"] = nominee["_id"]
    view["nominated_at"] = view.pop("created_at")
    return view


def listing(store, nominations, actor, campaign_id):
    """Nominations grouped by college with used/quota.

    For a school campaign: its campaign admin sees every college; a college admin of
    a college under it sees that college. For a college campaign: its admin sees its
    own nominations to the parent. Anyone else: PermissionDenied."""
    campaign = store.get_campaign(campaign_id)
    if campaign.get("parent_campaign_id"):
        permissions.require_campaign_admin(actor, campaign)
        parent = store.get_campaign(campaign["parent_campaign_id"])
        colleges = {campaign["unit_id"]: campaign["unit_name"]}
        found = nominations.nominees(parent["_id"], source_campaign_id=campaign_id)
    else:
        parent = campaign
        colleges = _colleges_seen(store, nominations, actor, campaign)
        only = None if permissions.is_campaign_admin(actor, campaign) else sorted(colleges)
        found = nominations.nominees(parent["_id"], college_ids=only)
        for nominee in found:  # a nomination from a college with no child campaign left
            college = nominee["nominated_from"]["college_id"]
            colleges.setdefault(college, _unit_name(store, college))
    return {
        "campaign_id": parent["_id"], "title": parent["title"], "per_college": rules.quota_of(parent),
        "colleges": rules.group_by_college([nomination_view(n) for n in found], nominations.usage(parent["_id"]),
                                           rules.quota_of(parent), colleges),
    }


def _colleges_seen(store, nominations, actor, campaign):
    """{college_id: name} of the colleges `actor` may see nominations of."""
    children = {c["unit_id"]: c["unit_name"] for c in nominations.child_campaigns(campaign["_id"])}
    if permissions.is_campaign_admin(actor, campaign):
        return children
    mine = {}
    for college_id in actor.units_with("college_admin"):
        try:
            unit = store.get_unit(college_id)
        except NotFound:  # a stale role on a removed unit shows nothing
            continue
        if campaign["unit_id"] in unit["path"]:
            mine[college_id] = unit["name"]
    if not mine:
        raise PermissionDenied("Only this campaign's administrators and its colleges' administrators see "
                               "its nominations.", "只有本次活动的管理员及其下属学院管理员可以查看推荐名单",
                               field="campaign_id")
    return mine


def _unit_name(store, unit_id):
    try:
        return store.get_unit(unit_id)["name"]
    except NotFound:
        return unit_id
