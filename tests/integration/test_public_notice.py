"""Public notice (公示) with objections (异议) and the final list, through the gateway:
open a 5-day notice on published results, object, resolve (dismissed with a reply the
objector reads; upheld → the entry removed and the list re-noticed), refuse what the
rules refuse, finalise once under concurrency, and see the titles granted once.

The notice period is ended by writing the version's times into the past through the
database (lifecycle_helpers.end_period): the only test-only override used."""
import base64
from datetime import datetime, timedelta, timezone

import eventlet

from tests.integration.helpers import PDF
from tests.integration.helpers import as_job
from tests.integration.lifecycle_helpers import (  # noqa: F401  (fixture)
    college_approved_campaign, end_period, lifecycle_events, of_type, publish_results, wait,
)

ADMIN = "admin"
WANG = "2023010102"    # 王芳, student of class_me1, branch_me1
ZHAO = "2024020101"    # 赵磊, student of class_em2
LIU = "2023010202"     # 刘洋, student of class_me2


def _iso(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_notice_objections_and_final_list(rpc, http, config, mongo, lifecycle_events):
    campaign, apps = college_approved_campaign(rpc, ["branch_me1", "branch_em1", "branch_me2", "branch_em2"])
    cid = campaign["id"]
    me1, em1, me2, em2 = apps["branch_me1"], apps["branch_em1"], apps["branch_me2"], apps["branch_em2"]

    # No results yet: nothing to put on notice. Only the campaign admin opens one.
    early = http.as_(ADMIN, "POST", f"/api/campaigns/{cid}/notice", json={"days": 5})
    assert early.status_code == 409 and early.json["field"] == "campaign_id"
    publish_results(config, mongo, cid, [(me1, "key", "重点", 91.5), (em1, "featured", "特色", 84.0),
                                         (me2, "general", "一般", 72.25)],
                    [(em2, "below_min_score", "未达到最低分", 55.0)])
    assert http.as_("counselor_me", "POST", f"/api/campaigns/{cid}/notice", json={}).status_code == 403
    bad_days = http.as_(ADMIN, "POST", f"/api/campaigns/{cid}/notice", json={"days": 0})
    assert bad_days.status_code == 422 and bad_days.json["field"] == "days"

    before = datetime.now(timezone.utc)
    opened = http.as_(ADMIN, "POST", f"/api/campaigns/{cid}/notice", json={"days": 5})
    assert opened.status_code == 201, opened.json
    v1 = opened.json
    assert v1["id"] == f"{cid}:v1" and v1["created"] is True and v1["open"] is True and v1["days"] == 5
    assert _iso(v1["closes_at"]) - _iso(v1["opens_at"]) == timedelta(days=5)
    assert before <= _iso(v1["opens_at"]) <= datetime.now(timezone.utc)
    assert v1["closes_at_local"] in v1["period_local"] and "Asia/Shanghai" in v1["period_local"]
    assert [(e["application_id"], e["grade"], e["rank"]) for e in v1["entries"]] == [
        (me1, "key", 1), (em1, "featured", 2), (me2, "general", 3)]
    assert v1["entries"][0] == {"application_id": me1, "applicant_id": "branch_me1",
                                "applicant_name": "机电学院学生第一党支部", "college_id": "college_me", "grade": "key",
                                "grade_name_zh": "重点", "category": None, "category_name_zh": None, "rank": 1,
                                "total": 91.5}
    again = http.as_(ADMIN, "POST", f"/api/campaigns/{cid}/notice", json={"days": 7})
    assert again.status_code == 201 and again.json["id"] == v1["id"] and again.json["created"] is False
    assert mongo("applications").notices.count_documents({"campaign_id": cid}) == 1

    # Anyone in scope sees it, without the objections; the admin sees those too.
    seen = http.as_(WANG, "GET", f"/api/campaigns/{cid}/notice")
    assert seen.status_code == 200 and seen.json["entries"] == v1["entries"] and "objections" not in seen.json
    assert "异议" in seen.json["how_to_object"]["zh"]
    assert http.as_(ADMIN, "GET", f"/api/campaigns/{cid}/notice").json["objections"] == []

    # Objections: a reason is required, the entry must be listed, evidence is checked from its bytes.
    objections_url = f"/api/notices/{v1['id']}/objections"
    no_reason = http.as_(WANG, "POST", objections_url, json={"application_id": me2, "reason": "   "})
    assert no_reason.status_code == 422 and no_reason.json["field"] == "reason"
    not_listed = http.as_(WANG, "POST", objections_url, json={"application_id": em2, "reason": "应当入选"})
    assert not_listed.status_code == 422 and not_listed.json["field"] == "application_id"
    disguised = http.as_(WANG, "POST", objections_url, json={
        "application_id": me2, "reason": "材料不实", "evidence": {"filename": "证明.pdf",
                                                               "data_b64": base64.b64encode(b"MZ\x90\x00").decode()}})
    assert disguised.status_code == 415
    evidence = {"filename": "证明.pdf", "data_b64": base64.b64encode(PDF).decode()}
    filed = [http.as_(WANG, "POST", objections_url, headers={"Idempotency-Key": "wang-1"},
                      json={"application_id": me2, "reason": "该支部活动记录与事实不符", "evidence": evidence})
             for _ in range(2)]
    assert [f.status_code for f in filed] == [201, 201] and filed[0].json["id"] == filed[1].json["id"]
    obj_a = filed[0].json
    assert obj_a["state"] == "pending" and obj_a["evidence"]["type"] == "pdf" and obj_a["objector"]["name"] == "王芳"
    obj_b = http.as_(ZHAO, "POST", objections_url, json={"application_id": em1, "reason": "排名有疑问"}).json
    obj_c = http.as_(LIU, "POST", objections_url, json={"application_id": me1, "reason": "请核实获奖材料"}).json
    assert mongo("applications").objections.count_documents({"campaign_id": cid}) == 3
    # The bytes went to the file store: the objection holds their id, no message or document carries them.
    stored = mongo("applications").objections.find_one({"_id": obj_a["id"]})
    assert stored["evidence"]["file_id"].startswith("sha256-") and "objection_files" not in \
        mongo("applications").list_collection_names()
    download = http.as_(ADMIN, "GET", f"{objections_url}/{obj_a['id']}/evidence")
    assert download.status_code == 200 and download.data == PDF
    assert http.as_(ZHAO, "GET", f"{objections_url}/{obj_a['id']}/evidence").status_code == 404

    # Each objector sees only their own; the admin sees every one.
    assert [o["id"] for o in http.as_(WANG, "GET", objections_url).json] == [obj_a["id"]]
    assert {o["id"] for o in http.as_(ADMIN, "GET", objections_url).json} == {obj_a["id"], obj_b["id"], obj_c["id"]}

    # Finalising is refused before the period is over.
    finalise_url = f"/api/notices/{v1['id']}/finalise"
    too_early = as_job(http, ADMIN, "POST", finalise_url)
    assert too_early.status_code == 409 and too_early.json["field"] == "closes_at"

    # Dismissed: only with a reply, which the objector reads.
    resolve_b = f"{objections_url}/{obj_b['id']}/resolve"
    no_reply = http.as_(ADMIN, "POST", resolve_b, json={"decision": "dismissed", "reply": ""})
    assert no_reply.status_code == 422 and no_reply.json["field"] == "reply"
    assert http.as_("counselor_em", "POST", resolve_b,
                    json={"decision": "dismissed", "reply": "x"}).status_code == 403
    dismissed = http.as_(ADMIN, "POST", resolve_b, json={"decision": "dismissed", "reply": "经复核，排名依评分确定，无误。"})
    assert dismissed.status_code == 200 and dismissed.json["state"] == "dismissed"
    [mine] = http.as_(ZHAO, "GET", objections_url).json
    assert mine["resolution"]["reply"] == "经复核，排名依评分确定，无误。" and mine["resolution"]["decision"] == "dismissed"

    # Upheld with a change: the entry goes, and the list is re-noticed for a new full period.
    resolve_a = f"{objections_url}/{obj_a['id']}/resolve"
    upheld = http.as_(ADMIN, "POST", resolve_a, headers={"Idempotency-Key": "up-a"},
                      json={"decision": "upheld", "reply": "经核实异议属实，取消其入选资格。", "change": {"remove": True}})
    assert upheld.status_code == 200 and upheld.json["resolution"]["change"] == {"remove": True}
    retry = http.as_(ADMIN, "POST", resolve_a, headers={"Idempotency-Key": "up-a"},
                     json={"decision": "upheld", "reply": "经核实异议属实，取消其入选资格。", "change": {"remove": True}})
    assert retry.status_code == 200
    twice = http.as_(ADMIN, "POST", resolve_a, json={"decision": "dismissed", "reply": "改判"})
    assert twice.status_code == 409
    v2 = http.as_(WANG, "GET", f"/api/campaigns/{cid}/notice").json
    assert v2["id"] == f"{cid}:v2" and v2["supersedes"] == v1["id"] and v2["open"] is True
    assert [e["application_id"] for e in v2["entries"]] == [me1, em1]
    assert _iso(v2["opens_at"]) > _iso(v1["opens_at"])
    assert _iso(v2["closes_at"]) - _iso(v2["opens_at"]) == timedelta(days=5)
    assert mongo("applications").notices.count_documents({"campaign_id": cid}) == 2
    # The old version takes no more objections.
    stale = http.as_(ZHAO, "POST", objections_url, json={"application_id": me1, "reason": "再议"})
    assert stale.status_code == 409 and stale.json["field"] == "notice_id"

    # After the period: objections refused; finalising refused while an old-version objection is pending.
    end_period(mongo, v2["id"])
    late = http.as_(ZHAO, "POST", f"/api/notices/{v2['id']}/objections",
                    json={"application_id": me1, "reason": "迟到的异议"})
    assert late.status_code == 409 and late.json["code"] == "deadline_passed" and late.json["field"] == "closes_at"
    superseded = as_job(http, ADMIN, "POST", finalise_url)
    assert superseded.status_code == 409 and superseded.json["field"] == "notice_id"
    pending = as_job(http, ADMIN, "POST", f"/api/notices/{v2['id']}/finalise")
    assert pending.status_code == 409 and pending.json["details"] == {"pending": [obj_c["id"]]}
    assert obj_c["id"] in pending.json["message_zh"]
    resolved_c = http.as_(ADMIN, "POST", f"{objections_url}/{obj_c['id']}/resolve",
                          json={"decision": "dismissed", "reply": "获奖材料经核实无误。"})
    assert resolved_c.status_code == 200

    # Five finalisers at once: one list, each application decided once, the same answer to all.
    pool = eventlet.GreenPool(5)
    answers = list(pool.imap(lambda _i: as_job(http, ADMIN, "POST", f"/api/notices/{v2['id']}/finalise"), range(5)))
    assert [a.status_code for a in answers] == [200] * 5, [a.json for a in answers]
    assert len({a.json["finalised_at"] for a in answers}) == 1
    # (asking while the job runs gives that job; each job says how many it decided: together, each once)
    assert sum({a.job["id"]: a.json["decided"] for a in answers}.values()) == 4
    deciding = next(a.job for a in answers if a.json["decided"])
    assert (deciding["done"], deciding["total"], deciding["kind"]) == (4, 4, "finalise")   # progress in applications
    final = {k: v for k, v in answers[0].json.items() if k != "decided"}
    assert final["notice_id"] == v2["id"] and [e["application_id"] for e in final["entries"]] == [me1, em1]
    assert mongo("applications").final_lists.count_documents({"_id": cid}) == 1
    views = {a: rpc.applications.get_application("p_admin", a) for a in (me1, em1, me2, em2)}
    assert {a: v["state"] for a, v in views.items()} == {me1: "approved", em1: "approved", me2: "rejected",
                                                        em2: "rejected"}
    assert views[me1]["final_result"] == {"grade": "key", "grade_name_zh": "重点", "category": None, "rank": 1,
                                          "total": 91.5}
    trail = {a: rpc.applications.audit_trail("p_admin", a) for a in (me2, em2)}
    assert trail[me2][-1]["action"] == "list_reject" and "公示期异议成立" in trail[me2][-1]["reason"]
    assert trail[em2][-1]["reason"] == "未入选：未达到最低分"
    again = as_job(http, ADMIN, "POST", f"/api/notices/{v2['id']}/finalise").json
    assert again.pop("decided") == 0 and again == final
    assert http.as_(LIU, "GET", f"/api/campaigns/{cid}/final-list").json == final

    # Events: each version published once, closed once, four decisions, one award per listed entry.
    assert wait(lambda: len(of_type(lifecycle_events, "award.granted")) >= 2
                and of_type(lifecycle_events, "notice.closed"))
    eventlet.sleep(1.5)  # anything published twice would have arrived by now
    published = of_type(lifecycle_events, "notice.published")
    assert sorted(e["data"]["notice_id"] for e in published) == [v1["id"], v2["id"]]
    assert published[0]["data"]["scope_unit_ids"] == ["college_em", "college_me"]
    assert "p_2023010101" in published[0]["data"]["listed_user_ids"]
    [closed] = of_type(lifecycle_events, "notice.closed")
    assert [e["application_id"] for e in closed["data"]["entries"]] == [me1, em1]
    decided = of_type(lifecycle_events, "application.decided")
    assert sorted(e["data"]["application_id"] for e in decided) == sorted([me1, em1, me2, em2])
    awards = of_type(lifecycle_events, "award.granted")
    assert sorted(e["data"]["award_id"] for e in awards) == sorted([f"award:{me1}:key", f"award:{em1}:featured"])
    me1_award = next(e["data"] for e in awards if e["data"]["application_id"] == me1)
    assert me1_award["title"] == "对标争先建设项目（重点）" and me1_award["recipient_kind"] == "branch"
    assert sorted(me1_award["member_ids"]) == ["p_2023010101", "p_2023010102"]
    assert me1_award["academic_year"] == "2026-2027" and me1_award["level"] == "school"
    # Every step is in the campaign's trail, which only its admin reads.
    trail = http.as_(ADMIN, "GET", f"/api/campaigns/{cid}/notice").json["audit"]
    actions = [e["action"] for e in trail]
    assert {a: actions.count(a) for a in set(actions)} == {"open": 1, "object": 3, "resolve": 3, "renotice": 1,
                                                          "finalise": 1, "grant": 2}
    assert next(e for e in trail if e["action"] == "renotice")["details"]["cause"] == obj_a["id"]
    assert "audit" not in http.as_(WANG, "GET", f"/api/campaigns/{cid}/notice").json
    listed = http.as_(WANG, "GET", f"/api/awards?campaign_id={cid}")
    assert listed.status_code == 200 and [a["id"] for a in listed.json] == sorted(
        [f"award:{me1}:key", f"award:{em1}:featured"])


def test_scope_of_a_college_campaign(rpc, http):
    """A college-level campaign is seen by its college and the school above, not by
    another college; its lists are refused to outsiders."""
    campaign = http.as_(ADMIN, "POST", "/api/campaigns", json={
        "program": "pilot_branches", "title": "机电学院对标争先", "academic_year": "2026-2027", "unit_id": "college_me",
        "application_opens_at": (datetime.now(timezone.utc) - timedelta(days=1)).isoformat(),
        "application_closes_at": (datetime.now(timezone.utc) + timedelta(days=7)).isoformat()}).json
    assert http.as_(WANG, "GET", f"/api/awards?campaign_id={campaign['id']}").status_code == 200
    assert http.as_(ADMIN, "GET", f"/api/awards?campaign_id={campaign['id']}").status_code == 200
    outsider = http.as_(ZHAO, "GET", f"/api/awards?campaign_id={campaign['id']}")
    assert outsider.status_code == 403 and outsider.json["field"] == "campaign_id"
    assert http.as_(ZHAO, "GET", f"/api/campaigns/{campaign['id']}/final-list").status_code == 403
    assert http.as_(WANG, "GET", f"/api/campaigns/{campaign['id']}/notice").status_code == 404
    missing = http.as_(WANG, "GET", "/api/awards")
    assert missing.status_code == 422 and missing.json["field"] == "query.campaign_id"


def test_an_interrupted_finalisation_is_finished_by_the_sweep(rpc, http, config, mongo, lifecycle_events,
                                                              monkeypatch):
    """The finaliser dies after storing the list (simulated: settling raises once);
    the service's sweep decides the applications, grants the title and publishes
    notice.closed, each once."""
    from services.applications import final_list

    campaign, apps = college_approved_campaign(rpc, ["branch_me1", "branch_em1"])
    me1, em1 = apps["branch_me1"], apps["branch_em1"]
    publish_results(config, mongo, campaign["id"], [(me1, "key", "重点", 88.0)], [(em1, "below_cut_line", None, 60.0)])
    notice = rpc.applications.open_notice("p_admin", campaign["id"], {"days": 3})
    end_period(mongo, notice["id"])
    real_settle, calls = final_list.settle, []

    def crash_once(*args):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the finaliser died")
        return real_settle(*args)

    monkeypatch.setattr(final_list, "settle", crash_once)
    response = as_job(http, ADMIN, "POST", f"/api/notices/{notice['id']}/finalise")
    assert response.status_code == 500 and response.json["code"] == "internal_error"   # the job failed
    assert mongo("applications").final_lists.find_one({"_id": campaign["id"]})["settled"] == 0
    assert wait(lambda: rpc.applications.internal_application(me1)["state"] == "approved", seconds=20)
    assert wait(lambda: of_type(lifecycle_events, "award.granted") and of_type(lifecycle_events, "notice.closed"))
    eventlet.sleep(1.5)
    assert rpc.applications.internal_application(em1)["state"] == "rejected"
    assert [e["data"]["award_id"] for e in of_type(lifecycle_events, "award.granted")] == [f"award:{me1}:key"]
    assert len(of_type(lifecycle_events, "notice.closed")) == 1
    assert len(of_type(lifecycle_events, "application.decided")) == 2
    assert mongo("applications").final_lists.find_one({"_id": campaign["id"]})["settled"] == 1
    again = as_job(http, ADMIN, "POST", f"/api/notices/{notice['id']}/finalise")
    assert again.status_code == 200 and [e["application_id"] for e in again.json["entries"]] == [me1]
