"""Web pages for every role, rendered on the server (Jinja), Chinese by default.

Pages call the same services over the same RPC as the REST API, as the logged-in
person, so every permission is decided by the services exactly as for the API. Page
modules (one per role or subject) add their routes to `blp` when imported below.
"""
from flask import Blueprint, g, render_template

from core.errors import ChuangxianError
from gateway.errors import status_of
from gateway.web import i18n, menu, session

blp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
                static_url_path="/static/web")


@blp.app_context_processor
def _template_globals():
    return {"t": i18n.t, "pick": i18n.pick, "lang": i18n.current_language(), "csrf_token": session.csrf_token,
            "me": g.get("me"), "menu_items": menu.menu_items, "has_page": menu.has_page}


@blp.app_template_filter("local_time")
def _local_time(value):
    """An ISO 8601 UTC time as Beijing time, 'YYYY-MM-DD HH:MM'."""
    from datetime import datetime
    from zoneinfo import ZoneInfo
    if not value:
        return ""
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")


@blp.after_app_request
def _csrf_cookie(response):
    return session.remember_csrf(response)


@blp.errorhandler(ChuangxianError)
def _typed_error(error):
    """A service refused: the page says why, in the reader's language, with the field."""
    return render_template("error.html", error=error.to_dict()), status_of(error)


def register(app):
    from gateway.web import pages_applicant, pages_college, pages_common, pages_reviewer  # noqa: F401  (routes register on import)
    from gateway.web import (  # noqa: F401  (routes register on import)
        pages_admin, pages_admin_notice, pages_dashboard, pages_documents, pages_finance, pages_jobs, pages_notice,
        pages_status)
    app.register_blueprint(blp)
