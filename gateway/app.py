"""The gateway: REST + OpenAPI over the services' RPC, served by gunicorn (gthread).

`create_app(config)` takes the platform configuration (deploy/config.yml by
default); the API document is at /api/openapi.json and its Swagger UI at /api/docs,
with Swagger UI's files served from this server (campus intranets have no CDN).
"""
from flask import Flask, send_from_directory
from swagger_ui_bundle import swagger_ui_path
from werkzeug.middleware.proxy_fix import ProxyFix

from core.config import load_config
from core.filestore import LazyFileStore
from core.programs import check_enabled
from core.security import check_settings
from gateway import boundary, errors, observability, security_headers, web
from gateway.api import applications, auth, campaigns, directory, funding, notifications, programs, scoring
from gateway.api import notices
from gateway.api import records
from gateway.api import documents
from gateway.api import jobs
from gateway.api import people
from gateway.api import accounts
from gateway.openapi import Api
from gateway.rpc import RpcPool


def upload_request_limit(cx):
    """The largest request body: the largest raw upload plus 1 MB for the form's fields."""
    settings = cx.get("ATTACHMENTS", {})
    max_bytes = int(settings.get("MAX_BYTES", 10485760))
    return int(settings.get("MAX_UPLOAD_BYTES", 3 * max_bytes)) + 1048576


def create_app(config=None):
    cx = config if config is not None else load_config()
    check_enabled(cx)  # an unknown program name stops the gateway at start, with the installed ones named
    check_settings(cx, gateway=True)  # the default secret key or the guest broker user, outside demo mode
    gateway = cx.get("GATEWAY", {})
    app = Flask(__name__)
    app.config.update(
        CX=cx,
        JSON_AS_ASCII=False,
        # A request may carry a photo up to MAX_UPLOAD_BYTES (3 x MAX_BYTES unless set):
        # the gateway shrinks it to MAX_BYTES (gateway/files.py); other files are held to MAX_BYTES.
        MAX_CONTENT_LENGTH=upload_request_limit(cx),
        API_TITLE="Chuangxian 创先 API",
        API_VERSION="1.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="/static/swagger-ui/",
        API_SPEC_OPTIONS={
            "info": {"description": "Student excellence programs (创先争优). Errors are "
                                    "{code, message, message_zh, field, details}."},
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                                               "bearerFormat": "JWT"}}},
            "security": [{"bearerAuth": []}],
        },
    )
    app.json.ensure_ascii = False
    app.extensions["rpc_pool"] = RpcPool(cx, size=int(gateway.get("RPC_POOL_SIZE", 8)),
                                         timeout=float(gateway.get("RPC_TIMEOUT_SECONDS", 30)))
    app.extensions["files"] = LazyFileStore(cx)   # uploads' bytes travel by reference (core/filestore.py)
    api = Api(app)
    for module in (auth, programs, campaigns, applications, directory, scoring, funding, notifications, notices,
                   records, documents, jobs, people, accounts):
        api.register_blueprint(module.blp)
    api.mark_public_operations(app)
    boundary.register(app)
    security_headers.register(app)
    errors.register(app)
    observability.register(app)
    web.register(app)
    hops = int(gateway.get("PROXY_HOPS") or 0)
    if hops:  # behind this many reverse proxies: trust their X-Forwarded-* (scheme for Secure cookies)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)

    @app.route("/static/swagger-ui/<path:filename>")
    def swagger_assets(filename):
        return send_from_directory(swagger_ui_path, filename)

    return app
