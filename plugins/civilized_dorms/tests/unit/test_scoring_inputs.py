"""The facts behind the basic conditions (scoring_inputs), worked out by hand, then
fed through the scoring domain with a reviewer's sheet to a total.

Window: the last year up to the deadline's day, 2022-10-19 <= date < 2023-10-19.
Each basic item is 10 points of the total; theory study gives 1 point per month
with a session (10 months = the whole item).
"""
import pytest

from core.errors import ValidationFailed
from plugins.civilized_dorms.program import PROGRAM
from services.scoring.domain import aggregation
from core.declaration.criteria_tree import CriteriaTree
from services.scoring.domain.vetoes import apply_veto_rules

from plugins.civilized_dorms.tests.unit.support import FakeDirectory, FakeRecords, campaign, fact, hooks, person

TREE = CriteriaTree.from_dict(PROGRAM.criteria)


def application(app_id, dorm_id, types, members):
    return {"id": app_id, "applicant_id": dorm_id, "applicant_kind": "dorm", "form": {"types": types},
            "members": members}


APPS = [
    application("app_a", "dorm_a", ["environment", "party_model"],
                [person("p1", "party_member"), person("p2"), person("p3"), person("p4")]),
    application("app_b", "dorm_b", ["learning"], [person("p5"), person("p6")]),
    application("app_c", "dorm_c", ["research"], [person("p7"), person("p8")]),
]


def dorm_fact(dorm_id, kind, day, **value):
    return fact(dorm_id, kind, day, subject_kind="dorm", **value)


FACTS = [
    # dorm_a: theory study in 2022-11, 2022-12, 2023-03 (twice) and 2023-09 -> 4 months; May's
    # record says 0 sessions; 2022-10-10 is before the window, 2023-10-20 after the deadline.
    dorm_fact("dorm_a", "theory_study", "2022-11-10", month="2022-11", sessions=2),
    dorm_fact("dorm_a", "theory_study", "2022-12-08", month="2022-12", sessions=1),
    dorm_fact("dorm_a", "theory_study", "2023-03-02", month="2023-03", sessions=1),
    dorm_fact("dorm_a", "theory_study", "2023-03-30", month="2023-03", sessions=1),
    dorm_fact("dorm_a", "theory_study", "2023-05-31", month="2023-05", sessions=0),
    dorm_fact("dorm_a", "theory_study", "2023-09-14", month="2023-09", sessions=1),
    dorm_fact("dorm_a", "theory_study", "2022-10-10", month="2022-10", sessions=1),
    dorm_fact("dorm_a", "theory_study", "2023-10-20", month="2023-10", sessions=1),
    dorm_fact("dorm_a", "dorm_monthly_rating", "2023-04-30", month="2023-04", won=False),
    dorm_fact("dorm_a", "dorm_monthly_rating", "2023-05-31", month="2023-05", won=True),
    fact("p2", "makeup_exam", "2023-09-05", course="摄影欣赏", required=False),      # elective: not counted
    fact("p3", "health_standard", "2023-06-01", met=True, score=82.0),
    # dorm_b: every basic fact item fails.
    dorm_fact("dorm_b", "dorm_monthly_rating", "2023-05-31", month="2023-05", won=False),
    dorm_fact("dorm_b", "dorm_inspection", "2023-05-12", violation="high_power_appliance", description="热得快"),
    fact("p5", "makeup_exam", "2023-09-05", course="高等数学", required=True),
    fact("p6", "health_standard", "2023-06-01", met=False, score=55.0),
    # dorm_c: a late return, fees owed, an inspection before the window (not counted).
    dorm_fact("dorm_c", "dorm_inspection", "2023-03-03", violation="late_return"),
    dorm_fact("dorm_c", "dorm_inspection", "2022-10-14", violation="high_power_appliance"),
    dorm_fact("dorm_c", "dorm_monthly_rating", "2022-11-30", month="2022-11", won=1),   # 1 as the store returns it
    fact("p7", "fee_arrears", "2023-09-20", amount_fen=120000, item="住宿费"),
]


def inputs(camp=None, apps=APPS, records=None, directory=None):
    records = records or FakeRecords(FACTS)
    return hooks(records, directory).scoring_inputs({"campaign": camp or campaign(), "applications": apps}), records


def test_marks_categories_and_facts_worked_by_hand():
    out, records = inputs()
    assert out["population"] is None
    assert out["applications"] == {
        "app_a": {"category": ["environment", "party_model"],
                  "marks": {"theory_study": 4, "no_makeup_exam": True, "no_violation": True,
                            "health_and_fees": True, "monthly_rating": True},
                  "facts": {"inspection_veto": False}},
        "app_b": {"category": ["learning"],
                  "marks": {"theory_study": 0, "no_makeup_exam": False, "no_violation": False,
                            "health_and_fees": False, "monthly_rating": False},
                  "facts": {"inspection_veto": False}},
        "app_c": {"category": ["research"],
                  "marks": {"theory_study": 0, "no_makeup_exam": True, "no_violation": False,
                            "health_and_fees": False, "monthly_rating": True},
                  "facts": {"inspection_veto": False}},
    }
    # One question to the records service for every dorm and member, in the window.
    assert len(records.calls) == 1
    _, subjects, kinds, window = records.calls[0]
    assert subjects == sorted(["dorm_a", "dorm_b", "dorm_c", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"])
    assert set(kinds) == {"theory_study", "dorm_monthly_rating", "dorm_inspection", "makeup_exam",
                          "health_standard", "fee_arrears"}
    assert window == {"last_years": 1, "until": "2023-10-19"}


def test_a_campaign_that_vetoes_high_power_appliances_vetoes_dorm_b_only():
    out, _ = inputs(campaign(inspection_veto_violations=["high_power_appliance"]))
    vetoing = {aid: e["facts"]["inspection_veto"] for aid, e in out["applications"].items()}
    # dorm_c's appliance was found on 2022-10-14, before the window; its late return is not listed.
    assert vetoing == {"app_a": False, "app_b": True, "app_c": False}
    rules = PROGRAM.scoring["veto_rules"]
    vetoes = apply_veto_rules(rules, {"application_id": "app_b"}, facts=out["applications"]["app_b"]["facts"])
    assert [v.rule_id for v in vetoes] == ["inspection_veto"] and "一票否决" in vetoes[0].reason_zh
    assert apply_veto_rules(rules, {"application_id": "app_a"}, facts=out["applications"]["app_a"]["facts"]) == []


def test_the_window_follows_the_setting():
    # Two years: dorm_c's old appliance now counts as a violation, the rating of 2022-11 still does.
    out, records = inputs(campaign(fact_window_years=2, inspection_veto_violations=["high_power_appliance"]))
    assert records.calls[0][3] == {"last_years": 2, "until": "2023-10-19"}
    assert out["applications"]["app_c"]["facts"] == {"inspection_veto": True}
    assert out["applications"]["app_a"]["marks"]["theory_study"] == 5           # 2022-10 joins


def test_totals_through_the_scoring_domain():
    """dorm_a in 环境优美型 with a reviewer's marks convention 8, env items 9, 6, 3:
    basic = theory 4 + makeup 10 + convention 8 + violation 10 + health/fees 10 + rating 10 = 52;
    type  = (9 + 6 + 3) / 30 x 40 = 24; total 76.
    In 党员示范型 with party items 7 and 5: type = (7 + 5) / 20 x 40 = 24; total 76 too.
    dorm_b in 求真学问型, convention 10, learning items 10, 10, 10, 10: basic = 0+0+10+0+0+0 = 10,
    type 40, total 50."""
    out, _ = inputs()
    sheets = [
        {"application_id": "app_a", "reviewer_id": "r1", "role": "reviewer", "state": "submitted",
         "scores": {"convention": 8, "env_beautification": 9, "env_culture": 6, "env_aesthetics": 3,
                    "party_building_activities": 7, "party_model_posts": 5}},
        {"application_id": "app_b", "reviewer_id": "r1", "role": "reviewer", "state": "submitted",
         "scores": {"convention": 10, "learn_activities": 10, "learn_results": 10, "learn_clubs": 10,
                    "learn_wednesday_class": 10}},
    ]
    entries = out["applications"]
    cats = {aid: entries[aid]["category"] for aid in ("app_a", "app_b")}
    scores = aggregation.score_campaign(TREE, sheets, {"method": "mean"}, categories=cats,
                                        imported={aid: entries[aid]["marks"] for aid in cats})
    totals = {aid: {r["category"]: r["total"] for r in s["results"]} for aid, s in scores.items()}
    assert totals["app_a"] == {"environment": pytest.approx(76.0), "party_model": pytest.approx(76.0)}
    assert totals["app_b"] == {"learning": pytest.approx(50.0)}
    assert scores["app_a"]["results"][0]["nodes"]["basic"] == pytest.approx(52 / 60 * 100)


def test_without_members_the_marks_about_members_are_left_out():
    """app_b's member facts would fail both member items; without its members neither
    is given (never counted clean), and the scoring domain then refuses to score it,
    naming the leaf. Its categories still come, so its reviewer can open a sheet."""
    apps = [APPS[0], {k: v for k, v in APPS[1].items() if k != "members"}]
    out, records = inputs(apps=apps)
    entry = out["applications"]["app_b"]
    assert entry["category"] == ["learning"]
    assert entry["marks"] == {"theory_study": 0, "no_violation": False, "monthly_rating": False}
    assert "p5" not in records.calls[0][1] and "p1" in records.calls[0][1]
    sheet = {"application_id": "app_b", "reviewer_id": "r1", "role": "reviewer", "state": "submitted",
             "scores": {"convention": 10, "learn_activities": 10, "learn_results": 10, "learn_clubs": 10,
                        "learn_wednesday_class": 10}}
    with pytest.raises(ValidationFailed) as caught:
        aggregation.score_campaign(TREE, [sheet], {"method": "mean"}, categories={"app_b": ["learning"]},
                                   imported={"app_b": entry["marks"]})
    assert caught.value.details[0]["field"] == "scores.no_makeup_exam"


def test_members_from_the_directory_in_one_call_when_the_views_lack_them():
    """The scoring service passes plain application views: the hook asks the directory
    once for every dorm and gets the same marks as with the members given."""
    people = [dict(m, dorm_id=a["applicant_id"]) for a in APPS for m in a["members"]]
    bare = [{k: v for k, v in a.items() if k != "members"} for a in APPS]
    directory = FakeDirectory(people + [person("p99", dorm_id="dorm_z")])
    out, records = inputs(apps=bare, directory=directory)
    assert out == inputs()[0]
    assert directory.calls == [("members", ["dorm_a", "dorm_b", "dorm_c"])]
    assert "p99" not in records.calls[0][1]
    # Given on the views, the directory is not asked.
    directory = FakeDirectory(people)
    inputs(directory=directory)
    assert directory.calls == []


def test_members_may_come_on_the_applicant():
    app = {k: v for k, v in APPS[1].items() if k != "members"}
    app["applicant"] = {"_id": "dorm_b", "members": APPS[1]["members"]}
    out, _ = inputs(apps=[app])
    assert out["applications"]["app_b"]["marks"]["no_makeup_exam"] is False


def test_no_applications_asks_nothing():
    out, records = inputs(apps=[])
    assert out == {"applications": {}, "population": None} and records.calls == []
