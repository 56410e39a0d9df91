"""Who may apply, judged by the program's own rule (its `check_eligibility` hook) in
one place for both moments it matters:

* before the form (`choices`): everyone a person may apply for in a campaign — the
  units they represent (a 寝室长's dorm, a secretary's branch, a monitor's class), the
  classes of their college when they may apply on a class's behalf (a counselor,
  core.roles.ON_BEHALF_ROLES), or themself — each with whether it may apply and why
  not, in ONE call to the program (``check_eligibility_many``, the same hook per
  candidate, with ``preview``: the form is not filled yet, so only what does not
  depend on it is judged; a reason with ``blocking: false`` bars a choice in the form
  only, e.g. a dorm type won last year);
* at submission (`refuse`, on the answer of the program's ``check_submission`` call,
  which checks the whole form and then runs the same hook with it:
  workflow._check_submission).

Both build the hook's context with `context_for`, so the two can never disagree on
what the program is told.
"""
from nameko.exceptions import UnknownService

from core import roles as role_rules
from core.errors import ProgramNotAnswering, ValidationFailed, field_error
from services.applications.views import jsonable, person_view

#: At most this many candidates are judged for one person (a counselor of a large
#: college): the program is asked once for all of them.
MAX_CANDIDATES = 200

#: The note of every candidate when the program cannot be asked now: the page still
#: works, and submitting checks again (and is refused while the program is away).
NOT_CHECKED = {"code": "not_checked", "blocking": False,
               "message": "The program did not answer, so eligibility could not be checked now; it is checked "
                          "again when the application is submitted.",
               "message_zh": "项目服务暂未响应，暂时无法核对申报条件；提交时会再次核对"}

ALREADY_APPLIED = {"code": "already_applied", "message": "It already has an application in this campaign.",
                   "message_zh": "已在本次活动中申报（每个申报对象限报一项）"}


def person_applicant(store, person_id):
    """A person applicant as hooks see it: never the stored record (it holds internals,
    and this goes to the plugin); `path` from their school, college and class."""
    person = store.get_person(person_id)
    unit_path = [u for u in (person.get("school_id"), person.get("college_id"), person.get("class_id")) if u]
    unit = {k: v for k, v in person.items() if k not in ("password_hash", "role_keys", "role_names", "role_history")}
    return dict(unit, kind="person", path=unit_path)


def members_of(store, kind, unit_id, representatives=None):
    """The people of the applying unit from the directory (its class, dorm or branch
    members, and whoever speaks for it), so eligibility never rests on a roster the
    applicant typed; for a person applicant, themself. One indexed equality per unit
    (nx-27017 scans the collection for a `$in` on a field other than _id).
    `representatives`: who speaks for the unit now, when the caller read them already."""
    if kind == "person":
        return [person_view(store.get_person(unit_id))]
    found = {p["_id"]: p for p in store.find_people({f"{kind}_id": unit_id}, limit=5000)}
    if representatives is None:
        representatives = store.people_holding(role_rules.representative_keys(kind, unit_id))
    for p in representatives:
        found.setdefault(p["_id"], p)
    return [person_view(p) for p in found.values()]


def context_for(store, campaign, kind, unit_id, unit, form, preview=False, representatives=None):
    """The `check_eligibility` context (core/hookspec.py) for one applicant. A unit
    applicant goes as its unit record, a person as {"kind": "person"} with their
    record as the one member."""
    applicant = unit if kind != "person" else {"kind": "person"}
    context = {"applicant": applicant, "campaign": {k: v for k, v in campaign.items() if k != "history"},
               "form": form or {}, "members": members_of(store, kind, unit_id, representatives)}
    if preview:
        context["preview"] = True
    return jsonable(context)


def blocking(reasons):
    """The reasons that refuse the applicant (not those that only bar a choice)."""
    return [r for r in reasons or [] if r.get("blocking", True) is not False]


def refuse(answer):
    """Raises ValidationFailed (field ``eligibility``, each blocking reason a detail)
    for the program's `check_eligibility` answer; nothing when it has none."""
    reasons = blocking(answer)
    if reasons:
        raise ValidationFailed(
            "; ".join(r["message"] for r in reasons), "；".join(r["message_zh"] for r in reasons),
            field="eligibility", details=[field_error("eligibility", r["message"], r["message_zh"]) for r in reasons],
        )


def _candidates(store, actor, campaign, kind):
    """[(applicant id, unit or person record, on_behalf)] the actor may apply for in
    `campaign` (inside its scope), those they represent first."""
    if kind == "person":
        return [(actor.id, person_applicant(store, actor.id), False)]
    own = sorted(actor.units_with(role_rules.APPLICANT_ROLE[kind]))
    found = {u["_id"]: (u, False) for u in store.units_by_ids(own).values()} if own else {}
    for college in sorted(role_rules.on_behalf_units(actor.roles, kind)):
        # {"$in": [...]}: an equality on the indexed array field `path` misses on nx-27017
        for unit in store.find_units({"kind": kind, "path": {"$in": [college]}}, limit=MAX_CANDIDATES):
            found.setdefault(unit["_id"], (unit, True))
    ordered = sorted(found.values(), key=lambda pair: (pair[1], pair[0].get("name") or "", pair[0]["_id"]))
    return [(u["_id"], u, on_behalf) for u, on_behalf in ordered
            if u.get("kind") == kind and campaign["unit_id"] in (u.get("path") or [])][:MAX_CANDIDATES]


def choices(store, hooks, actor, campaign, program, visible):
    """Everyone `actor` may apply for in `campaign`, each judged before the form:
    {"applicant_kind", "accepting", "candidates": [{"applicant_id", "name",
    "on_behalf", "eligible" (None: not checked now), "reasons" (refusing), "notes" (barring a choice only),
    "application": {"id", "state"} | None}]}. `visible(app)` says whether the actor
    may open an existing application (else it is named but not linked). A program
    that does not answer leaves every candidate with the note NOT_CHECKED instead of
    failing the page."""
    kind = program["applicant_kind"]
    candidates = _candidates(store, actor, campaign, kind)
    existing = {a["applicant_id"]: a for a in store.applications_in(campaign["_id"], [c[0] for c in candidates])}
    judged = [c for c in candidates if c[0] not in existing]
    contexts = [context_for(store, campaign, kind, unit_id, unit if kind != "person" else None, {}, preview=True)
                for unit_id, unit, _on_behalf in judged]
    try:
        verdicts = hooks[campaign["program"]].check_eligibility_many(contexts) if contexts else []
    except (ProgramNotAnswering, UnknownService):   # dead or slow, or not started yet
        verdicts = [[NOT_CHECKED] for _ in judged]
    by_id = {c[0]: v for c, v in zip(judged, verdicts)}
    out = []
    for unit_id, unit, on_behalf in candidates:
        app = existing.get(unit_id)
        reasons = [ALREADY_APPLIED] if app else blocking(by_id.get(unit_id))
        notes = [] if app else [r for r in by_id.get(unit_id) or [] if r.get("blocking", True) is False]
        unchecked = any(n.get("code") == NOT_CHECKED["code"] for n in notes)
        out.append({
            "applicant_id": unit_id, "name": unit.get("name") or unit_id, "on_behalf": on_behalf,
            "eligible": None if unchecked and not reasons else not reasons, "reasons": reasons, "notes": notes,
            "application": ({"id": app["_id"], "state": app["state"], "visible": bool(visible(app))}
                            if app else None),
        })
    return {"applicant_kind": kind, "candidates": out}
