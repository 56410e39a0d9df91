"""Where uploaded files live, so RPC messages carry a reference instead of the bytes.

The gateway puts an upload into the store and sends ``{"file_id": ...}`` over RPC;
the service reads the bytes from the store to check them and keeps the id; a download
asks the service (which decides who may read it) for the id and streams the bytes
from the store. A 10 MB upload is thus a message of a few hundred bytes, not 13 MB
of base64.

Content-addressed: ``file_id`` is ``sha256-<hex>`` of the bytes, so a retried upload
stores nothing new and two copies of the same file share one stored object.

Backends (``FILES`` in the configuration):
  * ``gridfs`` (default): MongoDB GridFS, bucket ``uploads`` in the database
    ``<MONGO_DB_PREFIX>_files`` on ``FILES.URI`` (default: MONGO_URI). Works on a
    replica set and on nx-27017 (checked by tests/integration/test_file_store.py).
  * ``filesystem``: files under ``FILES.DIR`` (a shared volume for several hosts),
    written to a temporary name and renamed, so a reader never sees half a file.
Files are never deleted by the platform (an attachment removed from an application
may share its bytes with another); see docs/OPERATIONS.md for the retention sweep.
"""
import hashlib
import os
import tempfile
import threading

from core.errors import NotFound, field_error, invalid

PREFIX = "sha256-"


def file_id_of(data):
    return PREFIX + hashlib.sha256(data).hexdigest()


def _check_id(file_id):
    digest = str(file_id or "").removeprefix(PREFIX)
    if not str(file_id or "").startswith(PREFIX) or len(digest) != 64 or \
            any(c not in "0123456789abcdef" for c in digest):
        raise invalid([field_error("file", "Not a stored file reference.", "文件引用无效")])
    return file_id


class GridFSStore:
    """GridFS, written by hand (the GridFS spec: chunks then the files document) so
    that a put costs two commands, not PyMongo's seven (its GridIn checks the indexes
    with a find, a listIndexes and a createIndexes on every file). Read back through
    PyMongo's GridFSBucket, so what is stored is plain GridFS to any tool."""

    CHUNK_SIZE = 255 * 1024        # GridFS's default, as GridFSBucket writes it

    def __init__(self, database):
        import gridfs
        self.bucket = gridfs.GridFSBucket(database, bucket_name="uploads")
        self.files = database["uploads.files"]
        self.chunks = database["uploads.chunks"]
        self._indexed = False

    def _ensure_indexes(self):
        """The spec's indexes, once per store (a process keeps its store)."""
        if not self._indexed:
            self.files.create_index([("filename", 1), ("uploadDate", 1)])
            self.chunks.create_index([("files_id", 1), ("n", 1)], unique=True)
            self._indexed = True

    def put(self, data):
        """Store `data` under its content address. Guarantee: when put returns, the
        whole file is readable; a put interrupted part-way (chunks but no files
        document) is completed by the next put of the same bytes; two concurrent puts
        of the same bytes store one file."""
        from datetime import datetime, timezone

        from bson import Binary, ObjectId

        file_id = file_id_of(data)
        self._ensure_indexes()
        size = self.CHUNK_SIZE
        chunks = [{"_id": ObjectId(), "files_id": file_id, "n": n, "data": Binary(data[at:at + size])}
                  for n, at in enumerate(range(0, len(data), size))]
        try:
            if chunks:
                self.chunks.insert_many(chunks)
        except Exception as exc:
            if not _duplicate(exc):
                raise
            # Stored already, being stored, or left part-way: once the files document is
            # there the file is whole; if it is not, put in the chunks still missing.
            # (Its length is part of the test: nx-27017 makes a files row of length 0
            # when chunks arrive before it.)
            if self.files.find_one({"_id": file_id, "length": len(data)}, {"_id": 1}) is not None:
                return {"file_id": file_id, "size": len(data)}
            self._complete(file_id, chunks)
        try:
            self.files.insert_one({"_id": file_id, "length": len(data), "chunkSize": size,
                                   "uploadDate": datetime.now(timezone.utc), "filename": file_id})
        except Exception as exc:
            if not _duplicate(exc):
                raise
        return {"file_id": file_id, "size": len(data)}

    def _complete(self, file_id, chunks):
        """Insert those of `chunks` not stored yet. (Not insert_many(ordered=False)
        over all of them: nx-27017 refuses the whole batch on one duplicate.) A
        concurrent put may insert some meanwhile: read again and retry."""
        for _ in range(5):
            have = {doc["n"] for doc in self.chunks.find({"files_id": file_id}, {"n": 1, "_id": 0})}
            missing = [c for c in chunks if c["n"] not in have]
            if not missing:
                return
            try:
                self.chunks.insert_many(missing)
                return
            except Exception as exc:
                if not _duplicate(exc):
                    raise
        raise RuntimeError(f"could not complete the chunks of {file_id}")

    def get(self, file_id):
        import gridfs
        try:
            return self.bucket.open_download_stream(_check_id(file_id)).read()
        except gridfs.errors.NoFile:
            raise NotFound("The file is missing from the file store.", "文件不存在", field="file") from None


def _duplicate(exc):
    """A duplicate key: MongoDB's code 11000 (a bulk write error holding only those), or
    nx-27017's "UNIQUE constraint failed", which it reports without the code."""
    from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure
    if isinstance(exc, DuplicateKeyError):
        return True
    if isinstance(exc, BulkWriteError):
        errors = exc.details.get("writeErrors") or []
        return bool(errors) and all(e.get("code") == 11000 or "UNIQUE constraint failed" in str(e.get("errmsg"))
                                    for e in errors)
    return isinstance(exc, OperationFailure) and "UNIQUE constraint failed" in str(exc)


class FilesystemStore:
    def __init__(self, directory):
        self.directory = directory

    def _path(self, file_id):
        digest = _check_id(file_id).removeprefix(PREFIX)
        return os.path.join(self.directory, digest[:2], digest)

    def put(self, data):
        file_id = file_id_of(data)
        path = self._path(file_id)
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, path)
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise
        return {"file_id": file_id, "size": len(data)}

    def get(self, file_id):
        try:
            with open(self._path(file_id), "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            raise NotFound("The file is missing from the file store.", "文件不存在", field="file") from None


def file_store(config, client=None):
    """The store the configuration names; `client`: a MongoClient to reuse for GridFS."""
    settings = config.get("FILES") or {}
    backend = settings.get("BACKEND") or "gridfs"
    if backend == "filesystem":
        return FilesystemStore(settings.get("DIR") or os.path.join(".run", "files"))
    if backend != "gridfs":
        raise ValueError(f"FILES.BACKEND must be gridfs or filesystem, not {backend!r}")
    from core.mongo import database_name, make_client
    uri = settings.get("URI") or config["MONGO_URI"]
    if client is None or uri != config.get("MONGO_URI"):
        client = make_client(dict(config, MONGO_URI=uri))
    return GridFSStore(client[database_name(config, "files")])


class LazyFileStore:
    """A store opened on first use (the gateway's workers must not connect before fork)."""

    def __init__(self, config):
        self.config = config
        self._store = None
        self._lock = threading.Lock()

    def __getattr__(self, name):
        if self._store is None:
            with self._lock:
                if self._store is None:
                    self._store = file_store(self.config)
        return getattr(self._store, name)


def upload_bytes(value, store, field="file"):
    """The bytes of an upload given over RPC: a reference ``{"file_id": ...}`` read from
    `store`, or (older callers) the bytes as base64. Raises ValidationFailed."""
    if isinstance(value, dict):
        return store.get(_check_id(value.get("file_id")))
    from core.forms import decode_upload
    return decode_upload(value, field=field)
