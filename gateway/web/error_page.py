"""One error page for every failed page request (404, 403, 405, 413, 500, a service's
refusal): rendered in the layout, in the reader's language, with a way back.

API clients (/api/*, /healthz, or a request that prefers JSON) get the JSON body of
gateway/errors.py instead; `wants_page()` is the one place that decides. Field
names never reach the page: a field is named by its label (core/labels.py
`field_label`) or not at all.
"""
from urllib.parse import urlparse

from flask import current_app, g, render_template, request, url_for

from core import labels
from gateway.web import i18n, session

_JSON_PREFIXES = ("/api/", "/api", "/healthz", "/livez", "/readyz", "/metrics", "/static/")

# What a person reads for each status, and what they can do about it.
_TITLES = {
    400: ("请求无效", "The request was not valid"),
    401: ("请先登录", "Please log in"),
    403: ("没有权限", "Not allowed"),
    404: ("页面不存在", "Page not found"),
    405: ("不支持该操作", "This action is not supported here"),
    409: ("当前无法操作", "Not possible now"),
    413: ("上传的文件过大", "The upload is too large"),
    415: ("文件类型不支持", "File type not supported"),
    422: ("填写有误", "Please correct the form"),
    429: ("操作过于频繁", "Too many requests"),
    500: ("系统出错了", "Something went wrong"),
    502: ("服务暂时出错", "A service failed"),
    503: ("系统繁忙", "The system is busy"),
    504: ("服务响应超时", "A service did not answer in time"),
}
_HINTS = {
    403: ("您当前的角色不能访问此页面。如需权限，请联系学院或学校管理员。",
          "Your roles do not allow this page. Ask your college or school administrator if you need access."),
    404: ("链接可能已失效，或内容已被删除。", "The link may be out of date, or the item was removed."),
    405: ("请从页面上的按钮进行操作，不要直接打开该地址。", "Use the buttons on the pages rather than opening this address."),
    413: ("单个文件不能超过 {limit}。请压缩或拆分后重新上传；已填写但未保存的内容请先保存。",
          "A file may be at most {limit}. Compress or split it and upload again; save what you typed first."),
    500: ("错误已记录，请稍后重试。如问题持续，请联系管理员。",
          "The error was logged; try again later. If it persists, tell the administrator."),
}


def wants_page():
    """True for a browser's page request; False for API clients and machine paths."""
    path = request.path or "/"
    if path == "/api" or any(path.startswith(p) for p in _JSON_PREFIXES if p != "/api"):
        return False
    best = request.accept_mimetypes.best_match(["text/html", "application/json"], default="text/html")
    return best == "text/html"


def upload_limit_bytes():
    """The largest file the services accept (ATTACHMENTS.MAX_BYTES)."""
    return int(current_app.config["CX"].get("ATTACHMENTS", {}).get("MAX_BYTES", 10485760))


def upload_limit_text():
    """The upload limit as people read it ("10 MB"), from the configuration."""
    limit = upload_limit_bytes()
    if limit >= 1048576:
        size = labels.number(limit / 1048576, 1) + " MB"
    else:
        size = labels.number(limit / 1024, 0) + " KB"
    return size


def back_url():
    """The page the reader came from when it is on this site, else home."""
    referrer = request.referrer or ""
    parsed = urlparse(referrer)
    if referrer and parsed.netloc == request.host and parsed.path != request.path:
        return referrer
    return url_for("web.home")


def readable_details(error, schema_labels=None):
    """[(label or None, message)] of an error body's field errors, in the reader's
    language; the field is named only by its label."""
    lang = i18n.current_language()
    out = []
    details = error.get("details") if isinstance(error, dict) else None
    for d in details if isinstance(details, list) else []:
        if not isinstance(d, dict):
            continue
        message = i18n.pick(d.get("message_zh") or d.get("message") or "", d.get("message") or d.get("message_zh") or "")
        out.append((labels.field_label(d.get("field"), lang, schema_labels), labels.scrub_ids(message)))
    return out


def summary(error, schema_labels=None):
    """What a form shows above itself for a service error: {"message", "details"}.
    With field details the message is left out (it repeats them with field codes)."""
    if not error:
        return None
    details = readable_details(error, schema_labels)
    message = "" if details else labels.scrub_ids(i18n.pick(error.get("message_zh") or error.get("message") or "",
                                                             error.get("message") or error.get("message_zh") or ""))
    return {"message": message, "details": details}


def _me_if_logged_in():
    """The layout's menu for a logged-in reader; an error page must never fail itself."""
    if g.get("me") is not None:
        return g.me
    actor_id = session.current_actor_id()
    if actor_id is None:
        return None
    try:
        from gateway.web.pages_common import load_me
        g.actor_id = actor_id
        return load_me()
    except Exception:  # the error page is shown even when the directory is down
        return None


def render(status, error=None):
    """The error page for `status`; `error` is the JSON body (code, message, ...)."""
    error = dict(error or {})
    title_zh, title_en = _TITLES.get(status, _TITLES[500] if status >= 500 else _TITLES[400])
    hint_zh, hint_en = _HINTS.get(status, ("", ""))
    limit = upload_limit_text()
    if status >= 500:
        # Internals of a crash stay in the log; the reader gets the plain message.
        message_zh, message_en = "", ""
    else:
        message_zh = error.get("message_zh") or ""
        message_en = error.get("message") or ""
        if status in (404, 405, 413) and error.get("code") in (None, "not_found", "method_not_allowed",
                                                               "request_entity_too_large", "payload_too_large"):
            if not error.get("field"):
                message_zh, message_en = "", ""  # werkzeug's English default text says nothing more
    details = readable_details(error)
    if details:
        message_zh, message_en = "", ""  # its text repeats the details with field codes
    _me_if_logged_in()
    page = render_template(
        "error.html", status=status, title=i18n.pick(title_zh, title_en),
        message=labels.scrub_ids(i18n.pick(message_zh, message_en)) if (message_zh or message_en) else "",
        hint=i18n.pick(hint_zh, hint_en).format(limit=limit), details=details,
        back=back_url(), error=error)
    return page, status
