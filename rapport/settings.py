"""Rapport's settings: from the environment only (see `.env.example`), typed, loud on bad values.

The embedded default needs no configuration at all: SQLite under `var/`, the database task queue,
a generated secret key. Production mode (`RAPPORT_PRODUCTION=true`) refuses to start without the
values an operator must choose.
"""

import secrets
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from environs import Env
from marshmallow.validate import OneOf, Range, Regexp

BASE_DIR = Path(__file__).resolve().parent.parent

env = Env()
env.read_env(BASE_DIR / ".env", recurse=False)

PRODUCTION = env.bool("RAPPORT_PRODUCTION", False)
DEBUG = env.bool("RAPPORT_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("RAPPORT_DEBUG must be false when RAPPORT_PRODUCTION is true")

VAR_DIR = env.path("RAPPORT_VAR_DIR", BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key: str | None = env.str("SECRET_KEY", None)
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY is required when RAPPORT_PRODUCTION is true")
    # The embedded default keeps one generated key, so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "rapport.core",
    "rapport.contacts",
    "rapport.connectors",
    "rapport.listening",
    "rapport.triage",
    "rapport.inbox",
    "rapport.approvals",
    "rapport.engagement",
    "rapport.cases",
    "rapport.playbooks",
    "rapport.sla",
    "rapport.ideas",
    "rapport.profile",
    "rapport.recognition",
    "rapport.people",
    "rapport.notifications",
    "rapport.api",
    "rapport.web",
    "rapport.bench",
    "rapport.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rapport.urls"
WSGI_APPLICATION = "rapport.wsgi.application"

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

# Databases: SQLite under var/ unless DATABASE_URL says otherwise.
# A connection is kept for DATABASE_CONN_MAX_AGE seconds and reused by the requests its thread
# serves (0: a new connection per request); with health checks, a kept connection that went
# away (a restarted database) is replaced before a request uses it instead of failing it.
DATABASES = {
    "default": env.dj_db_url(
        "DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'rapport.sqlite3'}",
        conn_max_age=env.int(
            "DATABASE_CONN_MAX_AGE",
            60,
            validate=Range(min=0, error="must be a number of seconds, 0 or more"),
        ),
        conn_health_checks=env.bool("DATABASE_CONN_HEALTH_CHECKS", True),
    )
}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # The pragmas are set once per connection, when it opens.
    _db["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait instead of failing.
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_BUSY_TIMEOUT", 20),
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            # SQLite's default page cache is 2 MB: a report over a large ledger reads its
            # index again from the operating system for each grouping; 64 MB keeps it.
            f" PRAGMA cache_size=-{env.int('SQLITE_CACHE_KB', 65536)};"
        ),
    }
    _db.setdefault("TEST", {})["NAME"] = str(VAR_DIR / "test.sqlite3")
elif _db["ENGINE"] not in ("django.db.backends.postgresql",):
    raise ImproperlyConfigured(
        f"DATABASE_URL must point at SQLite or PostgreSQL, not {_db['ENGINE']!r}"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Proxies of ours in front of the web processes (a load balancer that terminates HTTPS: 1).
# With one or more, the client's address comes from X-Forwarded-For and HTTPS from
# X-Forwarded-Proto; with none, both headers are ignored (a client could write them).
RAPPORT_PROXY_COUNT = env.int(
    "RAPPORT_PROXY_COUNT", 0, validate=Range(min=0, max=10, error="must be 0 to 10 proxies")
)
if RAPPORT_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Failed logins (core/login_throttle.py): locked out per (email, address) after a few tries,
# and per client address across every email after more (password spraying), for a while.
AXES_FAILURE_LIMIT = env.int(
    "RAPPORT_LOGIN_FAILURE_LIMIT", 5, validate=Range(min=1, error="must be 1 or more")
)
RAPPORT_LOGIN_ADDRESS_FAILURE_LIMIT = env.int(
    "RAPPORT_LOGIN_ADDRESS_FAILURE_LIMIT",
    30,
    validate=Range(min=AXES_FAILURE_LIMIT, error="must be at least RAPPORT_LOGIN_FAILURE_LIMIT"),
)
AXES_COOLOFF_TIME = env.float("RAPPORT_LOGIN_COOLOFF_HOURS", 0.25)
AXES_HANDLER = "rapport.core.login_throttle.LoginThrottle"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["ip_address"]]
AXES_CLIENT_IP_CALLABLE = "rapport.core.login_throttle.client_address"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "rapport.core.access.login_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/lockout.html"
AXES_VERBOSE = False

# Requests: API batches and webhooks carry up to 10 MB of posts.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Contact imports: the largest file an upload or `rapport contacts import` takes, in MB; and the
# region a phone number without +country code is read in (ISO 3166 code).
RAPPORT_IMPORT_MAX_MB = env.float(
    "RAPPORT_IMPORT_MAX_MB", 200, validate=Range(min=0.001, error="must be a size in MB above 0")
)
RAPPORT_PHONE_REGION = env.str(
    "RAPPORT_PHONE_REGION",
    "GB",
    validate=Regexp(r"^[A-Z]{2}$", error="must be a two-letter region code such as GB or US"),
)
# Credentials of listening sources are encrypted with this Fernet key; by default one derived
# from SECRET_KEY. Changing either makes stored credentials unreadable (they must be re-entered).
RAPPORT_ENCRYPTION_KEY: str | None = env.str(
    "RAPPORT_ENCRYPTION_KEY",
    None,
    validate=Regexp(
        r"^[A-Za-z0-9_-]{43}=$", error="must be a Fernet key (44 base64url characters)"
    ),
)

# Background tasks: the database queue by default, Redis (through RQ) for scale-out.
REDIS_URL: str | None = env.str("REDIS_URL", None)
TASKS_BACKEND = env.str(
    "RAPPORT_TASKS_BACKEND",
    "redis" if REDIS_URL else "database",
    validate=OneOf(["database", "redis", "immediate"]),
)
if TASKS_BACKEND == "redis" and not REDIS_URL:
    raise ImproperlyConfigured("RAPPORT_TASKS_BACKEND=redis needs REDIS_URL")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "redis": "django_tasks_rq.RQBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[TASKS_BACKEND],
        "QUEUES": ["default"],
    }
}
# A database-queue worker proves it is alive every LEASE/6 seconds; a task whose worker has not
# for LEASE seconds goes back to the queue, and fails after MAX_ATTEMPTS tries (docs/queue.md).
RAPPORT_WORKER_LEASE_SECONDS = env.int("RAPPORT_WORKER_LEASE_SECONDS", 60, validate=Range(min=5))
RAPPORT_TASK_MAX_ATTEMPTS = env.int("RAPPORT_TASK_MAX_ATTEMPTS", 3, validate=Range(min=1))
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 600}}

# The cache every web process shares (who has a conversation open, for one): Redis when there is
# one, else files under var/ (one machine, several processes); "memory" is per process (tests).
CACHE = env.str(
    "RAPPORT_CACHE", "redis" if REDIS_URL else "file", validate=OneOf(["redis", "file", "memory"])
)
if CACHE == "redis" and not REDIS_URL:
    raise ImproperlyConfigured("RAPPORT_CACHE=redis needs REDIS_URL")
CACHES = {
    "default": {
        "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "file": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        },
        "memory": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }[CACHE]
}

# Email: printed to the console unless an SMTP URL is given.
EMAIL_URL: str | None = env.str("EMAIL_URL", None)
if EMAIL_URL:
    vars().update(env.dj_email_url("EMAIL_URL"))
else:
    # A short name (console, smtp, locmem, file, dummy) or the dotted path of a backend class.
    _EMAIL_BACKENDS = {
        name: f"django.core.mail.backends.{module}.EmailBackend"
        for name, module in [
            ("console", "console"),
            ("smtp", "smtp"),
            ("locmem", "locmem"),
            ("file", "filebased"),
            ("dummy", "dummy"),
        ]
    }
    _email_backend = env.str(
        "EMAIL_BACKEND",
        "console",
        validate=Regexp(
            r"^(console|smtp|locmem|file|dummy|[A-Za-z_]\w*(\.[A-Za-z_]\w*)+)$",
            error="must be console, smtp, locmem, file, dummy or a dotted path to a backend class",
        ),
    )
    EMAIL_BACKEND = _EMAIL_BACKENDS.get(_email_backend, _email_backend)
    EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "Rapport <rapport@localhost>")
# Where people reach this Rapport: links in notification emails start with it.
RAPPORT_BASE_URL = env.str(
    "RAPPORT_BASE_URL",
    "http://127.0.0.1:8000",
    validate=Regexp(
        r"^https?://[^/\s]+(/\S*)?$", error="must be an http(s) URL, e.g. https://crm.example.com"
    ),
).rstrip("/")

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every start without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Embedded mode serves static files straight from the apps, no collectstatic needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
HTTPS = PRODUCTION and env.bool("RAPPORT_HTTPS", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HSTS: browsers that once reached Rapport over HTTPS never try plain HTTP again (production
# over HTTPS only; sent on HTTPS responses, so behind a load balancer set RAPPORT_PROXY_COUNT).
SECURE_HSTS_SECONDS = (
    env.int("RAPPORT_HSTS_SECONDS", 365 * 24 * 3600, validate=Range(min=0, error="must be >= 0"))
    if HTTPS
    else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS and env.bool("RAPPORT_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = HTTPS and env.bool("RAPPORT_HSTS_PRELOAD", False)
# Content-Security-Policy, the same in every mode (so tests and browser tests run under it):
# scripts and styles from Rapport's own static files only, no inline script, style or eval
# (htmx runs with allowEval off), no framing, forms posting to Rapport only. The API's
# Swagger page is django-ninja's own, loaded from its CDN: it is left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/v1/docs"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.log_level("RAPPORT_LOG_LEVEL", 20)},
    # SpiffWorkflow logs every task state change at INFO, WeasyPrint every page it lays out:
    # playbooks and HR reports would flood the log.
    "loggers": {
        "axes": {"level": "WARNING"},
        "spiff": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
    },
}
