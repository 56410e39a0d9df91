"""The Nameko side of background jobs (`core.jobs`): mix `JobsMixin` into a service.

The service's store must offer ``jobs`` (a `core.jobs.JobStore` over its own
database) and the service a ``job_handlers()`` method: ``{kind: handler}``, each
``handler(run, service)`` with `run` a `core.jobs.JobRun` and `service` the worker's
service instance (its dependencies: store, RPC proxies, dispatcher). A handler
returns the job's result (JSON-like) or raises a `ChuangxianError` to fail it.

`run_jobs` is a timer: every second it costs nothing unless a job was submitted in
this process or the idle back-off has passed (then one indexed query); claimed jobs
run inside the timer's worker, one after another, so a service runs at most one job
at a time per process and its request workers stay free.
"""

import time

from core.entrypoints import rpc
from core.paced_timer import paced_timer
from core.errors import ChuangxianError, NotFound
from core.jobs import job_view


class JobsMixin:
    @rpc
    def get_job(self, actor_id, job_id):
        """A job the caller started: state, progress (done/total/percent), result or
        error. NotFound for anyone else's job."""
        doc = self.store.jobs.get(job_id)
        try:
            visible = doc.get("created_by") == actor_id or self.job_visible(actor_id, doc)
        except ChuangxianError:
            visible = False
        if not visible:
            raise NotFound(f"No job {job_id!r}.", "没有这个任务", field="job_id")
        return job_view(doc)

    def job_visible(self, actor_id, job):
        """Whether someone besides its creator may follow `job` (a service may widen
        this, e.g. to every admin of the job's campaign); raising is a refusal."""
        return False

    @paced_timer(interval=1, ready=lambda store: store.jobs.should_poll(time.time()))
    def run_jobs(self):
        self.store.jobs.run_due(self.job_handlers(), self)

    def job_handlers(self):
        return {}

    def submit_job(self, kind, params, actor_id, total=None, supersedes=False):
        """Store a job (or find the identical one already under way); its view.
        `supersedes`: see `core.jobs.JobStore.submit`."""
        return job_view(self.store.jobs.submit(kind, params, actor_id, total=total, supersedes=supersedes))

    @rpc
    def get_job_file(self, actor_id, job_id):
        """{"filename", "content_type", "data_b64"} of the file a finished job of the
        caller produced."""
        import base64
        self.get_job(actor_id, job_id)
        doc = self.store.jobs.get_file(job_id)
        return {"filename": doc["filename"], "content_type": doc["content_type"],
                "data_b64": base64.b64encode(bytes(doc["data"])).decode("ascii")}
