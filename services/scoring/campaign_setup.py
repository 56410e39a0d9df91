"""A campaign's scoring setup (评审设置), chosen by the campaign admin (access.py).

The criteria are those of the program version the campaign pinned when it was
opened (``program_version``), so a later change of the program never changes an
open campaign's scoring. The setup starts from the program's policy and may choose
the aggregation method, z-score normalisation, k reviewers per application, blind
review, the conflict rules, the reviewer pool and the population of a percentage
quota. Every change is a conditional replace on ``version`` and is audited.

The conflict rules cannot change while reviewers are assigned: an assignment made
under looser rules would silently stay.
"""
from core.errors import Conflict, NotFound, field_error, invalid
from services.scoring import outbox, programs
from services.scoring.access import Person, require_campaign_admin
from services.scoring.views import jsonable
from core.outbox import stamp as outbox_stamp


def not_set_up(campaign_id):
    return Conflict("Scoring is not set up for this campaign yet: its admin sets it up first.",
                    "本次评选活动尚未进行评审设置，请本次活动的管理员先完成设置", field="campaign_id",
                    details={"campaign_id": campaign_id})


def defaults(campaign, definition):
    policy = definition.policy
    return {
        "_id": campaign["id"], "campaign_id": campaign["id"], "program": campaign["program"],
        "program_version": campaign["program_version"], "unit_path": campaign.get("unit_path") or [],
        "aggregation": dict(policy["aggregation"]),
        "reviewers_per_application": policy["reviewers_per_application"],
        "blind_review": bool(policy["blind_review"]),
        "conflict": {"fields": list(policy["conflict"].get("fields", [])),
                     "same_college": bool(policy["conflict"].get("same_college", False))},
        "reviewer_ids": [], "population": None, "version": 0,
    }


def normalise(setup):
    """Booleans as booleans (the wire server may return 0/1)."""
    setup = dict(setup)
    setup["blind_review"] = bool(setup["blind_review"])
    setup["conflict"] = {"fields": list(setup["conflict"].get("fields", [])),
                         "same_college": bool(setup["conflict"].get("same_college"))}
    return setup


def load(store, campaign_id):
    """The stored setup; Conflict when the campaign is not set up."""
    setup = store.get_setup(campaign_id)
    if setup is None:
        raise not_set_up(campaign_id)
    return normalise(setup)


def view(setup, configured=True):
    body = jsonable({k: v for k, v in setup.items() if k not in ("_id", "outbox", "outbox_ts", "outbox_at", "unit_path")})
    body["zscore"] = setup["aggregation"]["reviewer_normalisation"] == "zscore"
    body["configured"] = configured
    return body


def current(store, applications, person, campaign_id):
    """The setup (stored, or the program's defaults before the first save)."""
    campaign = applications.campaign(campaign_id)
    require_campaign_admin(person, campaign)
    stored = store.get_setup(campaign_id)
    if stored is not None:
        return view(normalise(stored))
    definition = programs.load(store, campaign["program"], campaign["program_version"])
    return view(defaults(campaign, definition), configured=False)


def configure(store, applications, dispatch, person, campaign_id, data, now):
    campaign = applications.campaign(campaign_id)
    require_campaign_admin(person, campaign)
    definition = programs.load(store, campaign["program"], campaign["program_version"])
    stored = store.get_setup(campaign_id)
    setup = normalise(stored) if stored is not None else defaults(campaign, definition)
    read_version = setup["version"]
    if data.get("version") is not None and data["version"] != read_version:
        raise Conflict(f"The setup is at version {read_version}, not {data['version']}; reload and try again.",
                       f"评分设置已是第 {read_version} 版，而非第 {data['version']} 版，请刷新后重试", field="version")
    new = {k: v for k, v in setup.items() if k not in ("outbox", "outbox_ts", "outbox_at")}
    agg = dict(new["aggregation"])
    if "aggregation" in data:
        agg["method"] = data["aggregation"]
    if "zscore" in data:
        agg["reviewer_normalisation"] = "zscore" if data["zscore"] else "none"
    if "on_missing" in data:
        agg["on_missing"] = data["on_missing"]
    new["aggregation"] = agg
    for key in ("reviewers_per_application", "blind_review", "population"):
        if key in data:
            new[key] = data[key]
    if "reviewer_ids" in data:
        new["reviewer_ids"] = _check_pool(applications, sorted(set(data["reviewer_ids"] or [])))
    if "conflict" in data:
        conflict = {**new["conflict"], **data["conflict"]}
        if conflict != new["conflict"] and store.assignments(campaign_id):
            raise Conflict("The conflict rules cannot change while reviewers are assigned; remove the "
                           "assignments first.", "已有评审分配时不能修改回避规则，请先撤销分配", field="conflict")
        new["conflict"] = conflict
    new.update(version=read_version + 1, updated_by=person.ref(), updated_at=now)
    changes = {k: new[k] for k in ("aggregation", "reviewers_per_application", "blind_review", "conflict",
                                   "reviewer_ids", "population")}
    entry = outbox.audit_entry(campaign_id, "setup", campaign_id, new["version"], "configured", person.ref(), now,
                               setup=jsonable(changes))
    new.update(outbox=outbox.box(entry), **outbox_stamp(now))
    saved = store.save_setup(new, read_version)
    outbox.finish(store, dispatch, "setups", saved)
    return view(normalise(saved))


def _check_pool(applications, reviewer_ids):
    problems = []
    for rid in reviewer_ids:
        try:
            person = Person.from_view(applications.actor(rid))
        except NotFound:
            problems.append(field_error(f"reviewer_ids.{rid}", "No such person.", "查无此人"))
            continue
        if not person.may_score_as("reviewer"):
            problems.append(field_error(f"reviewer_ids.{rid}", f"{person.name} does not hold the reviewer role.",
                                        f"{person.name} 不具有评审专家角色"))
    if problems:
        raise invalid(problems)
    return reviewer_ids
