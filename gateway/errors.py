"""The one table from typed errors to HTTP statuses, and JSON error bodies.

Every error body is {"code", "message", "message_zh", "field"?, "details"?}: a
person reads the message in Chinese or English, a program reads the code and field.
`respond` sends it as JSON to API clients and as the error page of
gateway/web/error_page.py (in the layout, with a way back) to a browser's page
request, so every status and every typed error has both forms from one table.
A 503 (a service, a program or the broker cannot be reached) also carries
`Retry-After` (GATEWAY.RETRY_AFTER_SECONDS, 5 by default).
"""
import logging

from flask import jsonify
from werkzeug.exceptions import InternalServerError
from nameko.exceptions import RemoteError, RpcTimeout
from werkzeug.exceptions import HTTPException

from core import errors
from core.forms import flatten_errors
from gateway.rpc import timed_out

log = logging.getLogger(__name__)

STATUS = {
    errors.ValidationFailed: 422,
    errors.BadRequest: 400,
    errors.NotFound: 404,
    errors.Unauthenticated: 401,
    errors.PermissionDenied: 403,
    errors.InvalidTransition: 409,
    errors.Conflict: 409,
    errors.DeadlinePassed: 409,
    errors.QuotaExceeded: 409,
    errors.BudgetExceeded: 409,
    errors.RateLimited: 429,
    errors.PayloadTooLarge: 413,
    errors.UnsupportedMediaType: 415,
    errors.ProgramNotAvailable: 404,
    errors.CampusSignInUnavailable: 503,
    errors.ServiceUnavailable: 503,
}

_HTTP_ZH = {
    400: "请求无效", 401: "请先登录", 403: "无权访问", 404: "资源不存在", 405: "不支持该请求方法",
    413: "上传内容过大", 415: "不支持的内容类型", 422: "输入有误", 429: "请求过于频繁", 503: "服务暂时不可用",
}


def status_of(error):
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def retry_after_header(error, default=None):
    """{"Retry-After": seconds} when a typed error says how long to wait (a 429), or
    `default` when given (every 503: the service may be back in a few seconds)."""
    details = error.details if isinstance(error.details, dict) else {}
    seconds = details.get("retry_after_seconds") or default
    return {"Retry-After": str(int(seconds))} if seconds else {}


def body(code, message, message_zh, field=None, details=None):
    out = {"code": code, "message": message, "message_zh": message_zh}
    if field is not None:
        out["field"] = field
    if details is not None:
        out["details"] = details
    return out


def respond(payload, status):
    """The error as JSON for API clients, as a page for a browser's page request."""
    from gateway.web import error_page  # the web pages import this module

    if error_page.wants_page():
        return error_page.render(status, payload)
    return jsonify(payload), status


def register(app):
    retry_after = int(app.config.get("CX", {}).get("GATEWAY", {}).get("RETRY_AFTER_SECONDS", 5))

    @app.errorhandler(errors.ChuangxianError)
    def typed(error):
        response, status = respond(error.to_dict(), status_of(error))
        return response, status, retry_after_header(error, default=retry_after if status == 503 else None)

    @app.errorhandler(RpcTimeout)
    def timeout(_error):  # a proxy used outside the pool (the pool turns these into ServiceUnavailable)
        return typed(timed_out())

    @app.errorhandler(RemoteError)
    def remote(error):
        log.error("service error: %s", error)
        return respond(body("service_error", "A service failed; the error was logged.", "服务出错，已记录"), 502)

    @app.errorhandler(InternalServerError)
    def crashed(error):
        original = getattr(error, "original_exception", None)
        if original is not None:
            log.error("unhandled error on %s", _path(), exc_info=original)
        return respond(body("internal_error", "Something went wrong; the error was logged.", "系统出错，已记录"), 500)

    @app.errorhandler(HTTPException)
    def http(error):
        # flask-smorest/webargs put schema errors in error.data["messages"].
        messages = getattr(error, "data", {}).get("messages") if hasattr(error, "data") else None
        if messages:
            flat = []
            for location, fields in messages.items():
                flat.extend(flatten_errors(fields, "" if location in ("json", "form", "files") else location))
            first = flat[0]
            return respond(body(
                "validation_failed",
                "; ".join(f"{e['field']}: {e['message']}" for e in flat),
                "；".join(f"{e['field']}：{e['message_zh']}" for e in flat),
                field=first["field"], details=flat,
            ), 422)
        return respond(body(error.name.lower().replace(" ", "_"), error.description or error.name,
                            _HTTP_ZH.get(error.code, error.name)), error.code)


def _path():
    from flask import request
    return request.path
