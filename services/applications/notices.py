"""Public notice (公示) and objections (异议): opening, viewing, objecting, resolving.

Guarantees:
  * a campaign's notice versions are ``<campaign_id>:v<n>``; opening twice returns the
    first (``created: false``) and never publishes twice;
  * an objection is accepted only from someone in the campaign's scope, only while
    the current version is open, and once per idempotency key;
  * a resolution happens once (conditional replace on the objection's revision); an
    upheld one with a change re-notices exactly once (unique cause) with a new full
    period, and `notice.published` goes out at least once per version with the id
    ``notice.published:<notice_id>``.
Finalising is in final_list.py.
"""
import hashlib
import logging

from core.envelope import make_event
from core.errors import Conflict, NotFound
from core.filestore import upload_bytes
from services.applications import lifecycle, lifecycle_outbox
from core import settings_spec
from services.applications.domain import notice_period, notice_rules, permissions
from services.applications.domain.lifecycle_events import notice_data
from services.applications.domain.windows import shanghai_text
from core.idempotency import new_id
from services.applications.views import jsonable
from core.outbox import stamp as outbox_stamp

log = logging.getLogger(__name__)

HOW_TO_OBJECT = {
    "zh": "公示期内，本范围内的师生如对名单有异议，可针对具体条目提出异议，须写明理由（不超过1000字），"
          "可附证明材料（PDF、Word、JPG、PNG）。异议处理结果将答复异议人。",
    "en": "While the notice is open, anyone in the campaign's scope may object to an entry with a reason "
          "(up to 1000 characters) and optional evidence (PDF, Word, JPG, PNG); the objector is answered.",
    "endpoint": "POST /api/notices/{notice_id}/objections",
}


# -- views ----------------------------------------------------------------------
def _plain(doc, *drop):
    view = jsonable({k: v for k, v in doc.items() if k not in ("outbox_claim_ts", *drop)})
    view["id"] = view.pop("_id")
    return view


def objection_view(doc):
    view = _plain(doc, "idempotency_key", "revision")
    if view.get("resolution"):
        view["resolution"].pop("idempotency_key", None)
        change = view["resolution"].get("change") or {}
        if "remove" in change:
            change["remove"] = bool(change["remove"])  # the wire server returns 0/1
    return view


def notice_view(deps, notice, now, admin=False):
    """What anyone in scope sees; the campaign admin also gets the objections."""
    view = _plain(notice, "cause")
    final = deps.notes.get_final_list(notice["campaign_id"])
    latest = deps.notes.latest_notice(notice["campaign_id"])["version"]
    view.update(
        opens_at_local=shanghai_text(notice["opens_at"]), closes_at_local=shanghai_text(notice["closes_at"]),
        period_local=f"{shanghai_text(notice['opens_at'])} – {shanghai_text(notice['closes_at'])} (Asia/Shanghai)",
        period_zh=notice_period.period_text(notice["opens_at"], notice["closes_at"])[0],
        period_en=notice_period.period_text(notice["opens_at"], notice["closes_at"])[1],
        open=notice_rules.is_open(notice, now) and notice["version"] == latest and not final,
        status=("final" if final and final["notice_id"] == notice["_id"] else
                "superseded" if notice["version"] < latest else
                "open" if notice_rules.is_open(notice, now) else "closed"),
        how_to_object=HOW_TO_OBJECT, final_list=bool(final),
    )
    if admin:
        view["objections"] = [objection_view(o) for o in deps.notes.campaign_objections(notice["campaign_id"])]
        view["audit"] = [lifecycle_outbox.audit_view(e) for e in deps.notes.campaign_audit(notice["campaign_id"])]
    return view


# -- notices ----------------------------------------------------------------------
def _notice_doc(deps, campaign, version, entries, days, round_, now, actor_ref, cause, supersedes, period=None):
    opens, closes = period or notice_rules.period(now, days)
    nid = notice_rules.notice_id(campaign["_id"], version)
    doc = {"_id": nid, "campaign_id": campaign["_id"], "program": campaign["program"], "version": version,
           "round": round_, "days": days, "entries": entries, "opens_at": opens, "closes_at": closes,
           "cause": cause, "supersedes": supersedes, "created_by": actor_ref, "created_at": now}
    units, staff = lifecycle.scope_audience(deps.apps, campaign)
    listed = listed_people(deps, entries)
    event = make_event("notice.published", notice_data(doc, campaign, entries, units, staff, listed),
                       lifecycle.SOURCE, actor=actor_ref, event_id=f"notice.published:{nid}", occurred_at=now)
    action = "open" if cause == "opened" else "renotice"
    entry = lifecycle_outbox.audit_entry("notice", nid, 1, action, actor_ref, now, campaign["_id"],
                                         days=days, entries=len(entries), cause=cause, supersedes=supersedes)
    doc.update(outbox=lifecycle_outbox.outbox(f"{nid}:1", [entry], [event]), **outbox_stamp(now))
    return doc


def listed_people(deps, entries):
    people = set()
    for entry in entries:
        try:
            app = deps.apps.get_application(entry["application_id"])
        except NotFound:
            continue
        people.update(lifecycle.representatives(deps.apps, app))
    return sorted(people)


def finish_notice(deps, notice):
    lifecycle_outbox.finish(deps.notes, deps.dispatch, "notices", notice)


def open_notice(deps, actor_id, campaign_id, data, now):
    """The campaign admin puts the newest published shortlist on notice from
    `opens_at` (default now) to `closes_at` (default: start + `days`, else the
    campaign's notice_days, else 5), at least the campaign's notice_min_days
    (domain/notice_period.py). Returns the notice view with `created`; a second call
    returns the existing notice."""
    actor, _person = lifecycle.who(deps.apps, actor_id)
    campaign = deps.apps.get_campaign(campaign_id)
    permissions.require_campaign_admin(actor, campaign)
    existing = deps.notes.latest_notice(campaign_id)
    if existing is None:
        shortlist = deps.apps.latest_shortlist(campaign_id)
        if not shortlist:
            raise Conflict("No results have been published for this campaign yet.", "本次活动尚未发布评审结果",
                           field="campaign_id")
        program = lifecycle.program_of(deps.apps, campaign)
        days = notice_rules.notice_days(data.get("days"), campaign.get("settings"), program.get("settings"))
        settings = settings_spec.defaults_of({**(program.get("settings") or {}), **(campaign.get("settings") or {})})
        period = notice_period.explicit_period(data.get("opens_at"), data.get("closes_at"), days,
                                               settings["notice_min_days"], now)
        apps = {a["_id"]: a for a in deps.apps.campaign_applications(campaign_id)}
        entries = notice_rules.entries_from_shortlist(shortlist["selected"], apps)
        if not entries:
            raise Conflict("The published results select no one; there is nothing to put on notice.",
                           "评审结果无入选条目，无需公示", field="campaign_id")
        doc = _notice_doc(deps, campaign, 1, entries, period[2], shortlist["round"], now, actor.ref(), "opened",
                          None, period[:2])
        created = deps.notes.insert_notice(doc)
        existing = deps.notes.latest_notice(campaign_id)
    else:
        created = False
    finish_notice(deps, existing)
    return dict(notice_view(deps, existing, now, admin=True), created=created)


def get_notice(deps, actor_id, campaign_id, now):
    """The current version, for anyone in the campaign's scope (or above it)."""
    actor, person = lifecycle.who(deps.apps, actor_id)
    campaign = deps.apps.get_campaign(campaign_id)
    lifecycle.require_in_scope(deps.apps, actor, person, campaign)
    latest = deps.notes.latest_notice(campaign_id)
    if latest is None:
        raise NotFound("This campaign has no public notice yet.", "本次活动尚未公示", field="campaign_id")
    return notice_view(deps, latest, now, admin=permissions.is_campaign_admin(actor, campaign))


def _notice_in_scope(deps, actor_id, notice_id):
    actor, person = lifecycle.who(deps.apps, actor_id)
    notice = deps.notes.get_notice(notice_id)
    campaign = deps.apps.get_campaign(notice["campaign_id"])
    lifecycle.require_in_scope(deps.apps, actor, person, campaign)
    return actor, notice, campaign


# -- objections ---------------------------------------------------------------------
def _objection_id(notice_id, actor_id, key):
    if not key:
        return new_id("obj")
    digest = hashlib.sha256(f"{notice_id}|{actor_id}|{key}".encode("utf-8")).hexdigest()[:20]
    return f"obj_{digest}"


def _evidence(deps, evidence):
    """The evidence's metadata with its `file_id`: `evidence.file` is the reference of
    the bytes the gateway put in the file store (core/filestore.py)."""
    if not evidence:
        return None
    data = upload_bytes(evidence["file"], deps.apps.files, field="evidence.file")
    max_bytes = int(deps.config.get("ATTACHMENTS", {}).get("MAX_BYTES", 10 * 1024 * 1024))
    meta = notice_rules.check_evidence(evidence["filename"], data, max_bytes)
    return dict(meta, file_id=deps.apps.files.put(data)["file_id"])


def file_objection(deps, actor_id, notice_id, payload, key, now):
    """An objection to one entry of the current notice version, while it is open.
    A retry with the same idempotency key returns the first objection."""
    actor, notice, campaign = _notice_in_scope(deps, actor_id, notice_id)
    oid = _objection_id(notice_id, actor.id, key)
    if key:
        existing = deps.notes.get("objections", oid)
        if existing is not None:
            lifecycle_outbox.finish(deps.notes, deps.dispatch, "objections", existing)
            return objection_view(existing)
    latest = deps.notes.latest_notice(notice["campaign_id"])
    if latest["version"] != notice["version"]:
        raise Conflict(f"This notice was superseded by version {latest['version']}; object to that one.",
                       f"该公示已被第 {latest['version']} 版取代，请针对最新公示提出异议", field="notice_id",
                       details={"current_notice_id": latest["_id"]})
    notice_rules.require_open(notice, now)
    reason = notice_rules.validate_objection(notice, payload.get("application_id"), payload.get("reason"))
    meta = _evidence(deps, payload.get("evidence"))
    entry = next(e for e in notice["entries"] if e["application_id"] == payload["application_id"])
    audit = lifecycle_outbox.audit_entry("objection", oid, 1, "object", actor.ref(), now, campaign["_id"],
                                         payload["application_id"], notice_id=notice_id, reason=reason)
    doc = {"_id": oid, "notice_id": notice_id, "notice_version": notice["version"], "campaign_id": campaign["_id"],
           "application_id": entry["application_id"], "applicant_name": entry.get("applicant_name"),
           "objector_id": actor.id, "objector": actor.ref(), "reason": reason, "evidence": meta,
           "state": "pending", "resolution": None, "revision": 1, "created_at": now,
           "idempotency_key": key, "outbox": lifecycle_outbox.outbox(f"{oid}:1", [audit]), **outbox_stamp(now)}
    stored, _created = deps.notes.insert_once("objections", doc)
    lifecycle_outbox.finish(deps.notes, deps.dispatch, "objections", stored)
    return objection_view(stored)


def list_objections(deps, actor_id, notice_id):
    """The campaign admin sees every objection of the campaign (all versions);
    anyone else in scope sees their own, with the replies."""
    actor, notice, campaign = _notice_in_scope(deps, actor_id, notice_id)
    mine = None if permissions.is_campaign_admin(actor, campaign) else actor.id
    return [objection_view(o) for o in deps.notes.campaign_objections(campaign["_id"], objector_id=mine)]


def objection_evidence(deps, actor_id, notice_id, objection_id):
    """The evidence file's metadata with `file_id` in the file store (for an objection
    filed before the file store: `data_b64`), for the objector and the admin."""
    actor, notice, campaign = _notice_in_scope(deps, actor_id, notice_id)
    doc = deps.notes.get_objection(objection_id)
    allowed = doc["objector_id"] == actor.id or permissions.is_campaign_admin(actor, campaign)
    evidence = doc.get("evidence")
    if doc["campaign_id"] != campaign["_id"] or not allowed or not evidence:
        raise NotFound("No such evidence.", "证明材料不存在", field="objection_id")
    if evidence.get("file_id"):
        return jsonable(evidence)
    stored = deps.notes.get("objection_files", objection_id)   # filed before the file store
    if stored is None:
        raise NotFound("No such evidence.", "证明材料不存在", field="objection_id")
    import base64
    return dict(jsonable(evidence), data_b64=base64.b64encode(bytes(stored["data"])).decode("ascii"))


def resolve(deps, actor_id, notice_id, objection_id, payload, key, now):
    """The campaign admin's decision with a reply; upheld with a change re-notices."""
    actor, _person = lifecycle.who(deps.apps, actor_id)
    notice = deps.notes.get_notice(notice_id)
    campaign = deps.apps.get_campaign(notice["campaign_id"])
    permissions.require_campaign_admin(actor, campaign)
    obj = deps.notes.get_objection(objection_id)
    if obj["campaign_id"] != campaign["_id"]:
        raise NotFound(f"No objection {objection_id!r} on this notice.", f"异议不存在：{objection_id}",
                       field="objection_id")
    finish_objection(deps, obj, now)
    if key and ((obj.get("resolution") or {}).get("idempotency_key") == key):
        return objection_view(deps.notes.get_objection(objection_id))
    if deps.notes.get_final_list(campaign["_id"]):
        raise Conflict("The list is already final.", "名单已定稿", field="notice_id")
    current = deps.notes.latest_notice(campaign["_id"])
    names = notice_rules.grade_names(lifecycle.program_of(deps.apps, campaign).get("quota_rules"))
    plan = notice_rules.plan_resolution(obj, payload.get("decision"), payload.get("reply"), payload.get("change"),
                                        current, names)
    revision = obj["revision"] + 1
    resolution = dict(plan, by=actor.ref(), at=now, idempotency_key=key)
    audit = lifecycle_outbox.audit_entry("objection", objection_id, revision, "resolve", actor.ref(), now,
                                         campaign["_id"], obj["application_id"], decision=plan["decision"],
                                         reply=plan["reply"], change=plan["change"])
    then = {"renotice": {"application_id": obj["application_id"], "change": plan["change"]}} if plan["change"] else None
    new = dict(obj, state=plan["decision"], resolution=resolution, revision=revision, resolved_at=now,
               outbox=lifecycle_outbox.outbox(f"{objection_id}:{revision}", [audit], then=then), **outbox_stamp(now))
    stored = deps.notes.replace_if("objections", obj, new, state="pending")
    if stored is None:
        again = deps.notes.get_objection(objection_id)
        if key and (again.get("resolution") or {}).get("idempotency_key") == key:
            return objection_view(again)
        raise Conflict("The objection was resolved by someone else meanwhile.", "该异议已被他人处理",
                       field="objection_id")
    finish_objection(deps, stored, now)
    return objection_view(deps.notes.get_objection(objection_id))


def finish_objection(deps, obj, now):
    lifecycle_outbox.finish(deps.notes, deps.dispatch, "objections", obj,
                            follow_up=lambda doc, then: _renotice(deps, doc, then["renotice"], now))


def _renotice(deps, obj, change, now):
    """A new version with the upheld change and a new full period, once per objection."""
    campaign = deps.apps.get_campaign(obj["campaign_id"])
    names = notice_rules.grade_names(lifecycle.program_of(deps.apps, campaign).get("quota_rules"))
    for _attempt in range(10):
        if deps.notes.notice_by_cause(campaign["_id"], obj["_id"]):
            return
        if deps.notes.get_final_list(campaign["_id"]):
            log.warning("objection %s upheld after the list was final; not re-noticed", obj["_id"])
            return
        latest = deps.notes.latest_notice(campaign["_id"])
        entries = notice_rules.apply_change(latest["entries"], change["application_id"], change["change"], names)
        if entries == latest["entries"]:
            return  # an earlier change already removed it
        doc = _notice_doc(deps, campaign, latest["version"] + 1, entries, latest["days"], latest.get("round"), now,
                          obj["resolution"]["by"], obj["_id"], latest["_id"])
        if deps.notes.insert_notice(doc):
            finish_notice(deps, deps.notes.get_notice(doc["_id"]))
            return
        # another re-notice took this version number: build on top of it
    raise Conflict("Too many concurrent changes to the notice; try again.", "公示名单并发修改过多，请重试",
                   field="notice_id")
