"""The titles a winner receives (award_titles) and the declaration the shared services
register: criteria shares, the per-category plan, the policy."""
import pytest

from core.errors import ValidationFailed
from plugins.civilized_dorms.dorm_types import TYPE_CODES
from plugins.civilized_dorms.program import PROGRAM
from services.scoring.domain import quota
from services.scoring.domain.category_quota import select_per_category
from services.scoring.programs import Definition, definition_from_declaration

from plugins.civilized_dorms.tests.unit.support import FakeDirectory, FakeRecords, campaign, fact, hooks, person

ENTRY = {"grade": None, "grade_name_zh": None, "category": "party_model", "category_name_zh": "党员示范型寝室",
         "rank": 3, "total": 88.5}


def titles(members, camp=None, records=None, where="applicant"):
    context = {"campaign": camp or campaign(), "application": {"id": "app_a", "applicant_id": "dorm_a"},
               "entry": ENTRY}
    if where == "applicant":
        context["applicant"] = {"_id": "dorm_a", "members": members}
    elif where == "application":
        context["application"]["members"] = members
    return hooks(records).award_titles(context)


def test_the_type_title_alone_without_a_veteran():
    assert titles([person("p1", "party_member"), person("p2")]) == [
        {"code": "party_model", "title": "文明寝室（党员示范型）", "title_en": "Civilized dorm (Party-member model)",
         "level": "college", "category": "party_model"}]


def test_a_veteran_member_adds_the_veteran_title_on_top():
    got = titles([person("p1", "party_member"), person("p2", veteran=1)], where="application")   # 1: as stored
    assert [t["code"] for t in got] == ["party_model", "veteran"]
    assert got[1] == {"code": "veteran", "title": "退伍军人寝室", "title_en": "Veteran dorm", "level": "college",
                      "category": "veteran"}


def test_a_campaign_may_require_the_veterans_hongyan_activities():
    """Three activities in 2023-2024 are needed: 2 + one recorded as 1 session = 3; the
    one of 2023-08-30 belongs to 2022-2023 and does not count."""
    camp = campaign(veteran_title_min_activities=3)
    members = [person("p1", "party_member"), person("p2", veteran=True)]
    two = [fact("p2", "veteran_activity", "2023-11-11", name="红岩精神宣讲", sessions=2),
           fact("p2", "veteran_activity", "2023-08-30", name="国防教育")]
    assert [t["code"] for t in titles(members, camp, FakeRecords(two))] == ["party_model"]
    three = two + [fact("p2", "veteran_activity", "2024-03-05", name="红岩特色团日")]
    records = FakeRecords(three)
    assert [t["code"] for t in titles(members, camp, records)] == ["party_model", "veteran"]
    assert records.calls == [("facts", ["p2"], ["veteran_activity"], {"academic_year": "2023-2024"})]


def test_members_from_the_directory_when_the_context_lacks_them():
    """The awards context carries the application, not its people: the directory
    gives them (the dorm of the application's applicant)."""
    directory = FakeDirectory([person("p1", "party_member"), person("p2", veteran=True),
                               person("p9", veteran=True, dorm_id="dorm_b")])
    context = {"campaign": campaign(), "application": {"id": "app_a", "applicant_id": "dorm_a"}, "entry": ENTRY}
    assert [t["code"] for t in hooks(directory=directory).award_titles(context)] == ["party_model", "veteran"]
    assert directory.calls == [("members", ["dorm_a"])]
    directory.people = directory.people[:1] + directory.people[2:]          # dorm_a without its veteran
    assert [t["code"] for t in hooks(directory=directory).award_titles(context)] == ["party_model"]


def test_without_members_the_veteran_title_is_not_guessed():
    with pytest.raises(ValidationFailed) as caught:
        hooks().award_titles({"campaign": campaign(), "application": {"id": "app_a"}, "entry": ENTRY})
    assert caught.value.details[0]["field"] == "members" and "退伍军人寝室" in caught.value.details[0]["message_zh"]


def test_the_declaration_registers_with_the_scoring_domain():
    definition = Definition.from_doc(definition_from_declaration(PROGRAM.declaration()))
    view = definition.criteria_view()
    shares = view["leaf_shares_by_category"]
    assert set(shares) == set(TYPE_CODES)
    for code, leaf_shares in shares.items():
        assert sum(leaf_shares.values()) == pytest.approx(100.0)
        basic = {k: v for k, v in leaf_shares.items() if k in (
            "theory_study", "no_makeup_exam", "convention", "no_violation", "health_and_fees", "monthly_rating")}
        assert basic == {k: pytest.approx(10.0) for k in basic} and len(basic) == 6, code
    assert shares["environment"]["env_culture"] == pytest.approx(40 / 3)
    assert shares["learning"]["learn_clubs"] == pytest.approx(10.0)
    assert shares["party_model"]["party_model_posts"] == pytest.approx(20.0)
    assert definition.policy["tie_breaks"] == [{"indicator": "basic", "order": "desc"},
                                               {"field": "first_submitted_at", "order": "asc"}]
    assert quota.parse_quota_rules(PROGRAM.quota_rules)["count"]["total"] == 100
    assert PROGRAM.declaration()["settings"]["notice_days"] == 5


def test_the_plan_binds_each_type_between_15_and_25():
    """40 环境优美型 dorms score 99..60 and 40 求真学问型 dorms 98..59; the other three
    types have 20 dorms each scoring 20..1. Both ranges bind: the strong types stop at
    25 (环境优美型's 26th, at 74, stays out although it beats every weak dorm), and each
    weak type gets at least 15 (down to a score of 6). 25 + 25 + 3 x 15 = 95 < 100, so
    the 5 best weak dorms left take the last seats: the three 16th ones (score 5) and
    two 17th ones (score 4) -> 17 + 17 + 16 = 50, total 100."""
    candidates = []
    for code in TYPE_CODES:
        n, top = {"environment": (40, 99), "learning": (40, 98)}.get(code, (20, 20))
        for i in range(n):
            candidates.append({"application_id": f"{code}-{i:02d}", "total": top - i, "scores": {code: top - i},
                               "nodes": {}, "fields": {}, "units": {}})
    selection = select_per_category(candidates, PROGRAM.quota_rules[0])
    counts = selection["counts"]
    assert counts["environment"] == 25 and counts["learning"] == 25 and sum(counts.values()) == 100
    weak = sorted(counts[c] for c in ("party_model", "knowledge_action", "research"))
    assert weak == [16, 17, 17]
    assert selection["cut_lines"]["environment"]["first_not_selected"]["total"] == 74
