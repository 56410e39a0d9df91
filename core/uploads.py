"""Upload rules (applications' attachments, funding's receipts and materials): what
is accepted, checked from the bytes, not the name. Plain Python, shared by services.

A file's type is recognised from its bytes (a PDF from its structure; Word
.doc/.docx, Excel .xls/.xlsx, JPEG, PNG from their signatures); the file name's extension must agree, so a renamed
executable is refused. Size and per-kind counts come from configuration and the
program's declaration.
"""
import hashlib
import io
import re
import zipfile

from core.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed, field_error

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
_PDF_OBJECT = re.compile(rb"\d+\s+\d+\s+obj\b.*?\bendobj\b", re.S)
_PDF_XREF = re.compile(rb"\btrailer\b|\bstartxref\b|/Type\s*/XRef\b")


def is_pdf(data):
    """A PDF by its structure, not its first bytes: the header, at least one complete
    indirect object (`n g obj … endobj`), a cross-reference (a trailer, `startxref`
    or an xref stream) and the end-of-file marker in the last kilobyte. A text file
    that merely starts with `%PDF-` is not one."""
    return (_PDF_HEADER.match(data) is not None and b"%%EOF" in data[-1024:]
            and _PDF_XREF.search(data) is not None and _PDF_OBJECT.search(data) is not None)


def sniff(data, filename):
    """The file's type ('pdf', 'docx', …) from its bytes, or None when unknown."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext == "jpeg":
        ext = "jpg"
    if data.startswith(b"%PDF-"):
        return "pdf" if is_pdf(data) else None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(_OLE):
        return ext if ext in ("doc", "xls") else None
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return None
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
    return None


def check_upload(declared_kinds, kind, filename, data, max_bytes, existing):
    """Validate one upload. `declared_kinds` is the program's attachment list,
    `existing` the application's current attachment metadata.

    Returns {"kind", "filename", "type", "content_type", "size", "sha256"}.
    Raises ValidationFailed (unknown kind, bad name, too many of a kind),
    PayloadTooLarge, UnsupportedMediaType.
    """
    spec = next((k for k in declared_kinds if k["kind"] == kind), None)
    if spec is None:
        known = ", ".join(k["kind"] for k in declared_kinds)
        raise ValidationFailed(
            f"Unknown attachment kind {kind!r}; this program accepts: {known}",
            f"未知的附件类别 {kind}；本项目接受：{known}", field="kind",
            details=[field_error("kind", f"Unknown attachment kind; accepted: {known}", f"未知的附件类别；可选：{known}")],
        )
    filename = (filename or "").strip().replace("\\", "/").rsplit("/", 1)[-1]
    if not filename or len(filename) > 200:
        raise ValidationFailed("A file name of 1-200 characters is required.", "文件名须为 1-200 个字符",
                               field="file", details=[field_error("file", "Bad file name.", "文件名无效")])
    if len(data) == 0:
        raise ValidationFailed("The file is empty.", "文件为空", field="file",
                               details=[field_error("file", "The file is empty.", "文件为空")])
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"The file is {len(data)} bytes; at most {max_bytes} bytes ({max_bytes // 1048576} MB) are accepted.",
            f"文件大小为 {len(data)} 字节，超过上限 {max_bytes // 1048576} MB", field="file",
        )
    found = sniff(data, filename)
    if found not in spec["types"]:
        accepted = "/".join(spec["types"])
        raise UnsupportedMediaType(
            f"{spec['label_en']} must be one of: {accepted} (this file is {found or 'of an unknown type'}).",
            f"{spec['label_zh']}须为 {accepted} 格式（该文件为{found or '未知格式'}）", field="file",
        )
    count = sum(1 for a in existing if a["kind"] == kind)
    if count >= spec.get("max_count", 10):
        raise ValidationFailed(
            f"At most {spec['max_count']} file(s) of kind {spec['label_en']}.",
            f"{spec['label_zh']}最多 {spec['max_count']} 个", field="kind",
            details=[field_error("kind", f"At most {spec['max_count']} file(s).", f"最多 {spec['max_count']} 个")],
        )
    return {
        "kind": kind, "filename": filename, "type": found, "content_type": CONTENT_TYPES[found],
        "size": len(data), "sha256": hashlib.sha256(data).hexdigest(),
    }


def upload_id(prefix, owner_id, kind, sha256, idempotency_key=None):
    """The id an upload is stored under: from the Idempotency-Key when one is sent,
    else from the content, so a retried upload (a lost response, a double click)
    lands on the attachment the first one stored instead of a second copy."""
    basis = f"key|{idempotency_key}" if idempotency_key else f"sha|{kind}|{sha256}"
    return f"{prefix}_{hashlib.sha256(f'{owner_id}|{basis}'.encode('utf-8')).hexdigest()[:24]}"


def already_uploaded(existing, attachment_id, kind, sha256):
    """The stored attachment a retry of this upload refers to: the one with its id, or
    the same bytes already in the same slot (kind); None for a new upload. `existing`
    holds the stored metadata (with "_id" or "id")."""
    for a in existing:
        if (a.get("_id") or a.get("id")) == attachment_id:
            return a
    return next((a for a in existing if a["kind"] == kind and a.get("sha256") == sha256), None)


def missing_required(declared_kinds, existing):
    """Field errors for every required attachment kind that has no file yet, and for
    every kind declaring ``min_count`` that has fewer files (e.g. 3-5 photos: a
    declaration with ``min_count: 3``), naming how many are there. An optional kind's
    ``min_count`` applies once it has any file (none at all is fine)."""
    have = {}
    for a in existing:
        have[a["kind"]] = have.get(a["kind"], 0) + 1
    errors = []
    for k in declared_kinds:
        count, least = have.get(k["kind"], 0), k.get("min_count") or 0
        if k.get("required") and count == 0 and least <= 1:
            errors.append(field_error(f"attachments.{k['kind']}", f"{k['label_en']} is required.",
                                      f"缺少{k['label_zh']}"))
        elif count < least and (k.get("required") or count > 0):
            errors.append(field_error(
                f"attachments.{k['kind']}",
                f"At least {least} file(s) of {k['label_en']} are needed; {count} uploaded.",
                f"{k['label_zh']}至少需要 {least} 个，已上传 {count} 个"))
    return errors
