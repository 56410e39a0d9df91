"""The job mechanism (core/jobs.py) on the real Mongo wire server: identical jobs do
not both run, a job survives its worker's death (resumes from its checkpoint, or fails
after too many attempts), a worker that lost its lease stops, idle workers back off."""
import time

import pytest

from core import jobs
from core.errors import NotFound, ValidationFailed


@pytest.fixture
def store(mongo):
    db = mongo("jobs_test")
    job_store = jobs.JobStore(db.jobs, "applications")
    job_store.ensure_indexes()
    return job_store


def test_identical_jobs_are_one_until_it_finishes(store):
    first = store.submit("export", {"campaign_id": "c1"}, "p_admin", now=100.0)
    again = store.submit("export", {"campaign_id": "c1"}, "p_admin")
    other = store.submit("export", {"campaign_id": "c2"}, "p_admin")
    assert again["_id"] == first["_id"] and other["_id"] != first["_id"]
    assert first["_id"].startswith("applications.")
    ran = store.run_due({"export": lambda run: {"rows": run.params["campaign_id"]}})
    assert ran == 2
    done = store.get(first["_id"])
    assert done["state"] == jobs.SUCCEEDED and done["result"] == {"rows": "c1"} and done["attempts"] == 1
    # Finished: the same work may be asked for again, as a new job.
    assert store.submit("export", {"campaign_id": "c1"}, "p_admin")["_id"] != first["_id"]


def test_a_dead_workers_job_resumes_from_its_checkpoint(store):
    seen = []

    def handler(run):
        start = (run.checkpoint or {}).get("next", 0)
        for i in range(start, 10):
            seen.append(i)
            run.progress(i + 1, 10, checkpoint={"next": i + 1} if i == 4 else None)
            if i == 4 and run.attempt == 1:
                raise SystemExit  # the process dies here (not an error the job records)
        return {"done": 10}

    job = store.submit("count", {}, "p_admin")
    claimed = store.claim()
    with pytest.raises(SystemExit):
        store.run(claimed, {"count": handler})
    stuck = store.get(job["_id"])
    assert stuck["state"] == jobs.RUNNING and stuck["done"] == 5 and stuck["checkpoint"] == {"next": 5}
    assert store.claim() is None                    # its lease still runs: nobody takes it
    taken = store.claim(now=time.time() + jobs.LEASE_SECONDS + 1)   # the lease ran out
    assert taken["_id"] == job["_id"] and taken["attempts"] == 2
    store.run(taken, {"count": handler})
    finished = store.get(job["_id"])
    assert finished["state"] == jobs.SUCCEEDED and finished["done"] == 10
    assert seen == list(range(5)) + list(range(5, 10))   # nothing before the checkpoint twice


def test_a_job_interrupted_too_often_fails_and_a_taken_over_worker_stops(store):
    job = store.submit("count", {}, "p_admin")
    for attempt in range(jobs.MAX_ATTEMPTS):
        assert store.claim(now=time.time() + attempt * (jobs.LEASE_SECONDS + 1))["attempts"] == attempt + 1
    last = store.claim(now=time.time() + 10 * jobs.LEASE_SECONDS)
    store.run(last, {"count": lambda run: {"never": True}})
    failed = store.get(job["_id"])
    assert failed["state"] == jobs.FAILED and failed["error"]["code"] == "interrupted" and failed["result"] is None

    # Two workers: the first is presumed dead, the second takes over; the first stops
    # at its next progress report and records nothing.
    second_job = store.submit("slow", {}, "p_admin")
    old = store.claim()
    other = jobs.JobStore(store.jobs, "applications")
    new = other.claim(now=time.time() + jobs.LEASE_SECONDS + 1)
    assert new["_id"] == second_job["_id"]
    store.run(old, {"slow": lambda run: run.progress(1, 2, force=True) or {"late": True}})
    assert store.get(second_job["_id"])["state"] == jobs.RUNNING
    other.run(new, {"slow": lambda run: {"ok": True}})
    assert store.get(second_job["_id"])["result"] == {"ok": True}


def test_errors_fail_the_job_with_their_details_and_idle_workers_back_off(store):
    job = store.submit("import", {}, "p_admin")
    bad = ValidationFailed("2 problems", "2 处错误", field="file", details=[{"row": 3, "column": "学号"}])

    def fails(run):
        raise bad

    store.run_due({"import": fails})
    failed = jobs.job_view(store.get(job["_id"]))
    assert failed["state"] == "failed" and failed["error"]["details"] == [{"row": 3, "column": "学号"}]
    assert failed["error"]["message_zh"] == "2 处错误"
    # Nothing to do: the next polls are spaced out, and a submit here wakes it at once.
    now = time.time()
    assert store.run_due({}, now=now) == 0
    assert not store.should_poll(now + 0.5)
    store.submit("import", {"again": 1}, "p_admin")
    assert store.should_poll(now + 0.5)


def test_a_superseding_job_deletes_its_campaigns_earlier_finished_ones(store):
    """A job that recomputes what is kept elsewhere (a dashboard's counts) supersedes
    the finished ones of its kind for its campaign: those finished long enough ago go,
    with their files, when a new one is stored; a recent one stays readable (a page
    may still be polling it), and so do running ones, other campaigns' and other
    kinds'."""
    def finished(kind, campaign, at, state=jobs.SUCCEEDED):
        job = store.submit(kind, {"campaign_id": campaign, "at": at}, "p_admin", now=at)
        claimed = store.claim(now=at)
        assert claimed["_id"] == job["_id"]
        store.put_file(job["_id"], "counts.txt", "text/plain", b"1")
        assert store.finish(claimed, state, result={}, now=at + 1)
        return job["_id"]

    t0 = 1_000_000.0
    old, old_failed = finished("counts", "c1", t0), finished("counts", "c1", t0 + 5, jobs.FAILED)
    recent = finished("counts", "c1", t0 + 2 * jobs.SUPERSEDED_KEEP)
    elsewhere, other_kind = finished("counts", "c2", t0), finished("export", "c1", t0)
    running = store.submit("counts", {"campaign_id": "c1", "at": "now"}, "p_admin", now=t0)
    store.claim(now=t0)
    new = store.submit("counts", {"campaign_id": "c1"}, "p_admin", now=t0 + 2 * jobs.SUPERSEDED_KEEP + 10,
                       supersedes=True)
    kept = {d["_id"] for d in store.jobs.find({}, {"_id": 1})}
    assert kept == {recent, elsewhere, other_kind, running["_id"], new["_id"]}
    assert {d["_id"] for d in store.files.find({}, {"_id": 1})} == {recent, elsewhere, other_kind}
    for gone in (old, old_failed):
        with pytest.raises(NotFound):
            store.get(gone)
    # without `supersedes` nothing is deleted
    store.submit("counts", {"campaign_id": "c1", "plain": True}, "p_admin", now=t0 + 10 * jobs.SUPERSEDED_KEEP)
    assert recent in {d["_id"] for d in store.jobs.find({}, {"_id": 1})}
