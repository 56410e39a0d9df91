"""Attachments shown where they are reviewed: PDFs and photos previewed in the page,
every other file (Word, Excel) offered for download.

Only a file the service recognised from its bytes (`type`: core/uploads.py `sniff`)
as a PDF, PNG or JPEG is served inline, with that type's Content-Type (never the
uploader's claim) and the narrow framing policy of
`gateway.security_headers.PREVIEW_HEADERS`; `nosniff` stays on every response.
"""
from urllib.parse import quote

from flask import Response

from core.uploads import CONTENT_TYPES
from gateway import files
from gateway.security_headers import PREVIEW_HEADERS
from gateway.web import i18n

PREVIEWS = {"pdf": "pdf", "png": "image", "jpg": "image"}


def preview_kind(attachment):
    """"pdf", "image" or None (download only)."""
    return PREVIEWS.get(attachment.get("type"))


def items(attachments, kind_names, view_url, download_url, since_return=None, hide_names=False):
    """What `_attachment_preview.html` shows for each attachment: its label (the file
    name, or its kind and number when names are hidden in blind review), the kind,
    how it is previewed, its links, and whether it was added since the return."""
    added = {a["id"] for a in (since_return or {}).get("added") or []}
    out, seen = [], {}
    for a in attachments:
        kind = kind_names.get(a.get("kind")) or a.get("kind") or ""
        seen[kind] = seen.get(kind, 0) + 1
        name = f"{kind} {seen[kind]}" if hide_names else a.get("filename") or kind
        out.append({"id": a["id"], "name": name, "kind": kind, "preview": preview_kind(a),
                    "view_url": view_url(a["id"]) if preview_kind(a) else None,
                    "download_url": download_url(a["id"]), "added": a["id"] in added,
                    "size": a.get("size")})
    return out


def kind_names(program):
    """{attachment kind: its label in the reader's language} from the program's declaration."""
    return {k["kind"]: i18n.pick(k.get("label_zh") or k["kind"], k.get("label_en") or k.get("label_zh") or k["kind"])
            for k in (program or {}).get("attachments") or []}


def _disposition(how, filename):
    return f"{how}; filename*=UTF-8''{quote(filename or 'file')}"


def inline(doc):
    """The attachment `doc` (as the service returns it, with `file_id` or `data_b64`)
    shown in the page; a file that cannot be previewed is downloaded instead."""
    kind = doc.get("type")
    if kind not in PREVIEWS:
        return download(doc)
    response = Response(files.content_of(doc), mimetype=CONTENT_TYPES[kind])
    response.headers["Content-Disposition"] = _disposition("inline", doc.get("filename"))
    response.headers["Cache-Control"] = "private, no-store"
    for name, value in PREVIEW_HEADERS.items():
        response.headers[name] = value
    return response


def download(doc, filename=None):
    """The attachment as a download, under its own name (or `filename`)."""
    kind = doc.get("type")
    mimetype = CONTENT_TYPES.get(kind) or doc.get("content_type") or "application/octet-stream"
    response = Response(files.content_of(doc), mimetype=mimetype)
    response.headers["Content-Disposition"] = _disposition("attachment", filename or doc.get("filename"))
    response.headers["Cache-Control"] = "private, no-store"
    return response
