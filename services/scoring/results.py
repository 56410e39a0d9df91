"""Results (评审结果): aggregation -> vetoes -> ranking -> quota selection -> published.

`compute` reads the submitted sheets of the current assignments, the campaign's
setup and level, the program version the campaign pinned (tree, quota rules —
those of the campaign's level when declared by level —, tie-breaks, veto rules),
the active vetoes and, once, the program's ``scoring_inputs`` hook (categories,
facts, imported marks, grade eligibility, units, population); the rest is the pure
`domain.computation.compute_results`. It refuses (Conflict, listing them) while an
application that is not vetoed still has an assigned sheet that is not submitted,
or no submitted sheet at all. Everything the hook returned is part of the inputs
fingerprint.

`publish` stores the selection as ``selections/<campaign>:<round>`` — a unique key,
so of two admins publishing at once exactly one selection is stored and a quota is
never filled twice — with the event ``scoring.results_published`` (exchange
``scoring.events``) in its outbox: published at least once, with the deterministic
id ``scoring.results_published:<campaign>:<round>``. Publishing again with the same
inputs returns the stored result (``created: false``) and publishes nothing new;
with changed inputs it is refused until a later round is asked for, which
supersedes the earlier one. Results are never published while the campaign still
accepts applications (its phase is 申报中, core/campaign_phase.py): Conflict naming
the deadline; the admin page offers to close the window first.

Event data (version 1; the keys added for categories and levels are additive)::

    {"campaign_id", "program", "program_version", "level", "round",
     "selected": [{"application_id", "applicant_id", "applicant_name", "grade",
                   "grade_name_zh", "category", "category_name_zh",
                   "rank", "total"}],          # rank order; per category: by category
                                               # (declared order), rank and total in it
     "rest": [{"application_id", "applicant_id", "applicant_name", "reason",
               "rank", "total", "message", "message_zh",
               "category", "category_name_zh"}],   # reason: vetoed, below_min_score,
                                                   # below_cut_line, not_qualified, ...
     "cut_line": {"last_selected": {...} | None, "first_not_selected": {...} | None},
     "grade_cut_lines": {grade: cut_line} | None,
     "cut_lines": {category: cut_line} | None,      # per_category rules
     "quota": n | {grade: n | None} | {"total": n, "ranges": {category: [lo, hi]}}}

Every stored result keeps the whole computation (scores per leaf and reviewer,
ranking, outcomes), so an explanation always matches what was published: the
scores one document per application (store ``selection_scores``, by the inputs
fingerprint), written before the selection, the rest in the selection's document
(a school's 5,000 dorms with 5 reviewers each made 28 MB of scores, over the
server's 16 MB a document).
"""
import hashlib

from core.envelope import make_event
from core.errors import Conflict, field_error, invalid
from core.off_hub import off_hub
from services.scoring import campaign_setup, outbox, programs, vetoing
from services.scoring.access import hidden, require_campaign_admin
from services.scoring.domain import computation, plugin_inputs, quota
from core.declaration.criteria_tree import canonical_json
from services.scoring.domain.explain import explain as explain_score
from services.scoring.views import jsonable, rounded
from core.outbox import stamp as outbox_stamp

EVENT = "scoring.results_published"
SOURCE = "scoring"


def event_id(campaign_id, round_):
    return f"{EVENT}:{campaign_id}:{round_}"


def compute(store, applications, program_inputs, campaign_id, now=None):
    """The full computation for the campaign as it stands (see the module docstring):
    reads the campaign, its setup, the pinned program version, the sheets of the
    current assignments, the manual vetoes and the program's scoring inputs (asked
    once), then runs the pure `domain.computation.compute_results`."""
    campaign = applications.campaign(campaign_id)
    setup = campaign_setup.load(store, campaign_id)
    definition = programs.load(store, campaign["program"], campaign["program_version"])
    if not definition.quota_rules:
        raise invalid([field_error("quota_rules", "This program declares no quota rules to select by.",
                                   "本项目未声明名额规则，无法遴选")])
    level = campaign.get("level") or "school"
    rules = quota.rules_for_level(definition.quota_rules, level)
    apps = applications.candidates(campaign_id)
    app_ids = {a["id"] for a in apps}
    # Once nothing is under review (every application decided), none of the reviews
    # counts: a school's 25,000 assignments and sheets are not read to be left out.
    assignments = [a for a in store.assignments(campaign_id) if a["application_id"] in app_ids] if apps else []
    current = {a["_id"] for a in assignments}
    sheets = [s for s in store.campaign_sheets(campaign_id) if s["_id"] in current] if current else []
    manual = {aid: v for aid, v in vetoing.active_records(store, campaign_id).items() if aid in app_ids}
    raw_inputs = jsonable(program_inputs.scoring_inputs(campaign, apps))
    # seconds of pure computation for a school's campaign: off the hub (core/off_hub.py)
    result = off_hub(computation.compute_results, definition.tree, definition.policy, rules, setup["aggregation"],
                     apps, assignments, sheets, manual, raw_inputs, population=setup.get("population"), now=now)
    facts = {a["id"]: {"applicant_id": a.get("applicant_id"), "applicant_name": a.get("applicant_name"),
                       "college_id": a.get("college_id"), "submitted_at": a.get("submitted_at")} for a in apps}
    submitted = [s for s in sheets if s["state"] == "submitted"]
    fingerprint = _fingerprint(definition, setup, submitted, manual, facts, raw_inputs,
                               level if isinstance(definition.quota_rules, dict) else None)
    return {"campaign_id": campaign_id, "program": definition.name, "program_version": definition.version,
            "level": level, "criteria_fingerprint": definition.tree.fingerprint, "aggregation": setup["aggregation"],
            "population": result["population"], "scores": result["scores"], "selection": result["selection"],
            "vetoes": result["vetoes"], "applications": facts, "categories": result["categories"],
            "inputs_fingerprint": fingerprint, "grade_names_zh": computation.grade_names(rules),
            "category_names_zh": computation.category_names(rules)}


def _fingerprint(definition, setup, sheets, manual, facts, raw_inputs, level):
    """sha256 of everything the results depend on. The program's scoring inputs and
    the level enter only when they matter (inputs given; rules by level), so the
    results of programs without them keep the fingerprint they had."""
    body = {"program": [definition.name, definition.version], "aggregation": setup["aggregation"],
            "population": setup.get("population"),
            "sheets": sorted([s["_id"], s["scores"]] for s in sheets),
            "vetoes": sorted([aid, v.reason] for aid, v in manual.items()),
            "applications": facts}
    if not plugin_inputs.is_empty(raw_inputs):
        body["scoring_inputs"] = raw_inputs
    if level is not None:
        body["level"] = level
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def summary(computed):
    """Event data (without the round) from a computation (shape: module docstring)."""
    sel, facts, names = computed["selection"], computed["applications"], computed["grade_names_zh"]
    category_names = computed.get("category_names_zh") or {}
    outcomes = sel["outcomes"]
    # Every scored application's total, vetoed ones included (they are out whatever it is).
    # A per-category selection says the total it was judged by (in its category).
    totals = {aid: sc.get("total") for aid, sc in computed["scores"].items()}

    def total(aid):
        o = outcomes.get(aid) or {}
        return rounded(o["total"] if o.get("total") is not None else totals.get(aid))

    def who(aid):
        f = facts.get(aid, {})
        return {"application_id": aid, "applicant_id": f.get("applicant_id"), "applicant_name": f.get("applicant_name")}

    def category(o):
        c = o.get("category")
        return {"category": c, "category_name_zh": category_names.get(c, c) if c else None}

    selected = [{**who(aid), "grade": outcomes[aid].get("grade"),
                 "grade_name_zh": names.get(outcomes[aid].get("grade")), **category(outcomes[aid]),
                 "rank": outcomes[aid].get("category_rank") or outcomes[aid]["rank"], "total": total(aid)}
                for aid in sel["selected"]]
    chosen = set(sel["selected"])
    rest = [{**who(aid), "reason": o["reason"], "rank": o.get("rank"), "total": total(aid),
             "message": o.get("message"), "message_zh": o.get("message_zh"), **category(o)}
            for aid, o in outcomes.items() if aid not in chosen]
    rest.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["application_id"]))
    return {"campaign_id": computed["campaign_id"], "program": computed["program"],
            "program_version": computed["program_version"], "level": computed.get("level", "school"),
            "selected": selected, "rest": rest,
            "cut_line": _rounded_line(sel["cut_line"]),
            "grade_cut_lines": {g: _rounded_line(c) for g, c in sel["grade_cut_lines"].items()}
            if sel.get("grade_cut_lines") else None,
            "cut_lines": {c: _rounded_line(line) for c, line in sel["cut_lines"].items()}
            if sel.get("cut_lines") else None,
            "quota": sel["quota"]}


def _rounded_line(line):
    return {k: (dict(v, total=rounded(v["total"])) if v else None) for k, v in line.items()}


def require_published(store, campaign_id):
    """The latest published round's document; Conflict when none is."""
    published = store.latest_selection(campaign_id, with_computed=False)
    if not published:
        raise Conflict("No results have been published for this campaign yet.", "本次活动尚未发布评审结果",
                       field="campaign_id")
    return published


def ranking_window(view, offset, limit):
    """`view` (a `summary`, published or preview) with only the rows `offset` to
    `offset + limit` of its ranking (the selected in their order, then the rest in
    theirs, as the page shows them), plus `rows_total`, `rows_offset`,
    `selected_total` and `cut_shown` (whether the cut line, between the selected and
    the rest, falls inside the window). None stays None."""
    if not view:
        return view
    selected, rest = view.get("selected") or [], view.get("rest") or []
    n = len(selected)
    return dict(view, selected=selected[offset:offset + limit],
                rest=rest[max(0, offset - n):max(0, offset + limit - n)],
                rows_total=n + len(rest), rows_offset=offset, selected_total=n,
                cut_shown=offset <= n <= offset + limit)


def keep_rows(store, view):
    """Keep a published round (its `published_view`) as a head and its ranking rows
    (store.keep_published_rows); the head."""
    view = {k: v for k, v in view.items() if k != "created"}
    selected, rest = view.pop("selected", None) or [], view.pop("rest", None) or []
    head = {"_id": f"{view['campaign_id']}:{view['round']}", "campaign_id": view["campaign_id"],
            "round": view["round"], "view": view, "selected_total": len(selected),
            "rows_total": len(selected) + len(rest)}
    store.keep_published_rows(head, selected + rest)
    return head


def published_window(store, campaign_id, offset, limit):
    """`ranking_window(published_view(the latest round), offset, limit)`, or None
    before any round is published, without reading the round's document (megabytes at
    a school's size, read whole by nx-27017 however projected): its head and the
    chunks of rows the window covers. A round not kept so (published before, or its
    job cut short) is read once and kept. The latest round is counted (rounds are 1,
    2, ... with none skipped: check_publish), not read."""
    rounds = store.round_count(campaign_id)
    if not rounds:
        return None
    head = store.published_head(campaign_id)
    if head is None or head["round"] != rounds:
        head = keep_rows(store, published_view(store.latest_selection(campaign_id, with_computed=False)))
    window = store.published_rows(campaign_id, head["round"], offset, limit)
    return rows_window(head["view"], window, head["selected_total"], head["rows_total"], offset, limit)


def rows_window(view, window, selected_total, rows_total, offset, limit):
    """What `ranking_window` gives of a view whose ranking is kept apart: `view`
    without it, `window` its rows `offset` to `offset + limit` (the selected, then
    the rest), `selected_total` and `rows_total` its counts."""
    cut = max(0, selected_total - offset)   # rows of the window before the cut line
    return dict(view, selected=window[:cut], rest=window[cut:], rows_total=rows_total, rows_offset=offset,
                selected_total=selected_total, cut_shown=offset <= selected_total <= offset + limit)


def published_computation(store, published):
    """A published round's whole computation, its scores read back from where they
    are kept (store.insert_selection_scores; an older round holds them itself)."""
    computed = published["computed"]
    if "scores" in computed:
        return computed
    return dict(computed, scores=store.selection_scores(published["campaign_id"], published["inputs_fingerprint"]))


def published_view(doc):
    return jsonable({**doc["payload"], "round": doc["round"], "published_at": doc["published_at"],
                     "published_by": doc["published_by"], "event_id": doc["event_id"],
                     "inputs_fingerprint": doc["inputs_fingerprint"]})


def require_applications_closed(campaign):
    """Conflict while the campaign still accepts applications: a late application
    would never be ranked."""
    if campaign.get("application_open") or campaign.get("phase") == "applying":
        closes = str(campaign.get("application_window_local") or "").split(" – ")[-1].replace(" (Asia/Shanghai)", "")
        raise Conflict(f"Applications are still open (until {closes}, Beijing time): close the application "
                       "window before publishing the results.",
                       f"申报尚未截止（截止时间 {closes}，北京时间），不能发布评审结果；请先截止申报",
                       field="application_closes_at", details={"phase": "applying"})


def check_publish(store, applications, person, campaign_id, data):
    """(the round to publish, the latest round); refuses at once a non-admin, a
    campaign still accepting applications, or a round that skips one (before the
    job computing it is started)."""
    campaign = applications.campaign(campaign_id)
    require_campaign_admin(person, campaign)
    require_applications_closed(campaign)
    latest = store.latest_selection(campaign_id, with_computed=False)
    latest_round = latest["round"] if latest else 0
    round_ = data.get("round") or max(latest_round, 1)
    if round_ > latest_round + 1:
        raise invalid([field_error("round", f"The next round is {latest_round + 1}.",
                                   f"下一轮应为第 {latest_round + 1} 轮")])
    return round_, latest_round


def publish(store, applications, program_inputs, dispatch, person, campaign_id, data, now, on_computed=None):
    """Store and publish the results of a round (see the module docstring); the
    PUBLISH_RESULTS job. `on_computed(computed)` sees the computation first (the job
    keeps it as the stored preview)."""
    round_, latest_round = check_publish(store, applications, person, campaign_id, data)
    computed = compute(store, applications, program_inputs, campaign_id, now)
    if on_computed:
        on_computed(computed)
    payload = dict(summary(computed), round=round_)
    eid = event_id(campaign_id, round_)
    event = make_event(EVENT, payload, SOURCE, actor=person.ref(), event_id=eid, occurred_at=now)
    entry = outbox.audit_entry(campaign_id, "results", f"{campaign_id}:{round_}", 1, "published", person.ref(), now,
                               round=round_, selected=[s["application_id"] for s in payload["selected"]])
    store.insert_selection_scores(campaign_id, computed["inputs_fingerprint"], computed["scores"])
    kept = {k: v for k, v in computed.items() if k != "scores"}   # (explain reads them one at a time)
    doc = {"_id": f"{campaign_id}:{round_}", "campaign_id": campaign_id, "round": round_,
           "inputs_fingerprint": computed["inputs_fingerprint"], "computed": kept, "payload": payload,
           "published_by": person.ref(), "published_at": now, "event_id": eid,
           "outbox": outbox.box(entry, event), **outbox_stamp(now)}
    stored, created = store.insert_selection(doc)
    if created:
        outbox.finish(store, dispatch, "selections", stored)
    elif stored["inputs_fingerprint"] != computed["inputs_fingerprint"]:
        following = latest_round + 1
        raise Conflict(f"Round {round_} was already published from other scores or vetoes; publish round "
                       f"{following} to supersede it.",
                       f"第 {round_} 轮结果已按不同的评分或否决发布；如需更新，请发布第 {following} 轮",
                       field="round", details={"round": round_, "next_round": following})
    return dict(published_view(stored), created=created)


def explain(store, applications, program_inputs, person, campaign_id, application_id):
    """Explain-my-score: the breakdown from leaves to the total, the rank, the cut
    line and why the application is in or out (with a per-category quota: the
    category it was selected in, or its score and the lowest selected score in each
    category it applied for). The campaign admin sees
    every reviewer's marks (and the preview before publication); the applicant's
    representative sees their own published result, aggregated, without reviewers."""
    campaign = applications.campaign(campaign_id)
    admin = person.is_campaign_admin(campaign)
    app = applications.application(application_id)
    if app.get("campaign_id") != campaign_id or not (admin or person.speaks_for(app)):
        raise hidden(application_id)
    published = store.latest_selection(campaign_id)
    if published is not None:
        computed = published["computed"]
        if "scores" not in computed:   # kept apart (store.insert_selection_scores); older rounds hold them
            score = store.selection_score(campaign_id, published["inputs_fingerprint"], application_id)
            computed = dict(computed, scores={application_id: score} if score is not None else {})
    elif admin:
        computed = compute(store, applications, program_inputs, campaign_id)
    else:
        raise Conflict("The results of this campaign are not published yet.", "本次评选结果尚未公布",
                       field="campaign_id")
    definition = programs.load(store, computed["program"], computed["program_version"])
    score = computed["scores"].get(application_id) or \
        {"application_id": application_id, "results": [], "leaves": {}, "total": None}
    out = explain_score(definition.tree, score, computed["selection"], computed["vetoes"].get(application_id, []),
                        viewer_may_see_reviewers=admin,
                        categories=(computed.get("categories") or {}).get(application_id))
    if application_id not in computed["selection"]["outcomes"]:
        out.update(status="out", reason="not_under_review", message="not among the applications under review",
                   message_zh="不在本轮评审范围内")
    category_names = computed.get("category_names_zh") or {}
    out.update(published=published is not None, round=published["round"] if published else None,
               published_at=published["published_at"] if published else None,
               grade_name_zh=computed["grade_names_zh"].get(out.get("grade")), viewer="admin" if admin else "applicant",
               applicant_name=app.get("applicant_name"),
               category_name_zh=category_names.get(out["category"], out["category"]) if out.get("category") else None,
               categories=(computed.get("categories") or {}).get(application_id, []))
    if admin:
        out["reviewer_names"] = {s["reviewer_id"]: s.get("reviewer_name")
                                 for s in store.campaign_sheets(campaign_id, application_id)}
    return jsonable(out)
