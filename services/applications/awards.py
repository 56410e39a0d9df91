"""Awards (荣誉称号): granted when the final list is finalised, or when the final
evaluation passes if the program has one (stage_rules.awards_at).

The titles come from the program's hook `award_titles` ({"campaign",
"application", "entry"}): the first is the list's title, the rest are on top of the
quota (e.g. the veteran-dorm title). Each title is one award under the unique id
``award:<application_id>:<code>``, inserted with its `award.granted` event in its
outbox (event id ``award.granted:<award_id>``): granting again — a second
finaliser, the sweep after a crash — finds the award and only finishes its outbox,
so each is published once (at least once if a publisher dies after publishing).

Each award gets its certificate number when it is granted: the next of the year's
counter (Beijing year), shared by every campaign, so no two certificates of a year
carry the same number (创先〔2026〕012号) and a download always shows the same one.
"""
from zoneinfo import ZoneInfo

from core.envelope import make_event
from services.applications import lifecycle, lifecycle_outbox
from services.applications.domain import award_rules, permissions
from services.applications.domain.lifecycle_events import award_data
from services.applications.views import application_view, jsonable, with_id
from core.outbox import stamp as outbox_stamp


def award_view(doc):
    view = jsonable({k: v for k, v in doc.items() if k != "outbox_claim_ts"})
    view["id"] = view.pop("_id")
    return view


#: Entries whose titles one program call asks for (`grant_many`): within the hook
#: call's timeout (PROGRAM_CALLS.TIMEOUT_SECONDS) even when each entry makes the
#: program read the directory or the records.
AWARD_BATCH = 50


def _context(campaign, app, entry):
    return jsonable({"campaign": with_id(campaign), "application": application_view(app), "entry": entry})


def grant_many(deps, campaign, pairs, by, source, now):
    """`grant` for each (application, entry) of a final list, asking the program for
    the titles once per AWARD_BATCH entries (``award_titles_many``) instead of once
    per entry. Idempotent as `grant` is."""
    granted = []
    for start in range(0, len(pairs), AWARD_BATCH):
        batch = pairs[start:start + AWARD_BATCH]
        answers = deps.hooks[campaign["program"]].award_titles_many([_context(campaign, a, e) for a, e in batch])
        for (app, entry), titles in zip(batch, answers):
            granted += grant(deps, campaign, app, entry, by, source, now, titles=titles)
    return granted


def grant(deps, campaign, app, entry, by, source, now, titles=None):
    """The awards of one final-list entry (idempotent). `by`: who decided ({"id",
    "name"}); `source`: "final_list" or "final_evaluation"; `titles`: the program's
    answer for this entry when the caller asked already (`grant_many`)."""
    if titles is None:
        titles = deps.hooks[campaign["program"]].award_titles(_context(campaign, app, entry))
    titles = award_rules.clean_titles(titles, campaign["program"], permissions.campaign_level(campaign), entry)
    if not titles:
        return []
    members = lifecycle.member_ids(deps.apps, app)
    recipients = sorted(set(members) | set(lifecycle.representatives(deps.apps, app)))
    counselors = lifecycle.counselors(deps.apps, app.get("college_id"))
    granted = []
    for title in titles:
        ident = award_rules.award_id(app["_id"], title["code"])
        existing = deps.notes.get("awards", ident)
        if existing is not None:   # granted before (a second finaliser, the sweep): only its outbox is left
            lifecycle_outbox.finish(deps.notes, deps.dispatch, "awards", existing)
            granted.append(existing)
            continue
        year = now.astimezone(ZoneInfo("Asia/Shanghai")).year
        doc = {"_id": ident, "program": campaign["program"], "campaign_id": campaign["_id"],
               "academic_year": campaign.get("academic_year"), "application_id": app["_id"],
               "recipient_kind": app["applicant_kind"], "recipient_id": app["applicant_id"],
               "recipient_name": app["applicant_name"], "college_id": app.get("college_id"),
               "member_ids": members, "grade": entry.get("grade"), "rank": entry.get("rank"), **title,
               "source": source, "granted_by": by, "granted_at": now,
               "certificate_year": year, "certificate_seq": deps.notes.next_number(f"certificate:{year}")}
        event = make_event("award.granted", award_data(doc, recipients, counselors), lifecycle.SOURCE, actor=by,
                           event_id=f"award.granted:{ident}", occurred_at=now)
        audit = lifecycle_outbox.audit_entry("award", ident, 1, "grant", by, now, campaign["_id"], app["_id"],
                                             title=title["title"], source=source)
        doc.update(outbox=lifecycle_outbox.outbox(f"{ident}:1", [audit], [event]), **outbox_stamp(now))
        stored, _created = deps.notes.insert_once("awards", doc)
        lifecycle_outbox.finish(deps.notes, deps.dispatch, "awards", stored)
        granted.append(stored)
    return granted


def list_awards(deps, actor_id, campaign_id):
    """A campaign's awards, for anyone in its scope."""
    actor, person = lifecycle.who(deps.apps, actor_id)
    campaign = deps.apps.get_campaign(campaign_id)
    lifecycle.require_in_scope(deps.apps, actor, person, campaign)
    return [award_view(a) for a in deps.notes.campaign_awards(campaign_id)]
