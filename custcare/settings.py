"""Django settings for CustCare.

Everything that differs between machines comes from the environment:
CUSTCARE_DATABASE_URL (default: an SQLite file under CUSTCARE_VAR), CUSTCARE_SECRET_KEY,
CUSTCARE_DEBUG, CUSTCARE_ALLOWED_HOSTS.
"""

import os
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("CUSTCARE_VAR", Path.cwd() / "var"))

SECRET_KEY = os.environ.get("CUSTCARE_SECRET_KEY", "custcare-development-key-change-me-in-production")
DEBUG = os.environ.get("CUSTCARE_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("CUSTCARE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "custcare.core",
    "custcare.security",
    "custcare.algorithms",
    "custcare.customers",
    "custcare.contacts",
    "custcare.batch",
    "custcare.todo",
    "custcare.events",
    "custcare.fieldwork",
    "custcare.metering",
    "custcare.cases",
    "custcare.agreements",
    "custcare.marketing",
    "custcare.programs",
    "custcare.payments",
    "custcare.billing",
    "custcare.credit",
    "custcare.workflow",
    "custcare.controlcentral",
    "custcare.web",
    "custcare.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "custcare.urls"
WSGI_APPLICATION = "custcare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    url = os.environ.get("CUSTCARE_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'custcare.sqlite3'}"
    parsed = dj_database_url.parse(url, conn_max_age=60 if url.startswith("postgres") else 0)
    db: dict[str, Any] = dict(parsed)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the one writer; IMMEDIATE avoids lock upgrades that fail.
        db["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        }
        db["TEST"] = {"NAME": os.environ.get("CUSTCARE_SQLITE_TEST_NAME") or None}
    else:
        # A few hot reads are prepared statements (custcare.core.sql): psycopg may prepare (Django's own
        # cursors bind on the client and never do), and the session plans prepared statements once, generically.
        db["OPTIONS"] = {"prepare_threshold": 5, "options": "-c plan_cache_mode=force_generic_plan"}
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("CUSTCARE_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise serves from the app folders (finders) and expects STATIC_ROOT to exist.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:search"
LOGOUT_REDIRECT_URL = "web:login"

# The region used to read phone numbers typed without a country code.
CUSTCARE_DEFAULT_REGION = os.environ.get("CUSTCARE_DEFAULT_REGION", "US")
# Search results beyond this count ask the user to refine the search.
CUSTCARE_SEARCH_LIMIT = 300
# API tokens expire after this many hours.
CUSTCARE_TOKEN_HOURS = int(os.environ.get("CUSTCARE_TOKEN_HOURS", "12"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CUSTCARE_LOG_LEVEL", "WARNING")},
}

# Celery (distributed batch runs): the broker is Redis; one task at a time per worker process so that
# threads spread evenly, acknowledged after the work so a lost worker's task is not silently dropped.
CELERY_BROKER_URL = os.environ.get("CUSTCARE_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CUSTCARE_BATCH_QUEUE", "custcare-batch")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
