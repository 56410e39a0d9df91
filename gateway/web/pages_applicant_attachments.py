"""Attachments on the applicant's pages: upload, delete, replace, download.

Changing a file goes through the application's one form (`pages_applicant.save_form`,
intent ``upload``, ``delete:<id>`` or ``replace:<id>``), so what was typed above is
saved first and never lost; the service refuses every change once the application is
submitted (409). A photo too large is shrunk in the browser (static/photo_resize.js)
and, failing that, by the gateway (gateway/files.py) before it reaches the service.
"""
from flask import Response, g, redirect, request, url_for

from core.errors import ValidationFailed, field_error
from gateway import files
from gateway.api import rpc
from gateway.web import blp, i18n, session

i18n.add({
    "att_delete": ("删除", "Delete"),
    "att_replace": ("替换", "Replace"),
    "att_replace_with": ("替换为新文件", "Replace with a new file"),
    "att_deleted_ok": ("附件已删除，表单内容已一并保存", "File deleted; the form was saved with it"),
    "att_replaced_ok": ("附件已替换，表单内容已一并保存", "File replaced; the form was saved with it"),
    "att_rules": ("上传要求", "What may be uploaded"),
    "att_pick_replacement": ("请先选择用于替换的文件", "Choose the new file first"),
})

#: What each intent does to the attachments, and the message after it.
DONE = {"upload": "uploaded_ok", "delete": "att_deleted_ok", "replace": "att_replaced_ok"}


def intent_of(raw):
    """("upload" | "delete" | "replace" | other, attachment id or None) of a button's value."""
    action, _, attachment_id = (raw or "").partition(":")
    return action, attachment_id or None


def change(cluster, application_id, intent):
    """Apply the attachment change the pressed button asks for; returns the message key
    of what happened, or None when nothing was asked. Raises the service's error."""
    action, attachment_id = intent_of(intent)
    done = None
    if action == "delete" and attachment_id:
        cluster.applications.delete_attachment(g.actor_id, application_id, attachment_id)
        done = DONE["delete"]
    elif action == "replace" and attachment_id:
        chosen = request.files.get(f"replace.{attachment_id}")
        if chosen is None or not chosen.filename:
            raise ValidationFailed("Choose the new file first.", "请先选择用于替换的文件", field="file",
                                   details=[field_error("file", "Choose the new file first.", "请先选择用于替换的文件")])
        reference, filename = files.put_upload(chosen.read(), chosen.filename)
        cluster.applications.replace_attachment(g.actor_id, application_id, attachment_id, filename, reference)
        done = DONE["replace"]
    chosen = request.files.get("file")
    if chosen is not None and chosen.filename:
        # A file chosen is attached whichever button was pressed (save, upload, submit,
        # delete or replace), before submitting, so nothing chosen is silently dropped.
        attach(cluster, application_id)
        done = done or DONE["upload"]
    return done


def attach(cluster, application_id):
    upload_file = request.files.get("file")
    data = upload_file.read() if upload_file else b""
    reference, filename = files.put_upload(data, upload_file.filename if upload_file else "")
    cluster.applications.add_attachment(g.actor_id, application_id, request.form.get("kind", ""), filename, reference)


def kind_rules(program):
    """What the page shows before an upload, per kind: its name, the types, how many
    (uploaded / at most), whether it is required."""
    return [{"kind": k["kind"], "name": i18n.pick(k.get("label_zh") or k["kind"], k.get("label_en") or k["kind"]),
             "types": [t.upper() for t in k.get("types") or []], "max_count": k.get("max_count", 10),
             "min_count": k.get("min_count") or 0, "required": bool(k.get("required")),
             "accept": ",".join(f".{t}" for t in k.get("types") or [])}
            for k in program.get("attachments") or []]


@blp.route("/applications/<application_id>/attachments", methods=["POST"])
@session.page_login_required
def upload(application_id):
    """Attach a file on its own (the application page uploads through `save_form`
    with intent=upload, so unsaved edits are saved first)."""
    with rpc() as cluster:
        attach(cluster, application_id)
    return redirect(url_for("web.application_page", application_id=application_id, message="uploaded_ok"))


@blp.route("/applications/<application_id>/attachments/<attachment_id>")
@session.page_login_required
def download(application_id, attachment_id):
    from urllib.parse import quote
    with rpc() as cluster:
        doc = cluster.applications.get_attachment(g.actor_id, application_id, attachment_id)
    filename = doc.get("filename", attachment_id)
    return Response(files.content_of(doc), mimetype=doc.get("content_type") or "application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})
