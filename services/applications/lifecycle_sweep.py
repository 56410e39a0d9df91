"""The periodic sweep that finishes what a crash interrupted after the decision:
notice and objection outboxes (a re-notice), final lists not yet settled (state
moves, awards, notice.closed), stage changes (the awards of a passed final
evaluation) and award events. Every step it repeats is idempotent."""
import logging

from services.applications import final_list, jobs, lifecycle_outbox, notices, stages

log = logging.getLogger(__name__)


def sweep(deps, now, older_than):
    """Returns how many documents it took up."""
    count = 0
    for doc in deps.notes.stale("notices", older_than):
        notices.finish_notice(deps, doc)
        count += 1
    for doc in deps.notes.stale("objections", older_than):
        notices.finish_objection(deps, doc, now)
        count += 1
    for doc in deps.notes.unsettled_final_lists(older_than):
        if deps.apps.jobs.active(jobs.FINALISE, doc["_id"]):
            continue   # its job settles it (and reports progress); a job that dies is resumed or fails
        try:
            final_list.settle(deps, doc, now)
        except Exception:  # one campaign's trouble (a plugin down) must not stop the others
            log.exception("settling the final list of %s failed; will retry", doc["_id"])
        count += 1
    for doc in deps.notes.stale("final_lists", older_than):  # settled, but its finisher died
        lifecycle_outbox.finish(deps.notes, deps.dispatch, "final_lists", doc)
        count += 1
    count += stages.sweep(deps, now, older_than)
    for doc in deps.notes.stale("awards", older_than):
        lifecycle_outbox.finish(deps.notes, deps.dispatch, "awards", doc)
        count += 1
    return count
