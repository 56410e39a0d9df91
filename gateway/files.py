"""Uploads go into the file store before the RPC, downloads come from it after
(core/filestore.py): RPC messages carry `{"file_id"}`, never the bytes."""
import base64

from flask import current_app


def store():
    return current_app.extensions["files"]


def put(data):
    """The reference to send over RPC for the uploaded `data`."""
    return {"file_id": store().put(data)["file_id"]}


def content_of(doc):
    """The bytes of a stored file a service described (`file_id`, or older `data_b64`)."""
    if doc.get("file_id"):
        return store().get(doc["file_id"])
    return base64.b64decode(doc["data_b64"])
