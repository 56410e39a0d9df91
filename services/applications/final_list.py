"""The final list (正式名单): finalising a notice and what follows from it.

`finalise` is refused before the current version's period is over or while any
objection (of any version) is unresolved. Otherwise it marks the campaign closed to
applications (`final_listed`, which every create, edit, upload and submit reads with
the campaign itself: workflow.campaign_of), then stores the list as
``final_lists/<campaign_id>`` — a unique _id, so finalising twice or concurrently
stores one list, and every caller gets that one — and then settles it:
  * every listed application goes college_approved → approved with its
    `final_result`, every other college_approved application of the campaign →
    rejected with the reason from its review result (未入选 when none), each through
    the same audited, evented step as workflow.act (`_commit`), so each moves once
    and publishes one `application.decided`;
  * the awards, when the program has no final evaluation (awards.py; the program
    is asked for the titles once per batch of entries);
  * `notice.closed` (id ``notice.closed:<campaign_id>``) with the final entries.
Settling is idempotent; a finaliser that died half-way is finished by the sweep
(`settled` is 0 until every step is done).
"""
import time

from core.envelope import make_event
from core.errors import Conflict, NotFound
from services.applications import awards, lifecycle, lifecycle_outbox, notices, outbox
from services.applications.domain import notice_rules, permissions, stage_rules
from services.applications.domain.lifecycle_events import notice_data
from services.applications.domain.state_machine import audit_entry, find_step
from services.applications.views import jsonable
from services.applications.workflow import _commit, commit_many
from core.outbox import stamp as outbox_stamp

COMMIT_ATTEMPTS = 5
DECIDE_BATCH = 200


def final_list_view(doc):
    view = jsonable({k: v for k, v in doc.items() if k not in ("outbox_claim_ts", "settled")})
    view["id"] = view.pop("_id")
    return view


def finalise(deps, actor_id, notice_id, now):
    """Checks and stores the final list (the same one however often or concurrently
    called) and returns its campaign's id; settling it is the FINALISE job's
    (`settle`), or the sweep's when the job itself is gone."""
    actor, _person = lifecycle.who(deps.apps, actor_id)
    notice = deps.notes.get_notice(notice_id)
    campaign = deps.apps.get_campaign(notice["campaign_id"])
    permissions.require_campaign_admin(actor, campaign)
    existing = deps.notes.get_final_list(campaign["_id"])
    if existing is None:
        latest = deps.notes.latest_notice(campaign["_id"])
        pending = [o["_id"] for o in deps.notes.unsettled_objections(campaign["_id"])]
        states = {a["_id"]: a["state"] for a in deps.apps.campaign_applications(campaign["_id"])}
        notice_rules.check_finalise(notice, latest["version"], pending, now, states)
        deps.apps.mark_final_listed(campaign["_id"])   # closed to applications before the list exists
        existing, _created = deps.notes.insert_once("final_lists", _final_doc(deps, campaign, notice, actor, now))
    return campaign["_id"]


def run_finalise(deps, campaign_id, now, progress=None):
    """The FINALISE job: settle the stored list; the list's view with ``decided``
    (applications this run moved to approved or rejected; 0 when a previous run
    had)."""
    final = deps.notes.get_final_list(campaign_id)
    if final is None:
        raise NotFound("This campaign has no final list yet.", "本次活动尚未产生正式名单", field="campaign_id")
    decided = settle(deps, final, now, progress)
    return dict(final_list_view(deps.notes.get_final_list(campaign_id)), decided=decided)


def _final_doc(deps, campaign, notice, actor, now):
    entries = [dict(e) for e in notice["entries"]]
    units, staff = lifecycle.scope_audience(deps.apps, campaign)
    listed = notices.listed_people(deps, entries)
    event = make_event("notice.closed", notice_data(notice, campaign, entries, units, staff, listed),
                       lifecycle.SOURCE, actor=actor.ref(), event_id=f"notice.closed:{campaign['_id']}",
                       occurred_at=now)
    audit = lifecycle_outbox.audit_entry("final_list", campaign["_id"], 1, "finalise", actor.ref(), now,
                                         campaign["_id"], notice_id=notice["_id"], entries=len(entries))
    return {"_id": campaign["_id"], "campaign_id": campaign["_id"], "notice_id": notice["_id"],
            "notice_version": notice["version"],
            "program": campaign["program"], "academic_year": campaign.get("academic_year"),
            "entries": entries, "finalised_by": actor.ref(), "finalised_at": now, "settled": 0,
            "outbox": lifecycle_outbox.outbox(f"{campaign['_id']}:final", [audit], [event]), **outbox_stamp(now)}


def settle(deps, final, now, progress=None):
    """Decide the campaign's applications (DECIDE_BATCH at a time: one bulk write
    each), grant the awards if due, publish notice.closed. Idempotent; safe to run
    concurrently. Returns how many applications were still to decide."""
    campaign = deps.apps.get_campaign(final["_id"])
    removed = {o["application_id"]: (o.get("resolution") or {}).get("reply", "")
               for o in deps.notes.campaign_objections(campaign["_id"])
               if o["state"] == "upheld" and ((o.get("resolution") or {}).get("change") or {}).get("remove")}
    approve, reject = notice_rules.final_plan(final["entries"], deps.apps.campaign_applications(campaign["_id"]),
                                              removed)
    by = final["finalised_by"]
    report = progress or (lambda done, total: None)
    total = len(approve) + len(reject)
    report(0, total)
    done = 0
    for action, plan in (("list_approve", [(app, None, {"final_result": result}) for app, result in approve]),
                         ("list_reject", [(app, reason, {}) for app, reason in reject])):
        for start in range(0, len(plan), DECIDE_BATCH):
            batch = plan[start:start + DECIDE_BATCH]
            _decide_many(deps, campaign, batch, action, by, now)
            done += len(batch)
            report(done, total)
    program = lifecycle.program_of(deps.apps, campaign)
    if stage_rules.awards_at(program.get("stages")) == "final_list":
        # (one read for every listed application, one program call per batch of entries)
        apps = deps.apps.get_applications([e["application_id"] for e in final["entries"]])
        pairs = [(apps.get(e["application_id"]) or deps.apps.get_application(e["application_id"]), e)
                 for e in final["entries"]]
        awards.grant_many(deps, campaign, pairs, by, "final_list", now)
    lifecycle_outbox.finish(deps.notes, deps.dispatch, "final_lists", final)
    deps.notes.mark_settled(campaign["_id"])
    return total


def _decide_many(deps, campaign, batch, action, by, now):
    """`_decide` for a batch [(application, reason, changes)]: the ready ones in one
    bulk step (workflow.commit_many); one with a step still going out, or changed
    meanwhile, one by one."""
    ready, later = [], []
    for app, reason, extra in batch:
        if app["state"] != "college_approved":
            continue
        if app.get("outbox"):
            later.append((app, reason, extra))
            continue
        step = find_step(action, app["state"])
        entry = audit_entry(_Finaliser(by), action, step.source, step.target, reason, now)
        entry["idempotency_key"] = f"final_list:{campaign['_id']}"
        ready.append(((app, dict(extra, state=step.target), entry), (reason, extra)))
    event = find_step(action, "college_approved").event
    lost = {a["_id"] for a in commit_many(deps.apps, deps.dispatch, [item for item, _ in ready], event, now)}
    later += [(item[0], reason, extra) for item, (reason, extra) in ready if item[0]["_id"] in lost]
    for app, reason, extra in later:
        _decide(deps, campaign, deps.apps.get_application(app["_id"]), action, reason, extra, by, now)


class _Finaliser:
    """Who finalised, as the audit entry names them. The step's side (the school's,
    which the campaign admin holds) was checked when the list was finalised; the
    steps themselves may run later, in the sweep, without a request."""

    def __init__(self, ref):
        self._ref = ref

    def ref(self):
        return dict(self._ref)


def _decide(deps, campaign, app, action, reason, extra, by, now):
    """One step of the state machine for one application, once: a step that lost a
    race to another finaliser finds the application already decided and stops."""
    for _attempt in range(COMMIT_ATTEMPTS):
        if app["state"] != "college_approved":
            return
        if app.get("outbox"):  # a previous step not yet out: finish it, or the change waits for it
            outbox.finish(deps.apps, deps.dispatch, app)
            time.sleep(0.05)  # another finisher may hold it; yields under eventlet
            app = deps.apps.get_application(app["_id"])
            continue
        step = find_step(action, app["state"])
        entry = audit_entry(_Finaliser(by), action, step.source, step.target, reason, now)
        entry["idempotency_key"] = f"final_list:{campaign['_id']}"
        try:
            _commit(deps.apps, deps.dispatch, app, dict(extra, state=step.target), entry, step.event, now)
            return
        except Conflict:
            time.sleep(0.05)
            app = deps.apps.get_application(app["_id"])
    raise Conflict(f"Application {app['_id']} kept changing; finalising will be retried.",
                   f"申报 {app['_id']} 正被修改，定稿处理将自动重试", field="application_id")


def get_final_list(deps, actor_id, campaign_id):
    """The final list, for anyone in the campaign's scope."""
    actor, person = lifecycle.who(deps.apps, actor_id)
    campaign = deps.apps.get_campaign(campaign_id)
    lifecycle.require_in_scope(deps.apps, actor, person, campaign)
    doc = deps.notes.get_final_list(campaign_id)
    if doc is None:
        raise NotFound("This campaign has no final list yet.", "本次活动尚未产生正式名单", field="campaign_id")
    return final_list_view(doc)
