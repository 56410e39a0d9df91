"""The applications store's guards, directly against the Mongo wire server: a change
cannot overwrite an outbox that is not out yet, and only one finisher claims it."""
import time
from datetime import datetime, timezone

import pytest

from services.applications.store import ApplicationsStore


@pytest.fixture
def store(config, mongo):
    repo = ApplicationsStore(mongo("applications"), config)
    repo.ensure_indexes()
    return repo


def _app(app_id, outbox=None):
    return {"_id": app_id, "campaign_id": "c", "applicant_id": app_id, "state": "draft", "version": 1,
            "outbox": outbox, "outbox_ts": datetime.now(timezone.utc).timestamp() if outbox else None}


def test_a_change_waits_for_the_previous_outbox(store):
    box = {"audit": {"_id": "a1:000001"}, "event": None}
    store.db.applications.insert_one(_app("a1", box))
    now = datetime.now(timezone.utc)
    assert store.apply_change(store.get_application("a1"), {"state": "submitted"}, box, now) is None
    store.outboxes.clear("applications", "a1", box)
    changed = store.apply_change(store.get_application("a1"), {"state": "submitted"}, box, now)
    assert changed["state"] == "submitted" and changed["version"] == 2


def test_one_finisher_claims_an_outbox_and_only_its_own_application(store):
    store.db.applications.insert_one(_app("a1", {"audit": {"_id": "a1:000001"}, "event": None}))
    store.db.applications.insert_one(_app("a2", {"audit": {"_id": "a2:000001"}, "event": None}))
    now, box = time.time(), {"audit": {"_id": "a2:000001"}, "event": None}
    claim = store.outboxes.claim
    assert claim("applications", "a2", box, now, 30) is True
    assert claim("applications", "a2", box, now, 30) is False      # held
    assert store.get_application("a1").get("outbox_claim_ts") is None     # the other one untouched
    assert claim("applications", "a2", box, now + 31, 30) is True   # a dead holder's lease expires
    store.outboxes.release("applications", "a2", box)                  # publishing failed: free at once
    assert claim("applications", "a2", box, now + 32, 30) is True
    assert claim("applications", "a2", {"audit": {"_id": "a2:000009"}}, now + 99, 30) is False  # not its outbox


def test_a_campaign_carries_its_final_list_mark_also_when_the_list_came_first(store):
    """Campaigns whose final list was stored before campaigns carried the mark get it
    when the service starts (ensure_indexes); the mark moves the version once."""
    from services.applications.workflow import campaign_of
    store.db.campaigns.insert_many([{"_id": "c_old", "version": 3}, {"_id": "c_open", "version": 1},
                                    {"_id": "c_new", "version": 1}])
    store.db.final_lists.insert_one({"_id": "c_old", "entries": []})
    assert campaign_of(store, "c_old")["final_listed"] is False   # as stored before
    store.ensure_indexes()
    store.ensure_indexes()
    assert campaign_of(store, "c_old")["final_listed"] is True and store.get_campaign("c_old")["version"] == 4
    assert campaign_of(store, "c_open")["final_listed"] is False and store.get_campaign("c_open")["version"] == 1
    store.mark_final_listed("c_new")
    store.mark_final_listed("c_new")
    assert campaign_of(store, "c_new")["final_listed"] is True and store.get_campaign("c_new")["version"] == 2


def _person(pid, *keys):
    roles = [{"role": k.split("@")[0], "unit_id": k.split("@")[1]} for k in keys]
    return {"_id": pid, "login": pid, "name": pid, "roles": roles, "role_keys": list(keys)}


def test_people_holding_a_role_are_found_by_index_and_follow_every_write(store):
    """people_holding reads role_holders by _id (no scan of the people); every way a
    record is written keeps it a superset of the records' keys; people stored
    before it existed are indexed once at start."""
    store.db.people.insert_many([_person("p_old", "dorm_leader@d1"), _person("p_other", "student@c1")])
    store.db.role_holders.delete_many({})   # as stored before role_holders existed
    store.ensure_indexes()
    assert [p["_id"] for p in store.people_holding(["dorm_leader@d1"])] == ["p_old"]
    store.upsert_person(_person("p_new", "dorm_leader@d1", "student@c1"))
    store.replace_people([_person("p_old", "student@c1"), _person("p_bulk", "counselor@college_me")])
    assert [p["_id"] for p in store.people_holding(["dorm_leader@d1"])] == ["p_new"]
    assert [p["_id"] for p in store.people_holding(["student@c1", "counselor@college_me"])] == \
        ["p_bulk", "p_new", "p_old", "p_other"]
    # a grant and a revoke (conditional replaces on roles_version)
    person = store.get_person("p_old")
    store.replace_roles(person, [{"role": "dorm_leader", "unit_id": "d2"}], {"action": "grant"},
                        datetime.now(timezone.utc))
    assert [p["_id"] for p in store.people_holding(["dorm_leader@d2"])] == ["p_old"]
    assert "p_old" not in [p["_id"] for p in store.people_holding(["student@c1"])]
    # a stale read loses the race: nothing changes, the index still has what the record has
    assert store.replace_roles(person, [], {"action": "revoke"}, datetime.now(timezone.utc)) is None
    assert [p["_id"] for p in store.people_holding(["dorm_leader@d2"])] == ["p_old"]
    # an extra id left by a crash between the index and the record is not a holder
    store.role_holders.hold([("p_other", {"dorm_leader@d2"})])
    assert [p["_id"] for p in store.people_holding(["dorm_leader@d2"])] == ["p_old"]
    explained = store.db.role_holders.find({"_id": {"$in": ["dorm_leader@d2"]}}).explain()
    assert "SCAN role_holders" not in str(explained.get("queryPlanner", explained)), explained


def test_which_campaigns_have_published_results(store):
    """The campaigns with a published round among those asked, whatever the number of
    rounds, rounds as large as a school's (each holds every application's result)."""
    rest = [{"application_id": f"app_{i:05d}", "status": "out", "reason": "below_cut_line"} for i in range(3000)]
    for campaign_id, round_ in (("c_two_rounds", 1), ("c_two_rounds", 2), ("c_one_round", 1), ("c_not_asked", 1)):
        assert store.insert_shortlist({"_id": f"{campaign_id}:{round_}", "campaign_id": campaign_id, "round": round_,
                                       "selected": [], "rest": rest})
    assert not store.insert_shortlist({"_id": "c_one_round:1", "campaign_id": "c_one_round", "round": 1,
                                       "selected": [], "rest": []})      # redelivered: stored once
    asked = ["c_two_rounds", "c_one_round", "c_no_results"]
    assert store.campaigns_with_results(asked) == {"c_two_rounds", "c_one_round"}
    assert store.campaigns_with_results(["c_no_results"]) == set()
    assert store.campaigns_with_results([]) == set()
    # read by _id from the marks, never from the rounds
    explained = store.db.published_results.find({"_id": {"$in": asked}}).explain()
    assert "SCAN" not in str(explained.get("queryPlanner", explained)), explained


def test_rounds_stored_before_the_marks_are_marked_at_start(store):
    """A database from before the marks: the first start marks every campaign with
    a round, once; a campaign's later round marks it as it is stored."""
    for campaign_id in ("c_old_a", "c_old_b"):
        store.db.shortlists.insert_one({"_id": f"{campaign_id}:1", "campaign_id": campaign_id, "round": 1})
    assert store.campaigns_with_results(["c_old_a", "c_old_b"]) == set()
    store.ensure_indexes()
    assert store.campaigns_with_results(["c_old_a", "c_old_b", "c_none"]) == {"c_old_a", "c_old_b"}
    store.db.shortlists.insert_one({"_id": "c_old_c:1", "campaign_id": "c_old_c", "round": 1})
    store.ensure_indexes()                                # marked already: not looked for again
    assert store.campaigns_with_results(["c_old_c"]) == set()


def test_a_campaigns_applications_by_id_are_only_its_own_in_the_states_asked(store):
    """Read by _id alone (nx-27017 would read the whole campaign otherwise), the
    campaign and the states still decide: another campaign's application and one in
    another state are left out, whatever ids are asked."""
    docs = [dict(_app("a1"), campaign_id="c1", state="college_approved"),
            dict(_app("a2"), campaign_id="c1", state="draft"),
            dict(_app("b1"), campaign_id="c2", state="college_approved")]
    store.db.applications.insert_many(docs)
    assert [d["_id"] for d in store.campaign_applications("c1", ids=["b1", "a2", "a1", "zz"])] == ["a1", "a2"]
    assert [d["_id"] for d in store.campaign_applications("c1", ["college_approved"], ["a1", "a2", "b1"])] == ["a1"]
    assert store.campaign_applications("c1", ids=[]) == []
    assert [d["_id"] for d in store.campaign_applications("c1")] == ["a1", "a2"]
