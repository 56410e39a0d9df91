"""Stages beyond the decision: mid-term check (中期检查) and final evaluation
(评估考核 / 结项验收) of an approved application.

Guarantees: a report is stored as ``stage_reports/<application_id>:<stage>`` and
changed only by a conditional replace on its revision (two concurrent changes: one
wins, the other gets 409); re-sending the same report, or an assessment with the
same idempotency key, changes nothing. Every report and assessment is audited
(`lifecycle_audit`). A passing final evaluation grants the awards (when the program
has one), as a follow-up in the same outbox, so a crash in between is finished by
the sweep.
"""
from core.envelope import make_event
from core.errors import Conflict
from services.applications import awards, lifecycle, lifecycle_outbox
from services.applications.domain import permissions, stage_rules
from services.applications.views import jsonable
from services.applications.workflow import visible_application
from core.outbox import stamp as outbox_stamp

COLLECTION = "stage_reports"


def file_view(entry):
    """A stage report's file as readers see it (no store reference, no digest)."""
    return jsonable({k: v for k, v in entry.items() if k not in ("file_id", "sha256")})


def _doc_view(doc):
    view = jsonable({k: v for k, v in doc.items()
                     if k not in ("outbox_claim_ts", "report_key", "_id", "application_id", "campaign_id", "outbox",
                                  "outbox_ts", "outbox_at")})
    view["files"] = [file_view(f) for f in doc.get("files") or []]
    for back in view.get("returns") or []:
        back.pop("idempotency_key", None)
    for output in (view.get("report") or {}).get("outputs", []):
        output["achieved"] = bool(output["achieved"])  # the wire server returns 0/1
    if view.get("assessment"):
        view["assessment"].pop("idempotency_key", None)
        view["assessment"]["revised"] = bool(view["assessment"].get("revised"))
    return view


def stages_view(deps, app, campaign=None, program=None):
    """The application's stages with their status, reports, assessments and trail."""
    campaign = campaign or deps.apps.get_campaign(app["campaign_id"])
    program = program or lifecycle.program_of(deps.apps, campaign)
    stages = stage_rules.declared(program.get("stages"))
    docs = deps.notes.stage_docs(app["_id"])
    expected = stage_rules.expected_outputs(app.get("form"),
                                            lifecycle.setting(campaign, program, "expected_outputs_field"))
    trail = deps.notes.audit_of([f"{app['_id']}:{s}" for s in stages])
    out = []
    for stage in stages:
        doc = docs.get(stage) or {}
        item = {"stage": stage, "name_zh": stage_rules.STAGE_ZH[stage],
                "status": stage_rules.stage_status(stage, stages, app["state"], docs),
                "report": None, "assessment": None,
                "files": [], "returns": [],
                "trail": [lifecycle_outbox.audit_view(e) for e in trail if e["subject_id"] == f"{app['_id']}:{stage}"]}
        if doc:
            item.update(_doc_view(doc))
            if stage == "final_evaluation":
                item["unmet_outputs"] = stage_rules.unmet(doc.get("report"), expected)
        item["progress"] = stage_rules.progress(item["status"], doc)
        out.append(item)
    return {"application_id": app["_id"], "campaign_id": app["campaign_id"], "state": app["state"],
            "applicant_name": app.get("applicant_name"), "stages": out, "next_step": stage_rules.next_step(out),
            "expected_outputs": expected,
            "awards_at": stage_rules.awards_at(program.get("stages")),
            "awards": [awards.award_view(a) for a in deps.notes.application_awards(app["_id"])]}


def _finish(deps, doc, now):
    lifecycle_outbox.finish(deps.notes, deps.dispatch, COLLECTION, doc,
                            follow_up=lambda d, then: _grant_awards(deps, d, now))


def _grant_awards(deps, doc, now):
    app = deps.apps.get_application(doc["application_id"])
    campaign = deps.apps.get_campaign(app["campaign_id"])
    final = deps.notes.get_final_list(campaign["_id"]) or {"entries": []}
    entry = next((e for e in final["entries"] if e["application_id"] == app["_id"]), None)
    if entry is None:  # approved outside a final list: its own final result stands for the entry
        entry = dict(app.get("final_result") or {}, application_id=app["_id"])
    awards.grant(deps, campaign, app, entry, doc["assessment"]["by"], "final_evaluation", now)


def _load(deps, app_id, stage, now):
    app = deps.apps.get_application(app_id)
    campaign = deps.apps.get_campaign(app["campaign_id"])
    program = lifecycle.program_of(deps.apps, campaign)
    stages = stage_rules.declared(program.get("stages"))
    stage_rules.require_declared(stage, stages)
    docs = deps.notes.stage_docs(app_id)
    if stage in docs and docs[stage].get("outbox"):
        _finish(deps, docs[stage], now)
        docs = deps.notes.stage_docs(app_id)
    return app, campaign, program, stages, docs


def _store(deps, existing, doc):
    """Insert the first version or replace the current one; None when it changed meanwhile."""
    if existing is None:
        stored, created = deps.notes.insert_once(COLLECTION, doc)
        return stored if created else None
    return deps.notes.replace_if(COLLECTION, existing, doc)


def put_report(deps, actor_id, app_id, stage, payload, now):
    """The applicant's report on an open stage; re-sending the same report changes
    nothing. The final report must address every expected output."""
    actor, _person = lifecycle.who(deps.apps, actor_id)
    permissions.require_applicant(actor, visible_application(deps.apps, actor, app_id))
    app, campaign, program, stages, docs = _load(deps, app_id, stage, now)
    stage_rules.require_reportable(stage, stages, app["state"], docs)
    expected = []
    if stage == "final_evaluation":
        expected = stage_rules.expected_outputs(app.get("form"),
                                                lifecycle.setting(campaign, program, "expected_outputs_field"))
    report = stage_rules.validate_report(stage, payload.get("summary"), payload.get("outputs"), expected)
    existing = docs.get(stage)
    returned = (existing or {}).get("assessment")   # only a return lets a report be assessed again
    if existing and not returned and _same_report(existing.get("report"), report):
        return stages_view(deps, app, campaign, program)
    revision = (existing or {}).get("revision", 0) + 1
    sid = f"{app_id}:{stage}"
    audit = lifecycle_outbox.audit_entry("stage_report", sid, revision, "resubmit" if returned else "report",
                                         actor.ref(), now, campaign["_id"], app_id, stage=stage,
                                         outputs=len(report["outputs"]), files=len((existing or {}).get("files") or []))
    returns = list((existing or {}).get("returns") or [])
    if returned:
        returns.append({k: v for k, v in returned.items() if k != "idempotency_key"})
    doc = {"_id": sid, "application_id": app_id, "campaign_id": campaign["_id"], "stage": stage,
           "report": dict(report, by=actor.ref(), at=now), "assessment": None, "revision": revision,
           "files": (existing or {}).get("files") or [], "returns": returns,
           "created_at": (existing or {}).get("created_at", now), "updated_at": now,
           "outbox": lifecycle_outbox.outbox(f"{sid}:{revision}", [audit]), **outbox_stamp(now)}
    stored = _store(deps, existing, doc)
    if stored is None:
        again = deps.notes.stage_docs(app_id).get(stage)
        if again and not again.get("assessment") and _same_report(again.get("report"), report):
            return stages_view(deps, app, campaign, program)
        raise Conflict("The report was changed meanwhile; reload and try again.", "报告已被他人修改，请刷新后重试",
                       field="revision")
    _finish(deps, stored, now)
    return stages_view(deps, app, campaign, program)


def _same_report(stored, report):
    if not stored:
        return False
    outputs = [{"id": o["id"], "achieved": bool(o["achieved"]), "evidence": o["evidence"]}
               for o in stored.get("outputs", [])]
    return stored.get("summary") == report["summary"] and outputs == report["outputs"]


def assess(deps, actor_id, app_id, stage, payload, key, now):
    """The campaign admin's pass, fail or return (for resubmission), once per report
    unless revised; a retry with the same idempotency key returns the current state."""
    actor, _person = lifecycle.who(deps.apps, actor_id)
    app = deps.apps.get_application(app_id)
    campaign = deps.apps.get_campaign(app["campaign_id"])
    permissions.require_campaign_admin(actor, campaign)
    app, campaign, program, stages, docs = _load(deps, app_id, stage, now)
    existing = docs.get(stage)
    if key and existing and ((existing.get("assessment") or {}).get("idempotency_key") == key):
        return stages_view(deps, app, campaign, program)
    plan = stage_rules.plan_assessment(stage, stages, app["state"], docs, payload.get("result"),
                                       payload.get("comment"), payload.get("revise", False))
    revision = existing["revision"] + 1
    sid = existing["_id"]
    action = "revise" if plan["revised"] else "return" if plan["result"] == "return" else "assess"
    audit = lifecycle_outbox.audit_entry("stage_report", sid, revision, action,
                                         actor.ref(), now, campaign["_id"], app_id, stage=stage,
                                         result=plan["result"], comment=plan["comment"])
    grant = (stage == "final_evaluation" and plan["result"] == "pass"
             and stage_rules.awards_at(program.get("stages")) == "final_evaluation")
    # the applicant is told (passed, returned with the reason, failed); its id is fixed per revision
    told = make_event("stage.assessed", {
        "application_id": app_id, "campaign_id": campaign["_id"], "program": app.get("program"),
        "applicant_name": app.get("applicant_name"), "stage": stage, "result": plan["result"],
        "comment": plan["comment"], "applicant_user_ids": lifecycle.representatives(deps.apps, app)},
        lifecycle.SOURCE, actor=actor.ref(), event_id=f"stage.assessed:{sid}:{revision}", occurred_at=now)
    new = dict(existing, assessment=dict(plan, by=actor.ref(), at=now, idempotency_key=key), revision=revision,
               updated_at=now, outbox=lifecycle_outbox.outbox(f"{sid}:{revision}", [audit], [told],
                                                              then={"grant_awards": 1} if grant else None),
               **outbox_stamp(now))
    stored = deps.notes.replace_if(COLLECTION, existing, new)
    if stored is None:
        again = deps.notes.stage_docs(app_id).get(stage) or {}
        if key and (again.get("assessment") or {}).get("idempotency_key") == key:
            return stages_view(deps, app, campaign, program)
        raise Conflict("The stage was changed meanwhile; reload and try again.", "该阶段已被他人修改，请刷新后重试",
                       field="revision")
    _finish(deps, stored, now)
    return stages_view(deps, app, campaign, program)


def get_stages(deps, actor_id, app_id):
    """For whoever may see the application, and the campaign admin."""
    actor, _person = lifecycle.who(deps.apps, actor_id)
    app = deps.apps.get_application(app_id)
    campaign = deps.apps.get_campaign(app["campaign_id"])
    if not permissions.is_campaign_admin(actor, campaign):
        visible_application(deps.apps, actor, app_id)
    return stages_view(deps, app, campaign)


def sweep(deps, now, older_than):
    """Finish stage changes whose outbox (an audit entry, the awards) was interrupted."""
    stale = deps.notes.stale(COLLECTION, older_than)
    for doc in stale:
        _finish(deps, doc, now)
    return len(stale)
