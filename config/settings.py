"""Auricle settings, driven by environment variables.

The embedded defaults make a complete single-machine installation: SQLite, eager Celery,
local audio storage, device auto. The README's Settings section lists the production variables.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_rate,
    env_required,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("AURICLE_DATA_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)
# Required with DEBUG=0; in development a random key made once and kept in the data folder.
SECRET_KEY = env_secret("SECRET_KEY", debug=DEBUG, kept_in=DATA_DIR / "secret.key")

if DEBUG:
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
else:
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS is required when DEBUG=0: a comma-separated list of host names"
        )

INSTALLED_APPS = [
    "access.apps.RoleAdminConfig",  # django.contrib.admin, entered by role (access.site)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "enhancement",
    "listening",
    "analysis",
    "organize",
    "demo",
    "jobs",
    "access",  # last: its groups take the permissions the apps above create on migrate
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]


def _database() -> dict:
    default_sqlite = f"sqlite:///{DATA_DIR / 'auricle.sqlite3'}"
    url = env_str("DATABASE_URL", default_sqlite) or default_sqlite
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # IMMEDIATE transactions take the write lock at BEGIN, so two concurrent assignments
        # on SQLite serialise instead of both reading the same free quota.
        config["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 30}
        # A file, not memory, so that a Celery worker process and a live server see the test data.
        config["TEST"] = {"NAME": str(DATA_DIR / "test-auricle.sqlite3")}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("zh-hans", "中文"),
    ("ja", "日本語"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# With DEBUG=0 pages name their static files by the manifest `manage.py collectstatic` writes.
STATIC_ROOT = Path(env_str("AURICLE_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("AURICLE_MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "media/"

AUDIO_STORAGE = env_choice("AUDIO_STORAGE", "local", {"local", "s3"})
# How long a rater's audio link stays valid.
AUDIO_URL_MAX_AGE = env_int("AUDIO_URL_MAX_AGE", 2 * 3600, minimum=60)


def _audio_storage() -> dict:
    if AUDIO_STORAGE == "local":
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": "/unused-media-url/"},
        }
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_required("AWS_STORAGE_BUCKET_NAME", "when AUDIO_STORAGE=s3"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "querystring_auth": True,
            "querystring_expire": AUDIO_URL_MAX_AGE,
            "file_overwrite": False,
            "default_acl": None,
            "signature_version": "s3v4",
        },
    }


STORAGES = {
    "default": _audio_storage(),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

AURICLE_DEVICE = env_str("AURICLE_DEVICE", "auto")

# With no broker configured, Kombu's filesystem transport over folders in the data folder:
# one machine runs long work in a background worker (`make demo` starts one) with no Redis.
# The test suite sets CELERY_TASK_ALWAYS_EAGER=1 (tests/conftest.py): tasks run in-process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "filesystem://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged when it ends; a worker that dies under it puts it back on the queue.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A lost broker connection hands running late-acked tasks back rather than finishing them twice.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_ROUTES = {
    "enhancement.tasks.testset_generate": {"queue": "gpu"},
    "jobs.tasks.sweep": {"queue": "celery"},
}
# Metric and report work stays on the default queue ("celery"); jobs pick theirs on sending.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The longest a task may run (generation of a large set), then the hard stop; Redis hands an
# unacknowledged task to another worker after the visibility timeout, so it must be longer.
CELERY_TASK_TIME_LIMIT = env_int("AURICLE_TASK_TIME_LIMIT", 12 * 3600, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - min(60, CELERY_TASK_TIME_LIMIT // 10)
CELERY_VISIBILITY_TIMEOUT = env_int(
    "AURICLE_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 1800, minimum=10
)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "AURICLE_VISIBILITY_TIMEOUT must be longer than AURICLE_TASK_TIME_LIMIT "
        f"({CELERY_VISIBILITY_TIMEOUT} <= {CELERY_TASK_TIME_LIMIT}): a running task would be "
        "handed to a second worker"
    )
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_folder = DATA_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_queue_folder / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_folder / "queue"),
        "data_folder_out": str(_queue_folder / "queue"),
        "processed_folder": str(_queue_folder / "processed"),
        "control_folder": str(_queue_folder / "control"),  # Kombu's default is ./control
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# The sweep: idle sessions give their clips back; a running job with no heartbeat for
# JOBS_DEAD_AFTER seconds (its whole worker died: its task would come back only after the
# visibility timeout) is sent to another worker, at most JOBS_RESTARTS times, then failed.
CELERY_BEAT_SCHEDULE = {
    "sweep": {
        "task": "jobs.tasks.sweep",
        "schedule": float(env_int("AURICLE_SWEEP_SECONDS", 60, minimum=1)),
    }
}
JOBS_DEAD_AFTER = env_int("AURICLE_JOBS_DEAD_AFTER", 15 * 60, minimum=10)
JOBS_RESTARTS = env_int("AURICLE_JOBS_RESTARTS", 2, minimum=0)

# The REST API (/api/v1/): by role (access.permissions), token first so that a request without
# credentials gets 401 and a token challenge; sessions serve the browser and the docs page.
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["access.permissions.RolePermission"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PAGINATION_CLASS": "access.permissions.Pages",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "access.renderers.FiniteJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env_str("AURICLE_API_RATE", "1200/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Auricle API",
    "DESCRIPTION": "Listening tests, their progress, results and reports, by role.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # The docs page loads Swagger UI from this installation's static files, nothing remote.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a field named kind; the jobs' set gets its own name.
    "ENUM_NAME_OVERRIDES": {"JobKindEnum": "jobs.models.Job.Kind"},
}

LOGIN_URL = "admin:login"


# -- Security: the cache, rate limits and headers (config/ratelimit.py, config/security.py) --
def _caches() -> dict:
    url = env_str("CACHE_URL")
    if not url:
        # This process's memory: each process counts its own requests. Set CACHE_URL to Redis
        # when several processes serve (gunicorn workers), so that the limits hold across them.
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if not url.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured(f"CACHE_URL must be a redis:// or rediss:// URL; got {url!r}")
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


CACHES = _caches()
# Adaptive allocation's estimates (listening.allocation.state): a Celery worker writes them and
# every web process reads them, so without Redis they live in files of the data folder.
CACHES["allocation"] = (
    {**CACHES["default"], "KEY_PREFIX": "allocation"}
    if env_str("CACHE_URL")
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache" / "allocation"),
    }
)
# Seconds a test's allocation estimates are used before a background refresh is queued.
AURICLE_ALLOCATION_REFRESH_SECONDS = env_int("AURICLE_ALLOCATION_REFRESH_SECONDS", 30, minimum=0)
# "count/seconds": once a key has been counted `count` times within the seconds, it is
# refused (429) for the next seconds. Addresses, identities and usernames are hashed.
AURICLE_RATE_LIMITS = {
    name: env_rate(f"AURICLE_RATE_{name.upper()}", default)
    for name, default in {
        "entry_address": "60/600",  # entry POSTs per address (a lab behind one NAT fits)
        "entry_identity": "10/600",  # entry POSTs per participant (Prolific id, browser)
        "vote_session": "30/60",  # vote POSTs per session; clips take seconds to hear
        "login_address": "30/900",  # failed password logins per address
        "login_username": "10/900",  # failed password logins per username
        "api_auth_address": "20/300",  # failed API authentications (token) per address
    }.items()
}
# Reverse proxies in front that append the peer to X-Forwarded-For; 0: REMOTE_ADDR is the peer.
AURICLE_PROXY_COUNT = env_int("AURICLE_PROXY_COUNT", 0, minimum=0)
AUTHENTICATION_BACKENDS = ["config.ratelimit.LockingModelBackend"]
MIDDLEWARE.insert(1, "config.security.ContentSecurityPolicyMiddleware")
MIDDLEWARE.insert(2, "config.security.NulRefusalMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "config.ratelimit.AuthLimitMiddleware",
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
    # Behind a proxy that ends TLS, HSTS and secure redirects need its word that it was https.
    if env_bool("AURICLE_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"identity": {"()": "config.logfilters.IdentityFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["identity"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "auricle": {"level": env_str("LOG_LEVEL", "INFO")},
        # runserver's request lines carry query strings, so Prolific's PROLIFIC_PID.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# A folder with one sub-folder per plug-in metric (utmos/, nisqa/, …), each holding model.pt.
AURICLE_METRIC_PLUGINS = env_str("AURICLE_METRIC_PLUGINS") or None
# Clips per metric task: small enough to spread over workers, large enough to amortise start-up.
AURICLE_METRIC_CHUNK = env_int("AURICLE_METRIC_CHUNK", 25, minimum=1)
# Threads per worker process for metric models and BLAS; one suits one worker process per core.
AURICLE_METRIC_THREADS = env_int("AURICLE_METRIC_THREADS", 1, minimum=1)

# Corpus ingest (folder, zip or s3://bucket/prefix): limits that refuse a file or a source.
AURICLE_INGEST_MAX_FILE_MB = env_int("AURICLE_INGEST_MAX_FILE_MB", 200, minimum=1)
AURICLE_INGEST_MAX_TOTAL_MB = env_int("AURICLE_INGEST_MAX_TOTAL_MB", 4096, minimum=1)
AURICLE_INGEST_MAX_FILES = env_int("AURICLE_INGEST_MAX_FILES", 20000, minimum=1)
# The S3 endpoint ingest reads s3:// sources from (credentials come from AWS_* variables).
AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL") or None
AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME") or None
# Generation: clips per system call, and the longest piece a system sees at once (seconds);
# longer clips are processed in overlapping chunks.
AURICLE_GENERATE_BATCH = env_int("AURICLE_GENERATE_BATCH", 8, minimum=1)
AURICLE_GENERATE_CHUNK_SECONDS = env_int("AURICLE_GENERATE_CHUNK_SECONDS", 30, minimum=2)


# The HMAC key rater ids are hashed under (a new key would make every rater new).
AURICLE_RATER_ID_KEY = env_secret(
    "AURICLE_RATER_ID_KEY", debug=DEBUG, kept_in=DATA_DIR / "rater_id.key"
)
# This installation's public address, for the links a crowd platform sends raters to.
AURICLE_BASE_URL = env_str("AURICLE_BASE_URL", "http://127.0.0.1:8000")
# Prolific: unset token, platform disabled (not faked).
PROLIFIC_TOKEN = env_str("PROLIFIC_TOKEN")
PROLIFIC_API_URL = env_str("PROLIFIC_API_URL", "https://api.prolific.com")
PROLIFIC_COMPLETION_URL = env_str(
    "PROLIFIC_COMPLETION_URL", "https://app.prolific.com/submissions/complete"
)
PROLIFIC_WORKSPACE_ID = env_str("PROLIFIC_WORKSPACE_ID")
