"""A campaign pinned to a program version from before the program declared a rater
role still names the role's former platform key; its grants were moved to the
namespaced key at registration, so the holders of the new key score as the old one
(services/scoring/programs.py: holder_roles). The scoring store on the real Mongo
server, no services needed."""
import copy
from datetime import datetime, timezone

from plugins.pilot_branches.program import PROGRAM as PILOT
from services.scoring import programs
from services.scoring.access import Person
from services.scoring.store import ScoringStore

TUTOR = {"key": "tutor", "label_zh": "导师（测评）", "label_en": "Tutor (rating)", "scopes": ["college"],
         "granted_by": "college_admin", "formerly": "tutor_rating"}


def _first_leaf(node):
    return node if "scale" in node else _first_leaf(node["children"][0])


def _person(*roles):
    return Person("p1", "甲", tuple((r, "college_me") for r in roles), {})


def test_holders_of_the_new_key_score_a_campaign_pinned_to_the_old_key(config, mongo):
    store = ScoringStore(mongo("scoring"), config)
    now = datetime.now(timezone.utc)
    declaration = copy.deepcopy(PILOT.declaration())
    declaration.update(name="rater_demo", version="v1", rater_roles=[TUTOR])
    _first_leaf(declaration["criteria"])["scorer_role"] = "rater_demo:tutor"
    newest = programs.definition_from_declaration(declaration)
    assert newest["rater_roles"] == [TUTOR]
    # the version a running campaign pinned, stored when the platform had the role as tutor_rating
    old = dict(copy.deepcopy(newest), version="v0", rater_roles=[])
    _first_leaf(old["criteria"])["scorer_role"] = "tutor_rating"
    store.db.programs.insert_one({"_id": "rater_demo@v0", "registered_at": now, **old})
    store.register_program(newest, now)

    pinned = programs.load(store, "rater_demo", "v0")      # loads with the roles it was registered with
    assert "tutor_rating" in {r for leaf in pinned.tree.leaves() for r in leaf.scorer_roles()}
    assert programs.holder_roles(store, "rater_demo", "tutor_rating") == ("tutor_rating", "rater_demo:tutor")
    assert programs.holder_roles(store, "rater_demo", "reviewer") == ("reviewer",)
    assert programs.holder_roles(store, "no_such_program", "tutor_rating") == ("tutor_rating",)
    assert _person("rater_demo:tutor").may_score_as(*programs.holder_roles(store, "rater_demo", "tutor_rating"))
    assert not _person("counselor").may_score_as(*programs.holder_roles(store, "rater_demo", "tutor_rating"))
