"""The reviewer pool of a campaign and its conflicts, shown before assignment
(评审专家库与回避预览).

For the campaign admin: the pool (the setup's `reviewer_ids`, or everyone holding
the reviewer role in scope when none is set), its size, and for each application
under review the pool members in conflict with it (same class, dorm, branch, and
the college when the campaign's rules say so; members of the applicant; declared
conflicts), checked against the directory as it is now, and how many conflict-free
reviewers it has against the `reviewers_per_application` it needs. Read only.
"""
from services.scoring import campaign_setup, programs
from services.scoring.access import application_units, require_campaign_admin
from services.scoring.domain import assignment as rules
from services.scoring.reviewing import conflict_policy, reviewer_pool


def preview(store, applications, person, campaign_id):
    campaign = applications.campaign(campaign_id)
    require_campaign_admin(person, campaign)
    stored = store.get_setup(campaign_id)   # before the first save: the program's defaults
    setup = campaign_setup.normalise(stored) if stored is not None else campaign_setup.defaults(
        campaign, programs.load(store, campaign["program"], campaign["program_version"]))
    pool = reviewer_pool(applications, setup)
    policy = conflict_policy(store, setup)
    k = setup["reviewers_per_application"]
    rows = []
    for app in sorted(applications.candidates(campaign_id), key=lambda a: a.get("applicant_name") or a["id"]):
        units = application_units(app)
        conflicted = []
        for member in pool:
            kinds = [kind for kind, _ in rules.conflict_kinds(member.as_reviewer(), units, policy)]
            if kinds:
                conflicted.append({"reviewer_id": member.id, "reviewer_name": member.name, "kinds": kinds})
        free = len(pool) - len(conflicted)
        rows.append({"application_id": app["id"], "applicant_name": app.get("applicant_name"),
                     "conflict_free": free, "enough": free >= k, "conflicts": conflicted})
    return {"campaign_id": campaign_id, "explicit_pool": bool(setup.get("reviewer_ids")),
            "pool": [{"id": m.id, "name": m.name} for m in pool], "pool_size": len(pool),
            "reviewers_per_application": k, "policy": policy.to_dict(), "applications": rows,
            "short": sum(1 for r in rows if not r["enough"])}
