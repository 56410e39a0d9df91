"""Files of a stage report (中期检查报告, 结题报告, photos): uploaded by the applicant
while the stage is open or returned, at most stage_rules.MAX_FILES per stage.

Guarantees: the bytes are in the file store (content-addressed); the file's entry is
added to or removed from ``stage_reports/<application_id>:<stage>`` by a conditional
replace on its revision, so the count limit holds under concurrent uploads (the loser
gets 409) and each change is one audited revision. The same bytes sent again for the
same stage return the entry stored the first time. Once the stage is passed or
failed its files no longer change.
"""
import hashlib

from core import uploads
from core.errors import Conflict, NotFound
from core.filestore import upload_bytes
from services.applications import lifecycle, lifecycle_outbox, stages
from services.applications.domain import permissions, stage_rules
from services.applications.workflow import visible_application
from core.outbox import stamp as outbox_stamp


def _open_stage(deps, actor_id, app_id, stage, now):
    actor, _person = lifecycle.who(deps.apps, actor_id)
    permissions.require_applicant(actor, visible_application(deps.apps, actor, app_id))
    app, campaign, program, stages_, docs = stages._load(deps, app_id, stage, now)
    stage_rules.require_reportable(stage, stages_, app["state"], docs)
    return actor, app, campaign, program, docs.get(stage)


def _save(deps, actor, app, campaign, existing, stage, files, action, filename, now):
    sid = f"{app['_id']}:{stage}"
    revision = (existing or {}).get("revision", 0) + 1
    audit = lifecycle_outbox.audit_entry("stage_report", sid, revision, action, actor.ref(), now, campaign["_id"],
                                         app["_id"], stage=stage, filename=filename)
    doc = dict(existing or {"_id": sid, "application_id": app["_id"], "campaign_id": campaign["_id"], "stage": stage,
                            "report": None, "assessment": None, "created_at": now},
               files=files, revision=revision, updated_at=now,
               outbox=lifecycle_outbox.outbox(f"{sid}:{revision}", [audit]), **outbox_stamp(now))
    stored = stages._store(deps, existing, doc)
    if stored is None:
        raise Conflict("The stage report was changed meanwhile; reload and try again.", "阶段报告已被修改，请刷新后重试",
                       field="revision")
    stages._finish(deps, stored, now)


def add_file(deps, actor_id, app_id, stage, filename, data_ref, max_bytes, now):
    """Attach one file to the stage's report; returns the stages view."""
    actor, app, campaign, program, existing = _open_stage(deps, actor_id, app_id, stage, now)
    data = upload_bytes(data_ref, deps.apps.files)
    files = list((existing or {}).get("files") or [])
    digest = hashlib.sha256(data).hexdigest()
    if any(f["sha256"] == digest for f in files):
        return stages.stages_view(deps, app, campaign, program)
    meta = uploads.check_upload([stage_rules.FILE_SPEC], stage_rules.FILE_SPEC["kind"], filename, data, max_bytes,
                                files)
    meta.update(id=uploads.upload_id("sf", f"{app_id}:{stage}", meta["kind"], digest),
                file_id=deps.apps.files.put(data)["file_id"], uploaded_by=actor.ref(), uploaded_at=now)
    _save(deps, actor, app, campaign, existing, stage, files + [meta], "attach", meta["filename"], now)
    return stages.stages_view(deps, app, campaign, program)


def remove_file(deps, actor_id, app_id, stage, file_id, now):
    """Remove one file from an open or returned stage's report."""
    actor, app, campaign, program, existing = _open_stage(deps, actor_id, app_id, stage, now)
    files = list((existing or {}).get("files") or [])
    gone = next((f for f in files if f["id"] == file_id), None)
    if gone is None:
        raise NotFound("No such file in this stage report.", "该阶段报告中没有此文件", field="file_id")
    _save(deps, actor, app, campaign, existing, stage, [f for f in files if f["id"] != file_id], "detach",
          gone["filename"], now)
    return stages.stages_view(deps, app, campaign, program)


def get_file(deps, actor_id, app_id, stage, file_id):
    """A file's metadata and its `file_id` in the file store, for whoever may see the
    application's stages."""
    stages.get_stages(deps, actor_id, app_id)   # the same visibility
    doc = deps.notes.stage_docs(app_id).get(stage) or {}
    entry = next((f for f in doc.get("files") or [] if f["id"] == file_id), None)
    if entry is None:
        raise NotFound("No such file in this stage report.", "该阶段报告中没有此文件", field="file_id")
    return dict(stages.file_view(entry), file_id=entry["file_id"])
