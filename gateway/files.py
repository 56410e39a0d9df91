"""Uploads go into the file store before the RPC, downloads come from it after
(core/filestore.py): RPC messages carry `{"file_id"}`, never the bytes."""
import base64

from flask import current_app


def store():
    return current_app.extensions["files"]


def put(data):
    """The reference to send over RPC for the uploaded `data`."""
    return {"file_id": store().put(data)["file_id"]}


def upload_limits():
    """(largest file kept, longest side of a photo) from ATTACHMENTS in the configuration."""
    settings = current_app.config["CX"].get("ATTACHMENTS", {})
    return int(settings.get("MAX_BYTES", 10485760)), int(settings.get("MAX_IMAGE_SIDE", 2560))


def put_upload(data, filename):
    """(reference, filename) of an uploaded file in the file store: a photo too large
    (bytes or pixels) is shrunk first (core/images.py), renamed .jpg when re-encoded."""
    from core import images
    max_bytes, max_side = upload_limits()
    data, filename = images.shrink(data, filename or "", max_bytes, max_side)
    return put(data), filename


def content_of(doc):
    """The bytes of a stored file a service described (`file_id`, or older `data_b64`)."""
    if doc.get("file_id"):
        return store().get(doc["file_id"])
    return base64.b64decode(doc["data_b64"])
