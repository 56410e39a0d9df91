"""The OpenAPI document says what the API really answers.

* An operation without a declared success response declares a 200 (any JSON), so
  its success is never checked against the error body.
* Every error response (flask-smorest's default one, each status it registers, and
  each `alt_response` declared with a description only) carries the platform's
  error body, `ErrorOut`: {code, message, message_zh, field, details}.
* A request body declared required is required: gateway/boundary.py refuses a
  missing one (`body_required`), so the document and the server agree; an endpoint
  whose body may be empty declares `required=False`.
* An operation that needs no log-in says so (`security: []`); every other one
  inherits the document's bearer token.
* /api/docs (Swagger UI) starts from a static file, not an inline script.
"""
import re

import flask
from apispec import BasePlugin
from flask_smorest import Api as SmorestApi

from gateway.schemas import ErrorOut

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}  # registered with DEFAULT_ERROR, used by all


class ErrorBodies(BasePlugin):
    """Gives every 4xx/5xx response of an operation without content the error body."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            if not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            if not any(str(code)[:1] in "23" for code in responses):
                # A view without @blp.response answers 200 with its own JSON (or a file):
                # say so, rather than leave `default` (the error body) to describe it.
                responses["200"] = {"description": "OK (see the operation's description)",
                                    "content": {"application/json": {"schema": {}}}}
            for code, response in responses.items():
                if str(code).isdigit() and int(code) >= 400 and isinstance(response, dict) \
                        and "content" not in response and "$ref" not in response:
                    response["content"] = {"application/json": {"schema": dict(ERROR_REF)}}


class Api(SmorestApi):
    ERROR_SCHEMA = ErrorOut

    def __init__(self, app, **kwargs):
        super().__init__(app, spec_kwargs={"extra_plugins": [ErrorBodies()]}, **kwargs)

    def mark_public_operations(self, app):
        """`security: []` on the operations whose view is not `login_required`."""
        paths = self.spec._paths  # apispec keeps the registered paths here; there is no public accessor
        for rule in app.url_map.iter_rules():
            view = app.view_functions.get(rule.endpoint)
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
            if view is None or getattr(view, "login_required", False) or path not in paths:
                continue
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                operation = paths[path].get(method.lower())
                if isinstance(operation, dict):
                    operation["security"] = []

    def _openapi_swagger_ui(self):
        """Swagger UI without flask-smorest's inline script (the pages' CSP forbids it)."""
        return flask.render_template("api_docs.html", title=self.spec.title, swagger_ui_url=self._swagger_ui_url,
                                     spec_url=flask.url_for(f"{self._make_doc_blueprint_name()}.openapi_json"))


def body_required(view):
    """True when the view declares a required JSON (or form) body."""
    for parameter in (getattr(view, "_apidoc", {}).get("arguments") or {}).get("parameters", []):
        if parameter.get("in") in ("json", "form") and parameter.get("required"):
            return True
    return False
