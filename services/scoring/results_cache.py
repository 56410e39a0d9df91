"""The stored results preview (遴选预览): computed once by a job, read by pages.

Computing the results reads every sheet, asks the program's ``scoring_inputs`` hook
and ranks every application: work that grows with the campaign, so it is not done
while a page loads. The COMPUTE_RESULTS job stores the preview (what publishing now
would give, or the problem that stops it) in ``result_previews/<campaign_id>`` with
the key of the inputs it read, its ranking rows apart (``preview_rows``, a chunk of
rows to a document, replaced whole by the next preview), and `view` serves it:

  * the key is cheap to read: the campaign's newest audited scoring change (setup,
    assignments, sheets, vetoes: every one is audited) and the count and newest
    change of its applications (applications service, two index-served reads);
    the key is read before computing, so a change made while the job runs leaves
    the stored preview outdated, never falsely current;
  * a preview whose key is not the current one is shown as ``outdated`` beside the
    job computing the new one (started by the read; asking again while it runs
    returns the same job), so a page polls it and reloads;
  * the preview keeps the full inputs fingerprint, so "the published round no
    longer matches the scores" is a comparison of two stored digests. Facts a
    program reads from elsewhere (records imported after the computation) are not
    in the key: publishing always computes afresh, and "recompute" starts the job.
"""
from core.errors import ChuangxianError, ServiceUnavailable
from services.scoring import results
from services.scoring.views import jsonable

COMPUTE_RESULTS = "compute_results"
CURRENT, OUTDATED, MISSING = "current", "outdated", "missing"


def key(store, applications, campaign_id):
    """What the stored preview was computed from, cheaply."""
    return {"scoring": store.latest_change(campaign_id), "applications": applications.revision(campaign_id)}


def store_preview(store, campaign_id, inputs_key, computed=None, problem=None, now=None):
    """Keep a computation (or the Conflict that stopped it) as the campaign's preview:
    its ranking rows (the selected, then the rest) apart from the rest of it, so a
    page reads the window it shows and a school's ranking never makes one document
    over the server's 16 MB."""
    preview, rows = None, []
    if computed:
        preview = dict(results.summary(computed), inputs_fingerprint=computed["inputs_fingerprint"])
        selected, rest = preview.pop("selected"), preview.pop("rest")
        rows = selected + rest
    store.put_preview(jsonable({"_id": campaign_id, "key": inputs_key, "preview": preview, "problem": problem,
                                "inputs_fingerprint": computed["inputs_fingerprint"] if computed else None,
                                "computed_at": now, "selected_total": len(selected) if computed else 0,
                                "rows_total": len(rows)}), jsonable(rows))


def compute(run_progress, store, applications, program_inputs, campaign_id, now):
    """The COMPUTE_RESULTS job: compute and store the preview; {"selected", "rest"}
    counts, or {"problem"} when it cannot be computed (sheets missing, no quota
    rules): the problem is stored too, so reading it again starts no new job until
    the data change."""
    run_progress(0, 3)
    inputs_key = key(store, applications, campaign_id)
    run_progress(1, 3)
    try:
        computed = results.compute(store, applications, program_inputs, campaign_id, now)
    except ServiceUnavailable:
        raise   # a program not answering: the job fails and the next read tries again
    except ChuangxianError as exc:
        store_preview(store, campaign_id, inputs_key, problem=exc.to_dict(), now=now)
        return {"problem": exc.to_dict()}
    run_progress(2, 3)
    store_preview(store, campaign_id, inputs_key, computed, now=now)
    selection = computed["selection"]
    return {"selected": len(selection["selected"]), "rest": len(selection["outcomes"]) - len(selection["selected"])}


def view(store, applications, campaign_id, start_job, rows=None):
    """{"published", "preview", "preview_problem", "preview_state", "preview_job",
    "preview_computed_at"} from what is stored; `start_job()` starts (or returns the
    running) COMPUTE_RESULTS job when the stored preview is outdated or missing.
    `rows` ({"offset", "limit"}): only that window of each ranking
    (`results.ranking_window`), so a school's ranking does not cross RPC whole; the
    published round's window is read as such (`results.published_window`)."""
    if rows is None:
        published = store.latest_selection(campaign_id, with_computed=False)
        published = results.published_view(published) if published else None
    else:
        published = results.published_window(store, campaign_id, rows["offset"], rows["limit"])
    for _ in range(2):   # a preview replaced between its head and its rows: read the new one
        stored = store.get_preview(campaign_id)
        preview = _preview(store, campaign_id, stored, rows)
        if preview is not _REPLACED:
            break
    else:
        preview = None
    state = MISSING if stored is None else (
        CURRENT if stored.get("key") == jsonable(key(store, applications, campaign_id)) else OUTDATED)
    out = {"published": published,
           "preview": preview, "preview_problem": (stored or {}).get("problem"),
           "preview_state": state, "preview_computed_at": (stored or {}).get("computed_at"), "preview_job": None}
    if state != CURRENT:
        out["preview_job"] = start_job()
    if published and stored and stored.get("inputs_fingerprint"):
        out["published"]["stale"] = published["inputs_fingerprint"] != stored["inputs_fingerprint"]
    return out


_REPLACED = object()


def _preview(store, campaign_id, stored, rows):
    """The stored preview, whole or the window `rows` of its ranking (read from its
    rows, store.preview_rows); _REPLACED when they are gone (a newer preview replaced
    it since its head was read)."""
    head = (stored or {}).get("preview")
    if head is None or "selected" in head:               # none, or kept whole (before rows were kept apart)
        return head if rows is None else results.ranking_window(head, rows["offset"], rows["limit"])
    n, total = stored["selected_total"], stored["rows_total"]
    offset, limit = (0, total) if rows is None else (rows["offset"], rows["limit"])
    window = store.preview_rows(campaign_id, stored["rows_gen"], offset, limit)
    if len(window) < min(limit, max(0, total - offset)):
        return _REPLACED
    if rows is None:
        return dict(head, selected=window[:n], rest=window[n:])
    return results.rows_window(head, window, n, total, offset, limit)
