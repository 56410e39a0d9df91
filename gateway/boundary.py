"""The one boundary every request crosses before a view runs.

Guarantees, for every route (API and pages), before any body is parsed by a view:
  * an API route that needs a log-in answers 401 without a valid token, whatever the
    body holds (authentication before validation);
  * an `Idempotency-Key` longer than 200 characters is refused (400, field
    `Idempotency-Key`), never silently truncated;
  * a view declaring a required body gets one (gateway/openapi.py);
  * a JSON body must be UTF-8 JSON nested at most MAX_DEPTH deep, with finite
    numbers inside the 64-bit range (MongoDB's), and text without lone surrogates or
    control characters other than tab, newline and carriage return;
  * form fields, query parameters and upload file names obey the same text rule.
A refusal is a 4xx error body naming the field (`items.0.title`), in Chinese and
English; nothing reaches a service. Views parse the body again themselves (webargs):
the check here only decides whether they get to.
"""
import json
import math
import re

from flask import request

from core.errors import BadRequest, field_error, invalid
from gateway.auth import authenticate
from gateway.openapi import body_required

MAX_DEPTH = 32
MAX_IDEMPOTENCY_KEY = 200
INT64 = 2 ** 63
# C0 controls except tab (09), newline (0a) and carriage return (0d, the first half of
# a newline from Windows and from every HTML form), DEL, and what no text may hold:
# lone surrogates and the non-characters FFFE/FFFF (refused by XML, so by documents).
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKETS = re.compile(r"[\[\]{}]")


def text_problem(value, field):
    """A field error when `value` holds a character no stored text may hold, else None."""
    found = _BAD_TEXT.search(value)
    if found is None:
        return None
    char = found.group()
    if "\ud800" <= char <= "\udfff":
        return field_error(field, "Invalid Unicode (a lone surrogate).", "包含无效的 Unicode 字符（孤立代理项）")
    return field_error(field, f"Contains a control character (U+{ord(char):04X}); only tab and newline are allowed.",
                       f"包含控制字符（U+{ord(char):04X}），仅允许制表符和换行")


def _walk(value, path, problems, depth=0):
    """Collect field errors of a parsed JSON value (stops at 20 problems)."""
    if len(problems) >= 20:
        return
    name = path or "body"
    if isinstance(value, str):
        problem = text_problem(value, name)
        if problem:
            problems.append(problem)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, float):
        if not math.isfinite(value):
            problems.append(field_error(name, "The number is out of range.", "数值超出范围"))
    elif isinstance(value, int):
        if not -INT64 <= value < INT64:
            problems.append(field_error(name, "The number is out of range.", "数值超出范围"))
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            problem = text_problem(str(key), child)
            if problem:
                problems.append(problem)
            _walk(item, child, problems, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{path}.{index}" if path else str(index), problems, depth + 1)


def _depth(text):
    """How deep the JSON text nests (strings removed first, so brackets in text do not count)."""
    deepest = level = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        level += 1 if bracket in "[{" else -1
        deepest = max(deepest, level)
    return deepest


def _refuse_constant(name):
    raise ValueError(f"{name} is not JSON")


def check_json(raw):
    """Raises ValidationFailed naming the field for a body this platform never accepts."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise invalid([field_error("body", "The body is not valid UTF-8.", "请求体不是有效的 UTF-8 编码")]) from None
    if _depth(text) > MAX_DEPTH:
        raise invalid([field_error("body", f"The JSON is nested deeper than {MAX_DEPTH} levels.",
                                   f"JSON 嵌套超过 {MAX_DEPTH} 层")])
    try:
        parsed = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise BadRequest("The body is not valid JSON.", "请求体不是有效的 JSON", field="body") from None
    problems = []
    _walk(parsed, "", problems)
    if problems:
        raise invalid(problems)


def check_fields():
    """Query parameters, form fields and upload names: the text rule."""
    problems = []
    for source in (request.args, request.form):
        for name, value in source.items(multi=True):
            problems.append(text_problem(name, name) or text_problem(value, name))
    for name, upload in request.files.items(multi=True):
        problems.append(text_problem(upload.filename or "", name))
    problems = [p for p in problems if p]
    if problems:
        raise invalid(problems)


def check_idempotency_key():
    key = request.headers.get("Idempotency-Key")
    if key is not None and len(key.strip()) > MAX_IDEMPOTENCY_KEY:
        raise BadRequest(f"The Idempotency-Key header is longer than {MAX_IDEMPOTENCY_KEY} characters.",
                         f"Idempotency-Key 请求头超过 {MAX_IDEMPOTENCY_KEY} 个字符", field="Idempotency-Key")
    if key is not None:
        problem = text_problem(key, "Idempotency-Key")
        if problem:
            raise BadRequest(problem["message"], problem["message_zh"], field="Idempotency-Key")


def check_body_present(view):
    """A view declaring a required body (gateway/openapi.py) gets one."""
    if body_required(view) and not request.get_data(cache=True).strip():
        raise invalid([field_error("body", "A request body is required.", "缺少请求体")])


def register(app):
    @app.before_request
    def _boundary():
        view = app.view_functions.get(request.endpoint)
        if view is not None and getattr(view, "login_required", False):
            # before webargs parses the body (the decorators would validate first)
            authenticate(getattr(view, "allow_during_password_change", False))
        check_idempotency_key()
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            if view is not None:
                check_body_present(view)
            if request.is_json:
                check_json(request.get_data(cache=True))
        check_fields()

