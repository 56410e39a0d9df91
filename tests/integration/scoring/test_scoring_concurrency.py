"""Concurrency through the gateway: two admins assigning or publishing at once never
give an application more than k reviewers nor fill a quota twice (the database
decides: a claimed assignment epoch, a unique selection per round); concurrent writes
of one score sheet apply once."""
from collections import Counter

import eventlet

from tests.integration.scoring import world
from tests.integration.helpers import finish_job
from tests.integration.helpers import as_job, current_results
from tests.integration.helpers import close_applications

ADMINS = ("admin", "admin2")


def _url(cid, tail=""):
    return f"/api/scoring/campaigns/{cid}{tail}"


def _at_once(n, call):
    return list(eventlet.GreenPool(n).imap(call, range(n)))


def test_two_admins_at_once_never_exceed_k_or_a_quota(scoring, http, mongo, config):
    tap = world.EventTap(config["AMQP_URI"])
    campaign, apps = world.open_round(scoring, ("me1", "me2", "em1", "em2"))
    cid = campaign["id"]
    ids = {k: a["id"] for k, a in apps.items()}
    scoring.scoring.configure("p_admin", cid, {"reviewers_per_application": 2, "blind_review": False})
    for login in ADMINS:
        http.login(login)

    # -- auto-assignment by two admins at once: exactly k = 2 reviewers each ----------
    started = _at_once(8, lambda i: http.as_(ADMINS[i % 2], "POST", _url(cid, "/assignments/auto")))
    assert {r.status_code for r in started} == {202}, [r.json for r in started]
    assert len({r.json["id"] for r in started}) <= 2     # the same work asked at once is one job
    for i, response in enumerate(started):               # either admin follows the job
        assert finish_job(http, ADMINS[(i + 1) % 2], response)["state"] == "succeeded"
    stored = list(mongo("scoring").assignments.find({"campaign_id": cid}))
    assert Counter(a["application_id"] for a in stored) == {i: 2 for i in ids.values()}

    # -- one sheet written at once from the same version: one write wins --------------
    first = sorted(a["reviewer_id"] for a in stored if a["application_id"] == ids["me1"])[0]
    login = "reviewer" if first == "p_reviewer" else first[2:]
    sheet = _url(cid, f"/applications/{ids['me1']}/sheet")
    assert http.as_(login, "PUT", sheet, json={"scores": {"goals": 5}}).json["version"] == 1
    writes = _at_once(6, lambda i: http.as_(login, "PUT", sheet, json={"scores": {"goals": i}, "version": 1}))
    assert sorted(w.status_code for w in writes) == [200] + [409] * 5
    winner = next(w.json for w in writes if w.status_code == 200)
    assert http.as_(login, "GET", sheet).json["scores"] == winner["scores"]

    # Every reviewer scores the branch's base marks (world.BASES): me1 85, me2 82,
    # em1 82 (less innovative), em2 70. 4 projects: 重点 20% x 4 = 0.8 -> 1,
    # 特色 30% x 4 = 1.2 -> 1, the rest 一般.
    for a in stored:
        key = next(k for k, i in ids.items() if i == a["application_id"])
        scoring.scoring.submit_sheet(a["reviewer_id"], cid, a["application_id"], {"scores": world.BASES[key]})

    # -- publishing by two admins at once: one selection, one event ---------------------
    close_applications(http, "admin", cid)
    results = _at_once(6, lambda i: as_job(http, ADMINS[i % 2], "POST", _url(cid, "/results/publish"), json={}))
    assert [r.status_code for r in results] == [200] * 6
    # (asking while the job runs gives that job: count each job once)
    assert sum({r.job["id"]: r.json["created"] for r in results}.values()) == 1
    grades = {r.json["round"]: [(s["application_id"], s["grade"]) for s in r.json["selected"]] for r in results}
    assert grades == {1: [(ids["me1"], "key"), (ids["me2"], "featured"), (ids["em1"], "general"),
                          (ids["em2"], "general")]}
    assert mongo("scoring").selections.count_documents({"campaign_id": cid}) == 1
    events = tap.drain(seconds=4, until=2)
    assert [e["id"] for e in events] == [f"scoring.results_published:{cid}:1"]

    # -- a veto changes the inputs: round 1 stays, round 2 supersedes it -------------
    http.as_("admin", "POST", _url(cid, f"/applications/{ids['me1']}/veto"), json={"reason": "材料弄虚作假"})
    stale = current_results(http, "admin", _url(cid, "/results")).json
    assert stale["published"]["stale"] is True and stale["published"]["round"] == 1
    refused = as_job(http, "admin2", "POST", _url(cid, "/results/publish"), json={})
    assert refused.status_code == 409 and refused.json["details"]["next_round"] == 2
    skipped = as_job(http, "admin2", "POST", _url(cid, "/results/publish"), json={"round": 3})
    assert skipped.status_code == 422 and skipped.json["field"] == "round"
    second = _at_once(6, lambda i: as_job(http, ADMINS[i % 2], "POST", _url(cid, "/results/publish"), json={"round": 2}))
    assert [r.status_code for r in second] == [200] * 6
    assert sum({r.job["id"]: r.json["created"] for r in second}.values()) == 1
    assert {tuple((s["application_id"], s["grade"]) for s in r.json["selected"]) for r in second} == {
        ((ids["me2"], "key"), (ids["em1"], "featured"), (ids["em2"], "general"))}
    assert mongo("scoring").selections.count_documents({"campaign_id": cid}) == 2
    events = tap.drain(seconds=4, until=2)
    assert [e["id"] for e in events] == [f"scoring.results_published:{cid}:2"]
    assert events[0]["data"]["rest"][0]["reason"] == "vetoed"
    # The applicant's explanation follows the latest round.
    ex = http.as_("2023010201", "GET", _url(cid, f"/applications/{ids['me2']}/explain")).json
    assert (ex["round"], ex["rank"], ex["grade"]) == (2, 1, "key")

    # -- a publication interrupted after its write is finished by the outbox sweep ----
    selections = mongo("scoring").selections
    doc = selections.find_one({"_id": f"{cid}:2"})
    crashed = _interrupted_copy(doc, 3)
    selections.insert_one(crashed)
    events = tap.drain(seconds=12, until=1)
    assert [e["id"] for e in events] == [crashed["outbox"]["event"]["id"]]
    for _ in range(50):  # the sweep clears the outbox right after publishing
        if selections.find_one({"_id": crashed["_id"]}).get("outbox") is None:
            break
        eventlet.sleep(0.1)
    assert selections.find_one({"_id": crashed["_id"]}).get("outbox") is None
    trail = http.as_("admin", "GET", _url(cid, "/audit")).json
    assert sorted(e["details"]["round"] for e in trail if e["action"] == "published") == [1, 2, 3]
    tap.close()


def _interrupted_copy(doc, round_):
    """Round `round_` as the service writes it, its outbox never finished (the
    process died right after the insert)."""
    from datetime import datetime, timedelta, timezone

    from core.envelope import make_event
    from services.scoring import outbox
    at = datetime.now(timezone.utc) - timedelta(seconds=30)
    cid = doc["campaign_id"]
    event = make_event("scoring.results_published", dict(doc["payload"], round=round_), "scoring",
                       actor=doc["published_by"], event_id=f"scoring.results_published:{cid}:{round_}", occurred_at=at)
    entry = outbox.audit_entry(cid, "results", f"{cid}:{round_}", 1, "published", doc["published_by"], at,
                               round=round_)
    return dict(doc, _id=f"{cid}:{round_}", round=round_, event_id=event["id"], published_at=at,
                outbox=outbox.box(entry, event), outbox_ts=at.timestamp())
