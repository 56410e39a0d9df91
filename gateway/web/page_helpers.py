"""Small helpers shared by the admin, notice, finance and dashboard pages."""
import base64
import hashlib
import secrets
from urllib.parse import quote

from flask import Response, request

from core.errors import field_error, invalid


def field_errors(error):
    """{field: (zh, en)} of a service error (its details, else its one field), so a
    form can show each message next to its input."""
    out = {}
    details = error.get("details") if isinstance(error, dict) else None
    for d in details if isinstance(details, list) else []:
        if isinstance(d, dict) and d.get("field"):
            out.setdefault(d["field"], (d.get("message_zh") or d.get("message"),
                                        d.get("message") or d.get("message_zh")))
    if isinstance(error, dict) and error.get("field") and error["field"] not in out:
        out[error["field"]] = (error.get("message_zh"), error.get("message"))
    return out


def form_nonce():
    """A value a form carries once: posting the same form twice (a double click, a
    browser retry) sends the same idempotency key, so the service acts once."""
    return secrets.token_urlsafe(12)


def idempotency_key(*parts):
    """The key of this form post: the form's nonce with what it is about."""
    nonce = request.form.get("nonce") or ""
    if not nonce:
        return None
    return "web-" + hashlib.sha256("|".join([nonce, *map(str, parts)]).encode("utf-8")).hexdigest()[:40]


def upload_bytes(name, required=False):
    """(filename, bytes) of an uploaded file, or (None, None) when none was chosen."""
    upload = request.files.get(name)
    if upload is None or not upload.filename:
        if required:
            raise invalid([field_error(name, "Choose a file.", "请选择文件")])
        return None, None
    return upload.filename, upload.read()


def upload_b64(name, required=False):
    """(filename, base64) of an uploaded file, or (None, None) when none was chosen."""
    filename, data = upload_bytes(name, required)
    return filename, (base64.b64encode(data).decode("ascii") if filename else None)


def send_file(data, filename, mimetype):
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
                             "Cache-Control": "no-store"})


def send_document(result):
    """A (bytes, filename, mimetype) from gateway.documents.fetch as a download."""
    return send_file(*result)


def yuan_to_text(fen):
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}¥{fen // 100:,}.{fen % 100:02d}"


def with_message(url, key, anchor="", **params):
    """`url` carrying a success message for the page it redirects to (Post/Redirect/
    Get): the message key and its values (`p.<name>`), rendered by `status_text`."""
    from urllib.parse import urlencode
    query = {"message": key, **{f"p.{name}": value for name, value in params.items() if value is not None}}
    return url + ("&" if "?" in url else "?") + urlencode(query) + anchor


def status_text():
    """The success message named in the query (`with_message`), in the reader's
    language with its values filled in (times as 12月11日 17:00, Beijing); "" when
    there is none or the key is unknown (a link cannot make a page say anything)."""
    from gateway.web import i18n
    key = request.args.get("message") or ""
    if key not in i18n.MESSAGES:
        return ""
    params = {name[2:]: _readable(value) for name, value in request.args.items() if name.startswith("p.")}
    try:
        return i18n.t(key).format(**params)
    except (KeyError, IndexError, ValueError):  # a value missing: the message without it
        import re
        return re.sub(r"[（(]?[^，,。（(]*\{[^}]*\}[^，,。）)]*[）)]?", "", i18n.t(key)).strip("，, ")


def _readable(value):
    """An ISO time in a message as people say it: 12月11日 17:00 (Beijing)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from gateway.web import i18n
    text = str(value)
    if len(text) >= 16 and text[4] == "-" and text[10] in "T ":
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text
        if moment.tzinfo is not None:
            moment = moment.astimezone(ZoneInfo("Asia/Shanghai"))
        return i18n.pick(f"{moment.month}月{moment.day}日 {moment:%H:%M}", f"{moment:%d %b %H:%M}")
    return text
