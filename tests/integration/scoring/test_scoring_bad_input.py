"""Bad input is refused with a clear 4xx in Chinese and English naming the field (the
criteria node, the leaf and its scale), and nothing is stored; registration is
validated, versioned and idempotent."""
import copy

import pytest

from core.errors import NotFound, ValidationFailed
from tests.integration.helpers import good_form
from tests.integration.helpers import as_job, current_results
from tests.integration.helpers import close_applications
from tests.integration.scoring import world

ADMIN = "admin"


def _url(cid, tail=""):
    return f"/api/scoring/campaigns/{cid}{tail}"


def test_registration_is_validated_versioned_and_idempotent(scoring, http):
    from plugins.pilot_branches.program import PROGRAM
    declaration = PROGRAM.declaration()
    campaign = scoring.applications.open_campaign("p_admin", world.campaign_payload())
    # The plugin registered at start; registering again stores nothing new.
    assert scoring.scoring.register_program(declaration) == {"created": False, "version": declaration["version"],
                                                             "stored": True}

    bad = copy.deepcopy(declaration)
    bad["version"] = "bad-weights"
    bad["criteria"]["children"][0]["children"][1]["weight"] = 50   # 项目设计: 40 + 50
    with pytest.raises(ValidationFailed) as weights:
        scoring.scoring.register_program(bad)
    assert weights.value.field == "criteria/pilot_review/design"
    assert "'design' (项目设计) add up to 90, not 100" in weights.value.message_en
    assert "“design”（项目设计）的下级指标权重之和为 90，应为 100" in weights.value.message_zh
    with pytest.raises(NotFound):
        scoring.scoring.get_criteria("pilot_branches", "bad-weights")

    for version, key, value, field in [
        ("bad-quota", "quota_rules", [{"kind": "grades", "of": "applicants", "grades": [
            {"name": "key", "percent": 120}, {"name": "general", "rest": True}]}], "quota_rules[0].grades[0].percent"),
        ("bad-policy", "scoring", dict(declaration["scoring"], tie_breaks=[{"indicator": "nope"}]),
         "scoring.tie_breaks[0]"),
        ("bad-scale", "criteria", dict(declaration["criteria"], children=[
            dict(declaration["criteria"]["children"][0]),
            *[dict(c, scale={"kind": "range", "min": 10, "max": 0}) if c["id"] == "budget" else c
              for c in declaration["criteria"]["children"][1:]]]),
         f"criteria.children[{[c['id'] for c in declaration['criteria']['children']].index('budget')}].scale.max"),
    ]:
        broken = dict(copy.deepcopy(declaration), version=version, **{key: value})
        with pytest.raises(ValidationFailed) as refused:
            scoring.scoring.register_program(broken)
        assert refused.value.details[0]["field"] == field, (version, refused.value.details)
    unscored = dict(declaration, name="other", criteria=None, quota_rules=None, scoring=None)
    assert scoring.scoring.register_program(unscored)["stored"] is False

    # A new version becomes the program's newest; the open campaign keeps its own.
    newer = copy.deepcopy(declaration)
    newer["version"] = "v-next"
    for child in newer["criteria"]["children"]:
        child["weight"] = {"innovation": 25, "feasibility": 15}.get(child["id"], child["weight"])
    assert scoring.scoring.register_program(newer)["created"] is True
    assert scoring.scoring.get_criteria("pilot_branches")["leaf_shares"]["innovation"] == 25.0
    pinned = http.as_(ADMIN, "GET", _url(campaign["id"], "/criteria")).json
    assert pinned["program_version"] == declaration["version"] and pinned["leaf_shares"]["innovation"] == 20.0
    by_http = http.as_("reviewer", "GET",
                       f"/api/scoring/programs/pilot_branches/criteria?version={declaration['version']}")
    assert by_http.status_code == 200 and by_http.json["leaf_shares"]["feasibility"] == 20.0


def test_bad_input_is_refused_and_changes_nothing(scoring, http, mongo):
    campaign, apps = world.open_round(scoring, ("me1", "em1"))
    cid = campaign["id"]
    me1, em1 = apps["me1"]["id"], apps["em1"]["id"]
    assert http.client.get(_url(cid, "/setup")).status_code == 401

    # -- setup ---------------------------------------------------------------------------
    not_yet = http.as_(ADMIN, "POST", _url(cid, "/assignments/auto"))
    assert not_yet.status_code == 409 and "评审设置" in not_yet.json["message_zh"]
    bad = http.as_(ADMIN, "PUT", _url(cid, "/setup"),
                   json={"aggregation": "max", "reviewers_per_application": 0, "conflict": {"fields": ["room"]}})
    assert bad.status_code == 422
    assert {d["field"] for d in bad.json["details"]} == {"aggregation", "reviewers_per_application",
                                                         "conflict.fields.0"}
    assert "须为以下之一" in bad.json["message_zh"]
    assert mongo("scoring").setups.count_documents({}) == 0
    ok = http.as_(ADMIN, "PUT", _url(cid, "/setup"), json={"reviewers_per_application": 1, "blind_review": False})
    assert ok.status_code == 200 and ok.json["version"] == 1
    stale = http.as_(ADMIN, "PUT", _url(cid, "/setup"), json={"zscore": True, "version": 0})
    assert stale.status_code == 409 and stale.json["field"] == "version"
    assert http.as_(ADMIN, "GET", _url(cid, "/setup")).json["zscore"] is False
    assert http.as_(ADMIN, "GET", "/api/scoring/campaigns/cmp_nope/setup").status_code == 404

    # -- assignments ------------------------------------------------------------------------
    draft = scoring.applications.create_application("p_2023010201", cid, {"form": good_form()})
    for payload, field, zh in [
        ({"application_id": draft["id"], "reviewer_id": "p_rev_a"}, "application_id", "不在本次活动的评审范围内"),
        ({"application_id": me1, "reviewer_id": "p_nobody"}, "reviewer_id", "查无此人"),
        ({"application_id": me1, "reviewer_id": "p_2023020102"}, "reviewer_id", "不具有"),
        ({"application_id": me1}, "reviewer_id", "必填项缺失"),
    ]:
        refused = http.as_(ADMIN, "POST", _url(cid, "/assignments"), json=payload)
        assert refused.status_code == 422 and refused.json["field"] == field and zh in refused.json["message_zh"], \
            (payload, refused.json)
    assert http.as_("rev_a", "POST", _url(cid, "/assignments"),
                    json={"application_id": me1, "reviewer_id": "p_rev_a"}).status_code == 403
    assert mongo("scoring").assignments.count_documents({}) == 0
    for app_id, reviewer in ((me1, "p_rev_a"), (em1, "p_rev_b")):
        assert http.as_(ADMIN, "POST", _url(cid, "/assignments"),
                        json={"application_id": app_id, "reviewer_id": reviewer}).status_code == 201
    remove = _url(cid, f"/assignments/{em1}/p_rev_b")
    assert http.as_(ADMIN, "DELETE", remove).json["field"] == "query.reason"
    assert http.as_(ADMIN, "DELETE", remove + "?reason=换人").status_code == 200
    assert http.as_(ADMIN, "DELETE", remove + "?reason=换人").status_code == 404
    assert http.as_("rev_b", "GET", "/api/scoring/assignments/mine").json == []
    assert http.as_(ADMIN, "POST", _url(cid, "/assignments"),
                    json={"application_id": em1, "reviewer_id": "p_rev_b"}).status_code == 201

    # -- score sheets: every bad score names its leaf and scale -----------------------------
    sheet = _url(cid, f"/applications/{me1}/sheet")
    out_of_scale = http.as_("rev_a", "PUT", sheet, json={"scores": {"innovation": 11}})
    assert out_of_scale.status_code == 422 and out_of_scale.json["field"] == "scores.innovation"
    assert "leaf 'innovation' (创新性): 11 is outside the scale: expected a number from 0 to 10" in \
        out_of_scale.json["message"]
    assert "指标“innovation”（创新性）：11 超出评分范围，应为0 至 10 之间的数" in out_of_scale.json["message_zh"]
    several = http.as_("rev_a", "PUT", sheet, json={"scores": {"budget": "很好", "goals": -1, "outcomes": 7}})
    assert several.status_code == 422
    assert {d["field"] for d in several.json["details"]} == {"scores.budget", "scores.goals"}
    assert "不是数字" in several.json["message_zh"] and "预算合理性" in several.json["message_zh"]
    unknown = http.as_("rev_a", "PUT", sheet, json={"scores": {"nope": 5}})
    assert unknown.status_code == 422 and unknown.json["field"] == "scores.nope"
    not_dict = http.as_("rev_a", "PUT", sheet, json={"scores": [5]})
    assert not_dict.status_code == 422 and not_dict.json["field"] == "scores"
    assert mongo("scoring").sheets.count_documents({}) == 0
    assert http.as_("rev_a", "GET", sheet).json["version"] == 0
    assert http.as_("rev_b", "GET", sheet).status_code == 404     # not assigned to it
    assert http.as_("rev_a", "PUT", sheet, json={"scores": {"goals": 8}}).status_code == 200
    incomplete = http.as_("rev_a", "POST", sheet + "/submit", json={})
    assert incomplete.status_code == 422
    assert {d["field"] for d in incomplete.json["details"]} == {
        f"scores.{leaf}" for leaf in world.LEAVES if leaf != "goals"}
    assert "尚未评分" in incomplete.json["message_zh"]
    on_draft = http.as_(ADMIN, "PATCH", _url(cid, f"/applications/{me1}/sheets/p_rev_a"),
                        json={"scores": {"goals": 9}, "reason": "更正"})
    assert on_draft.status_code == 409
    assert http.as_("rev_a", "GET", sheet).json["state"] == "draft"

    # -- vetoes and results ------------------------------------------------------------------
    veto = _url(cid, f"/applications/{em1}/veto")
    assert http.as_(ADMIN, "POST", veto, json={}).json["field"] == "reason"
    blank = http.as_(ADMIN, "POST", veto, json={"reason": "   "})
    assert blank.status_code == 422 and "理由" in blank.json["message_zh"]
    assert http.as_(ADMIN, "POST", _url(cid, f"/applications/{draft['id']}/veto"),
                    json={"reason": "x"}).status_code == 422
    assert http.as_(ADMIN, "POST", veto, json={"reason": "公示期间收到实名举报，经核实"}).status_code == 201
    assert http.as_(ADMIN, "POST", veto, json={"reason": "再次否决"}).status_code == 409
    assert http.as_(ADMIN, "POST", veto + "/revoke", json={}).status_code == 422
    revoked = http.as_(ADMIN, "POST", veto + "/revoke", json={"reason": "举报不实"})
    assert revoked.status_code == 200 and revoked.json["vetoed"] is False and len(revoked.json["records"]) == 1
    assert http.as_(ADMIN, "POST", veto + "/revoke", json={"reason": "again"}).status_code == 404

    close_applications(http, ADMIN, cid)
    early = as_job(http, ADMIN, "POST", _url(cid, "/results/publish"), json={})
    assert early.status_code == 409 and "评分表" in early.json["message_zh"]
    assert {(p["application_id"], p["sheet_state"]) for p in early.json["details"]["not_submitted"]} == {
        (me1, "draft"), (em1, None)}
    assert mongo("scoring").selections.count_documents({}) == 0
    # The preview says the same, stored: reading it again starts no job until the data change.
    problem = current_results(http, ADMIN, _url(cid, "/results")).json
    assert problem["preview"] is None and problem["preview_problem"]["code"] == "conflict"
    assert http.as_(ADMIN, "GET", _url(cid, "/results")).json["preview_job"] is None
    assert http.as_("2023020101", "GET", _url(cid, f"/applications/{me1}/explain")).status_code == 404
    assert http.as_("reviewer", "GET", _url(cid, f"/applications/{me1}/explain")).status_code == 404

    spec = http.client.get("/api/openapi.json").json
    paths = [p for p in spec["paths"] if p.startswith("/api/scoring/")]
    for wanted in ("/setup", "/assignments/auto", "/sheet/submit", "/veto", "/results/publish", "/explain"):
        assert any(p.endswith(wanted) for p in paths), wanted
