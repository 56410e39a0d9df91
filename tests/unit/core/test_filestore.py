"""The filesystem file store (the fallback to GridFS, core/filestore.py): content-
addressed, atomic, idempotent; references are checked before any path is built."""
import base64
import os

import pytest

from core.errors import NotFound, ValidationFailed
from core.filestore import FilesystemStore, file_id_of, file_store, upload_bytes


def test_put_get_idempotent_and_atomic(tmp_path):
    store = FilesystemStore(str(tmp_path))
    ref = store.put(b"%PDF-1.4 hello")
    assert ref == {"file_id": file_id_of(b"%PDF-1.4 hello"), "size": 14}
    assert store.get(ref["file_id"]) == b"%PDF-1.4 hello"
    assert store.put(b"%PDF-1.4 hello") == ref
    files = [f for _, _, names in os.walk(tmp_path) for f in names]
    assert files == [ref["file_id"].removeprefix("sha256-")]   # no temporary file left behind
    with pytest.raises(NotFound):
        store.get(file_id_of(b"never stored"))
    for bad in ("../../etc/passwd", "sha256-../../x", "sha256-" + "g" * 64, None):
        with pytest.raises(ValidationFailed):
            store.get(bad)


def test_upload_bytes_takes_a_reference_or_base64(tmp_path):
    store = FilesystemStore(str(tmp_path))
    ref = store.put(b"abc")
    assert upload_bytes({"file_id": ref["file_id"]}, store) == b"abc"
    assert upload_bytes(base64.b64encode(b"xyz").decode(), store) == b"xyz"
    with pytest.raises(ValidationFailed):
        upload_bytes("not base64!", store)


def test_the_configuration_chooses_the_backend(tmp_path):
    store = file_store({"FILES": {"BACKEND": "filesystem", "DIR": str(tmp_path)}})
    assert isinstance(store, FilesystemStore) and store.directory == str(tmp_path)
    with pytest.raises(ValueError, match="BACKEND"):
        file_store({"FILES": {"BACKEND": "s3"}, "MONGO_URI": "mongodb://127.0.0.1:1"})
