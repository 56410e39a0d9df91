"""Application operations: create, edit, attach, step through the state machine.

Each operation rebuilds the actor from the directory, checks the domain rules,
then makes one atomic change whose audit entry and event travel in the outbox
(see outbox.py). Program-specific checks are the plugin's hooks, called over RPC.
"""
from datetime import datetime, timezone

from core import audit
from core import roles as role_rules
from core import uploads as attachment_rules
from core.decision_rules import DIRECT_DECISIONS, require_direct_decision_allowed
from core.envelope import make_event
from core.outbox import born_claimed
from core.errors import (
    Conflict, NotFound, PermissionDenied, ServiceUnavailable, field_error, invalid,
)
from services.applications import eligibility, outbox
from services.applications.domain import permissions, resubmission, windows
from services.applications.domain.actors import Actor
from services.applications.domain.state_machine import audit_entry, plan_transition
from core.idempotency import new_id
from services.applications.views import application_view
from core.outbox import stamp as outbox_stamp

SOURCE = "applications"


def hidden(application_id):
    """What a person who may not see an application is told: that it does not exist."""
    return NotFound(f"No application {application_id!r}.", f"申报不存在：{application_id}", field="application_id")


def visible_application(store, actor, application_id):
    """Seeing needs no campaign: a college-level campaign's admin (its college admin)
    already stands on the college side of every application in it."""
    app = store.get_application(application_id)
    try:
        permissions.require_view(actor, app)
    except PermissionDenied:
        raise hidden(application_id) from None
    return app


def _audit(app, seq, entry):
    """The application's audit entry (core/audit.py's shape) of a step `entry` as the
    state machine describes it; its id `<application>:<seq>` and its `seq` the
    application's version after the step, so recording it twice keeps one."""
    key = entry.get("idempotency_key")
    return audit.entry(f"{app['_id']}:{seq:06d}", "application", app["_id"], entry["action"], entry["by"],
                       entry["at"], campaign_id=app.get("campaign_id"), application_id=app["_id"], seq=seq,
                       reason=entry["reason"], from_state=entry["from"], to_state=entry["to"],
                       **({"idempotency_key": key} if key else {}))


def _role_holders(store, apps):
    """{role key: [person id]} of the representatives and college staff of `apps`
    (roles in force now), in one query."""
    return _people_behind(store, apps)[0]


def _people_behind(store, apps):
    """({role key: [person id]}, {person id: person}) of the representatives and
    college staff of `apps` (roles in force now), in one query."""
    keys = set()
    for app in apps:
        keys.update(role_rules.representative_keys(app["applicant_kind"], app["applicant_id"]))
        keys.update(role_rules.college_staff_keys(app["college_id"]))
    holders, people = {}, {}
    for person in store.people_holding(sorted(keys), limit=100000):
        for role in role_rules.current(person.get("roles"), datetime.now(timezone.utc)):
            key = role_rules.role_key(role)
            if key in keys and person["_id"] not in holders.get(key, []):
                holders.setdefault(key, []).append(person["_id"])
                people[person["_id"]] = person
    return holders, people


def _event_data(store, app, from_state, reason, holders=None):
    holders = holders if holders is not None else _role_holders(store, [app])

    def held(keys):
        return sorted({p for key in keys for p in holders.get(key, [])})

    representatives = held(role_rules.representative_keys(app["applicant_kind"], app["applicant_id"]))
    counselors = held(role_rules.college_staff_keys(app["college_id"]))
    applicant_users = list(representatives)
    if app["applicant_kind"] == "person":
        applicant_users = [app["applicant_id"]]
    return {
        "application_id": app["_id"], "campaign_id": app["campaign_id"], "program": app["program"],
        "applicant_id": app["applicant_id"], "applicant_name": app["applicant_name"],
        "unit_id": app["applicant_id"], "college_id": app["college_id"], "state": app["state"],
        "from_state": from_state, "reason": reason,
        "applicant_user_ids": applicant_users, "counselor_ids": counselors,
    }


def _with_step_key(app, changes, entry):
    """`changes` with the step's (action, Idempotency-Key) added to the application's
    `step_keys` (see `step_keys`), when the step has a key and the application keeps them."""
    key = entry.get("idempotency_key")
    if not key or "step_keys" in changes or "step_keys" not in app:
        return changes
    return dict(changes, step_keys=list(app["step_keys"] or []) + [_step_key(entry["action"], key)])


def _commit(store, dispatch, app, changes, entry, event_type, now, holders=None):
    """Apply one change with its audit entry (and event) or raise Conflict.
    `holders`: the event's recipients as `_people_behind` read them, when the caller has them."""
    changes = _with_step_key(app, changes, entry)
    seq = app["version"] + 1
    box = {"audit": _audit(app, seq, entry), "event": None}
    if event_type:
        after = dict(app, **changes)
        box["event"] = make_event(event_type, _event_data(store, after, app["state"], entry.get("reason"), holders),
                                  SOURCE, actor=entry["by"], event_id=f"{app['_id']}.{seq}", occurred_at=now)
    new = store.apply_change(app, changes, box, now)
    if new is None:
        current = store.get_application(app["_id"])
        if current.get("version") == app["version"] and current.get("outbox"):
            # Nobody changed it: its previous step's record is still going out (held by
            # a finisher, perhaps one that died: its claim lapses within seconds).
            raise ServiceUnavailable("The previous step of this application is still being recorded; "
                                     "try again in a few seconds.", "该申报的上一步操作仍在记录中，请稍后重试")
        raise Conflict("The application was changed by someone else meanwhile; reload and try again.",
                       "该申报已被他人修改，请刷新后重试", field="version")
    outbox.finish_written(store, dispatch, new)
    return new


def commit_many(store, dispatch, items, event_type, now):
    """`_commit` for many applications at once (bulk decisions): one bulk write of
    conditional replaces, one query for the events' recipients, one insert of the
    audit entries, the events, one update clearing the outboxes. `items` are
    (application as read, changes, audit entry). Returns the applications someone
    else changed first (left as they are: the caller retries them one by one)."""
    if not items:
        return []
    holders = _role_holders(store, [app for app, _changes, _entry in items]) if event_type else {}
    planned = []
    for app, changes, entry in items:
        changes = _with_step_key(app, changes, entry)
        seq = app["version"] + 1
        box = {"audit": _audit(app, seq, entry), "event": None}
        if event_type:
            after = dict(app, **changes)
            box["event"] = make_event(event_type, _event_data(store, after, app["state"], entry.get("reason"), holders),
                                      SOURCE, actor=entry["by"], event_id=f"{app['_id']}.{seq}", occurred_at=now)
        planned.append((app, changes, box))
    mine = store.apply_changes(planned, now)
    outbox.finish_many(store, dispatch, mine)
    done = {doc["_id"] for doc in mine}
    return [app for app, _changes, _entry in items if app["_id"] not in done]


def _validate_form(hooks, campaign, app_context, form, partial):
    context = _plain({"campaign": campaign, **app_context})
    result = hooks[campaign["program"]].validate_application(form, context, partial)
    if result["errors"]:
        raise invalid([dict(e, field=f"form.{e['field']}") for e in result["errors"]])
    return result["form"]


def campaign_of(store, campaign_id):
    """The campaign as stored, with `final_listed` (whether its final list exists, as a
    boolean), which the window guards (domain/windows.py) and the campaign view read:
    the campaign carries the mark from before its final list is stored
    (store.mark_final_listed), so one read answers both."""
    campaign = store.get_campaign(campaign_id)
    campaign["final_listed"] = bool(campaign.get("final_listed"))
    return campaign


def _applicant_for(store, actor, campaign, program, applicant_id):
    """(applicant id, unit or person, on_behalf): on_behalf is True when the actor
    applies on the unit's behalf (core.roles.may_apply_on_behalf) rather than as its
    representative."""
    kind = program["applicant_kind"]
    if kind == "person":
        applicant_id = applicant_id or actor.id
        unit = eligibility.person_applicant(store, applicant_id)
    else:
        if applicant_id is None:
            mine = sorted(actor.units_with(role_rules.APPLICANT_ROLE[kind]))
            if len(mine) != 1:
                raise invalid([field_error("applicant_id", "Say which unit applies.", "请指定申报单位")])
            applicant_id = mine[0]
        unit = store.get_unit(applicant_id)
        if unit["kind"] != kind:
            raise invalid([field_error("applicant_id", f"This program takes a {kind}, not a {unit['kind']}.",
                                       f"本项目的申报对象须为{kind}，而非{unit['kind']}")])
    if not role_rules.may_apply_for(actor.roles, actor.id, kind, applicant_id, unit.get("path")):
        raise PermissionDenied("You do not represent this applicant.", "您不是该申报单位的负责人",
                               field="applicant_id")
    if campaign["unit_id"] not in unit["path"]:
        raise PermissionDenied("The applicant is outside this campaign's scope.", "申报单位不在本次活动范围内",
                               field="applicant_id")
    return applicant_id, unit, not permissions.speaks_for(actor, kind, applicant_id)


def create(store, hooks, dispatch, actor, campaign, program, applicant_id, form, key, now):
    """A new draft; raises Conflict for a second one of the same applicant (one
    project per branch), DeadlinePassed outside the window or once the final list
    exists (`campaign` from `campaign_of`), ValidationFailed."""
    windows.require_application_window(campaign, now)
    applicant_id, unit, on_behalf = _applicant_for(store, actor, campaign, program, applicant_id)
    cleaned = _validate_form(hooks, campaign, {"applicant": unit}, form, partial=True)
    app_id = new_id("app")
    entry = audit_entry(actor, "create", None, "draft", None, now, key)
    app = {
        "_id": app_id, "campaign_id": campaign["_id"], "program": campaign["program"],
        "program_version": campaign["program_version"], "applicant_kind": program["applicant_kind"],
        "applicant_id": applicant_id, "applicant_name": unit["name"], "unit_path": unit["path"],
        "college_id": unit.get("college_id"), "state": "draft", "form": cleaned, "version": 1,
        "created_by": actor.ref(), "created_at": now, "updated_at": now, "updated_ts": now.timestamp(),
        "submitted_at": None,
        "first_submitted_at": None, "created_key": key, "step_keys": [],
        # who applied on the unit's behalf (a counselor for a class), or None
        "on_behalf_by": actor.id if on_behalf else None,
        "attachment_counts": {k["kind"]: 0 for k in program["attachments"]},
        "outbox": {"audit": _audit({"_id": app_id, "campaign_id": campaign["_id"]}, 1, entry), "event": None}, **outbox_stamp(now),
        **born_claimed(now.timestamp()),
    }
    stored, created = store.insert_application(app, key)
    if created:
        outbox.finish_written(store, dispatch, stored)
        return application_view({k: v for k, v in stored.items() if k not in ("outbox", "outbox_ts", "outbox_at")})
    return application_view(store.get_application(stored["_id"]))


def update_form(store, hooks, dispatch, actor, app_id, form, now):
    """Replace the form of a draft or returned application (partial forms allowed)."""
    app = visible_application(store, actor, app_id)
    permissions.require_applicant(actor, app)
    if app["state"] not in ("draft", "returned"):
        raise Conflict(f"An application that is {app['state']} cannot be edited.",
                       "只有草稿或已退回的申报可以修改", field="state")
    campaign = campaign_of(store, app["campaign_id"])
    windows.require_editable_window(campaign, app, now)
    cleaned = _validate_form(hooks, campaign, {"applicant": {"id": app["applicant_id"]}}, form, partial=True)
    entry = audit_entry(actor, "edit", app["state"], app["state"], None, now)
    return application_view(_commit(store, dispatch, app, {"form": cleaned}, entry, None, now))


def _step_key(action, key):
    return f"{action}|{key}"


def step_keys(store, app):
    """The (action, Idempotency-Key) pairs of the steps made on `app`, as
    "<action>|<key>": kept in the application itself (`step_keys`, written in the
    same write as each keyed step), so a retry is recognised without reading the
    audit trail; an application stored before that field existed has them from
    its trail (read once: its next keyed step stores them all)."""
    if "step_keys" in app:
        return list(app["step_keys"] or [])
    trail = [audit.read(e) for e in store.audit_trail(app["_id"])]
    return [_step_key(e["action"], e["details"]["idempotency_key"]) for e in trail
            if (e["details"] or {}).get("idempotency_key")]


def _already_done(store, app_id, action, key, app=None, keys=None):
    """The application if the step `action` with idempotency `key` was already made
    (`app`: the application as just read, `keys`: its step_keys, when the caller
    has them)."""
    if not key:
        return None
    app = app if app is not None else store.get_application(app_id)
    box_entry = audit.read((app.get("outbox") or {}).get("audit") or {})   # an older outbox too
    if (box_entry["details"] or {}).get("idempotency_key") == key and box_entry["action"] == action:
        return app
    if _step_key(action, key) in (keys if keys is not None else step_keys(store, app)):
        return app
    return None


def act(store, hooks, dispatch, actor_id, app_id, action, reason, key, now):
    """One step of the state machine by the person `actor_id` (rebuilt from the
    directory, as every call does). A retry with the same idempotency key returns the
    current application and neither changes it nor publishes again.

    The application's representatives and college staff are read first, in one
    lookup: the step's event names them, submitting's eligibility check needs the
    representatives, and the actor is nearly always one of them (a 寝室长 submits, a
    counselor approves), so their record is not read a second time."""
    app = store.get_application(app_id)
    behind = _people_behind(store, [app])
    person = behind[1].get(actor_id) or store.get_person(actor_id)
    actor = Actor.from_person(person)
    try:
        permissions.require_view(actor, app)
    except PermissionDenied:
        raise hidden(app_id) from None
    outbox.finish(store, dispatch, app)
    keys = step_keys(store, app) if key else None
    done = _already_done(store, app_id, action, key, app, keys)
    if done is not None:
        return application_view(done)
    campaign = campaign_of(store, app["campaign_id"])
    step, entry = plan_transition(app, action, actor, reason, now, campaign)
    if action in DIRECT_DECISIONS:
        require_direct_decision_allowed(store.get_program(campaign["program"], campaign.get("program_version")),
                                        action, app["state"])
    entry["idempotency_key"] = key
    changes = {"state": step.target}
    if key:
        changes["step_keys"] = keys + [_step_key(action, key)]
    if action == "submit":
        _check_submission(store, hooks, campaign, app, now, behind)
        changes["submitted_at"] = now
        if not app.get("first_submitted_at"):
            changes["first_submitted_at"] = now
        if app["state"] == "returned":
            changes["resubmitted_at"] = now
    elif action == "return":
        # The application as it was sent back, kept in the same write as the step, so
        # the reviewer later sees what the applicant changed (resubmission.changes).
        changes["returned_snapshot"] = resubmission.snapshot(app, store.list_attachments(app["_id"]), now)
    elif action == "reopen":
        windows.require_application_window(campaign, now)
    try:
        new = _commit(store, dispatch, app, changes, entry, step.event, now, behind[0])
    except Conflict:
        done = _already_done(store, app_id, action, key)
        if done is not None:
            return application_view(done)
        raise
    return application_view(new)


def _check_submission(store, hooks, campaign, app, now, behind):
    """Raises DeadlinePassed, or ValidationFailed naming the form's fields, then the
    missing attachments, then the program's reasons (`eligibility`), in that order.
    The program checks the whole form and, when it passes, the eligibility in one
    call (`check_submission`, core/program_service.py). `behind`: the application's
    representatives and college staff (`_people_behind`), read once for the actor,
    the eligibility check's members and the submission event."""
    windows.require_editable_window(campaign, app, now)
    program = store.get_program(campaign["program"], campaign["program_version"])
    kind, unit_id = app["applicant_kind"], app["applicant_id"]
    unit = store.get_unit(unit_id) if kind != "person" else None
    holders, people = behind
    speaking = sorted({p for key in role_rules.representative_keys(kind, unit_id) for p in holders.get(key, [])})
    eligibility_context = eligibility.context_for(store, campaign, kind, unit_id, unit, app.get("form"),
                                                  representatives=[people[p] for p in speaking])
    form_context = _plain({"campaign": campaign, "applicant": unit or {"kind": "person"}})
    result = hooks[campaign["program"]].check_submission(app["form"] or {}, form_context, eligibility_context)
    if result["errors"]:
        raise invalid([dict(e, field=f"form.{e['field']}") for e in result["errors"]])
    missing = _missing_attachments(store, program, app)
    if missing:
        raise invalid(missing)
    eligibility.refuse(result["reasons"])


def _missing_attachments(store, program, app):
    """`core.uploads.missing_required` of the application's attachments. Its
    `attachment_counts` never exceed the files stored (a count goes up after its file
    is stored and down before it is removed), so counts that suffice settle it
    without reading the attachments; otherwise the stored files decide."""
    counts = app.get("attachment_counts")
    if counts is not None:
        counted = [{"kind": kind} for kind, n in counts.items() for _ in range(max(0, int(n or 0)))]
        if not attachment_rules.missing_required(program["attachments"], counted):
            return []
    return attachment_rules.missing_required(program["attachments"], store.list_attachments(app["_id"]))


def _plain(doc):
    from services.applications.views import jsonable
    return jsonable(doc)
