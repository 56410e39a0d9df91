"""Attachments out of RPC messages: the gateway puts an upload into the file store
(GridFS on the real Mongo wire server) and the RPC carries `{"file_id"}`; the service
checks the bytes from the store and keeps the reference; downloads stream from the
store; retries store nothing new; a bad reference changes nothing."""
import io
import json

import pytest

from core.errors import NotFound, ValidationFailed
from core.filestore import file_id_of, file_store
from tests.integration.helpers import PDF, campaign_payload, good_form
from tests.integration.test_gateway_http import SECRETARY, open_campaign

BIG_PDF = PDF + b"%" + b"x" * 150_000 + b"\n%%EOF\n"   # under the tests' 200 kB limit


def test_uploads_travel_by_reference_and_are_read_back(http, mongo, config, rpc):
    campaign = open_campaign(http)
    app_id = http.as_(SECRETARY, "POST", f"/api/campaigns/{campaign['id']}/applications",
                      json={"form": good_form()}).json["id"]

    upload = http.as_(SECRETARY, "POST", f"/api/applications/{app_id}/attachments",
                      data={"kind": "application_form", "file": (io.BytesIO(BIG_PDF), "申请表.pdf")},
                      content_type="multipart/form-data")
    assert upload.status_code == 201, upload.json
    stored = mongo("applications").attachments.find_one({"_id": upload.json["id"]})
    assert "data" not in stored and stored["file_id"] == file_id_of(BIG_PDF)
    grid = mongo("files")["uploads.files"].find_one({"_id": stored["file_id"]})
    assert grid["length"] == len(BIG_PDF)

    download = http.as_(SECRETARY, "GET", f"/api/applications/{app_id}/attachments/{upload.json['id']}")
    assert download.status_code == 200 and download.data == BIG_PDF

    # the same file again: the attachment stored first, and still one stored file
    again = http.as_(SECRETARY, "POST", f"/api/applications/{app_id}/attachments",
                     data={"kind": "application_form", "file": (io.BytesIO(BIG_PDF), "申请表.pdf")},
                     content_type="multipart/form-data")
    assert again.status_code == 201 and again.json["id"] == upload.json["id"]
    assert len(list(mongo("files")["uploads.files"].find({}, {"_id": 1}))) == 1

    # what crosses RPC is the reference: a few dozen bytes whatever the file's size
    reference = file_store(config).put(PDF)
    assert len(json.dumps(reference)) < 120
    second = rpc.applications.add_attachment("p_2023010101", app_id, "other", "章程.pdf",
                                             {"file_id": reference["file_id"]})
    assert second["size"] == len(PDF)

    # a reference to nothing, or not a reference at all, is refused and stores nothing
    before = len(list(mongo("applications").attachments.find({"application_id": app_id}, {"_id": 1})))
    with pytest.raises(NotFound):
        rpc.applications.add_attachment("p_2023010101", app_id, "application_form", "x.pdf",
                                        {"file_id": "sha256-" + "0" * 64})
    with pytest.raises(ValidationFailed):
        rpc.applications.add_attachment("p_2023010101", app_id, "application_form", "x.pdf",
                                        {"file_id": "../../etc/passwd"})
    assert len(list(mongo("applications").attachments.find({"application_id": app_id}, {"_id": 1}))) == before


def test_a_put_is_two_commands_and_one_left_part_way_is_completed(config):
    """GridFS written by hand: chunks and the files document, two commands per new file
    (PyMongo's GridIn sent seven); read back by PyMongo's GridFSBucket; a put that
    stopped after some chunks is completed by the next put of the same bytes."""
    import os
    import uuid

    from bson import Binary, ObjectId
    from pymongo import MongoClient

    from core.filestore import GridFSStore
    from tests.integration.command_log import Commands

    listener = Commands()
    client = MongoClient(config["MONGO_URI"], event_listeners=[listener])
    database = client[f"files_{uuid.uuid4().hex[:8]}"]
    try:
        store = GridFSStore(database)
        store.put(b"first")                       # the indexes, once per store
        for size in (1, 255 * 1024, 255 * 1024 + 1, 700_000):
            data = os.urandom(size)
            listener.seen.clear()
            reference = store.put(data)
            assert [c.split()[0] for c in listener.seen] == ["insert", "insert"], listener.seen
            assert store.get(reference["file_id"]) == data
            assert store.put(data) == reference   # the same bytes again: nothing new
        assert store.get(store.put(b"")["file_id"]) == b""

        data = os.urandom(600_000)              # three chunks, the first stored alone
        file_id = file_id_of(data)
        database["uploads.chunks"].insert_one({"_id": ObjectId(), "files_id": file_id, "n": 0,
                                               "data": Binary(data[:255 * 1024])})
        assert store.put(data)["file_id"] == file_id
        assert store.get(file_id) == data
        assert sorted(c["n"] for c in database["uploads.chunks"].find({"files_id": file_id}, {"n": 1})) == [0, 1, 2]
    finally:
        client.drop_database(database.name)
        client.close()
