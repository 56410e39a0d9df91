"""A fact (记录): something that happened to a person, class, dorm or party branch,
with its date and source — a scholarship, a failed course, a monthly dorm rating.

    {_id, subject_kind, subject_id, subject_name, college_id, school_id, kind, value,
     date ("YYYY-MM-DD"), academic_year ("2023-2024"), source, source_ref, note,
     imported_by, imported_at, revision}

Identity (so a re-import or a retry never duplicates a fact): with a `source_ref`
(the source's own record number) the id is a hash of (source, source_ref), and a
re-import with corrected content updates that fact; without one the id is a hash of
what the fact says (subject, kind, value, date, source), so the same row imported
twice is one fact. `academic_year` and `note` are not part of that identity: a
re-import may correct them.
"""
import hashlib

from core import periods
from core.errors import ValidationFailed, field_error, invalid
from services.records.domain import kinds as catalog

MAX_SOURCE, MAX_REF, MAX_NOTE = 100, 100, 500
# What a fact says; a re-import that changes none of these changes nothing.
CONTENT = ("subject_kind", "subject_id", "subject_name", "college_id", "school_id", "kind", "value", "date",
           "academic_year", "source", "source_ref", "note")
# What plugins get (RecordsClient.facts): stable, so scoring fingerprints are stable.
PUBLIC = ("subject_kind", "subject_id", "kind", "value", "date", "academic_year", "source", "source_ref", "note")


def fact_id(record):
    if record.get("source_ref"):
        key = ["ref", record["source"], record["source_ref"]]
    else:
        key = ["content", record["subject_kind"], record["subject_id"], record["kind"], record["value"],
               record["date"], record["source"]]
    return "fact_" + hashlib.sha256(catalog.canonical(key).encode()).hexdigest()[:32]


def check(raw):
    """(record, problems) from plain values: ``subject_kind``, ``subject_id``,
    ``kind`` (codes), ``value`` (a dict, already clean or to validate with
    `validate_value`=True), ``date`` (a date or "YYYY-MM-DD"), ``academic_year``,
    ``source``, ``source_ref``, ``note``. Problems are (key, en, zh) with key the
    logical field name (``value.<name>`` for the value)."""
    problems = []
    kind = catalog.KINDS.get(raw.get("kind"))
    subject_kind = raw.get("subject_kind")
    if kind is None:
        problems.append(("kind", f"Unknown kind {raw.get('kind')!r}; see GET /api/records/kinds.",
                         f"未知的记录类别 {raw.get('kind')!r}，可选类别见 /api/records/kinds"))
    if subject_kind not in catalog.SUBJECT_KINDS:
        problems.append(("subject_kind", f"Unknown subject kind {subject_kind!r}; one of "
                                         f"{', '.join(catalog.SUBJECT_KINDS)}.",
                         f"对象类型 {subject_kind!r} 无效，须为 {'、'.join(catalog.SUBJECT_KINDS.values())} 之一"))
    elif kind is not None and subject_kind not in kind.subjects:
        problems.append(("subject_kind", f"{kind.code} applies to {', '.join(kind.subjects)}, not {subject_kind}.",
                         f"{kind.label_zh}只适用于{'、'.join(catalog.SUBJECT_KINDS[s] for s in kind.subjects)}，"
                         f"不适用于{catalog.SUBJECT_KINDS[subject_kind]}"))
    subject_id = normalise_subject_id(subject_kind, raw.get("subject_id"))
    if not subject_id:
        problems.append(("subject_id", "Required.", "对象编号必填"))
    value = raw.get("value")
    if kind is not None and raw.get("validate_value", True):
        value, value_problems = catalog.validate_value(kind.code, value)
        problems.extend(value_problems)
    day = _date(raw.get("date"), problems)
    academic_year = check_academic_year(raw.get("academic_year"), day, problems)
    source = clean_text(raw.get("source"), "source", MAX_SOURCE, True, "来源", problems)
    source_ref = clean_text(raw.get("source_ref"), "source_ref", MAX_REF, False, "来源编号", problems)
    note = clean_text(raw.get("note"), "note", MAX_NOTE, False, "备注", problems)
    if problems:
        return None, problems
    return {"subject_kind": subject_kind, "subject_id": subject_id, "kind": kind.code, "value": value,
            "date": day.isoformat(), "academic_year": academic_year, "source": source, "source_ref": source_ref,
            "note": note}, []


def normalise_subject_id(subject_kind, text):
    """The platform id of a subject. People may be written by 学号/工号: the
    directory's person id is ``p_<学号>``, so a bare number gets that prefix."""
    text = "" if text is None else str(text).strip()
    if subject_kind == "person" and text and not text.startswith("p_"):
        return f"p_{text}"
    return text


def make(record, subject, actor_id, now):
    """The stored document of a checked record; `subject` is what the directory
    says of it ({"name", "college_id", "school_id"})."""
    return {"_id": fact_id(record), **record, "subject_name": subject.get("name"),
            "college_id": subject.get("college_id"), "school_id": subject.get("school_id"),
            "imported_by": actor_id, "imported_at": now}


def same_content(stored, new):
    return all(stored.get(k) == new.get(k) for k in CONTENT if k != "value") and \
        catalog.normalise_value(stored.get("kind"), stored.get("value")) == new.get("value")


def public_view(doc):
    view = {"id": doc["_id"], **{k: doc.get(k) for k in PUBLIC}}
    view["value"] = catalog.normalise_value(doc.get("kind"), doc.get("value"))
    return view


def raise_problems(problems):
    """ValidationFailed listing (key, en, zh) problems as field errors."""
    raise invalid([field_error(k, en, zh) for k, en, zh in problems])


def _date(value, problems):
    if value is None or value == "":
        problems.append(("date", "Required (YYYY-MM-DD).", "日期必填（YYYY-MM-DD）"))
        return None
    try:
        return periods.as_date(value, "date")
    except ValidationFailed as exc:
        problems.append(("date", exc.details[0]["message"], exc.details[0]["message_zh"]))
        return None


def check_academic_year(label, day, problems):
    """The academic year of a fact dated `day`: `label` when given and valid, else
    the one `day` falls in."""
    if label is None or label == "":
        return periods.academic_year_of(day) if day else None
    try:
        periods.academic_year_period(label, "academic_year")
    except ValidationFailed as exc:
        problems.append(("academic_year", exc.details[0]["message"], exc.details[0]["message_zh"]))
        return None
    # A scholarship for 2022-2023 is often granted in October 2023; a fact for a year
    # that had not begun on its date is a typo.
    if day and label > periods.academic_year_of(day):
        problems.append(("academic_year", f"{label} had not begun on {day.isoformat()}.",
                         f"{day.isoformat()} 时 {label} 学年尚未开始"))
        return None
    return label


def clean_text(value, key, limit, required, label_zh, problems):
    """Trimmed text or None; appends a (key, en, zh) problem when required and empty
    or longer than `limit`."""
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            problems.append((key, "Required.", f"{label_zh}必填"))
        return None
    if len(text) > limit:
        problems.append((key, f"Longer than {limit} characters.", f"{label_zh}不能超过 {limit} 个字符"))
        return None
    return text
