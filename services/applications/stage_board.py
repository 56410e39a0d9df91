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
