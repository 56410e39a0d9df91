"""REST blueprints; every one is registered by gateway.app.create_app."""
from flask import current_app, request


def rpc():
    """Borrow a pooled RPC proxy for this request (a context manager)."""
    return current_app.extensions["rpc_pool"].cluster()


def idempotency_key():
    """The Idempotency-Key header (optional): a retry with the same key gets the
    same result and never a second application or event. gateway/boundary.py has
    refused a key over 200 characters before the view runs."""
    key = request.headers.get("Idempotency-Key")
    return key.strip() or None if key else None


def multipart(file_field, *form_fields, raw=False):
    """(filename, content, {form field: value}) of a multipart upload; raises
    ValidationFailed naming every missing part. Content is base64 text, or with `raw`
    the bytes (for gateway/files.py, which sends a file store reference instead)."""
    import base64

    from core.errors import field_error, invalid

    upload = request.files.get(file_field)
    values = {name: request.form.get(name) for name in form_fields}
    problems = [field_error(file_field, "A file is required.", "请选择文件")] if upload is None else []
    problems += [field_error(name, "Required.", "必填") for name, value in values.items() if not value]
    if problems:
        raise invalid(problems)
    data = upload.read()
    return upload.filename, (data if raw else base64.b64encode(data).decode("ascii")), values


def accepted(job):
    """A started background job: 202 with the job, and where to follow it."""
    return job, 202, {"Location": f"/api/jobs/{job['id']}"}


def file_response(doc):
    """A download of {"filename", "content_type", "data_b64"} (a name in any script)."""
    import base64
    from urllib.parse import quote

    from flask import Response

    return Response(base64.b64decode(doc["data_b64"]), mimetype=doc["content_type"], headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(doc['filename'])}"})
