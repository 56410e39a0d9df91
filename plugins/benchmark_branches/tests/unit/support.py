"""A good 申报书, a branch, its people and a campaign for the benchmark-branch tests.

The campaign closes on 2024-05-20 at 10:00 Beijing time (02:00 UTC), as the notice
of seed 004 says (5月20日上午10时前): so condition 4's window is
[2021-05-20, 2024-05-20) and condition 5's [2023-05-20, 2024-05-20).
"""
import copy

from plugins.benchmark_branches.duties import DUTIES

BRANCH = {"_id": "branch_me_s1", "id": "branch_me_s1", "kind": "branch", "name": "机械学院本科生第一党支部",
          "branch_type": "student", "college_id": "college_me", "path": ["school", "college_me", "branch_me_s1"]}
FACULTY = dict(BRANCH, _id="branch_me_f1", id="branch_me_f1", name="机械学院教工第一党支部", branch_type="faculty",
               path=["school", "college_me", "branch_me_f1"])
SECRETARY = "p_sec"
MEMBERS = [
    {"id": "p_sec", "name": "李书记", "roles": [{"role": "branch_secretary", "unit_id": "branch_me_s1"},
                                                {"role": "student", "unit_id": "class_1"}]},
    {"id": "p_m1", "name": "王同学", "roles": [{"role": "student", "unit_id": "class_1"}]},
    {"id": "p_m2", "name": "张同学", "roles": [{"role": "student", "unit_id": "class_1"}]},
]
CAMPAIGN = {"id": "cmp_college_me", "program": "benchmark_branches", "level": "college", "unit_id": "college_me",
            "application_opens_at": "2024-05-14T00:00:00+00:00", "application_closes_at": "2024-05-20T02:00:00+00:00",
            "review_opens_at": "2024-05-20T02:01:00+00:00", "review_closes_at": "2024-06-10T09:00:00+00:00",
            "settings": {}}

# The 申报书's roster: the three people above and ten more (9 full + 4 probationary).
ROSTER = [{"person_id": "p_sec", "name": "李书记", "post": "secretary"},
          {"person_id": "p_m1", "name": "王同学", "post": "committee_member"},
          {"person_id": "p_m2", "name": "张同学", "post": "member"},
          *({"person_id": f"p_m{n}", "name": f"党员{n}", "post": "member"} for n in range(3, 13))]

EVIDENCE = "每学期召开专题会议研究落实，形成会议纪要和工作台账。"


def good_form(branch_type="student", **overrides):
    form = {
        "basic_info": {"branch_type": branch_type, "secretary_name": "李书记", "host_unit": "机械工程学院2021级本科生",
                       "full_members": 9, "probationary_members": 4,
                       "introduction": "支部现有正式党员9名、预备党员4名，设支部委员会。"},
        "roster": ROSTER,
        "duties": [{"duty": code, "evidence": EVIDENCE} for code in DUTIES[branch_type]],
        "organisational_life": {"member_meetings": 4, "committee_meetings": 12, "party_lessons": 4, "theme_days": 12,
                                "life_meetings": 1, "democratic_review": True,
                                "innovations": "推行“三会一课”清单化管理，建立党员积分制。"},
        "plan_implementation": {"approach": "围绕“一融双高”建设实施方案，党建与学业帮扶深度融合。",
                                "results": [{"description": "支部党员帮扶学业困难同学32人次", "evidence": "帮扶台账"}]},
        "creation_plan": {"ideas": "以“党建+学风”为主线，打造学生党建特色品牌。",
                          "measures": [{"content": "建立党员学业帮扶小组", "due": "2024-12-31"},
                                       {"content": "形成可推广的工作法", "due": "2026-05-31"}]},
        "expected_outputs": [
            {"id": "O1", "category": "experience", "description": "形成一套可复制的“党建+学风”工作经验",
             "indicator": "工作法 1 项"},
            {"id": "O2", "category": "case", "description": "申报校级“一融双高”典型案例 1 项", "indicator": ""},
        ],
    }
    for key, value in overrides.items():
        form[key] = value
    return copy.deepcopy(form)


def campaign(**overrides):
    return dict(copy.deepcopy(CAMPAIGN), **overrides)
