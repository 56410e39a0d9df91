"""Reading records: for plugins (`facts`, `awards`: by subject, kind, program and
time window, oldest first) and for people (`list_facts`, `list_awards`: what the
actor may see, newest first, at most LIST_LIMIT)."""
from core import periods
from core.records_client import MAX_SUBJECTS
from core.errors import field_error, invalid
from services.records.domain import access
from services.records.domain.kinds import KINDS
from services.records.views import award_view, fact_view, public_award, public_fact

LIST_LIMIT = 2000


def facts(store, subject_ids, kinds=None, window=None):
    """Facts about `subject_ids`, of `kinds` (all when None), dated in `window`."""
    ids = _ids(subject_ids, "subject_ids", required=True)
    conditions = [{"subject_id": {"$in": ids}}]
    if kinds is not None:
        conditions.append({"kind": {"$in": _kinds(kinds)}})
    conditions.extend(_window(window))
    if not ids:
        return []
    return [public_fact(d) for d in store.find_facts(_and(conditions))]


def awards(store, subject_ids=None, program=None, categories=None, window=None, academic_years=None):
    """Awards whose subject, or one of whose members, is in `subject_ids` (all when
    None), of `program`, `categories` and `academic_years`, dated in `window`."""
    conditions = []
    if subject_ids is not None:
        ids = _ids(subject_ids, "subject_ids")
        if not ids:
            return []
        conditions.append({"$or": [{"subject_id": {"$in": ids}}, {"member_ids": {"$in": ids}}]})
    if program is not None:
        if not isinstance(program, str) or not program:
            raise invalid([field_error("program", "A program code, e.g. civilized_dorms.", "项目须为项目代码")])
        conditions.append({"program": program})
    if categories is not None:
        conditions.append({"category": {"$in": _strings(categories, "categories")}})
    if academic_years is not None:
        years = _strings(academic_years, "academic_years")
        for i, year in enumerate(years):
            periods.academic_year_period(year, f"academic_years.{i}")
        conditions.append({"academic_year": {"$in": years}})
    conditions.extend(_window(window))
    return [public_award(d) for d in store.find_awards(_and(conditions))]


def list_facts(store, directory, actor, subject_id=None, kind=None):
    view = access.scope(actor)
    if kind:
        _kinds([kind], field="kind")
    conditions = [{"kind": kind}] if kind else []
    if subject_id:
        _require_subject(directory, view, subject_id)
        conditions.append({"subject_id": subject_id})
    else:
        conditions.append({"$or": _scope(view)})
    return [fact_view(d) for d in store.find_facts(_and(conditions), newest_first=True, limit=LIST_LIMIT)]


def list_awards(store, directory, actor, subject_id=None, program=None, campaign_id=None):
    view = access.scope(actor)
    conditions = [{k: v} for k, v in (("program", program), ("campaign_id", campaign_id)) if v]
    if subject_id:
        _require_subject(directory, view, subject_id)
        conditions.append({"$or": [{"subject_id": subject_id}, {"member_ids": {"$in": [subject_id]}}]})
    else:
        conditions.append({"$or": _scope(view) + [{"member_ids": {"$in": [view["person_id"]]}}]})
    return [award_view(d) for d in store.find_awards(_and(conditions), newest_first=True, limit=LIST_LIMIT)]


def _require_subject(directory, view, subject_id):
    if subject_id in view["subject_ids"]:
        return
    # Only an admin's rights depend on where the subject is; ask the directory then.
    access.require_subject(view, subject_id, directory.subject(subject_id) if access.is_admin(view) else {})


def _scope(view):
    """The store conditions of what `view` covers (any of them)."""
    conditions = [{"subject_id": {"$in": view["subject_ids"]}}]
    if view["school_ids"]:
        # Awards whose subject the directory no longer knows are the school's.
        conditions += [{"school_id": {"$in": view["school_ids"]}}, {"school_id": None}]
    if view["college_ids"]:
        conditions.append({"college_id": {"$in": view["college_ids"]}})
    return conditions


def _window(window):
    since, until = periods.resolve(window).bounds()
    out = []
    if since:
        out.append({"date": {"$gte": since}})
    if until:
        out.append({"date": {"$lt": until}})
    return out


def _and(conditions):
    return {"$and": conditions} if len(conditions) > 1 else (conditions[0] if conditions else {})


def _ids(values, field, required=False):
    if values is None and not required:
        return None
    ids = _strings(values, field)
    if len(ids) > MAX_SUBJECTS:
        raise invalid([field_error(field, f"At most {MAX_SUBJECTS} ids per call.", f"每次最多 {MAX_SUBJECTS} 个对象")])
    return ids


def _strings(values, field):
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) and v for v in values):
        raise invalid([field_error(field, "Must be a list of non-empty strings.", "须为非空文本的列表")])
    return sorted(set(values))


def _kinds(values, field="kinds"):
    kinds = _strings(values, field)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise invalid([field_error(field, f"Unknown kinds {', '.join(unknown)}; see GET /api/records/kinds.",
                                   f"未知的记录类别：{'、'.join(unknown)}")])
    return kinds
