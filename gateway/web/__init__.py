"""Web pages for every role, rendered on the server (Jinja), Chinese by default.

Pages call the same services over the same RPC as the REST API, as the logged-in
person, so every permission is decided by the services exactly as for the API. Page
modules (one per role or subject) add their routes to `blp` when imported below.
"""
from flask import Blueprint, g

from core import labels
from core.errors import ChuangxianError
from gateway.errors import status_of
from gateway.web import i18n, menu, session

blp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
                static_url_path="/static/web")


@blp.app_context_processor
def _template_globals():
    return {"t": i18n.t, "pick": i18n.pick, "lang": i18n.current_language(), "csrf_token": session.csrf_token,
            "me": g.get("me"), "menu_items": menu.menu_items, "has_page": menu.has_page,
            "error_summary": _error_summary, "upload_limit": _upload_limit, "status_text": _status_text}


def _status_text():
    from gateway.web.page_helpers import status_text
    return status_text()


def _upload_limit():
    """The largest upload, as people read it ("10 MB"), for hints before a file input."""
    from gateway.web import error_page
    return error_page.upload_limit_text()


def _error_summary(error, schema_labels=None):
    from gateway.web import error_page
    return error_page.summary(error, schema_labels)


@blp.app_template_filter("local_time")
def _local_time(value):
    """An ISO 8601 UTC time as Beijing time, 'YYYY-MM-DD HH:MM'."""
    from datetime import datetime
    from zoneinfo import ZoneInfo
    if not value:
        return ""
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M")


@blp.app_template_filter("label")
def _label(code, vocabulary):
    """``{{ app.state | label('state') }}``: the code's label from core/labels.py in
    the reader's language."""
    return labels.label(vocabulary, code, i18n.current_language())


@blp.app_template_filter("label_any")
def _label_any(code, *prefer):
    """``{{ option | label_any('lead_role') }}``: a code whose vocabulary is only
    guessed (a program form's option); the named vocabularies are tried first."""
    return labels.label_any(code, i18n.current_language(), prefer)


@blp.app_template_filter("scrub_ids")
def _scrub_ids(text):
    """A service's message without internal ids (core/labels.py `scrub_ids`)."""
    return labels.scrub_ids(text)


@blp.app_template_filter("percent")
def _percent(weight, total=100):
    """``{{ 16.6667 | percent }}`` -> 16.7%."""
    return labels.percent(weight, total)


@blp.app_template_filter("number")
def _number(value, digits=2):
    """``{{ total | number }}``: rounded to two decimals (87.33, 90)."""
    return labels.number(value, digits)


@blp.app_template_filter("beijing")
def _beijing(text):
    """A service's local-time text without its zone code ("… 17:00 (Asia/Shanghai)"):
    every page's footer already says times are Beijing time."""
    return str(text or "").replace(" (Asia/Shanghai)", "").replace("(Asia/Shanghai)", "")


@blp.app_template_filter("local_input")
def _local_input(value, kind="datetime"):
    """A stored date or UTC time as typed in the form: '2026-12-11' or
    '2026-12-11 17:00' (Beijing, 24-hour). Text already in that form stays."""
    from datetime import datetime
    from zoneinfo import ZoneInfo
    text = str(value or "")
    if kind == "date" or len(text) <= 10:
        return text[:10]
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo("Asia/Shanghai"))
    return moment.strftime("%Y-%m-%d %H:%M")


@blp.after_app_request
def _csrf_cookie(response):
    return session.remember_csrf(response)


@blp.errorhandler(ChuangxianError)
def _typed_error(error):
    """A service refused: the error page says why, in the reader's language, naming
    fields by their labels (gateway/web/error_page.py)."""
    from gateway.web import error_page
    return error_page.render(status_of(error), error.to_dict())


def register(app):
    from gateway.web import pages_applicant, pages_college, pages_common, pages_reviewer  # noqa: F401  (routes register on import)
    from gateway.web import (  # noqa: F401  (routes register on import)
        pages_admin, pages_admin_campaign_edit, pages_admin_notice, pages_dashboard, pages_documents, pages_finance,
        pages_jobs, pages_notice,
        pages_status)
    from gateway.web import pages_people, pages_reviewer_pool  # noqa: F401  (routes register on import)
    from gateway.web import pages_account  # noqa: F401  (routes register on import)
    from gateway.web import pages_records_import  # noqa: F401  (routes register on import)
    from gateway.web import pages_review  # noqa: F401  (routes register on import)
    from gateway.web import pages_stages  # noqa: F401  (routes register on import)
    from gateway.web import pages_home, pages_inbox, pages_public  # noqa: F401  (routes register on import)
    from gateway.web import pages_funding_admin, pages_projects  # noqa: F401  (routes register on import)
    from gateway.web import pages_admin_campaign_manage, pages_admin_campaign_settings  # noqa: F401
    app.register_blueprint(blp)
