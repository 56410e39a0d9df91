"""The public notice board (公示栏): the current public notices and final lists as
anyone may read them, logged in or not (the gateway decides who may open the board:
configuration ``PUBLIC_BOARD``).

Guarantee: only what a printed notice on a wall would show — the campaign's title,
unit and year; per entry its rank, the project or unit name, the person responsible
(a name, never a student or staff number), the grade; the period and the status.
No internal ids except each campaign's id, which the board's links need; nothing
from the application's form but a project's title.

Cost: one read of the newest notices (the notices collection holds a version or
two per campaign), one of their final lists, one of the listed applications by id
and one of the people who speak for them, whatever the number of entries.
"""
import re
from datetime import timedelta

from core import roles as role_rules
from services.applications.domain import notice_rules

BOARD_CAMPAIGNS = 50          # the newest campaigns with a notice
FINAL_KEPT_DAYS = 365         # a final list stays on the board this long
_NUMBER = re.compile(r"\d{6,}")


def _masked(text):
    """A name as shown publicly: a long number (a student number typed into a name)
    is masked, 2023010101 -> 2023****01."""
    return _NUMBER.sub(lambda m: m.group()[:4] + "*" * (len(m.group()) - 6) + m.group()[-2:], str(text or ""))


def board(apps, notes, now):
    """[{campaign_id, title, unit_name, academic_year, program, status: open | closed
    | final, opens_at, closes_at, finalised_at, entries: [{rank, name, responsible,
    grade}]}], newest first."""
    latest = {}
    for doc in notes.db.notices.find({}, {"outbox": 0}, sort=[("created_at", -1)], limit=BOARD_CAMPAIGNS * 3):
        if doc["version"] > latest.get(doc["campaign_id"], {}).get("version", 0):
            latest[doc["campaign_id"]] = doc
    ids = list(latest)[:BOARD_CAMPAIGNS]
    finals = {f["_id"]: f for f in notes.db.final_lists.find({"_id": {"$in": ids}}, {"outbox": 0})}
    shown = []
    for cid in ids:
        notice, final = latest[cid], finals.get(cid)
        if final and final["finalised_at"] < now - timedelta(days=FINAL_KEPT_DAYS):
            continue
        shown.append((notice, final))
    app_ids = [e["application_id"] for notice, final in shown for e in (final or notice)["entries"]]
    applications = {a["_id"]: a for a in apps.db.applications.find({"_id": {"$in": app_ids}},
                                                                    {"form": 1, "applicant_kind": 1,
                                                                     "applicant_id": 1, "applicant_name": 1})}
    responsible = _responsible(apps, applications.values())
    campaigns = {c["_id"]: c for c in apps.list_campaigns({"_id": {"$in": [n["campaign_id"] for n, _f in shown]}})}
    units = apps.units_by_ids(sorted({c["unit_id"] for c in campaigns.values()}))
    out = []
    for notice, final in shown:
        campaign = campaigns.get(notice["campaign_id"])
        if campaign is None:
            continue
        status = "final" if final else ("open" if notice_rules.is_open(notice, now) else "closed")
        out.append({
            "campaign_id": campaign["_id"], "title": campaign.get("title"), "program": campaign.get("program"),
            "unit_name": (units.get(campaign["unit_id"]) or {}).get("name"),
            "academic_year": campaign.get("academic_year"), "status": status,
            "opens_at": notice["opens_at"].isoformat(), "closes_at": notice["closes_at"].isoformat(),
            "finalised_at": final["finalised_at"].isoformat() if final else None,
            "entries": [_entry(e, applications.get(e["application_id"]) or {}, responsible)
                        for e in (final or notice)["entries"]],
        })
    return out


def _entry(entry, app, responsible):
    title = (app.get("form") or {}).get("title") if isinstance((app.get("form") or {}).get("title"), str) else None
    name = _masked(entry.get("applicant_name") or app.get("applicant_name"))
    if app.get("applicant_kind") == "person":
        people = [name]
    else:
        people = responsible.get(_key(app), [])
    return {"rank": entry.get("rank"), "name": _masked(title) if title else name,
            "unit_name": name if title else None, "responsible": "、".join(people),
            "grade": entry.get("grade_name_zh") or entry.get("grade"), "category": entry.get("category_name_zh")}


def _responsible(apps, applications):
    """{role key: [names]} of who speaks for the listed units now, in one query."""
    keys = sorted({_key(a) for a in applications} - {None})
    out = {}
    for person in apps.people_holding(keys, limit=5000):
        held = {role_rules.role_key(r) for r in person.get("roles") or []}
        for key in held & set(keys):
            out.setdefault(key, []).append(_masked(person.get("name")))
    return {k: sorted(v) for k, v in out.items()}


def _key(app):
    keys = role_rules.representative_keys(app.get("applicant_kind"), app.get("applicant_id"))
    return keys[0] if keys else None
