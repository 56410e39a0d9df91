"""Campaign views with their phase (core/campaign_phase.py): what the campaign's own
document cannot say (results published, a notice, the final list, stage reports) is
read for all the campaigns of a list at once, in four queries whatever their number."""
from services.applications.campaigns import campaign_view


def phase_facts(store, notes, campaign_ids):
    """{campaign_id: facts} for core.campaign_phase.campaign_phase."""
    ids = sorted(set(campaign_ids))
    if not ids:
        return {}
    published = store.campaigns_with_results(ids)
    noticed, final, started = notes.milestones(ids)
    return {cid: {"results_published": cid in published, "notice": cid in noticed, "final_list": cid in final,
                  "implementation": cid in started} for cid in ids}


def views(store, notes, campaigns, now):
    """The views of stored `campaigns`, each with its `phase`."""
    facts = phase_facts(store, notes, [c["_id"] for c in campaigns])
    return [campaign_view(c, now, facts.get(c["_id"])) for c in campaigns]


def view(store, notes, campaign, now):
    return views(store, notes, [campaign], now)[0]
