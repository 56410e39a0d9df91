"""An award (荣誉称号): a title a class, dorm, person or party branch received.

    {_id, subject_kind, subject_id, subject_name, program, code, title, category, level,
     academic_year, date, campaign_id, application_id, member_ids, source, source_ref,
     note, college_id, school_id, event_id, recorded_by, recorded_at, revision}

Granted on the platform: from the applications service's ``award.granted`` event,
``_id`` = its ``award_id`` (``award:<application_id>:<code>``), source ``platform``,
date = the day it was granted in Asia/Shanghai. Imported (history from before the
platform): ``_id`` = a hash of (source, source_ref), or of what the row says when it
has no 来源编号, so importing the same file twice stores each award once.

`member_ids` are the people of the class / dorm / branch, so a person's history
includes their dorm's and class's titles.
"""
import hashlib
import re
from datetime import datetime, timedelta, timezone

from services.records.domain import kinds as catalog
from services.records.domain.facts import check_academic_year, clean_text, normalise_subject_id

PLATFORM = "platform"
SHANGHAI = timezone(timedelta(hours=8))  # China has no daylight saving time
PROGRAM = re.compile(r"^[a-z][a-z0-9_]{1,49}$")
MAX_MEMBERS = 200
EVENT_REQUIRED = ("award_id", "program", "campaign_id", "academic_year", "recipient_kind", "recipient_id",
                  "recipient_name", "title", "level")
CONTENT = ("subject_kind", "subject_id", "subject_name", "program", "code", "title", "category", "level",
           "academic_year", "date", "campaign_id", "application_id", "member_ids", "source", "source_ref", "note",
           "college_id", "school_id")
PUBLIC = ("subject_kind", "subject_id", "subject_name", "program", "code", "title", "category", "level",
          "academic_year", "date", "campaign_id", "application_id", "member_ids", "source")


def import_id(record):
    if record.get("source_ref"):
        key = ["ref", record["source"], record["source_ref"]]
    else:
        key = ["content", record["subject_kind"], record["subject_id"], record["program"], record["title"],
               record["code"], record["category"], record["level"], record["academic_year"], record["date"],
               record["source"]]
    return "award_import_" + hashlib.sha256(catalog.canonical(key).encode()).hexdigest()[:32]


def from_event(envelope):
    """(record, problems) of an ``award.granted`` envelope; problems are text (the
    event is not stored, and is kept aside with them)."""
    data = (envelope or {}).get("data") if isinstance(envelope, dict) else None
    if not isinstance(data, dict):
        return None, ["the envelope has no data object"]
    problems = [f"data.{k} is missing" for k in EVENT_REQUIRED if not data.get(k) or not isinstance(data[k], str)]
    if data.get("recipient_kind") not in catalog.SUBJECT_KINDS:
        problems.append(f"data.recipient_kind {data.get('recipient_kind')!r} is not one of "
                        f"{', '.join(catalog.SUBJECT_KINDS)}")
    members = data.get("member_ids") or []
    if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        problems.append("data.member_ids must be a list of person ids")
    day = _event_day(envelope.get("occurred_at"))
    if day is None:
        problems.append(f"occurred_at {envelope.get('occurred_at')!r} is not an ISO 8601 time")
    if problems:
        return None, problems
    return {
        "_id": data["award_id"], "subject_kind": data["recipient_kind"], "subject_id": data["recipient_id"],
        "subject_name": data["recipient_name"], "program": data["program"], "code": data.get("code"),
        "title": data["title"], "category": data.get("category"), "level": data["level"],
        "academic_year": data["academic_year"], "date": day, "campaign_id": data["campaign_id"],
        "application_id": data.get("application_id"), "member_ids": sorted(set(members)), "source": PLATFORM,
        "source_ref": None, "note": None, "event_id": envelope.get("id"),
    }, []


def check(raw):
    """(record, problems) of an imported award from plain values (see awards_import);
    problems are (key, en, zh)."""
    problems = []
    subject_kind = raw.get("subject_kind")
    if subject_kind not in catalog.SUBJECT_KINDS:
        problems.append(("subject_kind", f"Unknown subject kind {subject_kind!r}.",
                         f"对象类型 {subject_kind!r} 无效，须为 {'、'.join(catalog.SUBJECT_KINDS.values())} 之一"))
    subject_id = normalise_subject_id(subject_kind, raw.get("subject_id"))
    if not subject_id:
        problems.append(("subject_id", "Required.", "对象编号必填"))
    program = clean_text(raw.get("program"), "program", 50, True, "项目", problems)
    if program and not PROGRAM.match(program):
        problems.append(("program", "A program is its code, e.g. civilized_dorms.", "项目须填项目代码，如 civilized_dorms"))
    level = raw.get("level")
    level = catalog.LEVEL_ALIASES.get(level, {z: c for c, z in catalog.LEVELS.items()}.get(level, level))
    if level not in catalog.LEVELS:
        problems.append(("level", f"Level must be one of {', '.join(catalog.LEVELS)}.",
                         f"级别须为 {'、'.join(catalog.LEVELS.values())} 之一"))
    day = raw.get("date")
    if day is None:
        problems.append(("date", "Required (YYYY-MM-DD).", "日期必填（YYYY-MM-DD）"))
    academic_year = check_academic_year(raw.get("academic_year"), day, problems)
    members = [normalise_subject_id("person", m) for m in raw.get("member_ids") or []]
    if len(members) > MAX_MEMBERS:
        problems.append(("member_ids", f"At most {MAX_MEMBERS} members.", f"成员最多 {MAX_MEMBERS} 人"))
    record = {
        "subject_kind": subject_kind, "subject_id": subject_id,
        "subject_name": clean_text(raw.get("subject_name"), "subject_name", 100, True, "对象名称", problems),
        "program": program, "code": clean_text(raw.get("code"), "code", 50, False, "代码", problems),
        "title": clean_text(raw.get("title"), "title", 100, True, "称号", problems),
        "category": clean_text(raw.get("category"), "category", 50, False, "类别", problems),
        "level": level, "academic_year": academic_year, "date": day.isoformat() if day else None,
        "campaign_id": None, "application_id": None, "member_ids": sorted(set(members)),
        "source": clean_text(raw.get("source"), "source", 100, True, "来源", problems),
        "source_ref": clean_text(raw.get("source_ref"), "source_ref", 100, False, "来源编号", problems),
        "note": clean_text(raw.get("note"), "note", 500, False, "备注", problems),
    }
    if problems:
        return None, problems
    return dict(record, _id=import_id(record)), []


def with_subject(record, subject):
    """The record with what the directory says of its subject (college, school)."""
    return dict(record, college_id=(subject or {}).get("college_id"), school_id=(subject or {}).get("school_id"))


def same_content(stored, new):
    return all(stored.get(k) == new.get(k) for k in CONTENT)


def public_view(doc):
    return {"id": doc["_id"], **{k: doc.get(k) for k in PUBLIC}, "member_ids": list(doc.get("member_ids") or [])}


def _event_day(occurred_at):
    if not isinstance(occurred_at, str):
        return None
    try:
        moment = datetime.fromisoformat(occurred_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(SHANGHAI).date().isoformat()

