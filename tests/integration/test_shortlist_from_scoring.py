"""scoring.results_published becomes the shortlist and each application's result,
once per round however often the event is delivered."""
import eventlet
from nameko.standalone.events import event_dispatcher

from core.envelope import make_event
from tests.integration.helpers import campaign_payload, good_form


def _results(campaign_id, round_, selected, rest):
    return make_event("scoring.results_published", {
        "campaign_id": campaign_id, "round": round_, "program": "pilot_branches",
        "selected": selected, "rest": rest, "cut_line": {"last_selected": None, "first_not_selected": None},
    }, "scoring", actor={"id": "p_admin", "name": "管理员"}, event_id=f"scoring.results_published:{campaign_id}:{round_}")


def _wait(predicate):
    for _ in range(100):
        if predicate():
            return True
        eventlet.sleep(0.1)
    return False


def test_results_become_the_shortlist_once_per_round(rpc, http, config, mongo):
    campaign = rpc.applications.open_campaign("p_admin", campaign_payload())
    first = rpc.applications.create_application("p_2023010101", campaign["id"], {"form": good_form()})
    second = rpc.applications.create_application("p_2023020101", campaign["id"], {"form": good_form()})
    dispatch = event_dispatcher(config)
    round_one = _results(campaign["id"], 1,
                         [{"application_id": first["id"], "grade": "key", "grade_name_zh": "重点", "rank": 1,
                           "total": 88.5}],
                         [{"application_id": second["id"], "reason": "below_min_score", "rank": 2, "total": 55.0,
                           "message_zh": "未达到最低分"}])
    for _ in range(3):  # redelivered
        dispatch("scoring", "scoring.results_published", round_one)
    apps = mongo("applications").applications
    assert _wait(lambda: (apps.find_one({"_id": second["id"]}) or {}).get("review_result"))
    assert mongo("applications").shortlists.count_documents({"campaign_id": campaign["id"]}) == 1
    result = rpc.applications.get_application("p_2023010101", first["id"])["review_result"]
    assert result == {"round": 1, "outcome": "selected", "grade": "key", "grade_name_zh": "重点", "rank": 1,
                      "total": 88.5}

    listed = http.as_("admin", "GET", f"/api/campaigns/{campaign['id']}/shortlist")
    assert listed.status_code == 200 and listed.json["round"] == 1
    assert [s["application_id"] for s in listed.json["selected"]] == [first["id"]]
    assert http.as_("counselor_me", "GET", f"/api/campaigns/{campaign['id']}/shortlist").status_code == 403

    # Round 2 supersedes; a late copy of round 1 changes nothing.
    round_two = _results(campaign["id"], 2, [{"application_id": second["id"], "grade": "general", "rank": 1,
                                               "total": 61.0}],
                         [{"application_id": first["id"], "reason": "vetoed", "rank": None, "total": 88.5}])
    dispatch("scoring", "scoring.results_published", round_two)
    assert _wait(lambda: apps.find_one({"_id": first["id"]})["review_result"]["round"] == 2)
    dispatch("scoring", "scoring.results_published", round_one)
    eventlet.sleep(1)
    assert apps.find_one({"_id": first["id"]})["review_result"]["outcome"] == "not_selected"
    assert http.as_("admin", "GET", f"/api/campaigns/{campaign['id']}/shortlist").json["round"] == 2


def test_a_school_s_shortlist_is_there_only_once_every_result_is(config, platform, mongo):
    """1,500 applications: when the shortlist appears (what a notice is made from, and
    then the final list) every application already has its result of the round."""
    apps, shortlists = mongo("applications").applications, mongo("applications").shortlists
    cid = "cmp_many_results"
    apps.insert_many([{"_id": f"app_many_{n:04d}", "campaign_id": cid, "applicant_id": f"unit_{n}",
                       "state": "college_approved", "version": 3} for n in range(1500)])
    rest = [{"application_id": f"app_many_{n:04d}", "reason": "below_cut_line", "rank": n + 2, "total": 50.0}
            for n in range(1, 1500)]
    event_dispatcher(config)("scoring", "scoring.results_published", _results(cid, 1, [
        {"application_id": "app_many_0000", "grade": "key", "rank": 1, "total": 90.0}], rest))
    for _ in range(600):
        if shortlists.count_documents({"campaign_id": cid}):
            break
        eventlet.sleep(0.05)
    assert apps.count_documents({"campaign_id": cid, "review_round": 1}) == 1500
    assert apps.find_one({"_id": "app_many_0000"})["review_result"]["outcome"] == "selected"
    assert {a["version"] for a in apps.find({"campaign_id": cid})} == {4}
