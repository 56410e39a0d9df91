"""What data cannot say about 三好学生 / 优秀学生干部: who may apply (the 综合测评 rank
within the class quota, no failed course, no disciplinary sanction, for cadres a
passed cadre review) and the facts behind the vetoes.

The class's size comes from the directory (`self.directory`), facts from the records
service (`self.records`); the applicant's own directory record is
``context["members"][0]`` (docs/PROGRAM_LIFECYCLE.md "What hooks can read").
"""
from core.declaration import fact_kind_code
from core.plugin_kit import reason, year_window
from core.program import ProgramHooks
from plugins.merit_students import rules

RECORD_KINDS = ["failed_course", "disciplinary"]
ASSESSMENT = "assessment"                                  # this package's own fact kind (program.py)
ASSESSMENT_FACTS = fact_kind_code("merit_students", ASSESSMENT)


def _person(context):
    members = context.get("members") or []
    person = dict(members[0]) if len(members) == 1 else {}
    person.update({k: v for k, v in (context.get("applicant") or {}).items() if v is not None})
    return person


def _settings(context):
    return (context.get("campaign") or {}).get("settings") or {}


class MeritHooks(ProgramHooks):
    """三好学生. Subclasses add conditions in `_extra_reasons`."""

    def check_eligibility(self, context):
        """Each unmet condition is named: applies in person; the 综合测评 rank of the
        year assessed (the records' 综合测评 fact) lies within the class quota
        (``class_quota_percent`` of the class's students in the directory, half up);
        no failed course and no disciplinary sanction in the year assessed."""
        person = _person(context)
        if person.get("kind") != "person" or not person.get("class_id"):
            return [reason("not_a_student", "Only a student of a class applies, in person.", "须由班级学生本人申报")]
        campaign = context["campaign"]
        classmates = [p for p in self.directory.members([person["class_id"]]) if p.get("class_id") == person["class_id"]]
        percent = _settings(context).get("class_quota_percent", 10)
        pid = person.get("_id") or person.get("id")
        window = year_window(campaign)
        assessed = self.records.facts([pid], [ASSESSMENT_FACTS], window)
        reasons = rules.rank_reasons(assessed[-1]["value"]["rank"], len(classmates), percent) if assessed else [
            reason("no_assessment", f"No comprehensive assessment of {campaign['academic_year']} is on record.",
                   f"没有 {campaign['academic_year']} 学年综合测评结果的记录")]
        reasons += rules.record_reasons(self.records.facts([pid], RECORD_KINDS, window))
        return reasons + self._extra_reasons(pid, campaign)

    def _extra_reasons(self, person_id, campaign):
        return []

    def scoring_inputs(self, context):
        """The facts of the vetoes (a failed course or a sanction recorded after the
        application was submitted still takes the candidate out)."""
        apps = context.get("applications") or []
        facts = self.records.facts(sorted({a["applicant_id"] for a in apps}), RECORD_KINDS,
                                   year_window(context["campaign"]))
        found = {(f["subject_id"], f["kind"]) for f in facts}
        return {"applications": {a["id"]: {"facts": {k: (a["applicant_id"], k) in found for k in RECORD_KINDS}}
                                 for a in apps},
                "population": None}


class CadreHooks(MeritHooks):
    """优秀学生干部: the same, and a student cadre review of the year passed."""

    def _extra_reasons(self, person_id, campaign):
        reviews = self.records.facts([person_id], ["student_cadre_review"], year_window(campaign))
        return rules.cadre_reasons(reviews, campaign["academic_year"])
