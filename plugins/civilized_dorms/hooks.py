"""What data cannot say about civilized dorms: form checks, who may apply for which
type, the facts behind the basic conditions, and the titles a winner receives.

The dorm's members (寝室成员) are the directory's, as person views ({"id", "name",
"political_status", "veteran", "grade", "dorm_id", ...}): check_eligibility reads
``context["members"]`` (the applications service passes them); scoring_inputs and
award_titles read ``members`` when a context carries them, else ask the directory
(``self.directory.members``, one call for every dorm of a computation). Where none
can be had the hooks never guess: a submission is refused, the marks about members
are not given (so results cannot be computed), a veteran title is not decided.
"""
from core.errors import field_error, invalid
from core.plugin_kit import reason as _reason
from core.program import ProgramHooks
from plugins.civilized_dorms import facts as F
from plugins.civilized_dorms.dorm_types import (
    DORM_TYPES, TYPE_CODES, VETERAN_TITLE, history_categories, type_name,
)

PROGRAM_NAME = "civilized_dorms"
OUTPUT_ID_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
MAX_TYPES, MAX_OUTPUTS = 2, 10
BASIC_FACT_KINDS = ("theory_study", "dorm_monthly_rating", "dorm_inspection", "makeup_exam", "health_standard",
                    "fee_arrears")


def members_of(*holders):
    """The first ``members`` list found on the given dicts or on their ``applicant``;
    None when none carries one."""
    for holder in holders:
        if not isinstance(holder, dict):
            continue
        for candidate in (holder.get("members"), (holder.get("applicant") or {}).get("members")):
            if isinstance(candidate, list):
                return candidate
    return None


class CivilizedDormHooks(ProgramHooks):
    """`defaults` are the program's settings; a campaign's own settings (merged when
    it was opened) take precedence."""

    def __init__(self, defaults=None):
        self.defaults = dict(defaults or {})

    def _settings(self, campaign):
        return {**self.defaults, **((campaign or {}).get("settings") or {})}

    # -- the form -----------------------------------------------------------------------
    def validate_application(self, form, context):
        """One or two types without repeats; one to ten expected outcomes with unique
        short ids. A draft (``partial``) may still lack both."""
        partial = bool(context.get("partial"))
        errors = []
        types = form.get("types")
        if types is not None or not partial:
            types = types or []
            if len(types) > MAX_TYPES or (not partial and not types):
                errors.append(field_error("types", f"Choose one or two dorm types, not {len(types)}.",
                                          f"请选择 1 至 2 个申报类型（当前 {len(types)} 个）"))
            repeated = sorted({t for t in types if types.count(t) > 1})
            if repeated:
                errors.append(field_error("types", f"Each type may be chosen once; repeated: {', '.join(repeated)}.",
                                          f"申报类型不能重复：{'、'.join(type_name(t) for t in repeated)}"))
        outputs = form.get("expected_outputs")
        if outputs is not None or not partial:
            outputs = outputs or []
            if len(outputs) > MAX_OUTPUTS or (not partial and not outputs):
                errors.append(field_error("expected_outputs",
                                          f"List one to {MAX_OUTPUTS} expected outcomes, not {len(outputs)}.",
                                          f"预期成果须为 1 至 {MAX_OUTPUTS} 项（当前 {len(outputs)} 项）"))
            seen = set()
            for i, output in enumerate(outputs):
                oid = output.get("id") or ""
                if set(oid) - OUTPUT_ID_CHARS:
                    errors.append(field_error(f"expected_outputs.{i}.id",
                                              "Use letters, digits, - or _ only.", "编号只能包含字母、数字、- 或 _"))
                elif oid in seen:
                    errors.append(field_error(f"expected_outputs.{i}.id", f"The id {oid!r} is used twice.",
                                              f"编号 {oid} 重复"))
                seen.add(oid)
        return errors

    # -- who may apply for which type --------------------------------------------------------
    def check_eligibility(self, context):
        """Refusals, each naming its rule:

        - ``not_a_dorm``: only a dorm applies;
        - ``won_last_year``: the dorm won this type in the previous academic year (the
          message names that year) — another type is fine;
        - ``members_unknown``: the directory's members did not come with the applicant;
        - ``not_years_1_to_3``: none of the members is in a year of study the
          campaign takes (大一至大三);
        - ``type_condition``: a type's threshold is not met (党员示范型: party or
          probationary members; 知行合一型: cadres who passed their review; 科研创新型:
          innovation-contest participants; 求真学问型: failed courses), with the counts.

        Facts are read in windows ending with the deadline's day, so a dorm is judged
        the same however late it submits within the window.

        Before the form (``preview`` without types chosen) every type is looked up: a
        type won last year comes back as a note (``blocking: False``, the dorm may
        choose another), and the type conditions wait for the types chosen.
        """
        applicant = context.get("applicant") or {}
        campaign = context.get("campaign") or {}
        types = [t for t in ((context.get("form") or {}).get("types") or []) if t in DORM_TYPES]
        if applicant.get("kind") != "dorm":
            return [_reason("not_a_dorm", "Only a dorm may apply to be a civilized dorm.", "仅寝室可申报文明寝室")]
        settings = self._settings(campaign)
        if context.get("preview") and not types:
            won = self._won_last_year(applicant, campaign, list(DORM_TYPES))
            reasons = [dict(r, blocking=len(won) >= len(DORM_TYPES)) for r in won]
        else:
            reasons = self._won_last_year(applicant, campaign, types)
        members = members_of(context, applicant)
        if members is None:
            return reasons + [_reason(
                "members_unknown", "The dorm's members are not known, so its conditions cannot be checked; "
                "ask the administrator to check the directory.",
                "未获取到寝室成员信息，无法核对申报条件，请联系管理员核对名册")]
        reasons += self._years_of_study(members, campaign, settings)
        return reasons + self._type_conditions(types, members, campaign, settings)

    def _won_last_year(self, applicant, campaign, types):
        if not types:
            return []
        previous = F.previous_academic_year(campaign.get("academic_year"))
        categories = [c for t in types for c in history_categories(t)]
        awards = self.records.awards(subject_ids=[applicant.get("id") or applicant.get("_id")],
                                     program=PROGRAM_NAME, categories=categories, academic_years=[previous])
        won = {t for t in types for a in awards if a.get("category") in history_categories(t)}
        return [_reason("won_last_year",
                        f"This dorm won {DORM_TYPES[t]['name_en']} ({type_name(t)}) in {previous}; a type won may "
                        "not be applied for again the next year. Choose another type.",
                        f"该寝室已于 {previous} 学年获评{type_name(t)}文明寝室，次年不得重复申报该类型，请选择其他类型")
                for t in types if t in won]

    @staticmethod
    def _years_of_study(members, campaign, settings):
        allowed = settings["years_of_study"]
        years = [F.year_of_study(m.get("grade"), campaign.get("academic_year")) for m in members]
        known = [y for y in years if y is not None]
        if not known or any(y in allowed for y in known):
            return []
        listed = "、".join(str(y) for y in allowed)
        return [_reason("not_years_1_to_3",
                        f"Dorms of students in years {', '.join(map(str, allowed))} may apply; this dorm's members are "
                        f"in year(s) {', '.join(map(str, sorted(set(known))))}.",
                        f"申报对象为第 {listed} 学年的学生寝室，该寝室成员所在学年为 {'、'.join(map(str, sorted(set(known))))}")]

    def _type_conditions(self, types, members, campaign, settings):
        ids = [m["id"] for m in members if m.get("id")]
        needs = {"knowledge_action", "learning", "research"} & set(types)
        recent, older = [], []
        if needs & {"knowledge_action", "learning"}:
            recent = self.records.facts(ids, ["student_cadre_review", "failed_course"],
                                        F.last_years(campaign, settings["fact_window_years"]))
        if "research" in needs:
            older = self.records.facts(ids, ["innovation_contest"],
                                       F.last_years(campaign, settings["research_contest_years"]))
        reasons = []
        for t in types:
            have, need, en, zh = None, None, None, None
            if t == "party_model":
                have, need = len(F.party_members(members)), settings["party_model_min_party_members"]
                en = (f"{type_name(t)} needs at least {need} member(s) who are party or probationary members; "
                      f"this dorm has {have}.")
                zh = f"党员示范型寝室须至少有 {need} 名成员为中共党员或中共预备党员，该寝室有 {have} 名"
            elif t == "knowledge_action":
                have, need = len(F.cadres_passed(recent, ids)), settings["knowledge_action_min_cadres"]
                en = (f"{type_name(t)} needs at least {need} members who are student cadres and passed their review; "
                      f"this dorm has {have}.")
                zh = f"知行合一型寝室须至少有 {need} 名成员担任学生干部且考核合格，该寝室有 {have} 名"
            elif t == "research":
                have, need = len(F.innovation_contestants(older, ids)), settings["research_min_contestants"]
                en = (f"{type_name(t)} needs at least {need} member(s) who took part in an innovation or "
                      f"entrepreneurship contest; this dorm has {have}.")
                zh = f"科研创新型寝室须至少有 {need} 名成员参加过创新创业类比赛，该寝室有 {have} 名"
            elif t == "learning":
                failed, most = len(F.failed_courses(recent, ids)), settings["learning_max_failed_courses"]
                if failed > most:
                    rule_en = "no failed course" if most == 0 else f"at most {most} failed course(s)"
                    rule_zh = "全员无挂科" if most == 0 else f"成员不及格课程不超过 {most} 门"
                    reasons.append(_reason(
                        "type_condition", f"{type_name(t)} needs {rule_en} among the members; they failed {failed}.",
                        f"求真学问型寝室须{rule_zh}，该寝室成员有 {failed} 门课程不及格"))
                continue
            if have is not None and have < need:
                reasons.append(_reason("type_condition", en, zh))
        return reasons

    # -- scoring -----------------------------------------------------------------------
    def scoring_inputs(self, context):
        """For every application: its categories (the types it applied for), the
        marks of the basic items taken from facts, and the fact the inspection veto
        rule reads:

        - ``theory_study``: months with a Thursday theory-study session (count);
        - ``no_makeup_exam``: no member sat a make-up exam of a required course;
        - ``no_violation``: no violation found in the Friday inspections;
        - ``health_and_fees``: no member below the health standard or owing fees;
        - ``monthly_rating``: won the monthly civilized-dorm rating at least once;
        - fact ``inspection_veto``: a violation the campaign's setting
          ``inspection_veto_violations`` lists was found.

        All in the ``fact_window_years`` up to the deadline's day; two calls in all
        (the directory for the members, the records service for the facts). The two
        items about members are left out for an application whose members cannot be
        had: the scoring service then refuses to compute results naming the missing
        marks (it never counts a dorm as clean without its members' facts), while the
        categories still let reviewers open their sheets.
        """
        campaign = context.get("campaign") or {}
        apps = context.get("applications") or []
        if not apps:
            return {"applications": {}, "population": None}
        settings = self._settings(campaign)
        members = {a["id"]: members_of(a) for a in apps}
        if self.directory is not None and any(ms is None for ms in members.values()):
            # one directory call for every dorm, grouped here
            by_dorm = {}
            for person in self.directory.members([a["applicant_id"] for a in apps]):
                by_dorm.setdefault(person.get("dorm_id"), []).append(person)
            members = {a["id"]: ms if ms is not None else by_dorm.get(a["applicant_id"], [])
                       for a, ms in zip(apps, members.values())}
        member_ids = {aid: [m["id"] for m in ms if m.get("id")] if ms is not None else None
                      for aid, ms in members.items()}
        subjects = sorted({a["applicant_id"] for a in apps} | {m for ids in member_ids.values() for m in ids or []})
        window = F.last_years(campaign, settings["fact_window_years"])
        found = self.records.facts(subjects, list(BASIC_FACT_KINDS), window)
        by_subject = {}
        for fact in found:
            by_subject.setdefault(fact.get("subject_id"), []).append(fact)
        vetoing = set(settings["inspection_veto_violations"])
        out = {}
        for app in apps:
            dorm = by_subject.get(app["applicant_id"], [])
            violations = F.inspection_violations(dorm)
            marks = {"theory_study": F.theory_study_months(dorm), "no_violation": not violations,
                     "monthly_rating": bool(F.monthly_rating_won(dorm))}
            ids = member_ids[app["id"]]
            if ids is not None:
                people = [f for m in ids for f in by_subject.get(m, [])]
                marks.update(no_makeup_exam=not F.required_makeup_exams(people, ids),
                             health_and_fees=not F.health_or_fee_problems(people, ids))
            out[app["id"]] = {
                "category": [t for t in ((app.get("form") or {}).get("types") or []) if t in TYPE_CODES],
                "marks": marks,
                "facts": {"inspection_veto": any(v["violation"] in vetoing for v in violations)},
            }
        return {"applications": out, "population": None}

    # -- titles ----------------------------------------------------------------------------
    def award_titles(self, context):
        """The type's title (文明寝室（环境优美型）), then — on top of the quota — the
        veteran-dorm title 退伍军人寝室 when a member is a veteran (and, if the
        campaign's ``veteran_title_min_activities`` is above 0, the veterans took part
        in 红岩 activities that many times in the campaign's academic year).
        Members from the context, else from the directory; ValidationFailed when
        neither has them."""
        entry = context.get("entry") or {}
        campaign = context.get("campaign") or {}
        code = entry.get("category")
        if code not in DORM_TYPES:
            return super().award_titles(context)
        level = campaign.get("level") or "school"
        titles = [{"code": code, "title": f"文明寝室（{type_name(code)}）",
                   "title_en": f"Civilized dorm ({DORM_TYPES[code]['name_en']})", "level": level, "category": code}]
        members = members_of(context, context.get("application"))
        if members is None and self.directory is not None and context.get("application"):
            members = self.directory.members([context["application"]["applicant_id"]])
        if members is None:
            raise invalid([field_error("members", "The dorm's members did not come with the award context; the "
                                       "veteran-dorm title cannot be decided.",
                                       "授予称号时未附寝室成员信息，无法判断是否增授退伍军人寝室称号")])
        vets = [m["id"] for m in F.veterans(members)]
        if vets and self._veterans_active(vets, campaign):
            titles.append({**VETERAN_TITLE, "level": level, "category": VETERAN_TITLE["code"]})
        return titles

    def _veterans_active(self, veteran_ids, campaign):
        need = self._settings(campaign)["veteran_title_min_activities"]
        if need <= 0:
            return True
        found = self.records.facts(veteran_ids, ["veteran_activity"], {"academic_year": campaign.get("academic_year")})
        return F.veteran_activity_sessions(found, veteran_ids) >= need
