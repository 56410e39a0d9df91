from flask import Response, g
from flask_smorest import Blueprint

from gateway import files
from gateway.api import idempotency_key, multipart, rpc
from gateway.auth import login_required
from gateway.schemas import IDEMPOTENCY_HEADER, ApplicationOut, AttachmentOut, AuditOut, ListQuery
from services.applications.schemas import ActionInput, ApplicationUpdate

blp = Blueprint("applications", __name__, url_prefix="/api/applications", description="Applications (申报)")


@blp.route("")
@blp.arguments(ListQuery, location="query")
@blp.response(200, ApplicationOut(many=True))
@login_required
def list_applications(query):
    """What you may see: your own unit's, your college's submitted ones, or your school's."""
    with rpc() as cluster:
        return cluster.applications.list_applications(g.actor_id, query)


@blp.route("/<application_id>")
@blp.response(200, ApplicationOut)
@login_required
def get_application(application_id):
    with rpc() as cluster:
        return cluster.applications.get_application(g.actor_id, application_id)


@blp.route("/<application_id>", methods=["PATCH"])
@blp.arguments(ApplicationUpdate)
@blp.response(200, ApplicationOut)
@login_required
def update_application(payload, application_id):
    """Replace the form of a draft or returned application."""
    with rpc() as cluster:
        return cluster.applications.update_application(g.actor_id, application_id, payload)


@blp.route("/<application_id>/actions", methods=["POST"])
@blp.arguments(ActionInput)
@blp.response(200, ApplicationOut)
@blp.alt_response(409, description="Not possible from the current state, or the deadline passed")
@login_required
def act(payload, application_id):
    """One step: submit, college_approve, return (reason), approve, reject (reason),
    withdraw, reopen. Send an Idempotency-Key header to make retries safe."""
    with rpc() as cluster:
        return cluster.applications.act(g.actor_id, application_id, payload, idempotency_key())


@blp.route("/<application_id>/audit")
@blp.response(200, AuditOut(many=True))
@login_required
def audit(application_id):
    """The audit trail: who did what, when, from which state to which, and why."""
    with rpc() as cluster:
        return cluster.applications.audit_trail(g.actor_id, application_id)


@blp.route("/<application_id>/attachments", methods=["POST"])
@blp.response(201, AttachmentOut)
@blp.doc(requestBody={"content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file", "kind"],
    "properties": {"file": {"type": "string", "format": "binary"},
                   "kind": {"type": "string", "description": "application_form, photo, other"}}}}}})
@blp.doc(parameters=[IDEMPOTENCY_HEADER])
@login_required
def upload(application_id):
    """Upload an attachment (multipart: `file`, `kind`). Type is checked from the bytes.
    A JPEG/PNG photo larger than the file limit or ATTACHMENTS.MAX_IMAGE_SIDE pixels is
    stored shrunk, as a JPEG.
    A retry (the same Idempotency-Key, or the same file for the same kind) returns the
    attachment stored the first time instead of a second copy."""
    filename, data, fields = multipart("file", "kind", raw=True)
    # the RPC carries the reference, not 10 MB of base64; a photo too large is shrunk first
    reference, filename = files.put_upload(data, filename)
    with rpc() as cluster:
        return cluster.applications.add_attachment(g.actor_id, application_id, fields["kind"], filename, reference,
                                                   idempotency_key())


@blp.route("/<application_id>/attachments/<attachment_id>")
@login_required
def download(application_id, attachment_id):
    """Download an attachment."""
    with rpc() as cluster:
        doc = cluster.applications.get_attachment(g.actor_id, application_id, attachment_id)
    from urllib.parse import quote
    return Response(files.content_of(doc), mimetype=doc["content_type"], headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(doc['filename'])}"})


@blp.route("/<application_id>/attachments/<attachment_id>", methods=["PUT"])
@blp.response(200, AttachmentOut)
@blp.alt_response(409, description="The application is no longer a draft or returned")
@blp.doc(requestBody={"content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}})
@login_required
def replace(application_id, attachment_id):
    """Replace an attachment with a new file of the same kind (draft or returned
    applications only); a refused file leaves the old one in place."""
    filename, data, _fields = multipart("file", raw=True)
    reference, filename = files.put_upload(data, filename)
    with rpc() as cluster:
        return cluster.applications.replace_attachment(g.actor_id, application_id, attachment_id, filename,
                                                       reference)


@blp.route("/<application_id>/attachments/<attachment_id>", methods=["DELETE"])
@blp.alt_response(409, description="The application is no longer a draft or returned")
@login_required
def delete(application_id, attachment_id):
    """Delete an attachment (draft or returned applications only)."""
    with rpc() as cluster:
        return cluster.applications.delete_attachment(g.actor_id, application_id, attachment_id)
