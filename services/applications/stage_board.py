"""The campaign admin's view of every finalist's stages (阶段考核一览): one call, three
queries (the approved applications, the campaign's stage reports, its awards),
whatever the number of finalists."""
from services.applications import awards, lifecycle, stages
from services.applications.domain import permissions, stage_rules

ORDER = {"submitted": 0, "returned": 1, "to_submit": 2, "waiting": 3, "failed": 4, "failed_earlier": 5, "passed": 6}


def campaign_stages(deps, actor_id, campaign_id):
    """{"campaign_id", "stages": [names], "awards_at", "counts": {progress: n},
    "rows": [{"application_id", "applicant_name", "college_id", "stages": [...],
    "awards": [...], "next_step"}]}; rows waiting for the admin (待审核) first.
    For the campaign admin only."""
    actor, _person = lifecycle.who(deps.apps, actor_id)
    campaign = deps.apps.get_campaign(campaign_id)
    permissions.require_campaign_admin(actor, campaign)
    program = lifecycle.program_of(deps.apps, campaign)
    names = stage_rules.declared(program.get("stages"))
    docs = deps.notes.campaign_stage_docs(campaign_id)
    granted = {}
    for award in deps.notes.campaign_awards(campaign_id):
        granted.setdefault(award["application_id"], []).append(awards.award_view(award))
    rows, counts = [], {}
    for app in deps.apps.campaign_applications(campaign_id, ["approved"]):
        mine = docs.get(app["_id"], {})
        items = []
        for stage in names:
            doc = mine.get(stage) or {}
            status = stage_rules.stage_status(stage, names, app["state"], mine)
            item = {"stage": stage, "name_zh": stage_rules.STAGE_ZH[stage], "status": status,
                    "progress": stage_rules.progress(status, doc), "report": None, "assessment": None,
                    "files": [], "returns": []}
            if doc:
                item.update(stages._doc_view(doc))
            counts[item["progress"]] = counts.get(item["progress"], 0) + 1
            items.append(item)
        rows.append({"application_id": app["_id"], "applicant_name": app.get("applicant_name"),
                     "title": (app.get("form") or {}).get("title"), "college_id": app.get("college_id"),
                     "stages": items, "next_step": stage_rules.next_step(items),
                     "awards": granted.get(app["_id"], [])})
    rows.sort(key=lambda r: (min([ORDER[i["progress"]] for i in r["stages"]] or [9]), r["applicant_name"] or ""))
    return {"campaign_id": campaign_id, "stages": [{"stage": s, "name_zh": stage_rules.STAGE_ZH[s]} for s in names],
            "awards_at": stage_rules.awards_at(program.get("stages")), "counts": counts, "rows": rows}


def overview(deps, actor_id):
    """The campaigns the person administers whose program has stages and that have
    finalists, those with reports waiting first, then newest first:
    [{"campaign_id", "title", "academic_year", "stages", "finalists", "waiting"}] —
    two counts per campaign, whatever the number of finalists."""
    from core import roles as role_rules
    actor, _person = lifecycle.who(deps.apps, actor_id)
    out = []
    for campaign in deps.apps.list_campaigns({}):
        if not role_rules.is_campaign_admin(actor.roles, campaign):
            continue
        names = stage_rules.declared(lifecycle.program_of(deps.apps, campaign).get("stages"))
        if not names:
            continue
        finalists = deps.apps.count_applications(campaign["_id"], ["approved"])
        if finalists:
            out.append({"campaign_id": campaign["_id"], "title": campaign.get("title"),
                        "academic_year": campaign.get("academic_year"), "stages": names, "finalists": finalists,
                        "waiting": deps.notes.count_waiting_stage_reports(campaign["_id"])})
    out.sort(key=lambda c: c["waiting"] == 0)   # stable: those waiting first, then newest first
    return out


def waiting(deps, campaign_id, stage):
    """(application_id, applicant_name) of the reports of `stage` waiting for an
    assessment, in id order."""
    docs = deps.notes.campaign_stage_docs(campaign_id)
    ids = sorted(a for a, mine in docs.items()
                 if (mine.get(stage) or {}).get("report") and not (mine.get(stage) or {}).get("assessment"))
    names = {a["_id"]: a.get("applicant_name") for a in deps.apps.campaign_applications(campaign_id, ["approved"])}
    return [(a, names[a]) for a in ids if a in names]


def require_bulk_pass(deps, actor_id, campaign_id, stage):
    """Refuses before a job is stored: not the campaign admin, or no such stage."""
    actor, _person = lifecycle.who(deps.apps, actor_id)
    campaign = deps.apps.get_campaign(campaign_id)
    permissions.require_campaign_admin(actor, campaign)
    stage_rules.require_declared(stage, stage_rules.declared(lifecycle.program_of(deps.apps, campaign).get("stages")))


def bulk_pass(deps, actor_id, campaign_id, stage, job_id, now, progress):
    """Pass every report of `stage` waiting for an assessment (a background job). Each
    is one ordinary assessment under the key ``<job_id>:<application_id>``, so a re-run
    after a crash passes none twice; one that changed meanwhile (returned, assessed,
    replaced) is skipped and named. Returns {"decided", "skipped": [{"applicant_name",
    "message", "message_zh"}]}."""
    from core.errors import ChuangxianError
    require_bulk_pass(deps, actor_id, campaign_id, stage)
    targets = waiting(deps, campaign_id, stage)
    decided, skipped = 0, []
    for done, (app_id, name) in enumerate(targets, 1):
        try:
            stages.assess(deps, actor_id, app_id, stage, {"result": "pass", "comment": None, "revise": False},
                          f"{job_id}:{app_id}", now())
            decided += 1
        except ChuangxianError as exc:
            skipped.append({"applicant_name": name, "message": exc.to_dict()["message"],
                            "message_zh": exc.to_dict()["message_zh"]})
        progress(done, len(targets))
    return {"decided": decided, "skipped": skipped}
