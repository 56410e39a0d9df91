"""What data cannot say about 学生带班党员: who may take part, the facts behind the
标兵 conditions and the per-class cap, the college's number of members, the titles.

Facts and history come from the records service (`self.records`), people from the
directory (`self.directory`, and the applicant's own record as `context["members"]`
at submission), both bound per call (docs/PROGRAM_LIFECYCLE.md "What hooks can
read"). Fact windows end on the day after the campaign's closing date (rules.py), so
a campaign's results are reproducible.
"""
from core.program import ProgramHooks
from plugins.class_leading_members import rules
from plugins.class_leading_members.forms import CASE_SECTIONS


def _person(context):
    """The applying student's directory record: the applications service gives a
    person applicant's own record as the one entry of `members`; fields it puts in
    `applicant` itself come first."""
    members = context.get("members") or []
    person = dict(members[0]) if len(members) == 1 else {}
    person.update({k: v for k, v in (context.get("applicant") or {}).items() if v is not None})
    return person


def _person_id(person):
    return person.get("_id") or person.get("id")


def _not_a_person(applicant):
    if (applicant or {}).get("kind") == "person":
        return []
    return [{"code": "not_a_person", "message": "Only a student applies, in person.",
             "message_zh": "须由学生本人申报"}]


def _by_subject(facts):
    out = {}
    for f in facts:
        out.setdefault(f["subject_id"], []).append(f)
    return out


def _settings(context):
    return (context.get("campaign") or {}).get("settings") or {}


class _MembersHooks(ProgramHooks):
    """Shared by the assessment and the case collection: both are for the class-leading
    members of the campaign's academic year, appointed by the selection program."""

    def _membership_reasons(self, context):
        person = _person(context)
        reasons = _not_a_person(person)
        if reasons:
            return reasons
        person_id = _person_id(person)
        campaign = context.get("campaign") or {}
        if not person_id:
            return [{"code": "applicant_unknown",
                     "message": "The applicant's directory record was not given, so membership cannot be checked.",
                     "message_zh": "未提供申报人的名册信息，无法核对其是否为带班党员"}]
        program = _settings(context).get("selection_program", "class_leading_selection")
        year = campaign.get("academic_year")
        awards = self.records.awards([person_id], program=program, academic_years=[year])
        return rules.member_reasons(awards, person_id, year, program)

    def _population(self, context):
        """The college's class-leading members of the year, which 15% and 40% are of:
        the people of the campaign's college whom the records name as appointed for
        the year (platform appointments and imported lists alike), together with every
        applicant (each is checked to be one at submission). None for a school-level
        campaign, whose quotas are of its applicants. The scoring setup's population,
        when a campaign admin states one, takes precedence."""
        campaign = context.get("campaign") or {}
        if campaign.get("level") != "college":
            return None
        program = _settings(context).get("selection_program", "class_leading_selection")
        appointed = {a["subject_id"] for a in self.records.awards(
            None, program=program, academic_years=[campaign.get("academic_year")]) if a.get("subject_kind") == "person"}
        college = {p["id"] for p in self.directory.members([campaign["unit_id"]])}
        applicants = {a["applicant_id"] for a in context.get("applications") or []}
        return len((appointed & college) | applicants)


class SelectionHooks(ProgramHooks):
    def check_eligibility(self, context):
        """选聘对象: rising third-year students (year of study `year_of_study` in the
        campaign's academic year, from the entry year) who are party members (incl.
        probationary), development targets or activists. Each unmet condition is named."""
        person = _person(context)
        reasons = _not_a_person(person)
        if reasons:
            return reasons
        settings = _settings(context)
        return rules.candidate_reasons(person, context["campaign"]["academic_year"],
                                       year=settings.get("year_of_study", 3),
                                       statuses=settings.get("candidate_statuses", rules.CANDIDATE_STATUSES))

    def scoring_inputs(self, context):
        """The new class each candidate would lead (the per-class cap of 2 counts on
        it) and whether the records hold a bad credit record (无不良诚信记录 — a veto)
        from the candidate's first year up to the deadline."""
        campaign = context["campaign"]
        apps = context.get("applications") or []
        studying = _settings(context).get("year_of_study", 3)
        entered = rules.start_year(campaign["academic_year"]) - studying + 1
        window = rules.studies_window(campaign, entered)
        facts = _by_subject(self.records.facts(sorted({a["applicant_id"] for a in apps}), ["bad_credit"], window))
        return {"applications": {a["id"]: {
                    "units": {"led_class_id": (a.get("form") or {}).get("led_class_id")},
                    "facts": {"bad_credit": bool(facts.get(a["applicant_id"]))}} for a in apps},
                "population": None}

    def award_titles(self, context):
        """The appointment (聘任), recorded as history: the assessment and the case
        collection of that year are for the members it names."""
        campaign = context.get("campaign") or {}
        return [{"code": "appointed", "title": "学生带班党员", "title_en": "Class-leading student party member",
                 "level": campaign.get("level") or "college", "category": None}]


class AssessmentHooks(_MembersHooks):
    def check_eligibility(self, context):
        """考核对象: the class-leading members of the campaign's academic year."""
        return self._membership_reasons(context)

    def scoring_inputs(self, context):
        """Per member: which grades they qualify for (标兵 only when the facts show
        every 标兵 condition, see rules.model_shortfalls; 优秀 always — its conditions
        are the reviewers' marks and the bad-credit veto), the bad-credit fact for the
        veto, and the unmet 标兵 conditions for the record. Population: the college's
        members (`_population`)."""
        campaign = context["campaign"]
        apps = context.get("applications") or []
        window = rules.year_window(campaign)
        people = sorted({a["applicant_id"] for a in apps})
        classes = {a["id"]: (a.get("form") or {}).get("led_class_id") for a in apps}
        member_facts = _by_subject(self.records.facts(people, ["bad_credit", "failed_course", "scholarship"], window))
        class_facts = self._class_discipline(sorted({c for c in classes.values() if c}), window)
        out = {}
        for a in apps:
            mine = member_facts.get(a["applicant_id"], [])
            shortfalls = rules.model_shortfalls(mine, class_facts.get(classes[a["id"]], []))
            out[a["id"]] = {
                "grades_eligible": ["excellent"] if shortfalls else ["model", "excellent"],
                "facts": {"bad_credit": any(f["kind"] == "bad_credit" for f in mine),
                          "model_conditions_unmet": [s["code"] for s in shortfalls]}}
        return {"applications": out, "population": self._population(context)}

    def _class_discipline(self, class_ids, window):
        """{class id: disciplinary facts in `window`} — on the class itself or on any of
        its students (全班没有违纪现象), its students from the directory."""
        if not class_ids:
            return {}
        class_of = {c: c for c in class_ids}
        class_of.update({p["id"]: p["class_id"] for p in self.directory.members(class_ids)
                         if p.get("class_id") in class_of})
        out = {}
        for f in self.records.facts(sorted(class_of), ["disciplinary"], window):
            out.setdefault(class_of[f["subject_id"]], []).append(f)
        return out

    def award_titles(self, context):
        """学生带班党员标兵 / 优秀学生带班党员: certificates from the school (the
        school approves the college's list), so the level is school."""
        grade = (context.get("entry") or {}).get("grade")
        titles = {"model": ("学生带班党员标兵", "Model class-leading student party member"),
                  "excellent": ("优秀学生带班党员", "Excellent class-leading student party member")}
        title, title_en = titles.get(grade, titles["excellent"])
        return [{"code": grade or "excellent", "title": title, "title_en": title_en, "level": "school",
                 "category": None}]


class CaseHooks(_MembersHooks):
    def validate_application(self, form, context):
        """A case is at most `case_max_chars` characters (1500) over its five sections,
        whitespace not counted; the error names the count."""
        limit = _settings(context).get("case_max_chars", 1500)
        error = rules.case_length_error(form, CASE_SECTIONS, limit)
        return [error] if error else []

    def check_eligibility(self, context):
        """征集对象: the class-leading members of the campaign's academic year."""
        return self._membership_reasons(context)

    def scoring_inputs(self, context):
        """A college submits 40% (half up) of its members (`_population`), not of the
        cases it received."""
        return {"applications": {}, "population": self._population(context)}

    def award_titles(self, context):
        """At school level the prize (一/二/三等奖、优秀奖); at college level the
        college's recommendation, kept as history."""
        campaign = context.get("campaign") or {}
        entry = context.get("entry") or {}
        if campaign.get("level") == "college":
            return [{"code": "college_recommended", "title": "学生带班党员优秀案例（学院推荐）",
                     "title_en": "Class-leading case recommended by the college", "level": "college",
                     "category": None}]
        name = entry.get("grade_name_zh") or "优秀奖"
        return [{"code": entry.get("grade") or "merit", "title": f"学生带班党员优秀案例{name}",
                 "title_en": f"Class-leading case award ({entry.get('grade') or 'merit'})", "level": "school",
                 "category": None}]

