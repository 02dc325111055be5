"""Canbao settings: one module, driven by environment variables.

Embedded defaults (no variables set): DEBUG on, SQLite in var/, Celery tasks run inline, local
memory cache. With DATABASE_URL and REDIS_URL the same code runs on PostgreSQL, Redis and a
real Celery worker. Production: set DJANGO_DEBUG=false, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS
(see README).
"""
import datetime as dt
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from core.crypto import DEV_DATA_KEY_ID, DEV_DATA_KEYS, DEV_INDEX_KEY

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)
DEV_SECRET_KEY = "dev-only-insecure-key-change-me-in-production-0123456789abcdef"
SECRET_KEY = env("DJANGO_SECRET_KEY", default=DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and SECRET_KEY in ("", DEV_SECRET_KEY):
    # The development key is in the repository: signing sessions with it in production would
    # let anyone forge them. Refuse to start instead of falling back silently.
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY 未设置（或仍是开发用密钥）：DJANGO_DEBUG=false 时必须通过环境变量 "
        "DJANGO_SECRET_KEY 提供一个随机密钥（至少 50 个字符，见 docs/deploy.md）。"
    )
# Personal data at rest (core/crypto.py, docs/keys.md): SM4 data keys "id:hex,id:hex", the id
# of the one that encrypts, and the HMAC-SM3 blind-index key. Unset with DEBUG on: development
# keys; unset with DEBUG off: `manage.py check` fails naming the variable (core/checks.py).
CANBAO_DATA_KEYS = env("CANBAO_DATA_KEYS", default=DEV_DATA_KEYS if DEBUG else "")
CANBAO_DATA_KEY_ID = env("CANBAO_DATA_KEY_ID", default=DEV_DATA_KEY_ID if DEBUG else "")
CANBAO_INDEX_KEY = env("CANBAO_INDEX_KEY", default=DEV_INDEX_KEY if DEBUG else "")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "simple_history",
    "django_celery_beat",
    "core",
    "enrollment",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "accounts",
    "benefits",
    "outreach",
    "payments",
    "dashboards",
    "rest_framework",
    "drf_spectacular",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Accounts (see the accounts block below): OTP state, then the password-age and
    # second-factor gate, then axes last so it turns a lockout into the Chinese login page.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.AccountPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # Production serves static files from the app server (no CDN on closed networks).
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"

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
                "enrollment.context_processors.staff_scope",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'canbao.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
# A persistent connection that the database dropped (restart, failover, idle timeout) is
# replaced at the start of the next request instead of failing it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a seed or import writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # The person list's covering index (INCLUDE columns) is PostgreSQL's index-only walk;
    # SQLite builds the same index without them, which is all it needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)

# A streaming replica of the primary for the read-only pages (core/replica.py: the pages that
# opt in with @replica_reads; writes, accounts and every other page stay on the primary). In
# tests it mirrors the primary's test database.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {**env.db("DATABASE_REPLICA_URL"),
                            "CONN_HEALTH_CHECKS": True, "TEST": {"MIRROR": "default"}}
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "enrollment.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.LengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassValidator"},
    {"NAME": "accounts.validators.PasswordHistoryValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Redis: broker and cache when configured; otherwise inline tasks and local memory.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="canbao"),
            # Fail fast when Redis is down: callers treat the cache as best-effort.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://localhost/"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True

CELERY_TIMEZONE = TIME_ZONE
# Jobs report through their own rows (progress, errors); nobody reads task results, and asking
# for them makes every publish also subscribe on the result store, which retries for ~20 s when
# Redis is down.
CELERY_TASK_IGNORE_RESULT = True
# Publishing while the broker is down must fail within a couple of seconds, so that the page
# that started a job can mark it failed and say so, instead of hanging the web worker.
BROKER_FAULT_SECONDS = env.float("BROKER_FAULT_SECONDS", default=2.0)
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_FAULT_SECONDS
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": BROKER_FAULT_SECONDS,
    "socket_timeout": BROKER_FAULT_SECONDS * 5,
    "max_retries": 1,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_FAULT_SECONDS
CELERY_REDIS_SOCKET_TIMEOUT = BROKER_FAULT_SECONDS * 5
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 1}}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="canbao")
# A recalculation chunk still "running" this long after it started, and whose row no worker
# holds, is taken for dead and re-enqueued by the sweep (every RECALC_SWEEP_SECONDS).
RECALC_CHUNK_LEASE_SECONDS = env.int("RECALC_CHUNK_LEASE_SECONDS", default=120)
# The monthly comparison's parts (enrollment/exchange/comparison_parts.py): consecutive townships
# up to this many registered persons, one transaction each.
COMPARISON_PART_PERSONS = env.int("COMPARISON_PART_PERSONS", default=150_000)
# The worker processes that take a region-wide job's parts side by side (the Celery worker's
# --concurrency, deploy/env.example): the ledger and the comparison cut their parts in a multiple
# of it, evenly, so that no worker is left alone with the last part.
JOB_WORKERS = env.int("CELERY_CONCURRENCY", default=2)

# Sessions expire when the browser closes: staff often share village office computers.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 8 * 3600  # replaced by the idle timeout in the accounts block below

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

# Uploads (core/uploads.py): the limits every upload page states and enforces.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
UPLOAD_MAX_ROWS = env.int("UPLOAD_MAX_ROWS", default=50_000)
# Department feeds (数据交换, enrollment/exchange): a county's monthly file is larger than a
# clerk's upload; the job checks and applies it in batches of FEED_BATCH_ROWS.
FEED_MAX_BYTES = env.int("FEED_MAX_BYTES", default=20 * 1024 * 1024)  # nginx: 20m
FEED_MAX_ROWS = env.int("FEED_MAX_ROWS", default=300_000)
FEED_BATCH_ROWS = env.int("FEED_BATCH_ROWS", default=1000)

# Import-export: imports run in one transaction, all or nothing per file.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Admin exports escape formula injection the same way as every other file (core.exports).
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
from core.exports import admin_export_formats  # noqa: E402  (no settings are read on import)

EXPORT_FORMATS = admin_export_formats()
# Admin imports read what the upload pages read (enrollment/admin_import.py), in this order.
from import_export.formats.base_formats import CSV, XLSX  # noqa: E402

IMPORT_FORMATS = [CSV, XLSX]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# ---------------------------------------------------------------------------------------------
# Serving: security headers, error pages, health checks (docs/deploy.md)
# ---------------------------------------------------------------------------------------------
from csp.constants import NONE, SELF  # noqa: E402

# CSP goes first so that every response gets the header, also the ones that middlewares below
# answer themselves; no-store goes after authentication, which it needs to read the user.
MIDDLEWARE.insert(1, "config.middleware.SiteCSPMiddleware")
MIDDLEWARE.append("config.middleware.NoStoreMiddleware")

# No inline scripts or styles: page scripts live in static/js/ and take their data from
# json_script and data attributes. ECharts and Bootstrap set styles through the CSSOM, which
# style-src does not restrict; Bootstrap's icons are data: SVGs in its CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

CSRF_FAILURE_VIEW = "config.errors.csrf_failure"

# /healthz fails when no worker has run the heartbeat task (every 60 s) for this many seconds.
HEALTHZ_HEARTBEAT_MAX_AGE = env.int("HEALTHZ_HEARTBEAT_MAX_AGE", default=300)

# --- Accounts and audit (身份鉴别, 访问控制, 安全审计; MLPS level 3) ---------------------------
AUTHENTICATION_BACKENDS = [
    # axes first: it refuses a locked-out user or address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the request's user with its region and last password
    # change in one query.
    "accounts.backends.StaffBackend",
]
# 5 failures lock the username and, separately, the client address for 30 minutes; a
# security administrator unlocks in the admin (访问尝试).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
# Tries during the lock do not extend it: the time shown on the login page holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "enrollment.audit.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
AXES_VERBOSE = False
# How many reverse proxies in front of the app append to X-Forwarded-For; 0 trusts only
# REMOTE_ADDR (a client can write any X-Forwarded-For it likes).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Idle logout: the session lives 30 minutes from the last request, not from the login.
SESSION_COOKIE_AGE = 30 * 60
# The expiry moves on with use, written at most once a minute (accounts.middleware.
# SessionRefreshMiddleware), not on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=60)
PASSWORD_MAX_AGE_DAYS = 90
PASSWORD_HISTORY_COUNT = 5
OTP_TOTP_ISSUER = "参保通"
# Nobody but the user ever sees a TOTP secret; the admin can only delete a device.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Audit rows are kept at least this long, then archived (JSON lines, gzip) and removed.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=180)
AUDIT_ARCHIVE_DIR = Path(env("AUDIT_ARCHIVE_DIR", default=str(VAR_DIR / "audit-archive")))


# --- The data-sharing API for other departments (api/, docs/api.md) ---------------------------
# Read-only JSON, one token per department (issued by the superuser in the admin), limited per
# token to API_RATE calls ("60/min", "1000/hour", …), counted in the cache (Redis when set).
API_RATE = env("API_RATE", default="60/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.DepartmentTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.DepartmentTokenThrottle"],
    # JSON only: no browsable pages (they would need the site's login and its scripts).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "参保通 数据共享接口",
    "DESCRIPTION": "供其他部门系统查询参保状态、参保覆盖和未参保台账的只读接口（见 docs/api.md）。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}
