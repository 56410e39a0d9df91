"""Vetoes (一票否决) by an authorised person, stored and audited.

The program's policy names the roles that may veto (``veto_roles``, by default
``school_admin``, which means the campaign admin of access.py), held at a unit on
the campaign's path. A veto needs a reason; it
takes the application out of the ranking whatever its score. It is never deleted:
revoking it (with a reason) adds a ``revoked`` block. One document per application
holds its records, changed by a conditional replace on ``version``; at most one
veto is active at a time. Rule vetoes (declared by the program as data) are not
stored: results evaluate them on the scores every time (`results.py`).
"""
from core.errors import Conflict, NotFound, PermissionDenied
from services.scoring import outbox, programs
from services.scoring.domain import vetoes as rules
from services.scoring.reviewing import candidate_application
from services.scoring.store import pair_id
from services.scoring.views import jsonable
from core.outbox import stamp as outbox_stamp


def _authorised(applications, store, person, campaign_id):
    campaign = applications.campaign(campaign_id)
    definition = programs.load(store, campaign["program"], campaign["program_version"])
    roles = definition.policy.get("veto_roles") or ["school_admin"]
    path = set(campaign.get("unit_path") or [])
    held = {role for role, unit in person.roles if role in roles and unit in path}
    # "school_admin" in veto_roles stands for the campaign admin (access.py), who for
    # a college-level campaign is the college's college_admin.
    if "school_admin" in roles and person.is_campaign_admin(campaign):
        held.add("school_admin")
    held = sorted(held)
    if not held:
        raise PermissionDenied(f"Only {', '.join(roles)} of this campaign may veto.",
                               f"只有本次评选活动的{'、'.join(roles)}可以一票否决", field="actor")
    return {"id": person.id, "roles": held}, held


def _doc(store, campaign_id, application_id):
    doc = store.get_vetoes(pair_id(campaign_id, application_id))
    return doc or {"_id": pair_id(campaign_id, application_id), "campaign_id": campaign_id,
                   "application_id": application_id, "records": [], "version": 0}


def _save(store, dispatch, doc, records, action, person, now, reason):
    old = doc["version"]
    new = {**{k: v for k, v in doc.items() if k not in ("outbox", "outbox_ts", "outbox_at")}, "records": records,
           "version": old + 1, "updated_at": now}
    entry = outbox.audit_entry(doc["campaign_id"], "veto", doc["_id"], old + 1, action, person.ref(), now,
                               reason=reason, application_id=doc["application_id"])
    new.update(outbox=outbox.box(entry), **outbox_stamp(now))
    saved = store.save_vetoes(new, old)
    outbox.finish(store, dispatch, "vetoes", saved)
    return view(saved)


def view(doc):
    records = doc.get("records") or []
    active = next((r for r in records if not r.get("revoked")), None)
    return {"application_id": doc["application_id"], "vetoed": active is not None, "active": jsonable(active),
            "records": jsonable(records), "version": doc["version"]}


def veto(store, applications, dispatch, person, campaign_id, application_id, data, now):
    actor, _roles = _authorised(applications, store, person, campaign_id)
    candidate_application(applications, campaign_id, application_id)
    doc = _doc(store, campaign_id, application_id)
    if any(not r.get("revoked") for r in doc["records"]):
        raise Conflict("This application is already vetoed.", "该申报已被一票否决", field="application_id")
    record = rules.veto(application_id, data["reason"], actor, at=now, allowed_roles=actor["roles"],
                        reason_zh=data.get("reason_zh"))
    body = dict(record.to_dict(), by_name=person.name)
    return _save(store, dispatch, doc, doc["records"] + [body], "vetoed", person, now, record.reason)


def revoke(store, applications, dispatch, person, campaign_id, application_id, data, now):
    actor, _roles = _authorised(applications, store, person, campaign_id)
    doc = store.get_vetoes(pair_id(campaign_id, application_id))
    active = [i for i, r in enumerate((doc or {}).get("records") or []) if not r.get("revoked")]
    if not active:
        raise NotFound("This application has no active veto.", "该申报没有生效的一票否决", field="application_id")
    i = active[0]
    record = {k: v for k, v in doc["records"][i].items() if k != "by_name"}
    revoked = rules.revoke_veto(rules.Veto.from_dict(record), actor, data["reason"], at=now,
                                allowed_roles=actor["roles"])
    records = list(doc["records"])
    records[i] = dict(revoked.to_dict(), by_name=doc["records"][i].get("by_name"))
    return _save(store, dispatch, doc, records, "veto_revoked", person, now, data["reason"])


def active_records(store, campaign_id):
    """{application_id: Veto} of the campaign's active manual vetoes."""
    out = {}
    for doc in store.campaign_vetoes(campaign_id):
        for r in doc.get("records") or []:
            if not r.get("revoked"):
                out[doc["application_id"]] = rules.Veto.from_dict({k: v for k, v in r.items() if k != "by_name"})
    return out


def list_vetoes(store, applications, person, campaign_id):
    _authorised(applications, store, person, campaign_id)
    return [view(d) for d in store.campaign_vetoes(campaign_id)]
