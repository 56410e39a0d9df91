"""Aggregation: mean / median / trimmed mean, role weights, z-score, totals by hand."""
import math

import pytest

from core.errors import PermissionDenied, ValidationFailed
from tests.unit.scoring.conftest import LEAGUE, TEACHER
from services.scoring.domain.aggregation import (
    AggregationPolicy, Mark, aggregate, marks_from_sheets, median, score_campaign, trimmed_mean,
    zscore_adjust)


def sheet(app, reviewer, role, scores, state="submitted"):
    return {"application_id": app, "reviewer_id": reviewer, "role": role, "scores": scores, "state": state}


def class_sheets(extra_reviewer_scores=None):
    """Class a1: reviewers r1..r3, facts, counselor, league, two teachers."""
    return [
        sheet("a1", "r1", "reviewer", {"civility": 8, "academic": 7, "sports": 60}),
        sheet("a1", "r2", "reviewer", {"civility": 6, "academic": 7, "sports": 90}),
        sheet("a1", "r3", "reviewer", {"civility": 10, "academic": 10, "sports": 90}),
        sheet("a1", "facts", "imported_fact", {"psych": 3, "results": 2, "fraud": 1}),
        sheet("a1", "c1", "counselor", {"rating": 90}),
        sheet("a1", "l1", LEAGUE, {"rating": 80}),
        sheet("a1", "t1", TEACHER, {"rating": 70}),
        sheet("a1", "t2", TEACHER, {"rating": 90}),
        sheet("a1", "r4", "reviewer", {"civility": 0, "academic": 0, "sports": 0}, state="draft"),
    ]


def test_mean_median_trimmed_by_hand():
    v = [1, 2, 3, 10, 10]
    assert aggregate(v, "mean") == pytest.approx(5.2)
    assert median(v) == 3
    assert trimmed_mean(v) == pytest.approx(5.0)           # (2 + 3 + 10) / 3: one 10 dropped only
    assert median([1, 2, 3, 10]) == 2.5
    assert trimmed_mean([4, 8]) == 6                        # < 3 scores: plain mean
    assert trimmed_mean([7]) == 7
    assert trimmed_mean([5, 5, 5]) == 5
    assert trimmed_mean([0, 9, 9, 9]) == 9                  # drops 0 and one 9


def test_class_total_by_hand_mean(class_tree):
    # civility 8,6,10 -> 8 -> .8; academic 7,7,10 -> 8 -> .8; study 80 -> 24 points
    # psych 3*25 = 75 -> 7.5; sports 60,90,90 -> 80 -> 8; results 2 -> 60 -> 6; fraud 1 -> 50 -> 5
    # rating: .4*.9 + .3*.8 + .3*mean(.7,.9) = .84 -> 25.2.  Total 75.7 (the draft r4 is ignored)
    out = score_campaign(class_tree, class_sheets(), {"method": "mean"})
    a1 = out["a1"]
    assert a1["total"] == pytest.approx(75.7)
    assert a1["results"][0]["nodes"]["study"] == pytest.approx(80)
    assert a1["leaves"]["rating"]["by_role"] == pytest.approx(
        {"counselor": 0.9, LEAGUE: 0.8, TEACHER: 0.8})
    assert a1["results"][0]["points"] == pytest.approx(
        {"civility": 12, "academic": 12, "psych": 7.5, "sports": 8, "results": 6, "fraud": 5, "rating": 25.2})
    assert math.fsum(a1["results"][0]["points"].values()) == pytest.approx(a1["total"])
    assert len(a1["leaves"]["civility"]["marks"]) == 3


def test_class_total_by_hand_trimmed_and_median(class_tree):
    # trimmed: civility 8; academic (7,7,10) -> 7; sports (60,90,90) -> 90; teachers (70,90) -> 80
    # study = 30 * .75 = 22.5; total = 22.5 + 7.5 + 9 + 6 + 5 + 25.2 = 75.2
    assert score_campaign(class_tree, class_sheets(), {"method": "trimmed_mean"})["a1"]["total"] == \
        pytest.approx(75.2)
    # median gives the same numbers here
    assert score_campaign(class_tree, class_sheets(), {"method": "median"})["a1"]["total"] == pytest.approx(75.2)


def test_missing_scores_error_or_zero(class_tree):
    sheets = [s for s in class_sheets() if s["role"] != LEAGUE]
    with pytest.raises(ValidationFailed) as e:
        score_campaign(class_tree, sheets)
    assert LEAGUE in e.value.message_en and "'rating' (测评)" in e.value.message_en
    # zero: rating = .4*.9 + .3*0 + .3*.8 = .60 -> 18 points instead of 25.2
    out = score_campaign(class_tree, sheets, {"on_missing": "zero"})
    assert out["a1"]["total"] == pytest.approx(75.7 - 7.2)


def test_scores_are_checked_against_the_tree(class_tree):
    with pytest.raises(ValidationFailed) as e:
        marks_from_sheets(class_tree, [sheet("a1", "r1", "reviewer", {"civility": 12})])
    assert "'civility' (文明素养)" in e.value.message_en and "0 to 10" in e.value.message_en
    with pytest.raises(PermissionDenied):
        marks_from_sheets(class_tree, [sheet("a1", "c1", "counselor", {"civility": 5})])
    with pytest.raises(ValidationFailed):
        marks_from_sheets(class_tree, [sheet("a1", "r1", "reviewer", {"civility": 5}),
                                       sheet("a1", "r1", "reviewer", {"academic": 5})])


def test_category_subtree_is_chosen_by_the_applications_category(dorm_tree):
    sheets = [
        sheet("d1", "r1", "reviewer", {"theory": 8, "no_violation": True, "env": 9}),
        sheet("d2", "r1", "reviewer", {"theory": 8, "no_violation": True, "party_activity": 5}),
        sheet("d2", "facts", "imported_fact", {"party_member": True}),
    ]
    out = score_campaign(dorm_tree, sheets, categories={"d1": "环境优美型", "d2": "党员示范型"})
    assert out["d1"]["total"] == pytest.approx(90)             # 54 + 36
    assert out["d2"]["total"] == pytest.approx(54 + 40 * 0.75)  # party: (1 + .5) / 2
    # a leaf of another type's subtree is refused
    with pytest.raises(ValidationFailed) as e:
        score_campaign(dorm_tree, sheets, categories={"d1": "党员示范型", "d2": "党员示范型"})
    assert "'env' (环境优美)" in e.value.message_en


def test_two_categories_give_two_totals(dorm_tree):
    sheets = [sheet("d1", "r1", "reviewer", {"theory": 8, "no_violation": True, "env": 9, "party_activity": 5}),
              sheet("d1", "facts", "imported_fact", {"party_member": True})]
    out = score_campaign(dorm_tree, sheets, categories={"d1": ["环境优美型", "党员示范型"]})["d1"]
    assert out["total"] is None
    assert {r["category"]: r["total"] for r in out["results"]} == pytest.approx(
        {"环境优美型": 90, "党员示范型": 84})


def _marks(pairs, leaf="sports"):
    return [Mark(app, leaf, rev, "reviewer", v * 100, v, v) for rev, app, v in pairs]


def test_zscore_makes_a_strict_and_a_lenient_reviewer_comparable(class_tree):
    # A (strict) scores x .6, y .8; B (lenient) scores z .8, w 1.0.
    # campaign mean .8, sd sqrt(.02); each reviewer mean +- .1 (sd .1) -> z = -1, +1
    # -> .8 - sqrt(.02) = .658579 and .8 + sqrt(.02) = .941421 for both reviewers
    marks = _marks([("A", "x", .6), ("A", "y", .8), ("B", "z", .8), ("B", "w", 1.0)])
    out = {m.application_id: m.value for m in zscore_adjust(class_tree, marks)}
    lo, hi = .8 - math.sqrt(.02), .8 + math.sqrt(.02)
    assert out == pytest.approx({"x": lo, "y": hi, "z": lo, "w": hi})


def test_zscore_edge_cases_single_score_and_std_zero(class_tree):
    # A: x .6, y .8 (mean .7, sd .1); C: p .5, q .5 (sd 0); D: r .3 (single score)
    # campaign: mean .54, sd sqrt(.0264) = .162481
    marks = _marks([("A", "x", .6), ("A", "y", .8), ("C", "p", .5), ("C", "q", .5), ("D", "r", .3)])
    out = {m.application_id: m.value for m in zscore_adjust(class_tree, marks)}
    sd = math.sqrt(.0264)
    assert out == pytest.approx({"x": .54 - sd, "y": .54 + sd,   # z = -1, +1
                                 "p": .54, "q": .54,             # std 0 -> campaign mean
                                 "r": .3})                       # single score -> unchanged


def test_zscore_is_clipped_and_spares_facts_and_other_scales(class_tree):
    marks = _marks([("A", "x", 0.0), ("A", "y", 0.1), ("A", "v", 1.0), ("B", "z", 1.0), ("B", "w", 1.0)])
    assert all(0.0 <= m.value <= 1.0 for m in zscore_adjust(class_tree, marks))
    facts = [Mark("x", "psych", "f", "imported_fact", 1, .25, .25), Mark("y", "psych", "f", "imported_fact", 4, 1.0, 1.0)]
    assert [m.value for m in zscore_adjust(class_tree, facts)] == [.25, 1.0]


def test_zscore_policy_is_applied_campaign_wide(class_tree):
    sheets = []
    for app, (strict, lenient) in {"a1": (5, 9), "a2": (7, 10)}.items():
        sheets.append(sheet(app, "s", "reviewer", {"civility": strict, "academic": strict, "sports": 50}))
        sheets.append(sheet(app, "l", "reviewer", {"civility": lenient, "academic": lenient, "sports": 50}))
        sheets.append(sheet(app, "facts", "imported_fact", {"psych": 0, "results": 0, "fraud": 0}))
        for role in ("counselor", LEAGUE, TEACHER):
            sheets.append(sheet(app, role + app, role, {"rating": 50}))
    plain = score_campaign(class_tree, sheets)
    z = score_campaign(class_tree, sheets, {"reviewer_normalisation": "zscore"})
    # civility: campaign [.5,.9,.7,1.0] mean .775 sd .1920; each reviewer's two marks -> z = -1, +1
    sd = math.sqrt(((.5 - .775) ** 2 + (.9 - .775) ** 2 + (.7 - .775) ** 2 + (1 - .775) ** 2) / 4)
    assert z["a1"]["leaves"]["civility"]["value"] == pytest.approx(.775 - sd)
    assert z["a2"]["leaves"]["civility"]["value"] == pytest.approx(.775 + sd)
    assert plain["a1"]["leaves"]["civility"]["value"] == pytest.approx(.7)
    # sports: every reviewer gave 50 to both -> std 0 -> campaign mean .5 (unchanged here)
    assert z["a1"]["leaves"]["sports"]["value"] == pytest.approx(.5)
    assert z["a1"]["leaves"]["civility"]["marks"][0]["normalised"] == pytest.approx(.5)


def test_policy_is_validated():
    with pytest.raises(ValidationFailed) as e:
        AggregationPolicy.from_dict({"method": "max"})
    assert "aggregation.method" in e.value.message_en
    assert AggregationPolicy.from_dict(None).to_dict() == {
        "method": "mean", "reviewer_normalisation": "none", "on_missing": "error"}
