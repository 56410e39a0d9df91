"""The declaration registers with the scoring domain and scores, selects, breaks ties
and vetoes as program.py says, with the numbers worked out by hand."""
import pytest

from core.errors import ValidationFailed
from plugins.class_collectives.hooks import ClassCollectiveHooks
from plugins.class_collectives.program import COURSE_TEACHER, CRITERIA, LEAGUE_BRANCH, PROGRAM, QUOTA_RULES, SCORING
from services.scoring.domain import aggregation, quota, ranking
from core.declaration import declaration_errors, scorer_roles_of
from core.declaration.criteria_tree import CriteriaTree
from services.scoring.domain.vetoes import apply_veto_rules
from services.scoring.programs import definition_from_declaration

TREE = CriteriaTree.from_dict(CRITERIA, scorer_roles_of(PROGRAM.declaration()))


def test_the_declaration_registers_with_the_scoring_service():
    definition = definition_from_declaration(PROGRAM.declaration())
    assert definition["name"] == "class_collectives" and definition["quota_rules"] == QUOTA_RULES
    assert definition["scoring"]["tie_breaks"] == SCORING["tie_breaks"]


def test_each_indicator_has_the_notices_share_of_the_total():
    shares = {k: round(100 * v, 9) for k, v in TREE.leaf_weights().items()}
    # 学风建设 30 = 文明素养 15 + 挂科率 15; 心理健康 10; 体育 10 = 5 + 5; 工作成效 10; 防诈骗 10; 测评 30
    assert shares == {"civility": 15, "failure_rate": 15, "psych": 10, "sports_teams": 5, "sports_activities": 5,
                      "work_results": 10, "fraud": 10, "rating": 30}
    rating = TREE.leaf("rating")
    assert dict(rating.role_weights) == {"counselor": 40, LEAGUE_BRANCH: 30, COURSE_TEACHER: 30}
    assert {TREE.leaf(i).scorer_role for i in ("failure_rate", "work_results", "fraud")} == {"imported_fact"}


def test_it_declares_its_raters_namespaced_and_granted_by_the_college_admin():
    d = PROGRAM.declaration()
    assert declaration_errors(d) == []
    assert (LEAGUE_BRANCH, COURSE_TEACHER) == ("class_collectives:league_branch", "class_collectives:course_teacher")
    roles = {r["key"]: r for r in d["rater_roles"]}
    assert roles["league_branch"]["label_zh"] == "团总支（测评）" and roles["league_branch"]["scopes"] == ["college"]
    assert roles["course_teacher"]["label_zh"] == "任课教师（测评）"
    assert roles["course_teacher"]["scopes"] == ["college", "class"]
    assert {r["granted_by"] for r in roles.values()} == {"college_admin"}
    # the platform keys they had: their grants move to the new keys at registration
    assert {r["formerly"] for r in roles.values()} == {"league_branch", "course_teacher"}


def test_the_program_lists_its_stages_and_notice_settings():
    d = PROGRAM.declaration()
    assert d["applicant_kind"] == "class"
    assert d["stages"][:4] == ["application", "counselor_review", "review", "notice"]
    assert {"midterm", "final_evaluation", "award", "nomination"} <= set(d["stages"])
    assert d["settings"]["notice_days"] == 5 and d["settings"]["expected_outputs_field"] == "expected_outputs"
    assert "expected_outputs" in d["form_schema"]["properties"]


def sheet(app, reviewer, role, scores):
    return {"application_id": app, "reviewer_id": reviewer, "role": role, "scores": scores, "state": "submitted"}


def test_a_class_total_worked_out_by_hand():
    sheets = [
        sheet("x", "r1", "reviewer", {"civility": 90, "psych": 80, "sports_teams": 70, "sports_activities": 90}),
        sheet("x", "r2", "reviewer", {"civility": 80, "psych": 90, "sports_teams": 90, "sports_activities": 70}),
        sheet("x", "c", "counselor", {"rating": 90}),
        sheet("x", "l", LEAGUE_BRANCH, {"rating": 80}),
        sheet("x", "t1", COURSE_TEACHER, {"rating": 70}),
        sheet("x", "t2", COURSE_TEACHER, {"rating": 90}),
    ]
    imported = {"x": {"failure_rate": 5, "fraud": 0, "work_results": 4}}
    score = aggregation.score_campaign(TREE, sheets, SCORING["aggregation"], imported=imported)["x"]
    # reviewers' means: civility 85, psych 85, teams 80, activities 80
    # 测评: course teachers' mean 80; 0.4 x 90 + 0.3 x 80 + 0.3 x 80 = 84
    # imported: 挂科率 5% -> 100 - 4 x 5 = 80; fraud 0 -> 100; results 4 -> 80
    # total = 0.15 x 85 + 0.15 x 80 + 0.10 x 85 + 0.05 x 80 + 0.05 x 80 + 0.10 x 80
    #       + 0.10 x 100 + 0.30 x 84 = 12.75 + 12 + 8.5 + 4 + 4 + 8 + 10 + 25.2 = 84.45
    result = score["results"][0]
    assert result["nodes"]["rating"] == pytest.approx(84.0)
    assert result["nodes"]["study"] == pytest.approx(82.5)
    assert score["total"] == pytest.approx(84.45)


def test_a_missing_rater_role_means_no_total():
    sheets = [sheet("x", "r1", "reviewer", {"civility": 90, "psych": 80, "sports_teams": 70, "sports_activities": 90}),
              sheet("x", "c", "counselor", {"rating": 90}), sheet("x", "l", LEAGUE_BRANCH, {"rating": 80})]
    imported = {"x": {"failure_rate": 0, "fraud": 0, "work_results": 0}}
    with pytest.raises(ValidationFailed) as info:
        aggregation.score_campaign(TREE, sheets, SCORING["aggregation"], imported=imported)
    assert f"from role {COURSE_TEACHER}" in info.value.details[0]["message"]


@pytest.mark.parametrize("population, seats", [(40, 12), (45, 14), (35, 11), (41, 12), (10, 3)])
def test_the_quota_is_thirty_percent_of_the_classes_half_up(population, seats):
    # 40 x 30% = 12; 45 x 30% = 13.5 -> 14; 35 x 30% = 10.5 -> 11; 41 -> 12.3 -> 12; 10 -> 3
    assert quota.quota_size(QUOTA_RULES, population=population) == seats


def test_ties_break_on_rating_then_study_then_submission():
    def cand(aid, total, rating, study, submitted):
        return {"application_id": aid, "total": total, "nodes": {"rating": rating, "study": study},
                "fields": {"submitted_at": submitted}}
    ranked = ranking.rank([
        cand("a", 80.0, 84.0, 80.0, "2023-10-17T01:00:00.000Z"),
        cand("b", 80.0, 86.0, 70.0, "2023-10-18T01:00:00.000Z"),
        cand("c", 80.0, 84.0, 82.0, "2023-10-18T02:00:00.000Z"),
        cand("d", 80.0, 84.0, 80.0, "2023-10-16T01:00:00.000Z"),
    ], SCORING["tie_breaks"])
    # b has the best 测评; c beats a and d on 学风建设; d submitted before a
    assert [c["application_id"] for c in ranked] == ["b", "c", "d", "a"]


def test_the_exam_integrity_rule_vetoes_on_the_hooks_fact():
    score = {"application_id": "x", "leaves": {}}
    [veto] = apply_veto_rules(SCORING["veto_rules"], score, {"exam_cheating": True})
    assert veto.rule_id == "exam_integrity" and "诚信考试一票否决" in veto.reason_zh
    assert apply_veto_rules(SCORING["veto_rules"], score, {"exam_cheating": False}) == []


def test_the_title_names_the_campaigns_unit_and_level():
    titles = ClassCollectiveHooks().award_titles({
        "campaign": {"unit_name": "机电与信息工程学院", "level": "college"},
        "entry": {"grade": None, "rank": 3, "total": 88.1}})
    assert titles == [{"code": "advanced_class", "title": "机电与信息工程学院先进班集体",
                       "title_en": "Advanced class collective (机电与信息工程学院)", "level": "college",
                       "category": None}]
