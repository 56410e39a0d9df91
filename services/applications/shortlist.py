"""Scoring results become the next stage here: the shortlist (入选名单) of a round.

`scoring.results_published` (at least once, possibly redelivered) is recorded once per
(campaign, round) — the shortlist's id is ``<campaign>:<round>`` under a unique _id —
and each application gets its `review_result`, written first (in batches, not one
round trip each): once the shortlist is there, so is every result of its round, and
a notice made from it (公示) and the list finalised after it never race those
writes. A later round supersedes an earlier one; an earlier or repeated round
changes nothing.
"""
from core.errors import NotFound
from services.applications.domain import permissions
from services.applications.views import jsonable


def record(store, envelope, now):
    """Returns True when this round was new."""
    data = envelope["data"]
    campaign_id, round_ = data["campaign_id"], int(data["round"])
    results = [(entry["application_id"], {
        "round": round_, "outcome": "selected", "grade": entry.get("grade"),
        "grade_name_zh": entry.get("grade_name_zh"), "rank": entry.get("rank"), "total": entry.get("total")})
        for entry in data.get("selected", [])]
    results += [(entry["application_id"], {
        "round": round_, "outcome": "not_selected", "reason": entry.get("reason"),
        "message_zh": entry.get("message_zh"), "rank": entry.get("rank"), "total": entry.get("total")})
        for entry in data.get("rest", [])]
    store.set_review_results(round_, results)
    return store.insert_shortlist({
        "_id": f"{campaign_id}:{round_}", "campaign_id": campaign_id, "round": round_,
        "event_id": envelope["id"], "selected": data.get("selected", []), "rest": data.get("rest", []),
        "cut_line": data.get("cut_line"), "published_by": envelope.get("actor"), "recorded_at": now,
    })


def latest(store, actor, campaign_id):
    """The newest shortlist of a campaign, for its campaign admin."""
    campaign = store.get_campaign(campaign_id)
    permissions.require_campaign_admin(actor, campaign)
    found = store.latest_shortlist(campaign_id)
    if not found:
        raise NotFound("No results have been published for this campaign yet.", "本次活动尚未发布评审结果",
                       field="campaign_id")
    view = jsonable(found)
    view["id"] = view.pop("_id")
    return view
