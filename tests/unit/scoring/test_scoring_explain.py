"""Explain-my-score: breakdown leaf -> node -> total, rank, cut line, reason."""
import pytest

from services.scoring.domain.aggregation import score_campaign
from services.scoring.domain.category_selection import select_by_category
from services.scoring.domain.explain import explain
from services.scoring.domain.quota import select
from services.scoring.domain.vetoes import veto


def sheet(app, reviewer, scores, role="reviewer"):
    return {"application_id": app, "reviewer_id": reviewer, "role": role, "scores": scores, "state": "submitted"}


@pytest.fixture
def dorm_scores(dorm_tree):
    sheets = [sheet("d1", "r1", {"theory": 8, "no_violation": True, "env": 9}),
              sheet("d1", "r2", {"theory": 6, "no_violation": True, "env": 7}),
              sheet("d2", "r1", {"theory": 10, "no_violation": True, "env": 10}),
              sheet("d3", "r2", {"theory": 5, "no_violation": True, "env": 5})]
    return score_campaign(dorm_tree, sheets, categories={d: "环境优美型" for d in ("d1", "d2", "d3")})


def _candidates(scores):
    return [{"application_id": a, "total": s["total"], "nodes": s["results"][0]["nodes"]} for a, s in scores.items()]


def test_breakdown_rank_cut_line_and_reason(dorm_tree, dorm_scores):
    # d1: theory mean 7 -> .7, env mean 8 -> .8: 60*(.35 + .5) + 40*.8 = 51 + 32 = 83
    selection = select(_candidates(dorm_scores), [{"kind": "fixed", "count": 1}])
    out = explain(dorm_tree, dorm_scores["d1"], selection)
    assert out["total"] == pytest.approx(83)
    tree = out["breakdowns"][0]["tree"]
    basic, type_part = tree["children"]
    assert basic["score"] == pytest.approx(85) and basic["points"] == pytest.approx(51)
    assert type_part["category"] == "环境优美型" and type_part["points"] == pytest.approx(32)
    env = type_part["children"][0]
    assert env["id"] == "env" and env["value"] == pytest.approx(.8) and env["marks"] == 2
    assert "reviewers" not in env                                # aggregated only
    assert (out["rank"], out["ranked_count"], out["status"], out["reason"]) == (2, 3, "out", "below_cut_line")
    assert out["cut_line"]["last_selected"]["application_id"] == "d2"
    assert out["cut_line"]["first_not_selected"]["application_id"] == "d1"


def test_reviewers_visible_only_when_allowed_and_vetoes(dorm_tree, dorm_scores):
    v = veto("d2", "违规使用大功率电器", {"id": "u1", "roles": ["admin"]}, at="2023-11-01T00:00:00.000Z")
    selection = select(_candidates(dorm_scores), [{"kind": "fixed", "count": 1}], vetoes=[v])
    hidden = explain(dorm_tree, dorm_scores["d2"], selection, vetoes=[v])
    assert hidden["reason"] == "vetoed" and hidden["rank"] is None
    assert hidden["vetoes"] == [{"reason": "违规使用大功率电器", "reason_zh": "违规使用大功率电器",
                                 "at": "2023-11-01T00:00:00.000Z"}]
    shown = explain(dorm_tree, dorm_scores["d1"], selection, vetoes=[v], viewer_may_see_reviewers=True)
    env = shown["breakdowns"][0]["tree"]["children"][1]["children"][0]
    assert [(m["reviewer_id"], m["raw"]) for m in env["reviewers"]] == [("r1", 9), ("r2", 7)]
    assert shown["status"] == "in" and shown["rank"] == 1 and shown["vetoes"] == []


def test_category_selection_explained(dorm_tree, dorm_scores):
    sel = select_by_category([{"application_id": a, "scores": {"环境优美型": s["total"]}}
                              for a, s in dorm_scores.items()], {"环境优美型": [0, 2]}, total=2)
    out = explain(dorm_tree, dorm_scores["d3"], sel)
    assert out["status"] == "out" and "lowest selected 83" in out["message"]
    assert explain(dorm_tree, dorm_scores["d1"], sel)["category"] == "环境优美型"


def test_before_selection_only_the_breakdown(dorm_tree, dorm_scores):
    out = explain(dorm_tree, dorm_scores["d3"])
    # theory .5, pass 1, env .5: 60 * (.25 + .5) + 40 * .5 = 45 + 20
    assert out["status"] is None and out["breakdowns"][0]["total"] == pytest.approx(65)


def test_from_aggregated_scores_to_both_selections(dorm_tree):
    from services.scoring.domain.category_selection import applicants_from_scores
    from services.scoring.domain.ranking import candidate
    sheets = [sheet("d1", "r1", {"theory": 8, "no_violation": True, "env": 9, "party_activity": 10}),
              sheet("d1", "f", {"party_member": True}, role="imported_fact"),
              sheet("d2", "r1", {"theory": 10, "no_violation": True, "env": 10})]
    scores = score_campaign(dorm_tree, sheets, categories={"d1": ["环境优美型", "党员示范型"], "d2": "环境优美型"})
    # d1: 54 + 36 = 90 as 环境优美型, 54 + 40 = 94 as 党员示范型; d2: 100
    assert applicants_from_scores(scores) == [
        {"application_id": "d1", "scores": {"环境优美型": pytest.approx(90), "党员示范型": pytest.approx(94)}},
        {"application_id": "d2", "scores": {"环境优美型": pytest.approx(100)}}]
    sel = select_by_category(applicants_from_scores(scores), {"环境优美型": [1, 1], "党员示范型": [0, 1]}, total=2)
    assert sel["by_category"] == {"环境优美型": ["d2"], "党员示范型": ["d1"]}
    c = candidate(scores["d1"], "党员示范型", fields={"submitted_at": "2023-10-18T08:00:00.000Z"},
                  units={"class_id": "c1"})
    assert c["total"] == pytest.approx(94) and c["nodes"]["party"] == pytest.approx(100)
    assert c["fields"]["submitted_at"].startswith("2023") and c["units"] == {"class_id": "c1"}
