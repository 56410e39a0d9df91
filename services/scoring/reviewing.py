"""Reviewer assignment (评审分配) and what a reviewer sees.

Assignments are made by hand or automatically (balanced loads, k reviewers per
application, solved exactly by `domain.assignment.auto_assign`), never to a reviewer
with a conflict of interest: the reviewer's class, dorm, branch or college (and the
units they hold a role at) against the application's applicant and college, as the
campaign's conflict rules say, plus conflicts declared by the reviewer or an admin.
Only applications the college approved (`dependencies.SCORED_STATES`) are assigned.

Every change of a campaign's assignments reads the campaign's assignment epoch
before it reads the assignments, claims it (a conditional increment that also marks
the campaign busy) before it writes, and releases it after: two admins assigning at
once never both plan on the same loads — one wins, the other is told to retry — so
auto-assignment never gives an application more than k reviewers. A pair is
assigned at most once (unique id).
"""
from core.errors import Conflict, NotFound, field_error, invalid
from core.off_hub import off_hub
from core.roles import label as role_label
from services.scoring import campaign_setup, outbox, programs
from services.scoring.access import Person, application_units, hidden, require_campaign_admin
from services.scoring.domain import assignment as rules
from services.scoring.domain import plugin_inputs
from services.scoring.domain.score_sheet import sheet_points
from services.scoring.domain.aggregation import IMPORTED
from services.scoring.store import pair_id
from services.scoring.views import assignment_view, reviewer_application_view, sheet_view
from core.outbox import stamp as outbox_stamp


def conflict_policy(store, setup):
    declared = [[d["reviewer_id"], d["application_id"]] for d in store.declared_conflicts(setup["campaign_id"])]
    return rules.ConflictPolicy.from_dict({**setup["conflict"], "declared": declared})


def candidate_application(applications, campaign_id, application_id):
    """The application, if it is one of the campaign's applications under review."""
    for app in applications.candidates(campaign_id):
        if app["id"] == application_id:
            return app
    raise invalid([field_error("application_id",
                               f"Application {application_id!r} is not under review in this campaign "
                               "(only applications the college approved are scored).",
                               f"申报 {application_id} 不在本次活动的评审范围内（仅评审学院审核通过的申报）")])


def application_categories(applications, program_inputs, campaign, application_id, definition):
    """The categories an application is scored in, as its sheets record them: None
    when the criteria have no category subtrees, else what the program's
    ``scoring_inputs`` hook says (one code, or a list for several). ValidationFailed
    naming the application when the program gives none or an unknown one."""
    tree = definition.tree
    if not tree.categories:
        return None
    app = applications.application(application_id)
    raw = program_inputs.scoring_inputs(campaign, [app])
    entry = plugin_inputs.normalise(raw, [application_id])[0][application_id]
    cats = entry["categories"]
    where = f"scoring_inputs.applications.{application_id}.category"
    if not cats:
        raise invalid([field_error(where, f"the program gave no category for application {application_id!r}",
                                   f"项目未给出申报 {application_id!r} 的类别")])
    unknown = sorted(set(cats) - set(tree.categories))
    if unknown:
        raise invalid([field_error(where, f"application {application_id!r}: unknown categories {unknown}",
                                   f"申报 {application_id!r}：未知类别 {unknown}")])
    return cats[0] if len(cats) == 1 else cats


def _record(campaign_id, app_id, reviewer, role, source, person, now):
    assignment_id = pair_id(campaign_id, app_id, reviewer.id)
    entry = outbox.audit_entry(campaign_id, "assignment", assignment_id, 1, "assigned", person.ref(), now,
                               application_id=app_id, reviewer={"id": reviewer.id, "name": reviewer.name},
                               role=role, source=source)
    return {"_id": assignment_id, "campaign_id": campaign_id, "application_id": app_id,
            "reviewer_id": reviewer.id, "reviewer_name": reviewer.name, "role": role, "source": source,
            "by": person.ref(), "at": now, "outbox": outbox.box(entry), **outbox_stamp(now)}


def assign(store, applications, dispatch, person, campaign_id, data, now):
    """A manual assignment; ValidationFailed naming the conflict of interest."""
    campaign = applications.campaign(campaign_id)
    require_campaign_admin(person, campaign)
    setup = campaign_setup.load(store, campaign_id)
    epoch = store.assignment_epoch(campaign_id, now)
    app = candidate_application(applications, campaign_id, data["application_id"])
    try:
        reviewer = Person.from_view(applications.actor(data["reviewer_id"]))
    except NotFound:
        raise invalid([field_error("reviewer_id", "No such person.", "查无此人")]) from None
    role = data.get("role") or "reviewer"
    if role == IMPORTED:
        raise invalid([field_error("role", "Leaves scored by imported_fact take their marks from the program's "
                                   "facts; nobody is assigned to score them.",
                                   "imported_fact 指标的得分来自项目的事实数据，不分配评审人")])
    if not reviewer.may_score_as(*programs.holder_roles(store, campaign["program"], role)):
        raise invalid([field_error("reviewer_id", f"{reviewer.name} does not hold the role {role_label(role, 'en')}.",
                                   f"{reviewer.name} 不具有“{role_label(role)}”角色")])
    definition = programs.load(store, campaign["program"], campaign["program_version"])
    if not any(role in leaf.scorer_roles() for leaf in definition.tree.leaves()):
        raise invalid([field_error("role", f"No indicator of this program is scored by {role_label(role, 'en')}.",
                                   f"本项目没有由“{role_label(role)}”评分的指标")])
    existing = store.assignments(campaign_id, application_id=app["id"])
    record = rules.assign(existing, application_units(app), reviewer.as_reviewer(),
                          conflict_policy(store, setup))
    held = store.begin_assignment_change(campaign_id, epoch, now)
    try:
        doc = _record(campaign_id, record["application_id"], reviewer, role, "manual", person, now)
        if not store.insert_assignment(doc):
            raise Conflict(f"{reviewer.name} is already assigned to this application.",
                           f"{reviewer.name} 已被分配评审该申报", field="reviewer_id")
    finally:
        store.end_assignment_change(campaign_id, held)
    outbox.finish(store, dispatch, "assignments", doc)
    return assignment_view(store.get_assignment(campaign_id, app["id"], reviewer.id))


def reviewer_pool(applications, setup):
    """The reviewers automatic assignment draws from: the setup's pool, or everyone
    holding the reviewer role at the campaign's unit or above."""
    if setup.get("reviewer_ids"):
        return [Person.from_view(applications.actor(rid)) for rid in setup["reviewer_ids"]]
    keys = [f"reviewer@{unit}" for unit in setup.get("unit_path") or []]
    return [Person.from_view(p) for p in applications.people(role_keys=keys)] if keys else []


def check_auto_assign(store, applications, person, campaign_id):
    """What automatic assignment needs before it starts: a campaign admin, a setup,
    reviewers to assign (raises otherwise); returns (campaign, setup, pool)."""
    campaign = applications.campaign(campaign_id)
    require_campaign_admin(person, campaign)
    setup = campaign_setup.load(store, campaign_id)
    pool = reviewer_pool(applications, setup)
    if not pool:
        raise invalid([field_error("reviewer_ids", "There are no reviewers to assign: add some to the setup's pool "
                                   "or give people the reviewer role.", "没有可分配的评审专家：请在评审设置中添加，或为人员授予评审专家角色")])
    return campaign, setup, pool


ASSIGN_BATCH = 500


def auto_assign(store, applications, dispatch, person, campaign_id, now, progress=None):
    """Fill every application under review up to k conflict-free reviewers,
    balancing loads; returns {"created": [...], "loads": {reviewer: n}}. Writes in
    batches (one insert, one audit insert, one clearing update per ASSIGN_BATCH);
    assignment ids are deterministic and a re-run fills up to k again, so running
    it again after a crash completes it and duplicates nothing."""
    report = progress or (lambda done, total: None)
    _campaign, setup, pool = check_auto_assign(store, applications, person, campaign_id)
    epoch = store.assignment_epoch(campaign_id, now)
    apps = applications.candidates(campaign_id)
    existing = [a for a in store.assignments(campaign_id) if a.get("role", "reviewer") == "reviewer"]
    # the solver runs for seconds at a school's size: off the hub, so RPCs are answered
    new = off_hub(rules.auto_assign, [application_units(a) for a in apps], [p.as_reviewer() for p in pool],
                  setup["reviewers_per_application"], conflict_policy(store, setup), existing=existing)
    by_id = {p.id: p for p in pool}
    docs = [_record(campaign_id, r["application_id"], by_id[r["reviewer_id"]], "reviewer", "auto", person, now)
            for r in new]
    report(0, 2 * len(docs))
    if docs:
        held = store.begin_assignment_change(campaign_id, epoch, now, lease_seconds=300)
        try:
            inserted = []
            for start in range(0, len(docs), ASSIGN_BATCH):
                batch = docs[start:start + ASSIGN_BATCH]
                fresh = store.insert_assignments(batch)
                inserted.extend(doc for doc in batch if doc["_id"] in fresh)
                report(start + len(batch), 2 * len(docs))
            docs = inserted
        finally:
            store.end_assignment_change(campaign_id, held)
    for start in range(0, len(docs), ASSIGN_BATCH):
        outbox.finish_many(store, dispatch, "assignments", docs[start:start + ASSIGN_BATCH])
        report(len(docs) + start + len(docs[start:start + ASSIGN_BATCH]), 2 * len(docs))
    created = [assignment_view({k: v for k, v in doc.items() if k not in ("outbox", "outbox_ts", "outbox_at")}) for doc in docs]
    everyone = store.assignments(campaign_id)
    return {"created": created, "loads": rules.loads(everyone, [p.id for p in pool])}


def unassign(store, applications, person, campaign_id, application_id, reviewer_id, reason, now):
    """Remove an assignment whose sheet is not submitted (admin, with a reason)."""
    campaign = applications.campaign(campaign_id)
    require_campaign_admin(person, campaign)
    epoch = store.assignment_epoch(campaign_id, now)
    if store.get_assignment(campaign_id, application_id, reviewer_id) is None:
        raise NotFound("No such assignment.", "没有该评审分配", field="reviewer_id")
    held = store.begin_assignment_change(campaign_id, epoch, now)
    try:
        _remove(store, person, campaign_id, application_id, reviewer_id, reason, now, "unassigned", held)
    finally:
        store.end_assignment_change(campaign_id, held)
    return {"removed": pair_id(campaign_id, application_id, reviewer_id)}


def _remove(store, person, campaign_id, application_id, reviewer_id, reason, now, action, held):
    """Remove an assignment (and its draft sheet) while holding the campaign."""
    doc = store.get_assignment(campaign_id, application_id, reviewer_id)
    if doc is None:
        return
    if not store.delete_draft_sheet(doc["_id"]):
        raise Conflict("The reviewer already submitted a sheet for this application; an admin reopens or "
                       "changes it instead.", "该评审人已提交评分表，不能撤销分配", field="reviewer_id")
    store.record_audit(outbox.audit_entry(campaign_id, "assignment", doc["_id"], f"{action}-{held}", action,
                                          person.ref(), now, reason=reason, application_id=application_id,
                                          reviewer={"id": reviewer_id, "name": doc.get("reviewer_name")}))
    store.delete_assignment(doc["_id"])


def declare_conflict(store, applications, dispatch, person, campaign_id, data, now):
    """A reviewer declares their own conflict of interest (回避), or an admin one for
    any reviewer. An existing assignment without a submitted sheet is withdrawn; with
    a submitted sheet the declaration is refused (an admin reopens the sheet first)."""
    campaign = applications.campaign(campaign_id)
    reviewer_id = data.get("reviewer_id") or person.id
    if reviewer_id != person.id:
        require_campaign_admin(person, campaign)
    campaign_setup.load(store, campaign_id)
    app = candidate_application(applications, campaign_id, data["application_id"])
    doc_id = pair_id(campaign_id, app["id"], reviewer_id)
    entry = outbox.audit_entry(campaign_id, "conflict", doc_id, 1, "conflict_declared", person.ref(), now,
                               reason=data["reason"], application_id=app["id"], reviewer_id=reviewer_id)
    doc = {"_id": doc_id, "campaign_id": campaign_id, "application_id": app["id"], "reviewer_id": reviewer_id,
           "reason": data["reason"], "by": person.ref(), "at": now, "outbox": outbox.box(entry), **outbox_stamp(now)}
    held = store.begin_assignment_change(campaign_id, store.assignment_epoch(campaign_id, now), now)
    try:
        _remove(store, person, campaign_id, app["id"], reviewer_id, data["reason"], now, "recused", held)
        created = store.insert_declared_conflict(doc)
    finally:
        store.end_assignment_change(campaign_id, held)
    if created:
        outbox.finish(store, dispatch, "declared_conflicts", doc)
    return {"application_id": app["id"], "reviewer_id": reviewer_id, "declared": True}


def list_assignments(store, applications, person, campaign_id, page=None):
    """Every assignment with its sheet's state, the loads and the k (admin); with
    `page` ({"limit", "after"}) one page of them in id order (application, then
    reviewer) with `total` and `next_after` (the id to ask after; None on the last
    page): reads what the page shows, however many the campaign has."""
    campaign = applications.campaign(campaign_id)
    require_campaign_admin(person, campaign)
    setup = campaign_setup.load(store, campaign_id)
    if page is not None:
        return _assignments_page(store, applications, campaign_id, setup, page)
    sheets = {s["_id"]: s for s in store.campaign_sheets(campaign_id)}
    assignments = store.assignments(campaign_id)
    names = {a["id"]: a["applicant_name"]
             for a in applications.by_ids(campaign_id, {a["application_id"] for a in assignments})}
    out = []
    for a in assignments:
        view = assignment_view(a)
        view["sheet_state"] = (sheets.get(a["_id"]) or {}).get("state")
        view["applicant_name"] = names.get(a["application_id"])
        out.append(view)
    return {"reviewers_per_application": setup["reviewers_per_application"], "assignments": out,
            "loads": rules.loads(assignments),
            "declared_conflicts": [{"application_id": d["application_id"], "reviewer_id": d["reviewer_id"],
                                    "reason": d["reason"]} for d in store.declared_conflicts(campaign_id)]}


def _assignments_page(store, applications, campaign_id, setup, page):
    limit = page["limit"]
    found = store.assignments_page(campaign_id, page.get("after"), limit)
    shown = found[:limit]
    states = store.sheet_states([a["_id"] for a in shown])
    names = {a["id"]: a["applicant_name"]
             for a in applications.by_ids(campaign_id, {a["application_id"] for a in shown})}
    out = []
    for a in shown:
        view = assignment_view(a)
        view["sheet_state"] = states.get(a["_id"])
        view["applicant_name"] = names.get(a["application_id"])
        out.append(view)
    loads = store.assignment_loads(campaign_id)
    return {"reviewers_per_application": setup["reviewers_per_application"], "assignments": out,
            "loads": {rid: n for rid, _name, n in loads}, "reviewer_names": {rid: name for rid, name, _n in loads},
            "total": sum(n for _rid, _name, n in loads),
            "next_after": shown[-1]["_id"] if len(found) > limit else None,
            "declared_conflicts": [{"application_id": d["application_id"], "reviewer_id": d["reviewer_id"],
                                    "reason": d["reason"]} for d in store.declared_conflicts(campaign_id)]}


def my_assignments(store, applications, person, campaign_id=None, page=None):
    """What this reviewer was assigned (and nothing else), blind where the campaign
    says so, with the state of their sheet. With `page` ({"limit", "after"}) one page
    of them in id order (campaign, then application) as {"assignments", "total",
    "to_score" (those without a submitted sheet), "next_after" (the id to ask after;
    None on the last page)}: a few reads and one call per campaign on the page,
    however many the reviewer has (a school's reviewer has thousands)."""
    if page is None:
        return _assignment_views(store, applications, store.assignments(campaign_id, reviewer_id=person.id))
    limit = page["limit"]
    found = store.reviewer_assignments_page(person.id, campaign_id, page.get("after"), limit)
    shown = found[:limit]
    total = store.reviewer_assignment_count(person.id, campaign_id)
    # a submitted sheet cannot lose its assignment (unassigning refuses): the difference holds
    return {"assignments": _assignment_views(store, applications, shown), "total": total,
            "to_score": max(0, total - store.submitted_sheet_count(person.id, campaign_id)),
            "next_after": shown[-1]["_id"] if len(found) > limit else None}


def next_to_score(store, person, campaign_id, application_id):
    """{"campaign_id", "application_id"} of the reviewer's first assignment without a
    submitted sheet other than `application_id`, in `campaign_id` first (then any
    campaign), in id order; None when nothing else waits. Two reads of ids, however
    many assignments the reviewer has (it listed every assignment with its
    application: seconds for a school's reviewer, after each sheet submitted)."""
    submitted = store.submitted_sheet_ids(person.id)
    waiting = [(cid, aid) for sid, cid, aid in store.reviewer_pairs(person.id)
               if sid not in submitted and aid != application_id]
    waiting.sort(key=lambda pair: pair[0] != campaign_id)   # stable: id order within each
    return {"campaign_id": waiting[0][0], "application_id": waiting[0][1]} if waiting else None


def _assignment_views(store, applications, mine):
    """The reviewer's views of these assignments (campaign by campaign, in the order given
    within each): their sheets in one read, then per campaign its setup and its
    applications by id."""
    by_campaign = {}
    for a in mine:
        by_campaign.setdefault(a["campaign_id"], []).append(a)
    sheets = store.sheets_by_ids([a["_id"] for a in mine])   # one read, not one per assignment
    out = []
    for cid, assigned in sorted(by_campaign.items()):
        setup = campaign_setup.load(store, cid)
        # by id, in any state: after finalising none is under review any more, and asking
        # for each one missing was one RPC per assignment (8.7 s for 2,500)
        apps = {a["id"]: a for a in applications.by_ids(cid, {a["application_id"] for a in assigned})}
        for a in assigned:
            app = apps.get(a["application_id"]) or applications.application(a["application_id"])
            sheet = sheets.get(a["_id"])
            out.append({"campaign_id": cid, "application_id": a["application_id"], "role": a.get("role", "reviewer"),
                        "sheet_state": (sheet or {}).get("state"), "sheet_version": (sheet or {}).get("version", 0),
                        "application": reviewer_application_view(app, setup["blind_review"])})
    return out


def require_assigned(store, person, campaign_id, application_id):
    """The reviewer's assignment; NotFound (the application is not theirs to see)."""
    doc = store.get_assignment(campaign_id, application_id, person.id)
    if doc is None:
        raise hidden(application_id)
    return doc


def assigned_application(store, applications, program_inputs, person, campaign, application_id, definition):
    """An assigned application as its reviewer sees it, with the indicators the
    reviewer scores (those of the application's categories; never an imported_fact
    leaf) and their sheet."""
    campaign_id = campaign["id"]
    assignment = require_assigned(store, person, campaign_id, application_id)
    setup = campaign_setup.load(store, campaign_id)
    app = applications.application(application_id)
    role = assignment.get("role", "reviewer")
    sheet = store.get_sheet(assignment["_id"])
    tree = definition.tree
    if sheet is not None:
        category = sheet.get("category")
    else:
        category = application_categories(applications, program_inputs, campaign, application_id, definition)
    cats = [] if category is None else [category] if isinstance(category, str) else list(category)
    shares = tree.leaf_weights(cats[0] if cats else None) if len(cats) <= 1 else {}
    leaves = [{"id": leaf.id, "name": leaf.name, "scale": leaf.scale.to_dict(),
               "share": 100.0 * shares[leaf.id] if leaf.id in shares else None}
              for leaf in tree.leaves(cats if tree.categories else None) if role in leaf.scorer_roles()]
    from services.scoring import evidence   # here: evidence uses require_assigned from this module
    return {"application": reviewer_application_view(app, setup["blind_review"]), "role": role,
            "category": category, "indicators": leaves, "sheet": sheet_view(sheet) if sheet else None,
            "total": sheet_points((sheet or {}).get("scores") or {}, tree, role, category),
            "attachments": evidence.listing(applications, application_id, setup["blind_review"])}

