"""Background jobs: bulk work that grows with the data, run by the service that owns it.

A request that starts bulk work (an import, an assignment, computing results, an
export, ...) stores a job and answers at once (HTTP 202 with the job); a worker of the
owning service (`core.job_service.JobsMixin`) claims it, runs its handler in batches
and reports progress; `GET /api/jobs/<id>` shows progress and, at the end, the result
(counts, row errors, the file) or the failure.

A job is one document of the owning service's ``jobs`` collection:
``_id`` (``<service>.<hex>``), ``kind``, ``params``, ``fingerprint``, ``active_key``,
``state`` (queued, running, succeeded, failed), ``done``/``total``, ``result``,
``error`` (code, message, message_zh, field, details), ``created_by``, ``owner``,
``attempts``, ``checkpoint`` and times as epoch seconds (``created_ts``,
``started_ts``, ``heartbeat_ts``, ``lease_until_ts``, ``finished_ts``): numbers, so
that "what is due" is an indexed range scan on nx-27017 as on MongoDB.

Guarantees:
  * Two identical jobs do not both run. While a job is queued or running its
    ``active_key`` is ``kind:fingerprint(params)`` under a unique index; asking for
    the same work again returns the job already there. A finished job's
    ``active_key`` becomes its own id, so the same work may be asked for later.
  * A job survives a restart of its service. A running job renews its lease with
    every progress report; a job whose lease ran out (its process died) is claimed
    again and its handler run again from the last checkpoint it saved. Handlers are
    idempotent (every write keyed or conditional on state), so a re-run completes
    the work and never applies it twice; after MAX_ATTEMPTS claims the job is
    failed ("interrupted") instead of being retried for ever.
  * A worker that lost its lease (another process took the job over) stops at its
    next progress report (`LeaseLost`) and writes nothing more about the job.
  * Idle workers back off: with nothing queued a process asks the database at most
    every IDLE_MAX seconds, and at once after a job was submitted in it.
  * A job that recomputes what is kept elsewhere for a campaign (a dashboard's
    counts, a results preview; ``supersedes``) leaves at most the jobs of the last
    SUPERSEDED_KEEP seconds of its kind and campaign behind it. Other finished jobs
    (imports, exports and their files, decisions) are kept.
"""
import hashlib
import json
import logging
import os
import socket
import time
import uuid
from datetime import datetime, timezone

from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from core.errors import ChuangxianError, NotFound
from core.pacing import Pacer

log = logging.getLogger(__name__)

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
ACTIVE = (QUEUED, RUNNING)
LEASE_SECONDS = 60
MAX_ATTEMPTS = 3
MAX_ERRORS = 500          # row errors kept in a job's error details
PROGRESS_EVERY = 0.5      # seconds between progress writes (the last one is always written)
IDLE_MAX = 15.0           # seconds: how late a job submitted to another copy may start
SUPERSEDED_KEEP = 600     # seconds a superseded job stays readable once finished (its page has reloaded by then)


class LeaseLost(Exception):
    """Another worker took this job over (this one was presumed dead): stop."""


def fingerprint(kind, params):
    """A stable digest of the work asked for: same kind and params, same digest."""
    text = json.dumps([kind, params], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _iso(ts):
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, timezone.utc).isoformat().replace("+00:00", "Z")


def job_view(doc):
    """What a client sees of a job (no lease, owner or checkpoint)."""
    done, total = doc.get("done", 0), doc.get("total")
    percent = 100 if doc["state"] == SUCCEEDED else (
        int(done * 100 / total) if total else 0)
    return {"id": doc["_id"], "kind": doc["kind"], "state": doc["state"], "done": done, "total": total,
            "percent": min(percent, 100), "result": doc.get("result"), "error": doc.get("error"),
            "created_by": doc.get("created_by"), "created_at": _iso(doc.get("created_ts")),
            "started_at": _iso(doc.get("started_ts")), "finished_at": _iso(doc.get("finished_ts")),
            "attempts": doc.get("attempts", 0)}


class JobStore:
    """The ``jobs`` collection of one service's database."""

    def __init__(self, collection, service, files=None):
        self.jobs = collection
        self.files = files if files is not None else collection.database["job_files"]
        self.service = service
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.pacer = Pacer(idle_max=IDLE_MAX)

    def ensure_indexes(self):
        self.jobs.create_index([("active_key", ASCENDING)], unique=True)
        self.jobs.create_index([("kind", ASCENDING)])
        self.jobs.create_index([("kind", ASCENDING), ("campaign_id", ASCENDING), ("state", ASCENDING)])
        self.jobs.create_index([("state", ASCENDING), ("created_ts", ASCENDING)])
        self.jobs.create_index([("state", ASCENDING), ("lease_until_ts", ASCENDING)])
        self.jobs.create_index([("state", ASCENDING)])
        self.jobs.create_index([("created_by", ASCENDING)])
        self.jobs.create_index([("created_by", ASCENDING), ("created_ts", ASCENDING)])

    # -- asking -------------------------------------------------------------
    def submit(self, kind, params, actor_id, total=None, now=None, supersedes=False):
        """The job doing `kind` with `params`: a new queued one, or the identical one
        already queued or running. `params` must be JSON-like (it is stored).

        `supersedes`: the job recomputes what is kept elsewhere for its campaign (a
        dashboard's counts, a results preview), so once a new one is stored the
        earlier finished jobs of its kind for that campaign serve nothing: those
        finished more than SUPERSEDED_KEEP seconds ago are deleted with their files.
        Such jobs, started by pages as a campaign changes, then do not pile up one
        for every look (a few reads a submit, by the kind's index)."""
        now = now or time.time()
        digest = fingerprint(kind, params)
        doc = {"_id": f"{self.service}.{uuid.uuid4().hex}", "kind": kind, "params": params,
               "fingerprint": digest, "active_key": f"{kind}:{digest}", "state": QUEUED, "done": 0,
               "campaign_id": params.get("campaign_id") if isinstance(params, dict) else None,
               "total": total, "result": None, "error": None, "created_by": actor_id, "owner": None,
               "attempts": 0, "checkpoint": None, "created_ts": now, "started_ts": None,
               "heartbeat_ts": None, "lease_until_ts": None, "finished_ts": None}
        try:
            self.jobs.insert_one(doc)
        except DuplicateKeyError:
            same = self.jobs.find_one({"active_key": doc["active_key"]})
            if same is not None:
                return same
            self.jobs.insert_one(doc)   # it finished in between: this is new work
        self.wake()
        if supersedes and doc["campaign_id"] is not None:
            self._drop_superseded(kind, doc["campaign_id"], now - SUPERSEDED_KEEP)
        return doc

    def _drop_superseded(self, kind, campaign_id, before):
        """Delete the jobs of `kind` for the campaign finished before `before`, and
        their files. (A range on a number never meets the None of a job that has not
        finished, on either server.)"""
        old = [d["_id"] for d in self.jobs.find({"kind": kind, "campaign_id": campaign_id,
                                                 "finished_ts": {"$lt": before}}, {"_id": 1})]
        if old:
            self.jobs.delete_many({"_id": {"$in": old}})
            self.files.delete_many({"_id": {"$in": old}})

    def get(self, job_id):
        """The job without its params (an upload may be megabytes; pages poll this)."""
        doc = self.jobs.find_one({"_id": job_id}, {"params": 0})
        if doc is None:
            raise NotFound(f"No job {job_id!r}.", "没有这个任务", field="job_id")
        return doc

    def latest(self, kind, actor_id=None, limit=5):
        """The newest jobs of a kind (optionally of one person), newest first."""
        query = {"created_by": actor_id, "kind": kind} if actor_id else {"kind": kind}
        return list(self.jobs.find(query, sort=[("created_ts", -1)], limit=limit))

    def active(self, kind, campaign_id):
        """The queued or running job of `kind` for a campaign, or None (e.g. so a
        sweep leaves alone the work a job is doing)."""
        return self.jobs.find_one({"kind": kind, "campaign_id": campaign_id, "state": {"$in": list(ACTIVE)}},
                                  {"params": 0})

    def put_file(self, job_id, filename, content_type, data):
        """Keep a job's output file (one per job; a re-run replaces it); its link."""
        self.files.replace_one({"_id": job_id}, {"_id": job_id, "filename": filename, "content_type": content_type,
                                                 "size": len(data), "data": data}, upsert=True)
        return {"name": filename, "size": len(data), "url": f"/api/jobs/{job_id}/file"}

    def get_file(self, job_id):
        doc = self.files.find_one({"_id": job_id})
        if doc is None:
            raise NotFound(f"Job {job_id!r} has no file.", "该任务没有生成文件", field="job_id")
        return doc

    # -- running ------------------------------------------------------------
    def wake(self):
        """Look for work at the next tick (a job was just submitted here)."""
        self.pacer.wake()

    def should_poll(self, now):
        return self.pacer.ready(now)

    def claim(self, now=None):
        """Take the oldest queued job, or one whose worker's lease ran out."""
        now = now or time.time()
        update = {"$set": {"state": RUNNING, "owner": self.owner, "heartbeat_ts": now,
                           "lease_until_ts": now + LEASE_SECONDS},
                  "$inc": {"attempts": 1}}
        doc = self.jobs.find_one_and_update({"state": QUEUED}, update, sort=[("created_ts", ASCENDING)],
                                            return_document=ReturnDocument.AFTER)
        if doc is None:
            doc = self.jobs.find_one_and_update({"state": RUNNING, "lease_until_ts": {"$lt": now}}, update,
                                                sort=[("lease_until_ts", ASCENDING)],
                                                return_document=ReturnDocument.AFTER)
        if doc is not None and doc.get("started_ts") is None:
            self.jobs.update_one({"_id": doc["_id"]}, {"$set": {"started_ts": now}})
            doc["started_ts"] = now
        return doc

    def _mine(self, job):
        return {"_id": job["_id"], "owner": self.owner, "attempts": job["attempts"], "state": RUNNING}

    def heartbeat(self, job, fields, now=None):
        """Write progress (and renew the lease); LeaseLost when the job is no longer ours."""
        now = now or time.time()
        changes = dict(fields, heartbeat_ts=now, lease_until_ts=now + LEASE_SECONDS)
        if self.jobs.update_one(self._mine(job), {"$set": changes}).matched_count != 1:
            raise LeaseLost(job["_id"])

    def finish(self, job, state, result=None, error=None, done=None, now=None):
        """Record the outcome (only while the job is still ours) and free its key."""
        now = now or time.time()
        changes = {"state": state, "result": result, "error": error, "finished_ts": now,
                   "active_key": job["_id"], "lease_until_ts": None}
        if done is not None:
            changes["done"] = done
        return self.jobs.update_one(self._mine(job), {"$set": changes}).matched_count == 1

    def run_due(self, handlers, context=None, now=None, budget_seconds=600):
        """Run claimed jobs one after another until none is due (or the budget is
        spent); returns how many were run. Without work, backs off (no database
        command until the next poll time)."""
        now = now or time.time()
        if not self.should_poll(now):
            return 0
        ran, started = 0, time.time()
        while time.time() - started < budget_seconds:
            job = self.claim()
            if job is None:
                break
            self.run(job, handlers, context)
            ran += 1
        return self.pacer.tick(ran)

    def run(self, job, handlers, context=None):
        """Run one claimed job to its end (succeeded or failed)."""
        handler = handlers.get(job["kind"])
        if handler is None:
            self.finish(job, FAILED, error=_error("unknown_job", f"Unknown job kind {job['kind']!r}.",
                                                  "未知的任务类型"))
            return
        if job["attempts"] > MAX_ATTEMPTS:
            self.finish(job, FAILED, error=_error(
                "interrupted", "The job was interrupted too often and stopped; nothing more was changed. "
                               "Start it again.", "任务多次中断，已停止（之后没有再做任何修改），请重新发起"))
            return
        run = JobRun(self, job)
        try:
            result = handler(run, context) if context is not None else handler(run)
        except LeaseLost:
            log.warning("job %s was taken over by another worker", job["_id"])
            return
        except ChuangxianError as exc:
            self.finish(job, FAILED, error=exc.to_dict(), done=run.done)
            return
        except Exception:   # a bug: the job fails, the worker lives on
            log.exception("job %s (%s) failed", job["_id"], job["kind"])
            self.finish(job, FAILED, done=run.done, error=_error(
                "internal_error", "The job failed unexpectedly; see the service log.", "任务意外失败，请查看服务日志"))
            return
        self.finish(job, SUCCEEDED, result=result, done=run.total if run.total is not None else run.done)


def _error(code, en, zh):
    return {"code": code, "message": en, "message_zh": zh}


class JobRun:
    """What a handler sees of its job: ``params``, ``actor_id``, ``checkpoint`` (what
    a previous attempt saved, or None) and `progress` to report (which also renews
    the lease and raises LeaseLost if the job was taken over)."""

    def __init__(self, store, job):
        self.store = store
        self.job = job
        self.id = job["_id"]
        self.params = job["params"]
        self.actor_id = job.get("created_by")
        self.checkpoint = job.get("checkpoint")
        self.attempt = job["attempts"]
        self.done = job.get("done", 0) if job.get("checkpoint") else 0
        self.total = job.get("total")
        self._written = 0.0

    def progress(self, done, total=None, checkpoint=None, force=False):
        """Report `done` of `total`; with `checkpoint`, a re-run after a crash starts
        from there. Writes at most every PROGRESS_EVERY seconds unless `force` or a
        checkpoint is given."""
        self.done = done
        if total is not None:
            self.total = total
        now = time.time()
        if not force and checkpoint is None and now - self._written < PROGRESS_EVERY:
            return
        fields = {"done": done}
        if self.total is not None:
            fields["total"] = self.total
        if checkpoint is not None:
            fields["checkpoint"] = checkpoint
            self.checkpoint = checkpoint
        self.store.heartbeat(self.job, fields, now)
        self._written = now

    def step(self, count=1):
        self.progress(self.done + count)
