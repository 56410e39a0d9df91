"""What data cannot say about advanced class collectives (先进班集体).

* Who may apply: a class in year 1, 2 or 3 of study in the campaign's academic year
  (`year_of_study`); a year-4 class is refused at submission, naming its year.
* The plan's expected outputs have unique ids (the final evaluation checks each).
* What the scoring service cannot read from score sheets (`scoring_inputs`), all
  from the records service over a window that ends with the application deadline,
  so a campaign always sees the same facts however late it is computed:

  - ``failure_rate`` (学业表现·挂科率): students of the class with at least one
    ``failed_course`` fact ÷ the class's students, in whole percent, half up;
  - ``fraud`` (防诈骗): students of the class with a ``fraud_victim`` fact;
  - ``work_results`` (工作成效): the class's collective awards at college level or
    above — ``collective_award`` facts and titles granted on this platform — worth
    `award_level_units` each, plus `dorm_title_units` for each dorm titled 文明寝室
    in an academic year while a student of the class was among its members (the
    ``civilized_dorms`` awards whose ``member_ids`` include one of the class);
  - the fact ``exam_cheating`` (诚信考试, the veto rule of program.py): a
    ``disciplinary`` fact of the class or one of its students whose description
    names an exam offence (`EXAM_OFFENCE_WORDS`);
  - every number behind a mark, as facts (``failed_students``, ``class_size`` …),
    so the stored computation explains each mark;
  - the population of the 30% quota (`population`).

Which students are the class's: the hooks cannot read the directory (a program
service gives hooks the records service only), so they take the class's roster
(``member_ids``) from the application form, which the counselor checks before
approving it (辅导员审核把关). The class's dorms need no list: a dorm award names its
members, and the records service finds awards by member. The population is the
campaign setting ``classes_in_scope`` (the number of classes of years 1-3 in the
campaign's scope, as the registrar counts it); 0 means "not given here" and leaves
the population to the campaign's scoring setup.
"""
from decimal import ROUND_HALF_UP, Decimal

from core.errors import field_error
from core.plugin_kit import reason as _reason
from core.plugin_kit import until_after_closing
from core.program import ProgramHooks

YEAR_NAMES_ZH = {1: "大一", 2: "大二", 3: "大三", 4: "大四", 5: "大五"}
DEFAULT_YEARS = (1, 2, 3)
DEFAULT_LEVEL_UNITS = {"college": 1, "school": 2, "province": 3, "national": 3}
# A disciplinary record is an exam offence when its description names one of these.
EXAM_OFFENCE_WORDS = ("作弊", "替考", "考试违纪", "exam cheating")
DORM_PROGRAM = "civilized_dorms"
TITLE_CODE = "advanced_class"   # award id: award:<application_id>:advanced_class


def year_of_study(grade, academic_year):
    """Year of study of a class that entered in `grade` during `academic_year`
    ("2023-2024"): 2023 → 1, 2021 → 3, 2020 → 4. None when either is unknown."""
    try:
        first = int(str(academic_year).split("-")[0])
        return first - int(grade) + 1
    except (TypeError, ValueError):
        return None


def year_name_zh(year):
    if year < 1:
        return "尚未入学"
    return YEAR_NAMES_ZH.get(year, f"{year}年级")


def failure_rate_percent(failed, size):
    """failed ÷ size in whole percent, half up: 1/40 = 2.5% → 3, 3/40 = 7.5% → 8."""
    if not size:
        return 0
    return int((Decimal(100 * failed) / Decimal(size)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def facts_window(campaign, years):
    """The last `years` years up to and including the application deadline's date
    (Asia/Shanghai; a deadline without a time zone is UTC, as everywhere on the
    platform: core.plugin_kit): {"last_years": years, "until": the day after that date}."""
    return {"last_years": years, "until": until_after_closing(campaign)}


def is_exam_offence(fact):
    text = str((fact.get("value") or {}).get("description") or "")
    return any(word in text for word in EXAM_OFFENCE_WORDS)


def level_units(level, table):
    """Units an award of this level is worth; 0 below college level. The ministry
    (部级) counts as national unless the table says otherwise."""
    if level in table:
        return int(table[level])
    if level == "ministry":
        return int(table.get("national", 0))
    return 0


class ClassCollectiveHooks(ProgramHooks):
    # -- application ---------------------------------------------------------------
    def validate_application(self, form, context):
        """Expected outputs and the roster each without repeats."""
        errors = []
        ids = [o.get("id") for o in form.get("expected_outputs") or []]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            errors.append(field_error(
                "expected_outputs", f"Each expected output needs its own id; repeated: {', '.join(repeated)}.",
                f"预期成果编号不能重复：{'、'.join(repeated)}"))
        members = form.get("member_ids") or []
        twice = sorted({v for v in members if members.count(v) > 1})
        if twice:
            errors.append(field_error("member_ids", f"member_ids lists {', '.join(twice)} more than once.",
                                      f"班级学生名单中有重复：{'、'.join(twice)}"))
        return errors

    def check_eligibility(self, context):
        """A class (班级) in an eligible year of study (大一至大三 by default, the
        campaign setting ``years_of_study``); the refusal names the year."""
        applicant = context.get("applicant") or {}
        campaign = context.get("campaign") or {}
        if applicant.get("kind") != "class":
            return [_reason("not_a_class", "Only a class may apply to become an advanced class collective.",
                            "仅班级可申报先进班集体创建")]
        allowed = list((campaign.get("settings") or {}).get("years_of_study") or DEFAULT_YEARS)
        grade = applicant.get("grade")
        year = year_of_study(grade, campaign.get("academic_year"))
        allowed_zh = "、".join(year_name_zh(y) for y in allowed)
        allowed_en = ", ".join(str(y) for y in allowed)
        if year is None:
            return [_reason("grade_unknown",
                            f"The class's entry year (grade) is not recorded, so its year of study in "
                            f"{campaign.get('academic_year')} is unknown; only years {allowed_en} may apply.",
                            f"该班级未登记年级（入学年份），无法确定其在 {campaign.get('academic_year')} 学年所在年级；"
                            f"仅{allowed_zh}班级可申报")]
        if year not in allowed:
            return [_reason("year_not_eligible",
                            f"The class (entry year {grade}) is in year {year} of study in "
                            f"{campaign.get('academic_year')}; only classes in years {allowed_en} may apply.",
                            f"该班级（{grade}级）在 {campaign.get('academic_year')} 学年"
                            f"{'' if year < 1 else '为'}{year_name_zh(year)}，仅{allowed_zh}班级可申报先进班集体")]
        return []

    # -- review ----------------------------------------------------------------------
    def scoring_inputs(self, context):
        """Marks of the imported-fact leaves, the exam-integrity fact and the
        population (see the module docstring); one records query per kind of data
        for the whole campaign, not one per class."""
        campaign = context.get("campaign") or {}
        settings = campaign.get("settings") or {}
        apps = [a for a in context.get("applications") or [] if a.get("applicant_kind") == "class"]
        window = facts_window(campaign, int(settings.get("lookback_years") or 1))
        members = {a["id"]: list(dict.fromkeys((a.get("form") or {}).get("member_ids") or [])) for a in apps}
        classes = sorted({a["applicant_id"] for a in apps})
        people = sorted({p for ids in members.values() for p in ids})

        person_facts = self._facts(people, ["failed_course", "fraud_victim", "disciplinary"], window)
        class_facts = self._facts(classes, ["collective_award", "disciplinary"], window)
        class_awards = self.records.awards(classes, None, None, window) if classes else []
        dorm_awards = self.records.awards(people, DORM_PROGRAM, None, window) if people else []

        table = settings.get("award_level_units") or DEFAULT_LEVEL_UNITS
        dorm_units = int(settings.get("dorm_title_units", 1))
        out = {}
        for app in apps:
            out[app["id"]] = class_inputs(app, members[app["id"]], person_facts, class_facts, class_awards,
                                          dorm_awards, table, dorm_units)
        given = settings.get("classes_in_scope")
        population = int(given) if isinstance(given, int) and not isinstance(given, bool) and given > 0 else None
        return {"applications": out, "population": population}

    def _facts(self, subject_ids, kinds, window):
        if not subject_ids:
            return []
        return self.records.facts(subject_ids, kinds, window)

    # -- award ------------------------------------------------------------------------
    def award_titles(self, context):
        """“<campaign unit>先进班集体” (e.g. 机电与信息工程学院先进班集体), at the
        campaign's level (college or school)."""
        campaign = context.get("campaign") or {}
        entry = context.get("entry") or {}
        unit = campaign.get("unit_name") or ""
        level = campaign.get("level") or "school"
        return [{"code": TITLE_CODE, "title": f"{unit}先进班集体",
                 "title_en": f"Advanced class collective ({unit})" if unit else "Advanced class collective",
                 "level": level, "category": entry.get("category")}]


def class_inputs(app, member_ids, person_facts, class_facts, class_awards, dorm_awards, table, dorm_units):
    """One class's entry of `scoring_inputs` (pure: the records already fetched)."""
    class_id = app["applicant_id"]
    members = set(member_ids)
    mine = [f for f in person_facts if f.get("subject_id") in members]
    failed = sorted({f["subject_id"] for f in mine if f.get("kind") == "failed_course"})
    victims = sorted({f["subject_id"] for f in mine if f.get("kind") == "fraud_victim"})
    own = [f for f in class_facts if f.get("subject_id") == class_id]
    cheating = [f for f in mine + own if f.get("kind") == "disciplinary" and is_exam_offence(f)]

    collective = [f for f in own if f.get("kind") == "collective_award"
                  and level_units((f.get("value") or {}).get("level"), table) > 0]
    titles = [a for a in class_awards if a.get("subject_id") == class_id and level_units(a.get("level"), table) > 0]
    award_units = sum(level_units(f["value"]["level"], table) for f in collective) + \
        sum(level_units(a.get("level"), table) for a in titles)
    # One dorm titled in one academic year counts once, however many types it won.
    dorm_years = sorted({(a["subject_id"], a.get("academic_year") or "") for a in dorm_awards
                         if members & set(a.get("member_ids") or [])})
    dorm_total = dorm_units * len(dorm_years)
    size = len(member_ids)
    rate = failure_rate_percent(len(failed), size)
    return {
        "marks": {"failure_rate": rate, "fraud": len(victims), "work_results": award_units + dorm_total},
        "facts": {
            "exam_cheating": bool(cheating),
            "exam_cheating_records": [f.get("id") for f in cheating],
            "class_size": size, "failed_students": len(failed), "failure_rate_percent": rate,
            "fraud_victims": len(victims),
            "collective_awards": [f"{(f.get('value') or {}).get('name')}（{f['value']['level']}）" for f in collective]
            + [f"{a.get('title')}（{a.get('level')}）" for a in titles],
            "collective_award_units": award_units,
            "civilized_dorm_titles": [f"{d} {y}" for d, y in dorm_years],
            "civilized_dorm_units": dorm_total,
        },
    }
