"""A minimal Django project around django-cas-server for the campus sign-in tests.

Run by tests/integration/campus/servers.py with the CAS server's own virtual
environment (.tools/cas-server); the database is the SQLite file CAS_SITE_DB; the
campus users are CAS_SITE_USERS (JSON: {username: {password, attributes...}})."""
import json
import os

BASE_DIR = os.path.dirname(os.path.abspath(__file__))
SECRET_KEY = os.environ.get("CAS_SITE_SECRET", "campus-test-only-secret-key-0123456789")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions", "django.contrib.messages",
    "django.contrib.staticfiles", "cas_server",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
]
ROOT_URLCONF = "cas_urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request", "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages"]},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["CAS_SITE_DB"]}}
STATIC_URL = "/static/"
USE_TZ = True
LANGUAGE_CODE = "zh-hans"
CAS_AUTH_CLASS = "campus_users.CampusUser"
CAS_SITE_USERS = json.loads(os.environ.get("CAS_SITE_USERS", "{}"))
CAS_SHOW_POWERED = False
CAS_NEW_VERSION_HTML_WARNING = False
CAS_NEW_VERSION_EMAIL_WARNING = False
LOGGING = {"version": 1, "disable_existing_loggers": False}
