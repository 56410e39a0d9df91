"""Opening and listing campaigns (评选活动): one program's run for one cycle at one unit.
Editing and withdrawing one are in campaign_edits.py."""
from datetime import datetime, timezone

from core.campaign_phase import campaign_phase
from core import settings_spec
from core.errors import NotFound, ProgramNotAvailable, field_error, invalid
from services.applications.domain import nomination_rules, permissions, windows
from core.idempotency import keyed_id, new_id
from services.applications.views import with_id


def merge_settings(program, overrides):
    """The campaign's settings: the program's (with the platform's defaults,
    core/settings_spec.py) under the campaign's overrides. A campaign may override
    the program's settings, not invent new ones, each within its declared type, range
    and choices; raises ValidationFailed naming each bad one by its label."""
    problems = settings_spec.value_errors(overrides, program.get("settings"), program.get("settings_spec"))
    if problems:
        raise invalid(problems)
    return {**settings_spec.defaults_of(program.get("settings")), **overrides}


def _nomination_settings(store, level, unit, payload):
    """(parent_campaign_id, nomination_quota) once they are checked
    (nomination_rules.settings_errors); raises ValidationFailed."""
    parent_id, quota = payload.get("parent_campaign_id"), payload.get("nomination_quota")
    parent = None
    if parent_id is not None:
        try:
            parent = store.get_campaign(parent_id)
        except NotFound:
            parent = None
    problems = nomination_rules.settings_errors(level, unit, payload["program"], parent_id, parent, quota)
    if problems:
        raise invalid(problems)
    return parent_id, quota


def open_campaign(store, actor, payload, enabled, now, idempotency_key=None):
    """Raises PermissionDenied unless the campaign admin it would have (a school
    admin above its unit, or the college admin of a college-level one),
    ProgramNotAvailable for a program not enabled and registered, ValidationFailed
    (also for a unit that is neither a school nor a college, naming unit_id; for a
    missing application time; for times out of order). The campaign's `level` is the
    kind of its unit. With an idempotency key the campaign's id derives from the
    actor and the key, so a double submit opens one campaign and gets it back."""
    if payload["program"] not in enabled:
        raise ProgramNotAvailable(
            f"Program {payload['program']!r} is not enabled here. Enabled: {', '.join(enabled) or '(none)'}",
            f"项目 {payload['program']} 未启用。已启用：{'、'.join(enabled) or '（无）'}", field="program")
    unit = store.get_unit(payload["unit_id"])
    level = nomination_rules.level_of(unit)
    permissions.require_campaign_admin(actor, {"level": level, "unit_id": unit["_id"], "unit_path": unit["path"]})
    program = store.get_program(payload["program"])
    times = windows.campaign_times(payload)
    parent_id, quota = _nomination_settings(store, level, unit, payload)
    campaign = {
        "_id": keyed_id("cmp", actor.id, idempotency_key) if idempotency_key else new_id("cmp"), "program": payload["program"], "program_version": program["version"],
        "title": payload["title"], "academic_year": payload["academic_year"], "unit_id": unit["_id"],
        "unit_name": unit["name"], "unit_path": unit["path"], "level": level,
        "parent_campaign_id": parent_id, "nomination_quota": quota,
        "settings": merge_settings(program, payload.get("settings") or {}),
        **times, "state": "open", "version": 1, "history": [],
        "created_by": actor.ref(), "created_at": now,
    }
    return campaign_view(store.insert_campaign(campaign), now)


def campaign_view(campaign, now, facts=None):
    """What callers see of a campaign. Never fails on an old or partial record (one
    stored without its window or title by an earlier version): what is missing shows
    as missing, and such a campaign is not open. `phase` is the campaign's phase
    (core/campaign_phase.py) from `facts` (campaign_status.phase_facts; without
    them, from the campaign's own document and `final_listed`, which the reader sets:
    workflow.campaign_of). `application_open` means "accepting applications now": the
    window is open and the phase accepts applications (not withdrawn, no results, no
    notice, no final list)."""
    facts = dict(facts or {})
    facts["final_list"] = bool(facts.get("final_list") or campaign.get("final_listed"))
    phase = campaign_phase(campaign, facts, now)
    view = with_id(campaign)
    view["final_listed"] = facts["final_list"]
    view["phase"] = phase
    view["notice_text"] = str(view.get("notice_text") or "")
    view["requirements"] = str(view.get("requirements") or "")
    view["templates"] = [{k: v for k, v in t.items() if k != "file_id"} for t in view.get("templates") or []]
    view.pop("history", None)
    view["level"] = permissions.campaign_level(campaign)  # campaigns from before levels: school
    view.setdefault("state", "open")
    for name in ("title", "academic_year", "unit_id", "unit_name", "program", "program_version"):
        view[name] = str(view.get(name) or "")
    view["settings"] = view.get("settings") if isinstance(view.get("settings"), dict) else {}
    for name in ("parent_campaign_id", "nomination_quota", *windows.TIME_FIELDS):
        view.setdefault(name, None)
    opens, closes = _moment(campaign.get("application_opens_at")), _moment(campaign.get("application_closes_at"))
    if opens is None or closes is None:
        view["application_open"], view["seconds_to_deadline"] = False, 0
        view["application_window_local"] = ""
        return view
    view["application_open"] = phase == "applying" and opens <= now < closes
    view["application_window_local"] = f"{windows.shanghai_text(opens)} – {windows.shanghai_text(closes)} (Asia/Shanghai)"
    view["seconds_to_deadline"] = max(0, int((closes - now).total_seconds())) if view["application_open"] else 0
    return view


def _moment(value):
    """A stored time as an aware datetime, or None for a missing or unreadable one."""
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def visible_campaigns(store, actor, person, open_only, now):
    """The stored campaigns whose scope covers the person (their college, school or
    units); with `open_only`, those whose application window is open now (the
    caller drops those whose phase no longer accepts applications)."""
    units = {u for _r, u in actor.roles} | {person.get(k) for k in ("school_id", "college_id", "class_id")}
    reach = set()
    # one read for all of them; a stale role on a deleted unit is simply not found
    for unit in store.units_by_ids(sorted(filter(None, units))).values():
        reach.update(unit.get("path") or [])
    mine = sorted(filter(None, units))
    # Up: campaigns of a unit above me (my college's, my school's); down: campaigns
    # inside a unit I administer.
    query = {"$or": [{"unit_id": {"$in": sorted(reach)}}, {"unit_path": {"$in": mine}}],
             "state": {"$ne": "withdrawn"}}
    if open_only:
        query["application_closes_at"] = {"$gt": now}
        query["application_opens_at"] = {"$lte": now}
    return store.list_campaigns(query)
