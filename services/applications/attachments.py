"""An application's attachments (附件): add, delete, replace — only while the
application is a draft or returned (before it is submitted, or after it came back),
within the window of its state, and by whoever acts as its applicant.

Uploads are checked from their bytes against the program's declaration (core/uploads.py);
a retry (same Idempotency-Key, or the same bytes for the same kind) returns the
attachment stored first instead of a second copy.
"""
import hashlib

from core import uploads as attachment_rules
from core.errors import Conflict
from core.filestore import PREFIX as FILE_ID_PREFIX, upload_bytes
from services.applications.domain import permissions, windows
from services.applications.workflow import campaign_of, visible_application

EDITABLE = ("draft", "returned")


def _not_editable():
    return Conflict("Attachments can only be changed on a draft or returned application.",
                    "只有草稿或已退回的申报可以修改附件", field="state")


def _editable(store, actor, app_id, now):
    """(application, campaign) once the actor may change its attachments now; raises
    NotFound (not visible), PermissionDenied, Conflict (submitted or decided),
    DeadlinePassed (outside its window or after the final list)."""
    app = visible_application(store, actor, app_id)
    permissions.require_applicant(actor, app)
    if app["state"] not in EDITABLE:
        raise _not_editable()
    campaign = campaign_of(store, app["campaign_id"])
    windows.require_editable_window(campaign, app, now)
    return app, campaign


def _full(spec):
    return Conflict(f"At most {spec.get('max_count', 10)} file(s) of this kind, or the application is no longer "
                    "editable.", f"{spec['label_zh']}数量已达上限，或申报已不可修改", field="kind")


def _stored_as(data_b64, digest):
    """The file store id the bytes were read from (a reference to them), else None:
    content-addressed, so bytes read under their own id need not be stored again."""
    file_id = data_b64.get("file_id") if isinstance(data_b64, dict) else None
    return file_id if file_id == FILE_ID_PREFIX + digest else None


def add(store, actor, app_id, kind, filename, data_b64, max_bytes, now, idempotency_key=None):
    """Store one upload (`data_b64`: ``{"file_id"}`` of the bytes in the file store, or
    base64). A retry returns the attachment stored first, also for a one-file kind that is full."""
    app, campaign = _editable(store, actor, app_id, now)
    data = upload_bytes(data_b64, store.files)   # a file store reference, or base64 from older callers
    existing = store.list_attachments(app_id)
    digest = hashlib.sha256(data).hexdigest()
    attachment_id = attachment_rules.upload_id("att", app_id, kind, digest, idempotency_key)
    retried = attachment_rules.already_uploaded(existing, attachment_id, kind, digest)
    if retried is not None:
        return retried
    program = store.get_program(campaign["program"], campaign["program_version"])
    meta = attachment_rules.check_upload(program["attachments"], kind, filename, data, max_bytes, existing)
    spec = next(k for k in program["attachments"] if k["kind"] == kind)
    meta["uploaded_by"] = actor.ref()
    stored = store.add_attachment(app, meta, data, spec.get("max_count", 10), now, attachment_id,
                                  file_id=_stored_as(data_b64, digest))
    if stored is None:
        raise _full(spec)
    return stored


def delete(store, actor, app_id, attachment_id, now):
    """Remove one attachment; NotFound for one that is not there (also when deleted
    already), Conflict once the application is submitted."""
    app, _campaign = _editable(store, actor, app_id, now)
    attachment = store.get_attachment(app_id, attachment_id)
    if not store.remove_attachment(app, attachment):
        raise _not_editable()
    return {"deleted": attachment_id}


def replace(store, actor, app_id, attachment_id, filename, data_b64, max_bytes, now):
    """Put a new file in the place of one attachment (same kind): the new file is
    checked first (type, size, name), so a refused file leaves the old one in place.
    Sending the same replacement again returns the stored one."""
    app, campaign = _editable(store, actor, app_id, now)
    data = upload_bytes(data_b64, store.files)
    existing = store.list_attachments(app_id)
    digest = hashlib.sha256(data).hexdigest()
    old = next((a for a in existing if a["_id"] == attachment_id), None)
    if old is None:   # gone: a retry of a replacement that went through finds its file
        retried = next((a for a in existing if a.get("sha256") == digest), None)
        if retried is not None:
            return retried
        old = store.get_attachment(app_id, attachment_id)   # raises NotFound
    if old.get("sha256") == digest:
        return old
    kind = old["kind"]
    new_id = attachment_rules.upload_id("att", app_id, kind, digest)
    program = store.get_program(campaign["program"], campaign["program_version"])
    others = [a for a in existing if a["_id"] != attachment_id]
    meta = attachment_rules.check_upload(program["attachments"], kind, filename, data, max_bytes, others)
    spec = next(k for k in program["attachments"] if k["kind"] == kind)
    meta["uploaded_by"] = actor.ref()
    if not store.remove_attachment(app, old):
        raise _not_editable()
    stored = store.add_attachment(app, meta, data, spec.get("max_count", 10), now, new_id,
                                  file_id=_stored_as(data_b64, digest))
    if stored is None:
        raise _full(spec)
    return stored
