"""The scoring service's background jobs (`core.jobs`): kind -> handler.

Each handler is `handler(run, service)` and idempotent: a re-run after a crash
completes the work without applying any of it twice.
"""
import logging

from core import excel
from core.envelope import utc_now
from core.off_hub import off_hub
from services.scoring import results, results_cache, reviewer_spread, reviewing

AUTO_ASSIGN = "auto_assign"
COMPUTE_RESULTS = results_cache.COMPUTE_RESULTS
PUBLISH_RESULTS = "publish_results"
EXPORT_RANKING = "export_ranking"
log = logging.getLogger(__name__)
LISTED = 1000   # assignments listed in a job's result (a job document stays small; the rest are listed
                # by GET /api/scoring/campaigns/<id>/assignments)


def auto_assign(run, service):
    """{"created": [the first LISTED], "created_count", "created_truncated", "loads"}."""
    done = reviewing.auto_assign(service.store, service.applications, service.dispatch,
                                 service._person(run.actor_id), run.params["campaign_id"], utc_now(),
                                 progress=run.progress)
    created = done["created"]
    return dict(done, created=created[:LISTED], created_count=len(created), created_truncated=len(created) > LISTED)


def compute_results(run, service):
    """The stored preview (results_cache.py), computed afresh."""
    return results_cache.compute(run.progress, service.store, service.applications, service.program_inputs,
                                 run.params["campaign_id"], utc_now())


def publish_results(run, service):
    """Compute, store and publish a round (results.publish); the published round
    with ``created``. The computation is kept as the stored preview too, the round's
    ranking rows apart from it (results.keep_rows) and its reviewer spread for the
    dashboard (from the computation in hand: read back, a school's scores are 20 MB)."""
    campaign_id, now = run.params["campaign_id"], utc_now()
    inputs_key = results_cache.key(service.store, service.applications, campaign_id)
    run.progress(0, 2, force=True)
    seen = {}

    def keep(computed):
        seen["computed"] = computed
        results_cache.store_preview(service.store, campaign_id, inputs_key, computed, now=now)
        run.progress(1, 2, force=True)

    data = {"round": run.params["round"]} if run.params.get("round") else {}
    out = results.publish(service.store, service.applications, service.program_inputs, service.dispatch,
                          service._person(run.actor_id), campaign_id, data, now, on_computed=keep)
    computed = seen["computed"]
    try:   # what pages read of the round, kept now (else kept when first read)
        results.keep_rows(service.store, out)
        if computed["inputs_fingerprint"] == out["inputs_fingerprint"]:
            reviewer_spread.keep(service.store, {"campaign_id": campaign_id, "round": out["round"],
                                                 "inputs_fingerprint": out["inputs_fingerprint"],
                                                 "computed": computed, "payload": out},
                                 service.store.reviewer_names(campaign_id))
    except Exception:   # the round is published: its pages keep these when first opened
        log.exception("what pages read of %s round %s was not kept", campaign_id, out["round"])
    return out


def export_ranking(run, service):
    """评审结果 of the latest published round, kept with the job: {"rows", "round", "file"}.
    A round published while it ran is not mixed in: one round is read, once."""
    campaign_id = run.params["campaign_id"]
    campaign = service.applications.campaign(campaign_id)
    published = results.published_view(results.require_published(service.store, campaign_id))
    run.progress(0, 1, force=True)
    data = off_hub(excel.ranking, campaign, published)   # pure work: off the hub (core/off_hub.py)
    link = service.store.jobs.put_file(run.id, f"{campaign['title']}-评审结果.xlsx", excel.XLSX, data)
    rows = len(published.get("selected") or []) + len(published.get("rest") or [])
    return {"rows": rows, "round": published.get("round"), "file": link}


HANDLERS = {AUTO_ASSIGN: auto_assign, COMPUTE_RESULTS: compute_results, PUBLISH_RESULTS: publish_results,
            EXPORT_RANKING: export_ranking}
