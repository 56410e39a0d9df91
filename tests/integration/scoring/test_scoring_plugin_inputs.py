"""A program's scoring inputs through the real gateway, services, RabbitMQ and Mongo
server: a college-level dorm campaign of the test-only program in plugin_program.py
(type subtrees, an imported fact leaf, a fact veto, the optimal per-category quota),
run by the college's admin; a changed fact changes the inputs fingerprint.

Hand-worked scores (one reviewer; basic part 60 = 30·theory/10 + 30·no_violation,
type part 40; 党员示范型 = 20·party_member + 20·activity/10):

    t1 types [E, P]: theory 9, ok, env 9.5, activity 8, party member  -> E 57+38 = 95, P 57+36 = 93
    t2 [E]: theory 10, ok, env 10                                     -> 100
    t3 [E]: theory 8, ok, env 9                                       -> 54+36 = 90
    t4 [P]: theory 7, ok, activity 6, no party member                 -> 51+0+12 = 63
    t5 [P]: theory 5, violation marked, activity 5, party member      -> 15+20+10 = 45 (< 60)
    t6 [E]: vetoed by its facts (a member disciplined): needs no score

Quota (college level): 环境优美型 1-2, 党员示范型 1-2, 3 in all, at least 60. Greedy by
best score would put t1 in 环境优美型 and leave t3 out (100 + 95 + 63 = 258); the
optimum puts t1 in 党员示范型: 100 + 90 + 93 = 283.
"""
import pytest

from tests.integration.helpers import campaign_payload
from tests.integration.helpers import as_job, current_results
from tests.integration.helpers import close_applications
from tests.integration.scoring import plugin_program as dorms
from tests.integration.scoring import world

E, P = dorms.E, dorms.P
MARKS = {
    "t1": {"theory": 9, "no_violation": True, "env": 9.5, "party_activity": 8},
    "t2": {"theory": 10, "no_violation": True, "env": 10},
    "t3": {"theory": 8, "no_violation": True, "env": 9},
    "t4": {"theory": 7, "no_violation": True, "party_activity": 6},
    "t5": {"theory": 5, "no_violation": False, "party_activity": 5},
}
TYPES = {"t1": [E, P], "t2": [E], "t3": [E], "t4": [P], "t5": [P], "t6": [E]}
ADMIN = "college_admin_me"


@pytest.fixture
def config(config, monkeypatch):
    import core.programs
    installed = core.programs.installed_programs()
    monkeypatch.setattr(core.programs, "installed_programs", lambda: {**installed, dorms.NAME: dorms.EntryPoint()})
    config["PROGRAMS"] = ["pilot_branches", dorms.NAME]
    dorms.FACTS.clear()
    dorms.FACTS.update({"dorm_t6": {"violation": True}, "dorm_t2": {"violation": False}})
    dorms.PARTY_MEMBERS.clear()
    dorms.PARTY_MEMBERS.update({"dorm_t1": True, "dorm_t5": True})
    return config


@pytest.fixture
def extra_services():
    from core.program_service import make_program_service
    from services.scoring.service import ScoringService
    return [ScoringService, make_program_service(dorms.PROGRAM)]


@pytest.fixture
def scoring(rpc):
    import eventlet

    from core.errors import NotFound
    for _ in range(150):
        try:
            rpc.scoring.get_criteria(dorms.NAME)
            if any(p["id"] == dorms.NAME for p in rpc.applications.list_programs()):
                break
        except NotFound:
            pass
        eventlet.sleep(0.1)
    else:
        raise AssertionError(f"{dorms.NAME} never registered")
    rpc.applications.seed_directory(*dorms.directory())
    return rpc


def _url(cid, tail=""):
    return f"/api/scoring/campaigns/{cid}{tail}"


def _open_round(rpc):
    campaign = rpc.applications.open_campaign("p_admin", campaign_payload(program=dorms.NAME, unit_id="college_me",
                                                                          title="2026 学院文明寝室评选"))
    apps = {}
    for d in dorms.DORMS:
        app = rpc.applications.create_application(f"p_l{d}", campaign["id"],
                                                  {"form": {"types": TYPES[d], "motto": f"寝室 {d}"}})
        rpc.applications.act(f"p_l{d}", app["id"], {"action": "submit"})
        apps[d] = rpc.applications.act("p_counselor_me", app["id"], {"action": "college_approve"})["id"]
    return campaign, apps


def test_a_college_dorm_round_with_the_programs_inputs(scoring, http, config):
    tap = world.EventTap(config["AMQP_URI"])
    campaign, ids = _open_round(scoring)
    cid = campaign["id"]
    assert campaign["level"] == "college"
    name = {v: k for k, v in ids.items()}

    # -- the college's admin runs scoring; a counselor may not -------------------------
    setup = http.as_(ADMIN, "PUT", _url(cid, "/setup"), json={"reviewers_per_application": 1})
    assert setup.status_code == 200, setup.json
    assert http.as_("counselor_me", "PUT", _url(cid, "/setup"), json={"blind_review": True}).status_code == 403
    nobody = http.as_(ADMIN, "POST", _url(cid, "/assignments"),
                      json={"application_id": ids["t4"], "reviewer_id": "p_rv1", "role": "imported_fact"})
    assert nobody.status_code == 422 and nobody.json["field"] == "role"
    for d in dorms.DORMS:
        made = http.as_(ADMIN, "POST", _url(cid, "/assignments"), json={"application_id": ids[d], "reviewer_id": "p_rv1"})
        assert made.status_code == 201, made.json

    # -- the reviewer scores each dorm in its types, never the imported leaf ------------
    seen = http.as_("rv1", "GET", _url(cid, f"/applications/{ids['t1']}")).json
    assert [i["id"] for i in seen["indicators"]] == ["theory", "no_violation", "env", "party_activity"]
    sheet = _url(cid, f"/applications/{ids['t4']}/sheet")
    refused = http.as_("rv1", "PUT", sheet, json={"scores": {"theory": 7, "party_member": True}})
    assert refused.status_code == 422 and refused.json["field"] == "scores.party_member"
    assert "party_member" in refused.json["message"] and "有党员" in refused.json["message_zh"]
    assert http.as_("rv1", "GET", sheet).json["version"] == 0
    wrong_type = http.as_("rv1", "PUT", _url(cid, f"/applications/{ids['t2']}/sheet"),
                          json={"scores": {"party_activity": 5}})
    assert wrong_type.status_code == 422 and wrong_type.json["field"] == "scores.party_activity"
    for d, marks in MARKS.items():
        done = http.as_("rv1", "POST", _url(cid, f"/applications/{ids[d]}/sheet/submit"), json={"scores": marks})
        assert done.status_code == 200 and done.json["state"] == "submitted", done.json
        assert done.json["category"] == (TYPES[d] if len(TYPES[d]) > 1 else TYPES[d][0])
    # t6's sheet stays a draft: its facts veto it, so no one needs to score it.

    # -- results: the hook is asked once per computation -------------------------------
    calls = len(dorms.CALLS)
    assert as_job(http, "counselor_me", "POST", _url(cid, "/results/publish"), json={}).status_code == 403
    # Not while applications are open (a late one would never be ranked): refused at once, nothing computed.
    still_open = http.as_(ADMIN, "POST", _url(cid, "/results/publish"), json={})
    assert still_open.status_code == 409 and still_open.json["field"] == "application_closes_at"
    assert "申报尚未截止" in still_open.json["message_zh"] and "still open" in still_open.json["message"]
    assert len(dorms.CALLS) == calls
    close_applications(http, ADMIN, cid)
    published = as_job(http, ADMIN, "POST", _url(cid, "/results/publish"), json={})
    assert published.status_code == 200, published.json
    assert len(dorms.CALLS) == calls + 1 and dorms.CALLS[-1] == sorted(ids.values())
    body = published.json
    assert body["created"] is True and body["round"] == 1
    assert [(name[s["application_id"]], s["category"], s["category_name_zh"], s["rank"], s["total"])
            for s in body["selected"]] == [("t2", E, "环境优美型寝室", 1, 100.0), ("t3", E, "环境优美型寝室", 3, 90.0),
                                           ("t1", P, "党员示范型寝室", 1, 93.0)]
    rest = {name[r["application_id"]]: r for r in body["rest"]}
    assert {d: (r["reason"], r["total"]) for d, r in rest.items()} == {
        "t4": ("below_cut_line", 63.0), "t5": ("below_min_score", 45.0), "t6": ("vetoed", None)}
    assert dorms.VETO_REASON_ZH in rest["t6"]["message_zh"]
    assert "党员示范型寝室：得分 63.00，类别内排名第 2，入选最低分 93.00" in rest["t4"]["message_zh"]
    assert body["quota"] == {"total": 3, "ranges": {E: [1, 2], P: [1, 2]}}

    event = tap.drain(seconds=5, until=1)[0]["data"]
    assert event["level"] == "college" and event["selected"] == body["selected"] and event["rest"] == body["rest"]
    assert event["cut_lines"][P] == {"last_selected": {"application_id": ids["t1"], "rank": 1, "total": 93.0},
                                     "first_not_selected": {"application_id": ids["t4"], "rank": 2, "total": 63.0}}
    assert event["cut_lines"][E]["first_not_selected"] is None

    # -- explain-my-score: which type a dorm was selected in, or why not -----------------
    mine = http.as_("lt1", "GET", _url(cid, f"/applications/{ids['t1']}/explain")).json
    assert (mine["status"], mine["category"], mine["total"]) == ("in", P, None)
    assert mine["message_zh"] == "以 93.00 分入选党员示范型寝室，类别内排名第 1"
    assert [b["category"] for b in mine["breakdowns"]] == [E, P]
    out = http.as_("lt4", "GET", _url(cid, f"/applications/{ids['t4']}/explain")).json
    assert out["status"] == "out" and out["reason"] == "below_cut_line" and list(out["cut_line"]["by_category"]) == [P]
    vetoed = http.as_("lt6", "GET", _url(cid, f"/applications/{ids['t6']}/explain")).json
    assert vetoed["reason"] == "vetoed" and vetoed["vetoes"][0]["reason_zh"] == dorms.VETO_REASON_ZH
    admin_view = http.as_(ADMIN, "GET", _url(cid, f"/applications/{ids['t1']}/explain")).json
    imported = next(n for n in _walk(admin_view["breakdowns"][1]["tree"]) if n["id"] == "party_member")
    assert imported["reviewers"] == [{"reviewer_id": "imported_fact", "role": "imported_fact", "raw": True,
                                      "normalised": 1.0, "value": 1.0}]

    # -- a changed fact changes the fingerprint: round 1 stays, round 2 supersedes it ----
    dorms.FACTS["dorm_t4"] = {"violation": True}
    # (facts live outside scoring: the stored preview is computed afresh when asked)
    assert as_job(http, ADMIN, "POST", _url(cid, "/results/compute")).status_code == 200
    overview = current_results(http, ADMIN, _url(cid, "/results")).json
    assert overview["published"]["stale"] is True
    assert overview["preview"]["inputs_fingerprint"] != body["inputs_fingerprint"]
    again = as_job(http, ADMIN, "POST", _url(cid, "/results/publish"), json={})
    assert again.status_code == 409 and again.json["details"]["next_round"] == 2
    second = as_job(http, ADMIN, "POST", _url(cid, "/results/publish"), json={"round": 2})
    assert second.status_code == 200 and second.json["created"] is True and second.json["round"] == 2
    assert [s["application_id"] for s in second.json["selected"]] == [s["application_id"] for s in body["selected"]]
    assert {name[r["application_id"]]: r["reason"] for r in second.json["rest"]} == {
        "t4": "vetoed", "t5": "below_min_score", "t6": "vetoed"}
    assert tap.drain(seconds=5, until=1)[0]["data"]["round"] == 2
    tap.close()
    # The college's admin also vetoes by hand here (the program lets the campaign admin veto).
    veto = http.as_(ADMIN, "POST", _url(cid, f"/applications/{ids['t3']}/veto"), json={"reason": "材料不实"})
    assert veto.status_code == 201 and veto.json["vetoed"] is True
    assert http.as_("counselor_me", "POST", _url(cid, f"/applications/{ids['t2']}/veto"),
                    json={"reason": "x"}).status_code == 403

    # -- a school-level campaign of the program selects by its school rules -------------
    school = scoring.applications.open_campaign("p_admin", campaign_payload(program=dorms.NAME,
                                                                            title="2026 校级文明寝室评选"))
    assert school["level"] == "school"
    scid = school["id"]
    assert http.as_(ADMIN, "PUT", _url(scid, "/setup"), json={"blind_review": True}).status_code == 403
    assert http.as_("admin", "PUT", _url(scid, "/setup"), json={"blind_review": True}).status_code == 200
    preview = current_results(http, "admin", _url(scid, "/results")).json
    assert preview["preview_problem"] is None and preview["preview"]["quota"] == 2


def _walk(node):
    kids = node.get("children") or []
    if not kids:
        yield node
    for kid in kids:
        yield from _walk(kid)
