"""The records service's background jobs (`core.jobs`): kind -> handler.

Each handler is `handler(run, service)` and idempotent: facts have deterministic ids
(domain/facts.py), so a re-run after a crash stores what is missing and changes
nothing already stored.
"""
from core.envelope import utc_now
from core.filestore import upload_bytes
from services.records import program_kinds, recording

IMPORT_FACTS = "import_facts"


def import_facts(run, service):
    """{"imported", "created", "updated", "unchanged"}; a file with bad
    rows fails the job with every bad row in its error details (nothing stored)."""
    params = run.params
    program_kinds.refresh(service.store)
    # `file`: the file store's reference the gateway sent (a job params document stays small)
    data = upload_bytes(params["file"], service.store.files)
    return recording.import_facts(service.store, service.directory, service._actor(run.actor_id),
                                  params["filename"], data, utc_now(), progress=run.progress)


HANDLERS = {IMPORT_FACTS: import_facts}
