"""The directory of units and people (学校/学院/班级/寝室/党支部; 学生…) this service owns."""
import csv
import hashlib
import io
from datetime import datetime, timezone

from openpyxl import load_workbook

from core import roles as role_rules
from core.envelope import iso_utc
from core.errors import ValidationFailed, field_error, invalid
from services.applications.domain import directory_import, permissions, role_grants
from services.applications.domain.actors import ROLES

UNIT_KINDS = ("school", "college", "class", "dorm", "branch")


def unit_id(kind, parent_id, name):
    digest = hashlib.sha256(f"{kind}|{parent_id}|{name}".encode()).hexdigest()[:12]
    return f"{kind}_{digest}"


def make_unit(kind, name, parent=None, unit_id_=None, **extra):
    """A unit record; `path` lists the ids from the school down to the unit itself."""
    ident = unit_id_ or unit_id(kind, parent["_id"] if parent else None, name)
    path = (parent["path"] if parent else []) + [ident]
    college_id = ident if kind == "college" else (parent or {}).get("college_id")
    school_id = path[0]
    return {"_id": ident, "kind": kind, "name": name, "parent_id": parent["_id"] if parent else None,
            "path": path, "college_id": college_id, "school_id": school_id, **extra}


def with_roles(person, roles):
    """Set roles and the flat `role_keys` the store queries ("role@unit")."""
    for role in roles:
        if role["role"] not in ROLES:
            raise invalid([field_error("roles", f"Unknown role {role['role']!r}.", f"未知角色 {role['role']}")])
    return dict(person, roles=list(roles), **role_rules.role_index(roles))


def roster_roles(old_roles, rec, actor):
    """The person's roles after an import: roles granted by hand are kept; the
    student role and the posts the roster carries (职务: 寝室长, 班长, 团支书, 支部书记,
    支部副书记) are set from the row, replacing what an earlier import set."""
    kept = [r for r in old_roles if r["role"] != "student" and r.get("source") != "roster"]
    by = actor.ref()
    posts = [{"role": role, "unit_id": rec["_units"][f"{kind}_id"], "source": "roster", "granted_by": by,
              "reason": "名单导入 roster import"} for role, kind in rec.get("posts", [])]
    return kept + [{"role": "student", "unit_id": rec["_units"]["class_id"]}] + posts


def read_table(filename, data):
    """(header, rows) of a .csv (UTF-8, with or without BOM; or GBK as Excel on
    Chinese Windows saves it) or .xlsx file's first sheet."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as exc:
            raise invalid([field_error("file", f"Not a readable .xlsx file ({exc.__class__.__name__}).",
                                       "无法读取该 .xlsx 文件")]) from None
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    elif name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        rows = list(csv.reader(io.StringIO(text)))
    else:
        raise invalid([field_error("file", "Upload a .csv or .xlsx file.", "请上传 .csv 或 .xlsx 文件")])
    if not rows:
        raise invalid([field_error("file", "The file is empty.", "文件为空")])
    return rows[0], rows[1:]


BATCH = 500


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def check_import_allowed(store, actor, school_id):
    """Who may import students into a school (before any file is read)."""
    school = store.get_unit(school_id)
    permissions.require_school_admin_of(actor, school["path"])


def import_students(store, actor, school_id, filename, data, progress=None):
    """Import or update students; a bad file imports nothing. Raises ValidationFailed
    whose details list every bad row {row, column, message, message_zh}. Writes in
    batches of BATCH (one read and one write each), reporting `progress(done, total)`;
    every write is keyed (unit and person ids from their names and student numbers),
    so running it again after a crash finishes the import and duplicates nothing."""
    check_import_allowed(store, actor, school_id)
    colleges = {u["name"]: u for u in store.find_units({"kind": "college", "parent_id": school_id})}
    header, rows = read_table(filename, data)
    records, problems = directory_import.parse_rows(header, rows, set(colleges))
    if problems:
        raise ValidationFailed(
            f"{len(problems)} problem(s) in the file; nothing was imported.",
            f"文件中有 {len(problems)} 处错误，未导入任何数据", field="file", details=problems,
        )
    units = {}
    for rec in records:
        college = colleges[rec["college"]]
        klass = make_unit("class", rec["class"], college, grade=rec["grade"])
        units[klass["_id"]] = klass
        person_units = {"class_id": klass["_id"], "dorm_id": None, "branch_id": None}
        for kind in ("dorm", "branch"):
            if rec[kind]:
                unit = make_unit(kind, rec[kind], college)
                units[unit["_id"]] = unit
                person_units[f"{kind}_id"] = unit["_id"]
        rec["_units"] = person_units
        rec["_college"] = college
    report = progress or (lambda done, total: None)
    total = len(records)
    report(0, total)
    existing = store.units_by_ids(units)
    for chunk in _chunks(list(units.values()), BATCH):
        store.replace_units([{**existing.get(u["_id"], {}), **u} for u in chunk])
    done = 0
    now = datetime.now(timezone.utc)
    now_iso = iso_utc(now)
    for chunk in _chunks(records, BATCH):   # one read and one write per batch of people
        olds = store.people_by_ids(f"p_{rec['student_no']}" for rec in chunk)
        batch, audit = [], []
        for rec in chunk:
            person_id = f"p_{rec['student_no']}"
            old = olds.get(person_id, {})
            roles = roster_roles(old.get("roles", []), rec, actor)
            person = {
                **old, "_id": person_id, "login": old.get("login", rec["student_no"]), "name": rec["name"],
                "student_no": rec["student_no"], "school_id": school_id, "college_id": rec["_college"]["_id"],
                "grade": rec["grade"], "political_status": rec["political_status"], "veteran": rec["veteran"],
                "password_hash": old.get("password_hash"), **rec["_units"],
            }
            person, entries = role_grants.roster_changes(person, roles, actor.ref(), now_iso)
            audit += entries
            batch.append(with_roles(person, roles))
        store.replace_people(batch)
        store.record_role_audit(audit, now)   # the copies the grant logs list; the person holds the originals
        done += len(chunk)
        report(done, total)
    return {"imported": len(records), "units_touched": len(units)}
