"""Public notice (公示) and objections (异议) as plain rules: no Mongo, no Nameko.

A notice is one version of a campaign's result list on public view for a period
(`opens_at` ≤ now < `closes_at`). Anyone in the campaign's scope may object to an
entry while it is open, with a reason (≤ 1000 characters) and optional evidence.
The campaign admin resolves every objection with a written reply; an upheld one with
a change (remove or regrade an entry) makes a new version with a new full period
(re-noticed). The list becomes final only after the current version's period and
with no objection pending, whichever version it was filed against.
"""
from datetime import timedelta

from core.errors import Conflict, DeadlinePassed, field_error, invalid
from core import uploads as attachments
from services.applications.domain.windows import shanghai_text

DEFAULT_DAYS = 5
MAX_DAYS = 30
MAX_TEXT = 1000
DECISIONS = ("upheld", "dismissed")
EVIDENCE_TYPES = ("pdf", "jpg", "png", "doc", "docx")
# What a notice shows of a shortlist entry: never the reviewers' marks.
ENTRY_FIELDS = ("application_id", "applicant_id", "applicant_name", "college_id", "grade", "grade_name_zh",
                "category", "category_name_zh", "rank", "total")
FINAL_RESULT_FIELDS = ("grade", "grade_name_zh", "category", "rank", "total")
NOT_SELECTED_ZH = "未入选"


def notice_id(campaign_id, version):
    """`<campaign_id>:v<n>`: one document per version, unique by construction."""
    return f"{campaign_id}:v{version}"


def notice_days(requested, campaign_settings, program_settings):
    """The period in days: as asked, else the program's `notice_days` setting (as the
    campaign has it), else 5. Raises ValidationFailed (field `days`) outside 1..30."""
    days = requested
    if days is None:
        days = (campaign_settings or {}).get("notice_days", (program_settings or {}).get("notice_days"))
    if days is None:
        days = DEFAULT_DAYS
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise invalid([field_error("days", f"A whole number of days from 1 to {MAX_DAYS}.",
                                   f"公示天数须为 1 到 {MAX_DAYS} 的整数")])
    return days


def period(now, days):
    """(opens_at, closes_at): from now, for `days` whole days."""
    return now, now + timedelta(days=days)


def is_open(notice, now):
    return notice["opens_at"] <= now < notice["closes_at"]


def require_open(notice, now):
    """Objections only while opens_at ≤ now < closes_at; else DeadlinePassed."""
    if now < notice["opens_at"]:
        raise DeadlinePassed(
            f"The notice opens at {shanghai_text(notice['opens_at'])} (Beijing time).",
            f"公示尚未开始，开始时间为 {shanghai_text(notice['opens_at'])}（北京时间）", field="opens_at")
    if now >= notice["closes_at"]:
        raise DeadlinePassed(
            f"The notice period ended at {shanghai_text(notice['closes_at'])} (Beijing time); "
            "objections are no longer accepted.",
            f"公示期已于 {shanghai_text(notice['closes_at'])}（北京时间）结束，不再受理异议", field="closes_at")


def in_scope(member_paths, role_paths, campaign):
    """Whether someone is in the campaign's scope. `member_paths` ({unit_id: path})
    are the units they belong to (school, college, class, dorm, branch): one must
    lie inside the campaign's unit (the campaign's unit is on its path).
    `role_paths` are the units of their roles: inside, or above the campaign's unit
    (on the campaign's path: a school admin sees a college's notice). Belonging to
    the school does not put a student of another college in a college's scope."""
    for path in member_paths.values():
        if campaign["unit_id"] in (path or []):
            return True
    for unit_id, path in role_paths.items():
        if campaign["unit_id"] in (path or []) or unit_id in campaign["unit_path"]:
            return True
    return False


def entries_from_shortlist(selected, applications):
    """The notice's entries from a shortlist's `selected` (rank order), completed from
    the applications ({id: application}); only ENTRY_FIELDS, so no reviewer marks."""
    out = []
    for item in selected:
        app = applications.get(item["application_id"]) or {}
        merged = {"applicant_id": app.get("applicant_id"), "applicant_name": app.get("applicant_name"),
                  "college_id": app.get("college_id")}
        merged.update({k: v for k, v in item.items() if v is not None})
        out.append({k: merged.get(k) for k in ENTRY_FIELDS})
    return out


def grade_names(quota_rules):
    """{grade: name_zh} of every grade the program's quota rules name (a list, or
    one list per campaign level)."""
    rules = quota_rules or []
    if isinstance(rules, dict):
        rules = [r for level in rules.values() for r in (level or [])]
    names = {}
    for rule in rules:
        for grade in rule.get("grades") or []:
            names[grade["name"]] = grade.get("name_zh", grade["name"])
    return names


def _text(value, field, what_en, what_zh, required=True):
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        return None, field_error(field, "Must be text.", "须为文本")
    if required and not text:
        return None, field_error(field, f"{what_en} is required.", f"须填写{what_zh}")
    if len(text) > MAX_TEXT:
        return None, field_error(field, f"At most {MAX_TEXT} characters.", f"不能超过 {MAX_TEXT} 个字符")
    return text, None


def validate_objection(notice, application_id, reason):
    """The cleaned reason; raises ValidationFailed naming every problem: a reason is
    required (≤ 1000 characters) and the entry must be on this notice."""
    problems = []
    text, problem = _text(reason, "reason", "A reason", "异议理由")
    if problem:
        problems.append(problem)
    if application_id not in {e["application_id"] for e in notice["entries"]}:
        problems.append(field_error("application_id", "This entry is not on the notice.", "该条目不在本次公示名单中"))
    if problems:
        raise invalid(problems)
    return text


def check_evidence(filename, data, max_bytes):
    """Evidence's metadata {"filename", "type", "content_type", "size", "sha256"}, its
    type recognised from the bytes (PDF, Word, JPEG, PNG); raises like an attachment."""
    spec = [{"kind": "evidence", "label_en": "Evidence", "label_zh": "异议证明材料", "types": list(EVIDENCE_TYPES),
             "max_count": 1}]
    meta = attachments.check_upload(spec, "evidence", filename, data, max_bytes, [])
    meta.pop("kind")
    return meta


def plan_resolution(objection, decision, reply, change, current, names):
    """Check a resolution against the objection and the current notice version.

    Returns {"decision", "reply", "change"} (change None unless upheld with one).
    Raises Conflict when the objection is already resolved or the entry to change is
    no longer on the current version; ValidationFailed for a missing reply, an
    unknown decision, a change on a dismissal or an unknown grade (`names`:
    grade_names of the program)."""
    if objection["state"] != "pending":
        raise Conflict(f"This objection was already {objection['state']}.", "该异议已处理", field="objection_id")
    problems = []
    if decision not in DECISIONS:
        problems.append(field_error("decision", "Must be upheld or dismissed.", "须为 upheld（成立）或 dismissed（不成立）"))
    text, problem = _text(reply, "reply", "A reply to the objector", "给异议人的答复")
    if problem:
        problems.append(problem)
    change = change or None
    if change is not None:
        if decision != "upheld":
            problems.append(field_error("change", "Only an upheld objection changes the list.", "只有异议成立时才能修改名单"))
        elif set(change) == {"remove"}:
            if change["remove"] is not True:
                problems.append(field_error("change.remove", "Must be true.", "须为 true"))
        elif set(change) == {"grade"}:
            if change["grade"] not in names:
                known = ", ".join(names) or "(none)"
                problems.append(field_error("change.grade", f"Unknown grade; this program's grades: {known}.",
                                            f"未知等级；本项目的等级：{'、'.join(names) or '无'}"))
        else:
            problems.append(field_error("change", 'Either {"remove": true} or {"grade": "<grade>"}.',
                                        '须为 {"remove": true} 或 {"grade": "<等级>"}'))
    if problems:
        raise invalid(problems)
    if change is not None and objection["application_id"] not in {e["application_id"] for e in current["entries"]}:
        raise Conflict("The entry is no longer on the current notice; uphold it without a change or dismiss it.",
                       "该条目已不在当前公示名单中；请不带修改地认定成立或认定不成立", field="change")
    return {"decision": decision, "reply": text, "change": change}


def apply_change(entries, application_id, change, names):
    """The entries with one entry removed or regraded (a new list; the input is not
    changed). An entry that is no longer there changes nothing."""
    out = []
    for entry in entries:
        if entry["application_id"] != application_id:
            out.append(dict(entry))
        elif change.get("grade"):
            out.append(dict(entry, grade=change["grade"], grade_name_zh=names.get(change["grade"], change["grade"])))
        # remove: left out
    return out


def check_finalise(notice, latest_version, pending, now, states):
    """Raise Conflict unless `notice` may become the final list now: it is the
    current version, its period is over, no objection is pending (`pending`: ids,
    from every version) and every listed application (`states`: {id: state}) is
    college_approved (or already approved by an earlier finalisation)."""
    if notice["version"] != latest_version:
        raise Conflict(f"This notice was superseded by version {latest_version}; finalise that one.",
                       f"该公示已被第 {latest_version} 版取代，请对最新版本定稿", field="notice_id",
                       details={"latest_version": latest_version})
    if now < notice["closes_at"]:
        raise Conflict(
            f"The notice period ends at {shanghai_text(notice['closes_at'])} (Beijing time); finalise after it.",
            f"公示期至 {shanghai_text(notice['closes_at'])}（北京时间）结束，结束后方可定稿", field="closes_at")
    if pending:
        ids = sorted(pending)
        raise Conflict(f"{len(ids)} objection(s) are not resolved yet: {', '.join(ids)}.",
                       f"尚有 {len(ids)} 条异议未处理：{'、'.join(ids)}", field="objections",
                       details={"pending": ids})
    stuck = sorted(aid for aid in (e["application_id"] for e in notice["entries"])
                   if states.get(aid) not in ("college_approved", "approved"))
    if stuck:
        raise Conflict(f"Listed applications are no longer awaiting the decision: {', '.join(stuck)}.",
                       f"名单中的申报已不在待定状态：{'、'.join(stuck)}", field="entries",
                       details={"applications": {aid: states.get(aid) for aid in stuck}})


def final_result(entry):
    return {k: entry.get(k) for k in FINAL_RESULT_FIELDS}


def rejection_reason(application, removed):
    """Why an application of the campaign is not on the final list: the objection's
    reply when an upheld one removed it (`removed`: {application_id: reply}), else
    its review result's message, else 未入选."""
    if application["_id"] in removed:
        return f"{NOT_SELECTED_ZH}（公示期异议成立：{removed[application['_id']]}）"[:MAX_TEXT]
    result = application.get("review_result") or {}
    if result.get("outcome") == "not_selected":
        text = result.get("message_zh") or result.get("message") or result.get("reason")
        if text:
            return f"{NOT_SELECTED_ZH}：{text}"[:MAX_TEXT]
    return NOT_SELECTED_ZH


def final_plan(entries, applications, removed):
    """(approve, reject): [(application, final_result)] for every listed application
    still college_approved, and [(application, reason)] for every other
    college_approved application of the campaign (`applications`, all states)."""
    listed = {e["application_id"]: e for e in entries}
    approve, reject = [], []
    for app in applications:
        if app["state"] != "college_approved":
            continue
        if app["_id"] in listed:
            approve.append((app, final_result(listed[app["_id"]])))
        else:
            reject.append((app, rejection_reason(app, removed)))
    return approve, reject
