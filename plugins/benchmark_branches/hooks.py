"""What data cannot say about benchmark party branches (样板支部).

Every window ends at the campaign's closing date (Asia/Shanghai), so the same
campaign always sees the same facts however late a hook runs:
  * condition 4: {"last_years": 3, "until": <closing date>};
  * condition 5: {"last_years": 1, "until": <closing date>};
  * the scoring veto: condition 5's window extended to the end of the review, so an
    incident during the review still takes the branch out.

Who the branch's secretary and members are: the directory's when the applications
service passes them (the context's ``members``: person views of the people whose
branch is the applicant and whoever holds branch_secretary there; for scoring,
``members`` keyed by application id); otherwise the roster of the 申报书
(支部党员名单), which lists each person by their directory id and post.
"""
import calendar
from datetime import date, timedelta

from core.errors import field_error
from core.periods import as_date, years_before
from core.plugin_kit import closing_date, local_date
from core.program import ProgramHooks
from plugins.benchmark_branches import conditions
from plugins.benchmark_branches.duties import BRANCH_TYPE_EN, BRANCH_TYPE_ZH, BRANCH_TYPES, DUTIES, duty_en, duty_zh
from plugins.benchmark_branches.settings import campaign_settings

OUTPUT_ID_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
LEADER_KINDS = ("commendation", "honour", "secretary_review")
# 表彰 (commendation) is condition 4's first half, of the branch or its secretary; a
# member's 荣誉称号 (优秀党员、三好学生…) is an `honour` fact.
MEMBER_KINDS = ("honour",)
INCIDENT_FACT = "serious_incident"   # the scoring veto rule's fact (program.py)
TITLE_LEVEL_ZH = {"school": "校级", "college": "院级", "province": "省级", "national": "国家级", "ministry": "部级"}


def creation_cycle(campaign, months):
    """(first day, last day) of the creation cycle: from the first day of the
    deadline's month to the last day of the month `months` later (2024-05-20 →
    2024-05-01 .. 2026-05-31)."""
    closes = closing_date(campaign)
    index = closes.year * 12 + closes.month - 1 + months
    year, month = divmod(index, 12)
    end = date(year, month + 1, calendar.monthrange(year, month + 1)[1])
    return closes.replace(day=1), end


def branch_type_of(applicant, form):
    """The directory's type of the branch; the 申报书's when the directory has none."""
    kind = (applicant or {}).get("branch_type")
    if kind in BRANCH_TYPES:
        return kind
    kind = ((form or {}).get("basic_info") or {}).get("branch_type")
    return kind if kind in BRANCH_TYPES else None


def branch_people(members, form, branch_id):
    """(secretary ids, every member id incl. the secretary, {id: name}): from the
    directory's person views when given, else from the 申报书's roster; None when
    neither is there."""
    if members is not None:
        secretaries = [p["id"] for p in members
                       if any(r.get("role") == "branch_secretary" and r.get("unit_id") == branch_id
                              for r in p.get("roles") or [])]
        return sorted(secretaries), sorted({p["id"] for p in members}), {p["id"]: p.get("name") or p["id"]
                                                                        for p in members}
    roster = (form or {}).get("roster")
    if not roster:
        return None
    secretaries = sorted({p["person_id"] for p in roster if p.get("post") == "secretary"})
    return secretaries, sorted({p["person_id"] for p in roster}), {p["person_id"]: p.get("name") for p in roster}


class BenchmarkBranchHooks(ProgramHooks):
    # -- the 申报书 ----------------------------------------------------------------
    def validate_application(self, form, context):
        """Duties, expected outputs and roster entries are listed once each; the
        roster names one secretary and as many people as the basic data counts;
        output ids are short codes (letters, digits, _ and -) the final report
        refers to; duties belong to the branch's type; the type agrees with the
        directory; every measure's deadline falls within the creation cycle. A draft
        (``partial``) is spared the completeness checks."""
        errors = []
        applicant = context.get("applicant") or {}
        errors += _duplicates(form.get("duties"), "duty", "duties", "duty", "职责", lambda c: (duty_en(c), duty_zh(c)))
        errors += _duplicates(form.get("expected_outputs"), "id", "expected_outputs", "expected output id",
                              "预期成效编号", lambda c: (c, c))
        errors += _duplicates(form.get("roster"), "person_id", "roster", "person", "人员", lambda c: (c, c))
        errors += _roster_problems(form, partial=bool(context.get("partial")))
        for i, output in enumerate(form.get("expected_outputs") or []):
            if output.get("id") and not set(output["id"]) <= OUTPUT_ID_CHARS:
                errors.append(field_error(f"expected_outputs.{i}.id",
                                          "Use letters, digits, _ and - only (the final report refers to it).",
                                          "编号只能由字母、数字、下划线和连字符组成（结项报告据此逐项对应）"))
        declared = (form.get("basic_info") or {}).get("branch_type")
        directory = applicant.get("branch_type")
        if declared and directory in BRANCH_TYPES and declared != directory:
            errors.append(field_error("basic_info.branch_type",
                                      f"The directory records this branch as a {BRANCH_TYPE_EN[directory]}.",
                                      f"组织名录中该支部为{BRANCH_TYPE_ZH[directory]}"))
        kind = branch_type_of(applicant, form)
        if kind:
            for i, item in enumerate(form.get("duties") or []):
                if item.get("duty") and item["duty"] not in DUTIES[kind]:
                    errors.append(field_error(
                        f"duties.{i}.duty",
                        f"'{duty_en(item['duty'])}' is not one of the duties of a {BRANCH_TYPE_EN[kind]}.",
                        f"“{duty_zh(item['duty'])}”不是{BRANCH_TYPE_ZH[kind]}的职责"))
        campaign = context.get("campaign")
        if campaign and campaign.get("application_closes_at"):
            settings = campaign_settings(campaign)
            first, last = creation_cycle(campaign, settings["creation_cycle_months"])
            for i, measure in enumerate((form.get("creation_plan") or {}).get("measures") or []):
                due = measure.get("due")
                if due and not first <= as_date(due) <= last:
                    errors.append(field_error(
                        f"creation_plan.measures.{i}.due",
                        f"The deadline must fall within the creation cycle, {first} to {last}.",
                        f"完成时限须在创建周期内（{first} 至 {last}）"))
        return errors

    # -- the five conditions ---------------------------------------------------------
    def check_eligibility(self, context):
        """Every failed condition of the five, each its own reason naming what is
        missing (zh + en); empty when the branch may submit. Before the form
        (``preview``) only what the form does not say: the branch's type and the
        facts behind conditions 4 and 5."""
        applicant = context.get("applicant") or {}
        if applicant.get("kind") != "branch":
            return [{"code": "not_a_branch", "message": "Only a party branch may apply to be a benchmark branch.",
                     "message_zh": "仅党支部可申报党建工作样板支部"}]
        form = context.get("form") or {}
        campaign = context.get("campaign") or {}
        settings = campaign_settings(campaign)
        branch_id = applicant.get("id") or applicant.get("_id")
        kind = branch_type_of(applicant, form)
        reasons = []
        preview = bool(context.get("preview"))
        if kind is None:
            reasons.append({"code": "branch_type", "message": "The branch's type (faculty or student) is unknown.",
                            "message_zh": "无法确定支部类型（教工党支部或学生党支部）"})
        elif not preview:
            reasons.append(conditions.duties(form, kind))
        if not preview:
            reasons.append(conditions.organisational_life(form, settings["organisational_life_minimums"],
                                                          settings["committee_from_members"]))
            reasons.append(conditions.school_plan(form, settings["plan_results_min"]))
        people = branch_people(context.get("members"), form, branch_id)
        if people is None:
            reasons.append({"code": "members_unknown",
                            "message": "Neither the directory nor the application lists the branch's members, so "
                                       "conditions 4 and 5 cannot be checked.",
                            "message_zh": "组织名录和申报书均未列出支部成员，无法核查条件四和条件五"})
        else:
            reasons += self._fact_conditions(branch_id, applicant.get("name"), people, closing_date(campaign), settings)
        return [r for r in reasons if r]

    def _fact_conditions(self, branch_id, branch_name, people, closes, settings):
        secretaries, members, names = people
        names = dict(names, **{branch_id: branch_name or branch_id})
        years = settings["commendation_years"]
        window = {"last_years": years, "until": closes.isoformat()}
        since, last = years_before(closes, years), closes - timedelta(days=1)
        leader = self.records.facts([branch_id, *secretaries], LEADER_KINDS, window)
        honours = self.records.facts(members, MEMBER_KINDS, window) if members else []
        fourth = conditions.commendations(leader, honours, set(settings["counted_levels"]), years, since, last)
        clean_years = settings["clean_record_years"]
        window = {"last_years": clean_years, "until": closes.isoformat()}
        incidents = self.records.facts([branch_id, *members], ["incident"], window)
        fifth = conditions.clean_record(incidents, set(settings["counted_severities"]), clean_years,
                                        years_before(closes, clean_years), last, names)
        return [fourth, fifth]

    # -- scoring -------------------------------------------------------------------------
    def scoring_inputs(self, context):
        """For the veto rule of kind "fact": whether the branch or a member had an
        incident of a counted severity from a year before the deadline to the end of
        the review. Members come from ``context["members"][application_id]`` when the
        applications service gives them, else from the application's roster."""
        campaign = context.get("campaign") or {}
        applications = context.get("applications") or []
        if not applications:
            return {"applications": {}, "population": None}
        settings = campaign_settings(campaign)
        closes = closing_date(campaign)
        end = local_date(campaign.get("review_closes_at") or campaign["application_closes_at"])
        window = {"since": years_before(closes, settings["clean_record_years"]).isoformat(),
                  "until": (max(end, closes) + timedelta(days=1)).isoformat()}
        members = context.get("members") or {}
        subjects = {}
        for app in applications:
            people = branch_people(members.get(app["id"]), app.get("form"), app["applicant_id"])
            subjects[app["id"]] = {app["applicant_id"], *(people[1] if people else [])}
        facts = self.records.facts(sorted(set().union(*subjects.values())), ["incident"], window)
        severities = set(settings["counted_severities"])
        flagged = {f["subject_id"] for f in facts if (f.get("value") or {}).get("severity") in severities}
        return {"applications": {aid: {"facts": {INCIDENT_FACT: bool(ids & flagged)}}
                                 for aid, ids in subjects.items()},
                "population": None}

    # -- the title -----------------------------------------------------------------------
    def award_titles(self, context):
        """校级党建工作样板支部 for a school-level list; a college-level list names the
        college's 推荐对象 (candidates nominated to the school), not a title."""
        campaign = context.get("campaign") or {}
        level = campaign.get("level") or "school"
        if level == "college":
            return []
        title = f"{TITLE_LEVEL_ZH.get(level, '')}党建工作样板支部"
        return [{"code": "benchmark_branch", "title": title, "title_en": f"Benchmark party branch ({level} level)",
                 "level": level, "category": None}]


def _roster_problems(form, partial):
    """One secretary (exactly one once the form is complete); the roster lists the
    full and probationary members the basic data counts."""
    roster = form.get("roster")
    if roster is None:
        return []
    errors = []
    secretaries = [p for p in roster if p.get("post") == "secretary"]
    if len(secretaries) > 1 or (not partial and not secretaries):
        errors.append(field_error("roster", f"The roster must name exactly one secretary, not {len(secretaries)}.",
                                  f"支部党员名单须有且仅有一名书记，现有 {len(secretaries)} 名"))
    basics = form.get("basic_info") or {}
    if not partial and basics.get("full_members") is not None:
        counted = basics["full_members"] + (basics.get("probationary_members") or 0)
        if counted != len(roster):
            errors.append(field_error(
                "roster", f"The roster lists {len(roster)} people but the basic data counts {counted} "
                          f"({basics['full_members']} full + {basics.get('probationary_members') or 0} probationary).",
                f"支部党员名单列出 {len(roster)} 人，但基本情况中正式党员与预备党员合计 {counted} 人"))
    return errors


def _duplicates(items, key, field, what_en, what_zh, label):
    seen, errors = set(), []
    for i, item in enumerate(items or []):
        value = (item or {}).get(key)
        if value is None:
            continue
        if value in seen:
            en, zh = label(value)
            errors.append(field_error(f"{field}.{i}.{key}", f"The {what_en} '{en}' is listed twice.",
                                      f"{what_zh}“{zh}”重复填写"))
        seen.add(value)
    return errors
