"""The program's scoring inputs: shape checks naming the application and key; no
reviewer scores an imported_fact leaf; the campaign admin; explain-my-score with a
per-category quota."""
import pytest

from core.errors import PermissionDenied, ValidationFailed
from services.scoring.access import Person
from services.scoring.domain import plugin_inputs
from core.declaration.criteria_tree import CriteriaTree
from services.scoring.domain.explain import explain
from services.scoring.domain.score_sheet import new_sheet, save_draft
from tests.unit.scoring.conftest import ROLES, CLASS_TREE
from tests.unit.scoring.test_scoring_computation import DORM_INPUTS, _dorms

E, P = "环境优美型", "党员示范型"


def test_inputs_are_put_in_one_shape_for_every_application():
    inputs, population = plugin_inputs.normalise(
        {"applications": {"a": {"category": E, "facts": {"violation": False}, "units": {"led_class_id": "c1"}},
                          "b": {"category": [E, P], "grades_eligible": ["优秀"]}, "x": {"category": E}},
         "population": 30}, ["a", "b", "c"])
    assert population == 30 and sorted(inputs) == ["a", "b", "c"]
    assert inputs["a"] == {"categories": [E], "facts": {"violation": False}, "marks": {},
                           "grades_eligible": None, "units": {"led_class_id": "c1"}}
    assert inputs["b"]["categories"] == [E, P] and inputs["b"]["grades_eligible"] == ["优秀"]
    assert inputs["c"] == plugin_inputs.empty()
    assert plugin_inputs.normalise(None, ["a"]) == ({"a": plugin_inputs.empty()}, None)
    assert plugin_inputs.is_empty({"applications": {}, "population": None}) and plugin_inputs.is_empty(None)
    assert not plugin_inputs.is_empty({"applications": {}, "population": 3})


@pytest.mark.parametrize("entry, field, words", [
    ({"catgory": E}, "scoring_inputs.applications.a", "unknown keys ['catgory']"),
    ({"category": [E, E]}, "scoring_inputs.applications.a.category", "distinct codes"),
    ({"category": 3}, "scoring_inputs.applications.a.category", "a code"),
    ({"facts": ["violation"]}, "scoring_inputs.applications.a.facts", "an object keyed by name"),
    ({"units": {"led_class_id": 7}}, "scoring_inputs.applications.a.units.led_class_id", "an id or a list"),
    ({"grades_eligible": "标兵"}, "scoring_inputs.applications.a.grades_eligible", "list of grade names"),
    ("oops", "scoring_inputs.applications.a", "expected an object"),
])
def test_a_bad_shape_names_the_application_and_key(entry, field, words):
    with pytest.raises(ValidationFailed) as e:
        plugin_inputs.normalise({"applications": {"a": entry}}, ["a"])
    assert e.value.details[0]["field"] == field and words in e.value.details[0]["message"]
    assert e.value.details[0]["message_zh"]


def test_a_bad_population_or_top_level_is_refused():
    with pytest.raises(ValidationFailed) as e:
        plugin_inputs.normalise({"population": -3}, [])
    assert e.value.details[0]["field"] == "scoring_inputs.population"
    with pytest.raises(ValidationFailed):
        plugin_inputs.normalise(["a"], [])


def test_no_reviewer_scores_an_imported_fact_leaf(dorm_tree):
    reviewer = {"id": "r1", "roles": ["reviewer"]}
    sheet = new_sheet("d1", "r1", "reviewer", dorm_tree, category=P)
    with pytest.raises(ValidationFailed) as e:
        save_draft(sheet, {"theory": 8, "party_member": True}, dorm_tree, reviewer)
    detail = e.value.details[0]
    assert detail["field"] == "scores.party_member"
    assert "'party_member' (有党员) takes its mark from the program's facts" in detail["message"]
    assert "“party_member”（有党员）" in detail["message_zh"]
    with pytest.raises(ValidationFailed) as e:
        new_sheet("d1", "r1", "imported_fact", dorm_tree, category=P)
    assert e.value.details[0]["field"] == "role"
    # Scoring a leaf of another role is still a permission matter.
    with pytest.raises(PermissionDenied):
        save_draft(new_sheet("d1", "r1", "counselor", CriteriaTree.from_dict(CLASS_TREE, ROLES)), {"civility": 5},
                   CriteriaTree.from_dict(CLASS_TREE, ROLES), {"id": "r1", "roles": ["counselor"]})


def test_the_campaign_admin_rule():
    school = {"unit_id": "school_demo", "unit_path": ["school_demo"], "level": "school"}
    college = {"unit_id": "college_me", "unit_path": ["school_demo", "college_me"], "level": "college"}
    old = {"unit_id": "college_me", "unit_path": ["school_demo", "college_me"]}   # before levels: school
    admin = Person.from_view({"id": "p_admin", "roles": [{"role": "school_admin", "unit_id": "school_demo"}]})
    college_admin = Person.from_view({"id": "p_ca", "roles": [{"role": "college_admin", "unit_id": "college_me"}]})
    other = Person.from_view({"id": "p_cb", "roles": [{"role": "college_admin", "unit_id": "college_em"}]})
    counselor = Person.from_view({"id": "p_c", "roles": [{"role": "counselor", "unit_id": "college_me"}]})
    assert admin.is_campaign_admin(school) and admin.is_campaign_admin(college)
    assert college_admin.is_campaign_admin(college)
    assert not college_admin.is_campaign_admin(school) and not college_admin.is_campaign_admin(old)
    assert not other.is_campaign_admin(college) and not counselor.is_campaign_admin(college)


def test_explain_says_where_a_dorm_was_selected_or_why_not(dorm_tree):
    out = _dorms()
    sel = out["selection"]
    d1 = explain(dorm_tree, out["scores"]["d1"], sel, [])
    assert (d1["status"], d1["category"], d1["category_rank"], d1["rank"]) == ("in", P, 1, 2)
    assert d1["cut_line"]["last_selected"]["application_id"] == "d1"
    assert [b["category"] for b in d1["breakdowns"]] == [E, P]
    d4 = explain(dorm_tree, out["scores"]["d4"], sel, [])
    assert d4["status"] == "out" and d4["category"] is None and "入选最低分 93.00" in d4["message_zh"]
    assert list(d4["cut_line"]["by_category"]) == [P]
    d6 = explain(dorm_tree, {"application_id": "d6", "results": [], "leaves": {}, "total": None}, sel,
                 out["vetoes"]["d6"], categories=[E])
    assert d6["reason"] == "vetoed" and d6["vetoes"][0]["reason_zh"] == "寝室成员本学年有违纪"


def test_everything_the_hook_returned_is_fingerprinted_and_nothing_when_it_returned_nothing():
    from types import SimpleNamespace

    from services.scoring.results import _fingerprint
    definition = SimpleNamespace(name="dorms", version="v1")
    setup = {"aggregation": {"method": "mean"}, "population": None}
    sheets = [{"_id": "c:d1:r1", "scores": {"theory": 9}}]

    def fp(raw, level=None):
        return _fingerprint(definition, setup, sheets, {}, {"d1": {}}, raw, level)
    # Programs whose hook adds nothing keep the fingerprint they had before the hook.
    assert fp(None) == fp({"applications": {}, "population": None})
    assert fp(DORM_INPUTS) != fp(None)
    changed = {"applications": dict(DORM_INPUTS["applications"], d2={"category": E, "facts": {"violation": False}})}
    # A changed fact changes it even when it changes no outcome.
    assert _dorms(inputs=changed)["selection"]["selected"] == _dorms()["selection"]["selected"]
    assert fp(changed) != fp(DORM_INPUTS) and fp(DORM_INPUTS) == fp(dict(DORM_INPUTS))
    assert fp(None, "college") != fp(None, "school") != fp(None)
