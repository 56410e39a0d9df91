"""Rules of nomination upward (推荐上报), as plain functions over plain dicts.

A school-level campaign may hold a per-college nomination quota; a college-level
campaign may name it as its parent. After the college campaign's final list is out,
its admin nominates some of the listed applications: each becomes an application of
the parent campaign that the college has already reviewed. The database enforces the
quota and the one-nomination-per-applicant rule (nominations.py, nomination_store.py);
these functions say what is allowed and how things are named.
"""
import hashlib

from core.errors import QuotaExceeded, ValidationFailed, field_error, invalid

LEVELS = ("school", "college")
LEVEL_ZH = {"school": "学校", "college": "学院"}
UNIT_KIND_ZH = {"school": "学校", "college": "学院", "class": "班级", "dorm": "寝室", "branch": "党支部",
                "person": "个人"}


def level_of(unit):
    """A campaign's level is the kind of its unit; raises ValidationFailed (field
    unit_id) for any unit that is neither a school nor a college."""
    if unit.get("kind") not in LEVELS:
        kind = unit.get("kind")
        raise invalid([field_error(
            "unit_id",
            f"A campaign is opened at a school or a college; {unit['_id']} is a {kind}.",
            f"评选活动只能在学校或学院开设；{unit['_id']} 是{UNIT_KIND_ZH.get(kind, kind)}")])
    return unit["kind"]


def settings_errors(level, unit, program, parent_campaign_id, parent, nomination_quota):
    """Field errors of a campaign's nomination settings (empty when they are fine).

    `parent` is the campaign named by `parent_campaign_id` (None when there is no
    such campaign). The parent must be of the same program, school-level, and its
    unit must lie above this campaign's unit; only a school-level campaign holds a
    quota.
    """
    problems = []
    if parent_campaign_id is not None:
        if parent is None:
            problems.append(field_error("parent_campaign_id", f"No campaign {parent_campaign_id!r}.",
                                        f"上级评选活动不存在：{parent_campaign_id}"))
        else:
            if parent["program"] != program:
                problems.append(field_error(
                    "parent_campaign_id",
                    f"The parent campaign runs {parent['program']}, not {program}.",
                    f"上级评选活动的项目为 {parent['program']}，与本活动的 {program} 不同"))
            if (parent.get("level") or "school") != "school":
                problems.append(field_error("parent_campaign_id", "The parent campaign must be school-level.",
                                            "上级评选活动须为学校级"))
            if parent["unit_id"] == unit["_id"] or parent["unit_id"] not in unit["path"]:
                problems.append(field_error(
                    "parent_campaign_id",
                    f"The parent campaign's unit {parent['unit_id']} is not above {unit['_id']}.",
                    f"上级评选活动的单位 {parent['unit_id']} 不在 {unit['_id']} 之上"))
    if nomination_quota is not None and level != "school":
        problems.append(field_error("nomination_quota", "Only a school-level campaign takes nominations.",
                                    "只有学校级评选活动可以设置推荐名额"))
    return problems


def quota_of(parent):
    """Nominees per college the parent campaign accepts; None when it sets no limit."""
    quota = parent.get("nomination_quota") or {}
    return quota.get("per_college")


def select_entries(final_list, application_ids):
    """The final list's entries for `application_ids` (duplicates dropped, order
    kept); raises ValidationFailed naming each id that is not on the list."""
    by_id = {entry["application_id"]: entry for entry in final_list.get("entries") or []}
    wanted = list(dict.fromkeys(application_ids))
    problems = [
        field_error(f"application_ids.{i}", f"{app_id} is not on this campaign's final list.",
                    f"{app_id} 不在本次活动的最终名单上")
        for i, app_id in enumerate(wanted) if app_id not in by_id
    ]
    if problems:
        raise invalid(problems)
    return [by_id[app_id] for app_id in wanted]


def nominated_from(campaign, entry):
    """Where a nominee comes from and how it fared there (its college results)."""
    return {
        "campaign_id": campaign["_id"], "application_id": entry["application_id"],
        "college_id": entry.get("college_id") or campaign["unit_id"], "rank": entry.get("rank"),
        "total": entry.get("total"), "grade": entry.get("grade"), "grade_name_zh": entry.get("grade_name_zh"),
    }


def _digest(*parts):
    return hashlib.sha1(":".join(parts).encode("utf-8")).hexdigest()[:20]


def nomination_id(parent_campaign_id, source_application_id):
    """The nominee's id in the parent campaign: the same for every retry, so two
    racing nominations of one application write one document."""
    return f"app_{_digest('nomination', parent_campaign_id, source_application_id)}"


def copied_attachment_id(nomination_app_id, source_attachment_id):
    return f"att_{_digest('copy', nomination_app_id, source_attachment_id)}"


def is_same_nomination(existing, parent_campaign_id, source_application_id):
    """True when `existing` (the parent's application of the applicant) is this very
    nomination, so repeating it is a no-op."""
    origin = existing.get("nominated_from") or {}
    return existing["campaign_id"] == parent_campaign_id and origin.get("application_id") == source_application_id


def quota_exceeded(quota, used, requested, college_id, parent_campaign_id):
    return QuotaExceeded(
        f"The nomination quota is {quota} per college: {college_id} has used {used}, "
        f"so {requested} more cannot be nominated.",
        f"推荐名额为每个学院 {quota} 名：{college_id} 已推荐 {used} 名，无法再推荐 {requested} 名",
        field="nomination_quota",
        details={"quota": quota, "used": used, "requested": requested, "college_id": college_id,
                 "parent_campaign_id": parent_campaign_id},
    )


def group_by_college(nominations, usage, quota, college_names):
    """The listing: one group per college in `college_names` ({id: name}), each with
    its quota, used slots and its nominations (best college rank first)."""
    groups = []
    for college_id in sorted(college_names):
        mine = [n for n in nominations if n["nominated_from"]["college_id"] == college_id]
        mine.sort(key=lambda n: (n["nominated_from"].get("rank") is None, n["nominated_from"].get("rank") or 0,
                                 n["applicant_name"]))
        groups.append({"college_id": college_id, "college_name": college_names[college_id], "quota": quota,
                       "used": usage.get(college_id, 0), "nominations": mine})
    return groups


def not_a_child(campaign_id):
    return ValidationFailed(
        "This campaign names no parent campaign to nominate to.", "本活动未指定上级评选活动，无法推荐上报",
        field="parent_campaign_id",
        details=[field_error("parent_campaign_id", f"Campaign {campaign_id} has no parent campaign.",
                             f"评选活动 {campaign_id} 未指定上级评选活动")])
