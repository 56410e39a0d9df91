"""check_eligibility: the five conditions, from the 申报书 and the facts, with their
windows worked out by hand.

The campaign closes 2024-05-20 10:00 Beijing time, so
  condition 4 (近3年): {"last_years": 3, "until": "2024-05-20"} = [2021-05-20, 2024-05-20)
  condition 5 (近1年): {"last_years": 1, "until": "2024-05-20"} = [2023-05-20, 2024-05-20)
"""
from plugins.benchmark_branches.hooks import BenchmarkBranchHooks
from plugins.benchmark_branches.tests.unit.fake_records import FakeRecords, fact
from plugins.benchmark_branches.tests.unit.support import BRANCH, FACULTY, MEMBERS, campaign, good_form

BRANCH_ID = BRANCH["id"]
# The branch's secretary was commended at school level two years ago; a member is an
# 优秀党员 of the school: both halves of condition 4 hold, nothing for condition 5.
GOOD_FACTS = [
    fact("p_sec", "commendation", "2022-05-20", level="school", name="优秀党务工作者"),
    fact("p_m1", "honour", "2023-06-01", level="school", name="优秀共产党员"),
]


def _check(facts=GOOD_FACTS, form=None, applicant=BRANCH, members=MEMBERS, **campaign_overrides):
    records = FakeRecords(facts)
    hooks = BenchmarkBranchHooks().bind(records)
    context = {"applicant": applicant, "campaign": campaign(**campaign_overrides), "form": form or good_form()}
    if members is not None:
        context["members"] = members
    return hooks.check_eligibility(context), records


def _codes(reasons):
    return [r["code"] for r in reasons]


def test_an_eligible_branch_and_the_windows_it_is_checked_in():
    reasons, records = _check()
    assert reasons == []
    assert records.calls == [
        ("facts", ["branch_me_s1", "p_sec"], ["commendation", "honour", "secretary_review"],
         {"last_years": 3, "until": "2024-05-20"}),
        ("facts", ["p_m1", "p_m2", "p_sec"], ["honour"], {"last_years": 3, "until": "2024-05-20"}),
        ("facts", ["branch_me_s1", "p_m1", "p_m2", "p_sec"], ["incident"], {"last_years": 1, "until": "2024-05-20"}),
    ]


def test_the_closing_date_is_the_beijing_date():
    # 2024-05-19 17:00 UTC is 2024-05-20 01:00 in Beijing: the same windows
    _, records = _check(application_closes_at="2024-05-19T17:00:00Z")
    assert records.calls[0][3] == {"last_years": 3, "until": "2024-05-20"}
    # 2024-05-19 15:59 UTC is 2024-05-19 23:59 in Beijing
    _, records = _check(application_closes_at="2024-05-19T15:59:00+00:00")
    assert records.calls[0][3] == {"last_years": 3, "until": "2024-05-19"}


# -- (1) duties -----------------------------------------------------------------------
def test_a_student_branch_attests_five_duties_a_faculty_branch_six():
    form = good_form()
    form["duties"] = form["duties"][:3]                           # student_guidance, student_liaison missing
    reasons, _ = _check(form=form)
    assert _codes(reasons) == ["duties"]
    assert reasons[0]["message_zh"] == ("条件一：学生党支部应高质量履行“五项职责”，申报书未说明以下职责的履行情况："
                                        "加强学生思想政治引领，引导学生全面发展；密切联系学生群众，服务同学成长")
    assert reasons[0]["message"].startswith("Condition 1: a student branch fulfils 5 duties")

    faculty = [dict(m, roles=[{"role": "branch_secretary", "unit_id": FACULTY["id"]}]) if m["id"] == "p_sec" else m
               for m in MEMBERS]
    reasons, _ = _check(form=good_form("faculty"), applicant=FACULTY, members=faculty)
    assert reasons == []
    form = good_form("faculty")
    form["duties"] = form["duties"][:5]                           # staff_liaison missing
    reasons, _ = _check(form=form, applicant=FACULTY, members=faculty)
    assert _codes(reasons) == ["duties"]
    assert "“六项职责”" in reasons[0]["message_zh"] and reasons[0]["message_zh"].endswith("密切联系师生员工，维护其正当权益")
    assert "fulfils 6 duties" in reasons[0]["message"]


# -- (2) organisational life --------------------------------------------------------------
def test_organisational_life_reaches_every_minimum():
    form = good_form()
    form["organisational_life"].update(member_meetings=3, theme_days=11, democratic_review=False)
    reasons, _ = _check(form=form)
    assert _codes(reasons) == ["organisational_life"]
    assert reasons[0]["message_zh"] == ("条件二：近一年组织生活不够规范：支部党员大会 3 次（至少 4 次）；"
                                        "主题党日 11 次（至少 12 次）；未开展民主评议党员")
    assert "member meetings 3 (at least 4)" in reasons[0]["message"]


def test_committee_meetings_are_asked_only_of_branches_with_seven_full_members():
    form = good_form()
    form["organisational_life"]["committee_meetings"] = 0
    form["basic_info"]["full_members"] = 6                        # no committee below 7 full members
    assert _check(form=form)[0] == []
    form["basic_info"]["full_members"] = 7
    form["organisational_life"]["committee_meetings"] = 11
    reasons, _ = _check(form=form)
    assert reasons[0]["message_zh"] == "条件二：近一年组织生活不够规范：支部委员会会议 11 次（至少 12 次）"


# -- (3) the school's plan ----------------------------------------------------------------
def test_the_school_plan_needs_a_result():
    form = good_form()
    form["plan_implementation"]["results"] = []
    reasons, _ = _check(form=form)
    assert _codes(reasons) == ["school_plan"]
    assert reasons[0]["message_zh"] == "条件三：申报书列出落实“一融双高”实施方案的阶段性成效 0 项，至少需要 1 项"


# -- (4) commendations and honours in the last 3 years ---------------------------------------
def test_a_commendation_counts_from_exactly_three_years_before_the_deadline():
    honour = fact("p_m1", "honour", "2023-06-01", level="school", name="优秀共产党员")
    # 2021-05-19 is three years and one day before 2024-05-20: outside the window
    reasons, _ = _check([fact("p_sec", "commendation", "2021-05-19", level="school", name="优秀党务工作者"), honour])
    assert _codes(reasons) == ["commendation"]
    assert reasons[0]["message_zh"] == ("条件四：近 3 年（2021-05-20 至 2024-05-19）党支部或党支部书记未获得校级（含）以上表彰，"
                                        "且书记述职评议考核未获得“好”等次")
    # 2021-05-20 is exactly three years before: inside
    assert _check([fact("p_sec", "commendation", "2021-05-20", level="school", name="优秀党务工作者"), honour])[0] == []
    # the branch itself commended on the day before the deadline: inside
    assert _check([fact(BRANCH_ID, "commendation", "2024-05-19", "branch", level="province", name="先进基层党组织"),
                   honour])[0] == []
    # on the deadline's date: outside ([since, until))
    assert _codes(_check([fact(BRANCH_ID, "commendation", "2024-05-20", "branch", level="province",
                               name="先进基层党组织"), honour])[0]) == ["commendation"]


def test_a_college_level_commendation_does_not_count_a_good_review_does():
    honour = fact("p_m2", "honour", "2022-01-10", level="national", name="全国大学生自强之星")
    college = fact(BRANCH_ID, "commendation", "2023-07-01", "branch", level="college", name="院先进党支部")
    assert _codes(_check([college, honour])[0]) == ["commendation"]
    fairly = fact("p_sec", "secretary_review", "2023-01-15", grade="较好")
    assert _codes(_check([college, fairly, honour])[0]) == ["commendation"]
    good = fact(BRANCH_ID, "secretary_review", "2023-01-15", "branch", grade="好")
    assert _check([college, good, honour])[0] == []


def test_some_member_must_hold_a_school_level_honour():
    commended = fact("p_sec", "commendation", "2022-05-20", level="school", name="优秀党务工作者")
    college_honour = fact("p_m1", "honour", "2023-06-01", level="college", name="院优秀党员")
    reasons, _ = _check([commended, college_honour])
    assert _codes(reasons) == ["commendation"]
    assert reasons[0]["message_zh"] == "条件四：近 3 年（2021-05-20 至 2024-05-19）没有支部成员获评校级（含）以上荣誉称号"
    assert reasons[0]["message"] == ("Condition 4: in the last 3 years (2021-05-20 to 2024-05-19) no member holds "
                                     "a school-level or higher honour.")
    # someone outside the branch's members does not help
    stranger = fact("p_other", "honour", "2023-06-01", level="school", name="优秀共产党员")
    assert _codes(_check([commended, college_honour, stranger])[0]) == ["commendation"]
    # the secretary's commendation is no member's honour title; but the secretary is a
    # member, so a school-level honour of theirs counts for both halves
    assert _check([fact("p_sec", "honour", "2023-03-01", level="ministry", name="全国高校优秀党务工作者")])[0] == []


def test_both_halves_of_condition_four_failing_are_one_reason_naming_both():
    reasons, _ = _check([])
    assert _codes(reasons) == ["commendation"]
    assert "书记述职评议考核未获得“好”等次；没有支部成员获评" in reasons[0]["message_zh"]


# -- (5) no incidents in the last year ------------------------------------------------------
def test_an_incident_counts_from_exactly_one_year_before_the_deadline():
    old = fact("p_m2", "incident", "2023-05-19", severity="serious_violation", description="一年零一天前")
    assert _check([*GOOD_FACTS, old])[0] == []
    recent = fact("p_m2", "incident", "2023-05-20", severity="serious_violation", description="整一年前")
    reasons, _ = _check([*GOOD_FACTS, recent])
    assert _codes(reasons) == ["clean_record"]
    assert reasons[0]["message_zh"] == "条件五：近 1 年（2023-05-20 至 2024-05-19）党支部或其成员出现过：2023-05-20 严重违纪违法（张同学）"
    on_branch = fact(BRANCH_ID, "incident", "2024-01-08", "branch", severity="prominent_problem", description="问题")
    reasons, _ = _check([*GOOD_FACTS, on_branch])
    assert reasons[0]["message_zh"].endswith("2024-01-08 突出问题（机械学院本科生第一党支部）")
    assert "2024-01-08 prominent_problem" in reasons[0]["message"]


def test_a_campaign_may_narrow_the_severities_that_count():
    minor = fact("p_m1", "incident", "2024-01-08", severity="prominent_problem", description="问题")
    assert _codes(_check([*GOOD_FACTS, minor])[0]) == ["clean_record"]
    narrowed = {"counted_severities": ["major_incident", "serious_violation"]}
    assert _check([*GOOD_FACTS, minor], settings=narrowed)[0] == []


# -- every failure at once ---------------------------------------------------------------------
def test_every_failed_condition_is_named_at_once():
    form = good_form()
    form["duties"] = form["duties"][1:]
    form["organisational_life"]["party_lessons"] = 2
    form["plan_implementation"]["results"] = []
    incident = fact(BRANCH_ID, "incident", "2023-12-01", "branch", severity="major_incident", description="事故")
    reasons, _ = _check([incident], form=form)
    assert _codes(reasons) == ["duties", "organisational_life", "school_plan", "commendation", "clean_record"]
    assert [r["message_zh"][:3] for r in reasons] == ["条件一", "条件二", "条件三", "条件四", "条件五"]
    assert all(r["message"].startswith(f"Condition {n}") for n, r in enumerate(reasons, 1))


def test_who_may_not_be_checked():
    reasons, _ = _check(applicant={"id": "class_1", "kind": "class", "name": "机械2101班"})
    assert reasons == [{"code": "not_a_branch", "message": "Only a party branch may apply to be a benchmark branch.",
                        "message_zh": "仅党支部可申报党建工作样板支部"}]
    # with neither the directory's members nor a roster conditions 4 and 5 cannot be
    # judged: said so, not passed
    form = good_form()
    del form["roster"]
    reasons, records = _check(members=None, form=form)
    assert _codes(reasons) == ["members_unknown"] and records.calls == []
    # a branch of unknown type that does not say its type in the form
    untyped = {k: v for k, v in BRANCH.items() if k != "branch_type"}
    form = good_form()
    form["basic_info"].pop("branch_type")
    assert _codes(_check(applicant=untyped, form=form)[0]) == ["branch_type"]


def test_without_the_directory_the_roster_says_who_the_secretary_and_members_are():
    reasons, records = _check(members=None)
    assert reasons == []
    everyone = sorted(["p_sec", "p_m1", "p_m2", *(f"p_m{n}" for n in range(3, 13))])
    assert records.calls[0][1] == ["branch_me_s1", "p_sec"]
    assert records.calls[1][1] == everyone and records.calls[2][1] == ["branch_me_s1", *everyone]
    # a member only the roster lists: their incident counts, named as the roster names them
    incident = fact("p_m11", "incident", "2024-03-03", severity="serious_violation", description="严重违纪")
    reasons, _ = _check([*GOOD_FACTS, incident], members=None)
    assert reasons[0]["message_zh"].endswith("2024-03-03 严重违纪违法（党员11）")
    # the directory, when given, is what counts: p_m11 is not in it
    assert _check([*GOOD_FACTS, incident])[0] == []
