"""One settings module for every environment, driven by environment variables.

Embedded default (no DATABASE_URL, no REDIS_URL): SQLite, tasks run in-process, local-memory cache,
so `make run` works on a bare machine. Production: PostgreSQL + Redis, DEBUG off, SECRET_KEY required.
"""

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kam.security import DEVELOPMENT_SECRET_KEY, parse_networks, secret_key_problem
from kam.storage import attachments_storage

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# pytest sets PYTEST_VERSION; the test run may use a throwaway key like DEBUG does.
TESTING = "PYTEST_VERSION" in os.environ or "pytest" in Path(sys.argv[0]).name

DEBUG = env.bool("DEBUG", default=False)
# What a deployment runs as: settings that would be unsafe there stop the start instead.
PRODUCTION = not DEBUG and not TESTING
KEY_ADVICE = "generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not PRODUCTION:
        SECRET_KEY = DEVELOPMENT_SECRET_KEY
    else:
        raise ImproperlyConfigured(f"SECRET_KEY must be set when DEBUG is off; {KEY_ADVICE}")
elif PRODUCTION and (problem := secret_key_problem(SECRET_KEY)):
    # It signs sessions, password-reset links and CSRF tokens: a guessable key forges all three.
    raise ImproperlyConfigured(f"SECRET_KEY {problem}; {KEY_ADVICE}")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "kam.apps.KamAdminConfig",  # django.contrib.admin, signing in at the site's own page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_filters",
    "simple_history",
    "django_countries",
    "rules.apps.AutodiscoverRulesConfig",
    "kam",
    "accounts",
    "planning",
    "touchpoints",
    "agreements",
    "charter",
    "metrics",
    "roster",
    "programme",
    "calfeed",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, so that static files carry the policy too.
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kam.middleware.SessionTimeoutMiddleware",
    "kam.middleware.UserLanguageMiddleware",
    "kam.middleware.NoStoreForSignedInMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "kam.middleware.ContentSecurityPolicyMiddleware",
    "kam.middleware.DomainErrorMiddleware",
]
# The benchmark's per-request SQL count (bench/run.py); off by default, see kam/middleware.py.
if env.bool("KAM_QUERY_COUNT_HEADER", default=False):
    MIDDLEWARE.insert(0, "kam.middleware.QueryCountHeaderMiddleware")

ROOT_URLCONF = "kam.urls"
WSGI_APPLICATION = "kam.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kam.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg 3 with Django's own connection pool; persistent connections must stay off with a pool.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # With health checks Django gives the pool psycopg's `check_connection`: every checkout is tested
    # (one empty round trip), so after a PostgreSQL restart or failover a dead pooled connection is
    # replaced instead of failing the request that draws it (tests/faults/test_pool_health_checks.py).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DB_HEALTH_CHECKS", default=True)
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": env.int("DB_POOL_MIN", default=1),
        "max_size": env.int("DB_POOL_MAX", default=10),
        "timeout": env.int("DB_POOL_TIMEOUT", default=10),
    }
    if TESTING:
        # The test run opens and closes many databases; pooled connections would hold them open.
        DATABASES["default"]["OPTIONS"].pop("pool")
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL lets the in-process task runner and the web request read while one writes.
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # An import in the in-process thread holds the one write lock for its whole transaction (tens of
    # seconds for tens of thousands of rows): other writes wait for it rather than fail after 5 s.
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 120)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery ------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# The test run keeps its cache in a Redis database of its own (flushed between tests).
REDIS_CACHE_URL = env("REDIS_CACHE_URL", default="")
if REDIS_URL and TESTING and not REDIS_CACHE_URL:
    REDIS_CACHE_URL = REDIS_URL.rsplit("/", 1)[0] + "/15" if REDIS_URL.count("/") > 2 else REDIS_URL + "/15"
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, but a Redis outage reads as cache misses instead of errors.
            "BACKEND": "kam.cache.FailSoftRedisCache",
            "LOCATION": REDIS_CACHE_URL or REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="kam"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
    CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    # Embedded default only: no broker, so tasks run in the web process.
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
# Web requests never publish (kam.tasks.enqueue writes to the outbox); these bound every other wait on
# Redis, so that a Redis that is reachable but not answering (hung, paused, a full network buffer)
# costs seconds, never a blocked process: /healthz's broker check, beat and the workers' publishing.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "socket_connect_timeout": 2, "socket_timeout": 5,
    # A task not acknowledged this long after delivery (its worker was killed) is delivered again. It must
    # be longer than a task can wait in a worker before being acknowledged: the longest retry countdown
    # (retry_backoff_max, 600 s) plus the run itself (minutes at most). Redis' default is an hour.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=15 * 60),
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
# A row of the outbox claimed by a worker that then died is run again after this many seconds.
KAM_OUTBOX_LEASE_SECONDS = env.int("KAM_OUTBOX_LEASE_SECONDS", default=15 * 60)
# Imports (accounts.tasks) run on their own queue, taken by the worker service, so a long one never holds
# up the outbox; an import still running after KAM_IMPORT_LEASE_SECONDS is given up as lost.
CELERY_TASK_ROUTES = {"accounts.tasks.import_job_preview": {"queue": "imports"},
                      "accounts.tasks.import_job_run": {"queue": "imports"}}
KAM_IMPORT_LEASE_SECONDS = env.int("KAM_IMPORT_LEASE_SECONDS", default=30 * 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    # The background work the web asked for (kam.tasks.enqueue). A tick not run within 30 s is dropped:
    # the next one does the same work.
    "outbox-dispatch": {
        "task": "kam.tasks.outbox_dispatch",
        "schedule": 5.0,
        "options": {"expires": 30},
    },
    "outbox-purge-nightly": {
        "task": "kam.tasks.outbox_purge",
        "schedule": crontab(hour=3, minute=30),
    },
    "recompute-metrics-nightly": {
        "task": "metrics.tasks.recompute_metrics",
        "schedule": crontab(hour=2, minute=15),
    },
    "plan-reminders-daily": {
        "task": "planning.tasks.send_plan_reminders",
        "schedule": crontab(hour=6, minute=0),
    },
    "sla-escalations": {
        "task": "touchpoints.tasks.escalate_sla_breaches",
        "schedule": crontab(minute="*/5"),
    },
    "notification-emails-sweep": {
        "task": "kam.tasks.send_notification_emails",
        "schedule": crontab(minute="*"),
    },
    "submitted-forms-prune-daily": {
        "task": "kam.tasks.prune_submitted_forms",
        "schedule": crontab(hour=3, minute=40),
    },
    "sponsor-visits-overdue-daily": {
        "task": "touchpoints.tasks.remind_overdue_sponsor_visits",
        "schedule": crontab(hour=6, minute=30),
    },
    "client-surveys-daily": {
        "task": "touchpoints.tasks.send_client_surveys",
        "schedule": crontab(hour=9, minute=0),
    },
    "follow-ups-due-daily": {
        "task": "touchpoints.tasks.remind_follow_ups_due",
        "schedule": crontab(hour=6, minute=35),
    },
    "import-jobs-reap": {
        "task": "accounts.tasks.import_jobs_reap",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    "roster-course-reminders-daily": {
        "task": "roster.tasks.send_course_reminders",
        "schedule": crontab(hour=6, minute=45),
    },
    "attachment-orphans-sweep-nightly": {
        "task": "accounts.tasks.attachment_orphans_sweep",
        "schedule": crontab(hour=4, minute=10),
    },
    "share-views-purge-nightly": {
        "task": "planning.tasks.purge_share_views",
        "schedule": crontab(hour=3, minute=50),
    },
    "agreement-renewal-alerts-daily": {
        "task": "agreements.tasks.send_renewal_alerts",
        "schedule": crontab(hour=6, minute=15),
    },
}
# `make run` (no REDIS_URL, so no beat): runserver runs the schedule above in a thread (kam/scheduler.py).
KAM_INPROCESS_BEAT = env.bool("KAM_INPROCESS_BEAT", default=True)
# Backups (kam/backup.py, `manage.py backup` / `restore_check`, the compose file's backup service).
KAM_BACKUP_DIR = Path(env.str("KAM_BACKUP_DIR", default=str(BASE_DIR / "backups")))
KAM_BACKUP_KEEP_DAYS = env.int("KAM_BACKUP_KEEP_DAYS", default=14)
# Share-link views (the client's address and browser) are forgotten after this many days.
KAM_SHARE_VIEW_RETENTION_DAYS = env.int("KAM_SHARE_VIEW_RETENTION_DAYS", default=180)

# Uploads (the CSV imports): a larger file is stopped as it arrives, never written to disk
# (kam/uploads.py); one up to the limit is kept in memory, never in a temporary file.
KAM_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
FILE_UPLOAD_HANDLERS = ["kam.uploads.LimitedUploadHandler",
                        "django.core.files.uploadhandler.MemoryFileUploadHandler",
                        "django.core.files.uploadhandler.TemporaryFileUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = KAM_UPLOAD_MAX_BYTES + 64 * 1024
# Attached files (accounts/attachments): their own limit, also enforced as they arrive.
KAM_ATTACHMENT_MAX_BYTES = env.int("KAM_ATTACHMENT_MAX_BYTES", default=25 * 1024 * 1024)

# --- Auth -----------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sessions end after this long without a request (sliding), and in any case this long after signing in
# (kam.middleware.SessionTimeoutMiddleware). The last-seen time is written at most once per refresh
# step; the stored session and its cookie expire one step after the idle time, so they never end first.
KAM_SESSION_IDLE_MINUTES = env.int("KAM_SESSION_IDLE_MINUTES", default=60)
KAM_SESSION_MAX_HOURS = env.int("KAM_SESSION_MAX_HOURS", default=10)
if KAM_SESSION_IDLE_MINUTES < 1 or KAM_SESSION_MAX_HOURS < 1:
    raise ImproperlyConfigured("KAM_SESSION_IDLE_MINUTES and KAM_SESSION_MAX_HOURS must be at least 1.")
KAM_SESSION_REFRESH_SECONDS = 60
SESSION_COOKIE_AGE = KAM_SESSION_IDLE_MINUTES * 60 + KAM_SESSION_REFRESH_SECONDS

# --- I18n -----------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English in British formats (day-month-year, 24-hour clock): kam/formats/en/formats.py.
FORMAT_MODULE_PATH = ["kam.formats"]
TIME_ZONE = env("TIME_ZONE", default="Europe/Madrid")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Attached files: a private directory (or an S3-compatible bucket), never served as media (kam/storage.py).
# The test run keeps them in a throwaway directory of its own.
if TESTING:
    _TEST_ATTACHMENTS = Path(tempfile.gettempdir()) / f"kam-test-attachments-{os.getpid()}"
    atexit.register(shutil.rmtree, _TEST_ATTACHMENTS, ignore_errors=True)
STORAGES["attachments"] = attachments_storage(
    env, _TEST_ATTACHMENTS if TESTING else BASE_DIR / "private" / "attachments")
WHITENOISE_USE_FINDERS = DEBUG or TESTING

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail ---------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="kam@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security (production) ------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie; kept default-safe
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features the platform never uses, denied to its pages and to anything injected into them
# (django-permissions-policy). Only names Chromium knows: it reports unknown ones as console errors.
PERMISSIONS_POLICY: dict[str, list[str]] = {feature: [] for feature in (
    "accelerometer", "autoplay", "browsing-topics", "camera", "clipboard-read", "display-capture",
    "encrypted-media", "fullscreen", "geolocation", "gyroscope", "hid", "idle-detection", "local-fonts",
    "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get", "screen-wake-lock", "serial",
    "usb", "window-management", "xr-spatial-tracking",
)}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Container and load-balancer probes call /healthz over plain HTTP from inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env.bool("BEHIND_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Demo data size used by `make run`; the bench uses "large".
KAM_DEMO_PASSWORD = env("KAM_DEMO_PASSWORD", default="demo-kam-2026")
# Sign-in throttling (kam/login.py): this many failures per username and address lock that pair out
# for the window (seconds).
KAM_LOGIN_FAILURE_LIMIT = env.int("KAM_LOGIN_FAILURE_LIMIT", default=5)
KAM_LOGIN_FAILURE_WINDOW = env.int("KAM_LOGIN_FAILURE_WINDOW", default=15 * 60)
# ...and this many failures from one address, whatever the usernames, lock that address out.
KAM_LOGIN_ADDRESS_FAILURE_LIMIT = env.int("KAM_LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
# Password reset by e-mail (kam/login.py): requests per client address, and e-mails per address asked
# for, in the window (seconds). A reset link works once, for an hour.
KAM_PASSWORD_RESET_ADDRESS_LIMIT = env.int("KAM_PASSWORD_RESET_ADDRESS_LIMIT", default=10)
KAM_PASSWORD_RESET_EMAIL_LIMIT = env.int("KAM_PASSWORD_RESET_EMAIL_LIMIT", default=3)
KAM_PASSWORD_RESET_WINDOW = env.int("KAM_PASSWORD_RESET_WINDOW", default=60 * 60)
PASSWORD_RESET_TIMEOUT = 60 * 60
# Reverse proxies whose X-Forwarded-For names the client (kam.ratelimit.client_ip): IPs or CIDR networks.
KAM_TRUSTED_PROXIES = env.list("KAM_TRUSTED_PROXIES", default=[])
parse_networks(KAM_TRUSTED_PROXIES)  # a typo stops the start
# Absolute address used in e-mails' links (notifications, password reset). A production default would
# send people links to the wrong place (or to plain HTTP), so production must say it.
KAM_SITE_URL = env("KAM_SITE_URL", default="")
if not KAM_SITE_URL:
    if PRODUCTION:
        raise ImproperlyConfigured("KAM_SITE_URL must be set when DEBUG is off: the site's address as people "
                                   "reach it (e.g. https://kam.example.com), used in e-mail links.")
    KAM_SITE_URL = "http://127.0.0.1:8000"
