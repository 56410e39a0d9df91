"""What plugins ask over RPC: facts and awards in time windows (dates worked out by
hand), and awards from award.granted events, delivered twice and stored once."""
import copy

import eventlet
import pytest
from nameko.standalone.events import event_dispatcher

from core.envelope import make_event
from core.errors import ValidationFailed
from tests.integration.records.conftest import (
    ADMIN, AWARD_HEADER, LI_MING, WANG_FANG, csv_bytes, upload, wait_until,
)


def _add(rpc, kind, day, value, subject="branch_me1", subject_kind="branch"):
    return rpc.records.add_fact(ADMIN, {"subject_kind": subject_kind, "subject_id": subject, "kind": kind,
                                        "value": value, "date": day, "source": "党委组织部"})["fact"]["id"]


def test_windows_last_years_academic_year_and_since_until(rpc):
    commended = {day: _add(rpc, "commendation", day, {"level": "school", "name": f"先进党支部 {day}"})
                 for day in ("2021-04-30", "2021-05-01", "2022-12-31", "2024-04-30", "2024-05-01")}
    incidents = {day: _add(rpc, "incident", day, {"severity": "major_incident", "description": f"事故 {day}"})
                 for day in ("2023-08-31", "2023-09-01", "2024-08-31", "2024-09-01")}
    _add(rpc, "commendation", "2022-06-01", {"level": "school", "name": "别的支部"}, subject="branch_em1")

    def dates(kinds, window, subjects=("branch_me1",)):
        return [(f["kind"], f["date"]) for f in rpc.records.facts(list(subjects), kinds, window)]

    # Last 3 years until 2024-05-01: [2021-05-01, 2024-05-01), oldest first.
    assert dates(["commendation"], {"last_years": 3, "until": "2024-05-01"}) == [
        ("commendation", "2021-05-01"), ("commendation", "2022-12-31"), ("commendation", "2024-04-30")]
    # Academic year 2023-2024: [2023-09-01, 2024-09-01), every kind.
    assert dates(None, {"academic_year": "2023-2024"}) == [
        ("incident", "2023-09-01"), ("commendation", "2024-04-30"), ("commendation", "2024-05-01"),
        ("incident", "2024-08-31")]
    # The last year before 2024-09-01: [2023-09-01, 2024-09-01) as well, incidents only.
    assert dates(["incident"], {"last_years": 1, "until": "2024-09-01"}) == [
        ("incident", "2023-09-01"), ("incident", "2024-08-31")]
    assert dates(None, {"since": "2022-01-01", "until": "2023-09-01"}) == [
        ("commendation", "2022-12-31"), ("incident", "2023-08-31")]
    assert len(dates(None, None)) == 9
    assert dates(["commendation"], {"academic_year": "2021-2022"}, ("branch_me1", "branch_em1")) == [
        ("commendation", "2022-06-01")]  # 2021-09-01 <= d < 2022-09-01, both branches asked
    one = rpc.records.facts(["branch_me1"], ["incident"], {"since": "2024-08-31", "until": "2024-09-01"})
    assert one == [{"id": incidents["2024-08-31"], "subject_kind": "branch", "subject_id": "branch_me1",
                    "kind": "incident", "value": {"severity": "major_incident", "description": "事故 2024-08-31"},
                    "date": "2024-08-31", "academic_year": "2023-2024",
                    "source": "党委组织部", "source_ref": None, "note": None}]
    assert commended["2021-04-30"] not in {f["id"] for f in rpc.records.facts(["branch_me1"], None,
                                                                              {"last_years": 3,
                                                                               "until": "2024-05-01"})}

    with pytest.raises(ValidationFailed) as caught:
        rpc.records.facts(["branch_me1"], None, {"academic_year": "2023-2025"})
    assert caught.value.field == "window.academic_year" and "相邻" in caught.value.message_zh
    with pytest.raises(ValidationFailed) as caught:
        rpc.records.facts(["branch_me1"], ["nonsense"], None)
    assert caught.value.field == "kinds"


def _granted(event_id="evt-award-1", **overrides):
    data = {"award_id": "award:app_dorm1:party_model", "program": "civilized_dorms", "campaign_id": "cmp_dorms",
            "academic_year": "2023-2024", "recipient_kind": "dorm", "recipient_id": "dorm_me1",
            "recipient_name": "北苑3号楼301", "title": "文明寝室（党员示范型）", "level": "school",
            "code": "party_model", "category": "party_model", "application_id": "app_dorm1",
            "member_ids": [LI_MING, WANG_FANG]}
    data.update(overrides)
    envelope = make_event("award.granted", data, "applications", actor={"id": ADMIN, "name": "管理员"},
                          event_id=event_id)
    envelope["occurred_at"] = "2024-06-19T16:30:00.000Z"  # 2024-06-20 00:30 in Shanghai
    return envelope


def test_award_granted_twice_is_stored_once_and_joins_history(config, rpc, http, mongo):
    awards = mongo("records").awards
    dispatch = event_dispatcher(config)
    envelope = _granted()
    dispatch("applications", "award.granted", envelope)
    dispatch("applications", "award.granted", copy.deepcopy(envelope))  # a redelivery
    dispatch("applications", "award.granted", {"id": "evt-bad", "type": "award.granted", "data": {"title": "x"}})
    assert wait_until(lambda: mongo("records").rejected_events.count_documents({}) == 1)
    assert wait_until(lambda: awards.count_documents({}) == 1)
    eventlet.sleep(0.5)  # give a duplicate every chance to land
    assert awards.count_documents({}) == 1
    stored = awards.find_one({"_id": "award:app_dorm1:party_model"})
    assert stored["date"] == "2024-06-20" and stored["college_id"] == "college_me" and stored["source"] == "platform"

    # History from before the platform: the same dorm's title two years earlier, imported twice.
    history = csv_bytes(AWARD_HEADER, [
        ["寝室", "dorm_me1", "北苑3号楼301", "civilized_dorms", "文明寝室（环境优美型）", "", "environment", "校级", "",
         "2022-06-20", "2023010101", "学工部", "XG-2022-007"],
        ["班级", "class_me1", "计算机2301班", "class_collectives", "先进班集体", "", "", "院级", "2022-2023",
         "2023-06-30", "", "学工部", ""],
    ])
    first = upload(http, "admin", "/api/records/awards/import", "历史荣誉.csv", history)
    assert first.status_code == 200, first.json
    assert first.json == {"imported": 2, "created": 2, "updated": 0, "unchanged": 0}
    assert upload(http, "admin", "/api/records/awards/import", "历史荣誉.csv", history).json["unchanged"] == 2
    assert upload(http, "2023010101", "/api/records/awards/import", "历史荣誉.csv", history).status_code == 403
    bad = upload(http, "admin", "/api/records/awards/import", "bad.csv", csv_bytes(AWARD_HEADER, [
        ["寝室", "dorm_none", "x", "civilized_dorms", "文明寝室", "", "", "市级", "", "2022-06-20", "", "学工部", ""]]))
    assert bad.status_code == 422 and {(p["row"], p["column"]) for p in bad.json["details"]} == {(2, "级别")}
    assert awards.count_documents({}) == 3

    def titles(**query):
        return [(a["title"], a["date"]) for a in rpc.records.awards(**query)]

    # A person's history includes their dorm's titles (member_ids), oldest first.
    assert titles(subject_ids=[WANG_FANG]) == [("文明寝室（党员示范型）", "2024-06-20")]
    assert titles(subject_ids=[LI_MING], program="civilized_dorms") == [
        ("文明寝室（环境优美型）", "2022-06-20"), ("文明寝室（党员示范型）", "2024-06-20")]
    assert titles(subject_ids=["dorm_me1"], categories=["environment"]) == [("文明寝室（环境优美型）", "2022-06-20")]
    assert titles(program="civilized_dorms", academic_years=["2023-2024"]) == [("文明寝室（党员示范型）", "2024-06-20")]
    assert titles(subject_ids=["dorm_me1", "class_me1"], window={"last_years": 2, "until": "2024-06-20"}) == [
        ("文明寝室（环境优美型）", "2022-06-20"), ("先进班集体", "2023-06-30")]
    assert titles(subject_ids=[], program="civilized_dorms") == []
    award = rpc.records.awards(subject_ids=["dorm_me1"], academic_years=["2023-2024"])[0]
    assert award["id"] == "award:app_dorm1:party_model" and award["member_ids"] == [LI_MING, WANG_FANG]
    assert (award["code"], award["category"], award["campaign_id"]) == ("party_model", "party_model", "cmp_dorms")

    # People see them by scope: a member sees their dorm's title; another college does not.
    mine = http.as_("2023010102", "GET", "/api/records/awards")
    assert mine.status_code == 200 and [a["title"] for a in mine.json] == ["文明寝室（党员示范型）"]
    theirs = http.as_("counselor_me", "GET", "/api/records/awards?program=civilized_dorms")
    assert [a["date"] for a in theirs.json] == ["2024-06-20", "2022-06-20"]  # newest first
    assert http.as_("counselor_em", "GET", "/api/records/awards?subject_id=dorm_me1").status_code == 403
    assert http.as_("counselor_em", "GET", "/api/records/awards").json == []


def test_concurrent_imports_of_the_same_file_store_each_fact_once(rpc, mongo):
    """Six copies of one import racing (a double-clicked upload, retries): every fact
    is created by exactly one of them; the others find it unchanged."""
    from tests.integration.helpers import b64
    from tests.integration.records.conftest import FACT_HEADER, fact_row

    rows = [fact_row("月度文明寝室评比", subject_kind="寝室", subject_id="dorm_me1", day=f"2023-{m:02d}-28",
                     source="宿管中心", 月份=f"2023-{m:02d}", 是否获评="是" if m % 2 else "否") for m in range(1, 13)]
    rows += [fact_row("奖学金", subject_id=no, ref=f"JW-{no}", 等级="三等", 名称="单项奖学金")
             for no in ("2023010101", "2023010102", "2023010201", "2023020101")]
    data = b64(csv_bytes(FACT_HEADER, rows))
    replies = [rpc.records.import_facts.call_async(ADMIN, "ratings.csv", data) for _ in range(6)]
    started = {reply.result()["id"] for reply in replies}   # one job while it runs (a later copy: another)

    def finished(job_id):
        job = rpc.records.get_job(ADMIN, job_id)
        return job if job["state"] not in ("queued", "running") else None

    for job_id in started:
        assert wait_until(lambda: finished(job_id), seconds=60), job_id
    jobs = {job_id: rpc.records.get_job(ADMIN, job_id) for job_id in started}
    assert all(job["state"] == "succeeded" for job in jobs.values()), jobs
    results = [job["result"] for job in jobs.values()]
    assert sum(r["created"] for r in results) == 16
    assert all(r["imported"] == 16 and r["created"] + r["unchanged"] == 16 and r["updated"] == 0 for r in results)
    assert mongo("records").facts.count_documents({}) == 16
    won = rpc.records.facts(["dorm_me1"], ["dorm_monthly_rating"], {"academic_year": "2022-2023"})
    assert [(f["value"]["month"], f["value"]["won"]) for f in won] == [
        ("2023-01", True), ("2023-02", False), ("2023-03", True), ("2023-04", False), ("2023-05", True),
        ("2023-06", False), ("2023-07", True), ("2023-08", False)]  # 2022-09-01 <= d < 2023-09-01
