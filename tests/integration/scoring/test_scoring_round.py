"""A whole scoring round of pilot-branch projects through the real gateway, services,
RabbitMQ and Mongo server: setup, assignments without conflicts, blind review, score
sheets, an admin correction, a veto, results worked out by hand, the published
event (read with a plain AMQP client), explain-my-score and the audit trail."""
import json

import pytest

from tests.integration.scoring import world
from tests.integration.helpers import finish_job
from tests.integration.helpers import as_job, current_results
from tests.integration.helpers import close_applications

ADMIN = "admin"


def _url(cid, tail=""):
    return f"/api/scoring/campaigns/{cid}{tail}"


def test_a_whole_round_from_setup_to_explanations(scoring, http, mongo, config):
    tap = world.EventTap(config["AMQP_URI"])
    campaign, apps = world.open_round(scoring)
    cid = campaign["id"]
    ids = {k: a["id"] for k, a in apps.items()}

    # -- criteria: those of the version the campaign pinned, with each leaf's share --
    criteria = http.as_(ADMIN, "GET", _url(cid, "/criteria"))
    assert criteria.status_code == 200
    assert criteria.json["program_version"] == campaign["program_version"]
    assert criteria.json["leaf_shares"] == {"goals": 10.0, "measures": 15.0, "innovation": 20.0,
                                            "feasibility": 20.0, "outcomes": 25.0, "budget": 10.0}

    # -- setup by a school admin; others may not ------------------------------------
    defaults = http.as_(ADMIN, "GET", _url(cid, "/setup")).json
    assert defaults["configured"] is False and defaults["aggregation"]["method"] == "trimmed_mean"
    setup = {"aggregation": "trimmed_mean", "zscore": False, "reviewers_per_application": 3, "blind_review": True,
             "conflict": {"fields": ["class_id", "dorm_id", "branch_id"], "same_college": True}}
    assert http.as_("counselor_me", "PUT", _url(cid, "/setup"), json=setup).status_code == 403
    saved = http.as_(ADMIN, "PUT", _url(cid, "/setup"), json=setup)
    assert saved.status_code == 200, saved.json
    assert saved.json["version"] == 1 and saved.json["configured"] is True and saved.json["zscore"] is False

    # -- assignments: a conflict is refused by name, a declared one respected ---------
    own_branch = http.as_(ADMIN, "POST", _url(cid, "/assignments"),
                          json={"application_id": ids["me1"], "reviewer_id": "p_rev_stu"})
    assert own_branch.status_code == 422
    assert "同一支部" in own_branch.json["message_zh"] and "same branch" in own_branch.json["message"]
    assert "同一学院" in own_branch.json["message_zh"]
    manual = http.as_(ADMIN, "POST", _url(cid, "/assignments"),
                      json={"application_id": ids["em1"], "reviewer_id": "p_rev_stu"})
    assert manual.status_code == 201 and manual.json["source"] == "manual"
    again = http.as_(ADMIN, "POST", _url(cid, "/assignments"),
                     json={"application_id": ids["em1"], "reviewer_id": "p_rev_stu"})
    assert again.status_code == 409
    recused = http.as_("rev_a", "POST", _url(cid, "/conflicts"),
                       json={"application_id": ids["em2"], "reason": "曾担任该支部指导教师"})
    assert recused.status_code == 201
    auto = finish_job(http, ADMIN, http.as_(ADMIN, "POST", _url(cid, "/assignments/auto")))["result"]
    assert len(auto["created"]) == 17 and all(a["source"] == "auto" for a in auto["created"])

    listing = http.as_(ADMIN, "GET", _url(cid, "/assignments")).json
    reviewers = {}
    for a in listing["assignments"]:
        reviewers.setdefault(a["application_id"], []).append(a["reviewer_id"])
    assert {k: len(reviewers[i]) for k, i in ids.items()} == {k: 3 for k in ids}
    college_me = {"p_rev_c", "p_rev_d", "p_rev_stu"}
    college_em = {"p_rev_e", "p_rev_f"}
    for key, app_id in ids.items():
        assert not set(reviewers[app_id]) & (college_me if key.startswith("me") else college_em), key
    assert "p_rev_a" not in reviewers[ids["em2"]]
    pool = ["p_rev_a", "p_rev_b", "p_rev_c", "p_rev_d", "p_rev_e", "p_rev_f", "p_reviewer"]
    pool_loads = [listing["loads"].get(r, 0) for r in pool]
    assert sum(pool_loads) == 17 and max(pool_loads) - min(pool_loads) <= 1
    _assignments_a_page_at_a_time(http, cid, listing)

    # -- a reviewer sees only what they were assigned, blind --------------------------
    mine = http.as_("rev_b", "GET", "/api/scoring/assignments/mine").json
    assert sorted(m["application_id"] for m in mine) == sorted(
        a for a, rs in reviewers.items() if "p_rev_b" in rs)
    text = json.dumps(mine, ensure_ascii=False)
    names = ["机电学院学生第", "经管学院学生第", "经管学院教工党支部", "branch_me", "branch_em", "college_me",
             "college_em", "college_id", "applicant_id"]
    assert not [n for n in names if n in text] and "applicant_name" not in text
    assert "陈老师" not in text and "13800000000" not in text  # nor the faculty advisor
    assert all(m["application"]["blind"] is True and m["application"]["alias"].startswith("申报 #") for m in mine)
    assert all(m["application"]["form"]["title"].startswith("项目 ") for m in mine)
    not_mine = next(a for a, rs in reviewers.items() if "p_rev_b" not in rs)
    assert http.as_("rev_b", "GET", _url(cid, f"/applications/{not_mine}")).status_code == 404
    assert http.as_("rev_b", "PUT", _url(cid, f"/applications/{not_mine}/sheet"),
                    json={"scores": {"goals": 5}}).status_code == 404
    seen = http.as_("rev_b", "GET", _url(cid, f"/applications/{mine[0]['application_id']}")).json
    assert [i["id"] for i in seen["indicators"]] == list(world.LEAVES) and seen["sheet"] is None

    # -- score sheets: drafts, submit (locked); em3's middle reviewer mistypes -------
    logins = {f"p_{r}": r for r in ("rev_a", "rev_b", "rev_c", "rev_d", "rev_e", "rev_f", "rev_stu")}
    logins["p_reviewer"] = "reviewer"
    typo_by = None
    for key, app_id in ids.items():
        for position, reviewer in enumerate(sorted(reviewers[app_id])):
            marks = world.marks(key, position)
            if key == "em3" and position == 1:
                marks["outcomes"], typo_by = 2, reviewer
            url = _url(cid, f"/applications/{app_id}/sheet")
            draft = http.as_(logins[reviewer], "PUT", url, json={"scores": {"goals": marks.pop("goals")}})
            assert draft.status_code == 200 and draft.json["state"] == "draft", draft.json
            done = http.as_(logins[reviewer], "POST", url + "/submit",
                            json={"scores": marks, "version": draft.json["version"]})
            assert done.status_code == 200 and done.json["state"] == "submitted", done.json
    locked = http.as_(logins[typo_by], "PUT", _url(cid, f"/applications/{ids['em3']}/sheet"),
                      json={"scores": {"outcomes": 8}})
    assert locked.status_code == 409 and "锁定" in locked.json["message_zh"]

    # -- a veto by the school admin (a reviewer may not) ----------------------------
    reason = "项目负责人本学年受到纪律处分"
    assert http.as_("reviewer", "POST", _url(cid, f"/applications/{ids['me1']}/veto"),
                    json={"reason": reason}).status_code == 403
    vetoed = http.as_(ADMIN, "POST", _url(cid, f"/applications/{ids['me1']}/veto"), json={"reason": reason})
    assert vetoed.status_code == 201 and vetoed.json["vetoed"] is True

    # -- before the correction: em3's outcomes marks 6, 2, 9 -> trimmed 6 -> 69 -------
    preview = current_results(http, ADMIN, _url(cid, "/results")).json
    assert preview["published"] is None and preview["preview_problem"] is None
    # Stored: read again, it is served as it is (no job), until scores or vetoes change.
    stored = http.as_(ADMIN, "GET", _url(cid, "/results")).json
    assert stored["preview_state"] == "current" and stored["preview_job"] is None
    assert stored["preview"] == preview["preview"] and stored["preview_computed_at"] == preview["preview_computed_at"]
    _ranking_a_window_at_a_time(http, cid, stored["preview"])
    ranked = {r["application_id"]: r["total"] for r in preview["preview"]["selected"]}
    assert ranked[ids["em3"]] == pytest.approx(69.0) and ranked[ids["em2"]] == pytest.approx(70.0)
    assert http.as_("2023010201", "GET", _url(cid, f"/applications/{ids['me2']}/explain")).status_code == 409

    no_reason = http.as_(ADMIN, "PATCH", _url(cid, f"/applications/{ids['em3']}/sheets/{typo_by}"),
                         json={"scores": {"outcomes": 8}})
    assert no_reason.status_code == 422 and no_reason.json["field"] == "reason"
    corrected = http.as_(ADMIN, "PATCH", _url(cid, f"/applications/{ids['em3']}/sheets/{typo_by}"),
                         json={"scores": {"outcomes": 8}, "reason": "评审人录入错误，经本人确认更正"})
    assert corrected.status_code == 200 and corrected.json["state"] == "submitted"
    assert corrected.json["audit"][-1]["changes"] == [{"leaf": "outcomes", "old": 2, "new": 8}]

    # -- results, worked out by hand (world.BASES): ----------------------------------
    #   me1 85 vetoed; me2 82 and em1 82 tie on total and outcomes, me2 is more
    #   innovative (9 > 8); em3 74; em2 70; me3 54 < 60. 6 projects under review:
    #   重点 20% x 6 = 1.2 -> 1, 特色 30% x 6 = 1.8 -> 2, 一般 the rest reaching 60.
    close_applications(http, ADMIN, cid)
    published = as_job(http, ADMIN, "POST", _url(cid, "/results/publish"), json={})
    assert published.status_code == 200, published.json
    body = published.json
    assert body["created"] is True and body["round"] == 1
    assert [(s["application_id"], s["grade"], s["rank"], s["total"]) for s in body["selected"]] == [
        (ids["me2"], "key", 1, 82.0), (ids["em1"], "featured", 2, 82.0), (ids["em3"], "featured", 3, 74.0),
        (ids["em2"], "general", 4, 70.0)]
    assert [s["grade_name_zh"] for s in body["selected"]] == ["重点", "特色", "特色", "一般"]
    assert [(r["application_id"], r["reason"]) for r in body["rest"]] == [
        (ids["me3"], "below_min_score"), (ids["me1"], "vetoed")]
    assert reason in body["rest"][1]["message_zh"]
    assert body["cut_line"] == {
        "last_selected": {"application_id": ids["em2"], "rank": 4, "total": 70.0},
        "first_not_selected": {"application_id": ids["me3"], "rank": 5, "total": 54.0}}
    assert body["quota"] == {"key": 1, "featured": 2, "general": None}
    assert body["grade_cut_lines"]["key"]["first_not_selected"]["application_id"] == ids["em1"]

    events = tap.drain(seconds=5, until=1)
    assert len(events) == 1
    event = events[0]
    assert event["id"] == f"scoring.results_published:{cid}:1" and event["type"] == "scoring.results_published"
    assert event["source"] == "scoring" and event["actor"]["id"] == "p_admin" and event["version"] == 1
    assert event["data"]["campaign_id"] == cid
    assert [(s["application_id"], s["grade"], s["rank"], s["total"]) for s in event["data"]["selected"]] == \
        [(s["application_id"], s["grade"], s["rank"], s["total"]) for s in body["selected"]]
    assert event["data"]["rest"] == body["rest"] and event["data"]["cut_line"] == body["cut_line"]

    # Publishing the same inputs again stores and publishes nothing new.
    again = as_job(http, "admin2", "POST", _url(cid, "/results/publish"), json={})
    assert again.status_code == 200 and again.json["created"] is False
    assert again.json["selected"] == body["selected"]
    assert tap.drain(seconds=1.5) == []
    assert mongo("scoring").selections.count_documents({"campaign_id": cid}) == 1
    tap.close()
    # The scores are kept one document per application (a school's would pass 16 MB in
    # one), by the inputs they were computed from; the selection holds the rest.
    stored = mongo("scoring").selections.find_one({"_id": f"{cid}:1"})
    assert "scores" not in stored["computed"] and set(stored["computed"]["selection"]["outcomes"]) == set(ids.values())
    kept = {d["application_id"]: d for d in mongo("scoring").selection_scores.find({"campaign_id": cid})}
    assert set(kept) == set(ids.values())
    assert {d["_id"] for d in kept.values()} == {f"{cid}:{stored['inputs_fingerprint']}:{a}" for a in ids.values()}
    assert kept[ids["me2"]]["score"]["total"] == pytest.approx(82.0)

    # -- explain-my-score -------------------------------------------------------------
    mine = http.as_("2023010201", "GET", _url(cid, f"/applications/{ids['me2']}/explain"))
    assert mine.status_code == 200, mine.json
    ex = mine.json
    assert (ex["total"], ex["rank"], ex["status"], ex["grade"], ex["grade_name_zh"]) == \
        (pytest.approx(82.0), 1, "in", "key", "重点")
    assert ex["viewer"] == "applicant" and ex["ranked_count"] == 5
    assert ex["cut_line"]["first_not_selected"]["application_id"] == ids["em1"]
    tree = ex["breakdowns"][0]["tree"]
    leaves = {n["id"]: n for n in _walk(tree)}
    assert leaves["innovation"]["value"] == pytest.approx(0.9) and leaves["innovation"]["points"] == pytest.approx(18)
    assert leaves["outcomes"]["points"] == pytest.approx(20) and leaves["outcomes"]["marks"] == 3
    assert next(n for n in _walk(tree, leaves_only=False) if n["id"] == "design")["points"] == pytest.approx(20.0)
    text = json.dumps(ex, ensure_ascii=False)
    assert "reviewers" not in text and "p_rev" not in text and "p_reviewer" not in text

    out = http.as_("2023010101", "GET", _url(cid, f"/applications/{ids['me1']}/explain")).json
    assert out["status"] == "out" and out["reason"] == "vetoed" and out["vetoes"][0]["reason"] == reason
    assert "by" not in out["vetoes"][0] and out["total"] == pytest.approx(85.0)
    low = http.as_("2023010301", "GET", _url(cid, f"/applications/{ids['me3']}/explain")).json
    assert low["reason"] == "below_min_score" and "60" in low["message_zh"]
    # Another branch's secretary cannot read it; the admin sees every reviewer.
    assert http.as_("2023020101", "GET", _url(cid, f"/applications/{ids['me2']}/explain")).status_code == 404
    admin_view = http.as_(ADMIN, "GET", _url(cid, f"/applications/{ids['em3']}/explain")).json
    outcome_marks = next(n for n in _walk(admin_view["breakdowns"][0]["tree"]) if n["id"] == "outcomes")["reviewers"]
    assert sorted(m["raw"] for m in outcome_marks) == [6, 8, 9]
    assert set(admin_view["reviewer_names"]) == set(reviewers[ids["em3"]])

    # -- the audit trail: who did what, when, why --------------------------------------
    trail = http.as_(ADMIN, "GET", _url(cid, "/audit")).json
    actions = [e["action"] for e in trail]
    assert actions.count("assigned") == 18 and actions.count("submitted") == 18
    assert {"configured", "conflict_declared", "vetoed", "changed_by_admin", "published"} <= set(actions)
    change = next(e for e in trail if e["action"] == "changed_by_admin")
    assert change["reason"] == "评审人录入错误，经本人确认更正" and change["by"]["id"] == "p_admin"
    assert change["details"]["changes"] == [{"leaf": "outcomes", "old": 2, "new": 8}]
    assert (change["subject_kind"], change["campaign_id"]) == ("score_sheet", cid)   # core/audit.py's shape
    assert next(e for e in trail if e["action"] == "vetoed")["reason"] == reason
    assert http.as_("reviewer", "GET", _url(cid, "/audit")).status_code == 403

    # -- the setup drives aggregation: z-scores per reviewer change the preview -------
    assert http.as_(ADMIN, "PUT", _url(cid, "/setup"), json={"zscore": True}).json["version"] == 2
    overview = current_results(http, ADMIN, _url(cid, "/results")).json
    assert overview["published"]["stale"] is True and overview["published"]["round"] == 1
    rescored = {s["application_id"]: s["total"] for s in overview["preview"]["selected"] + overview["preview"]["rest"]}
    assert any(abs(rescored[s["application_id"]] - s["total"]) > 0.01 for s in body["selected"])


def _assignments_a_page_at_a_time(http, cid, listing):
    """`limit` and `after`: pages in order (application, then reviewer) that together
    are the whole listing, with the count, the loads and every reviewer's name."""
    from urllib.parse import quote
    seen, after, pages = [], None, 0
    while True:
        url = _url(cid, "/assignments?limit=5") + (f"&after={quote(after)}" if after else "")
        page = http.as_(ADMIN, "GET", url)
        assert page.status_code == 200, page.json
        page, pages = page.json, pages + 1
        assert page["total"] == len(listing["assignments"]) == 18 and page["loads"] == listing["loads"] and len(page["assignments"]) <= 5
        assert set(page["reviewer_names"]) == set(page["loads"]) and all(page["reviewer_names"].values())
        seen += page["assignments"]
        after = page["next_after"]
        if after is None:
            break
    assert pages == 4 and [a["id"] for a in seen] == sorted(a["id"] for a in listing["assignments"])
    by_id = {a["id"]: a for a in listing["assignments"]}
    assert all(a == by_id[a["id"]] for a in seen)
    for bad in ("limit=0", "limit=501", "limit=x"):
        refused = http.as_(ADMIN, "GET", _url(cid, f"/assignments?{bad}"))
        assert refused.status_code == 422 and "limit" in json.dumps(refused.json), (bad, refused.json)
    assert http.as_("counselor_me", "GET", _url(cid, "/assignments?limit=5")).status_code == 403


def _ranking_a_window_at_a_time(http, cid, whole):
    """`limit` and `offset` on the results: the window of the ranking the page shows
    (the selected, then the rest), with the counts and where the cut line falls."""
    rows = whole["selected"] + whole["rest"]
    n = len(whole["selected"])
    for offset, limit in ((0, 2), (1, 2), (n, 1), (len(rows) - 1, 5), (len(rows) + 3, 2)):
        window = http.as_(ADMIN, "GET", _url(cid, f"/results?limit={limit}&offset={offset}")).json["preview"]
        assert window["selected"] + window["rest"] == rows[offset:offset + limit], (offset, limit)
        assert (window["rows_total"], window["rows_offset"], window["selected_total"]) == (len(rows), offset, n)
        assert window["cut_shown"] == (offset <= n <= offset + limit)
    refused = http.as_(ADMIN, "GET", _url(cid, "/results?limit=0"))
    assert refused.status_code == 422 and "limit" in json.dumps(refused.json)


def _walk(node, leaves_only=True):
    kids = node.get("children") or []
    if not leaves_only or not kids:
        yield node
    for kid in kids:
        yield from _walk(kid, leaves_only)
