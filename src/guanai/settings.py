"""Django settings for Guanai, configured from environment variables.

Nothing needs to be set: SQLite at var/guanai.sqlite3, debug off, the project's own
error pages, and keys generated once under var/ (file mode 0600). Debug pages only
with GUANAI_DEBUG=1, for a developer.
"""

import json
import os
import secrets
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("GUANAI_HOME", Path.cwd())).resolve()
VAR_DIR = BASE_DIR / "var"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def kept_key(env_name: str, filename: str) -> str:
    """The key in ``env_name``, else the one kept in var/<filename>, made on first use.

    Several processes may start at once: the file is written under a private name
    and linked into place, so exactly one key wins and every process reads it.
    """
    value = os.environ.get(env_name, "").strip()
    if value:
        return value
    path = VAR_DIR / filename
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        draft = VAR_DIR / f".{filename}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
        finally:
            draft.unlink()
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)  # a key readable by others is no key
    return path.read_text().strip()


DEBUG = _env_bool("GUANAI_DEBUG", False)
SECRET_KEY = kept_key("GUANAI_SECRET_KEY", "secret_key")
# Key for encrypting personal data at rest (ID numbers); separate from SECRET_KEY so
# that rotating sessions does not make stored data unreadable. Back it up apart from
# the database: a backup is useless without it, and harmless with it kept elsewhere.
FIELD_ENCRYPTION_KEY = kept_key("GUANAI_FIELD_KEY", "field_key")
# Rotation (`guanai rotate-field-key`): the current key's id, and older keys still read,
# as "id:secret" pairs separated by blanks. Ciphertexts written before keys had ids are key 0.
FIELD_KEY_ID = int(os.environ.get("GUANAI_FIELD_KEY_ID", "0") or 0)
FIELD_OLD_KEYS = {int(pair.split(":", 1)[0]): pair.split(":", 1)[1]
                  for pair in os.environ.get("GUANAI_FIELD_OLD_KEYS", "").split() if ":" in pair}

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("GUANAI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("GUANAI_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "guanai.core.task_results.TaskResultsConfig",  # django_tasks_db, named in Chinese
    "guanai.areas",
    "guanai.accounts",
    "guanai.audit",
    "guanai.coordination",
    "guanai.archive",
    "guanai.registry",
    "guanai.care",
    "guanai.protection",
    "guanai.stats",
    "guanai.briefings",
    "guanai.core",
    "guanai.portal",
    "guanai.ops",
    "guanai.dashboards",
    "guanai.api",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "guanai.ops.middleware.RequestLimitsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "guanai.ops.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "guanai.accounts.middleware.IdleTimeoutMiddleware",
    "guanai.accounts.middleware.LoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "guanai.audit.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "guanai.urls"
WSGI_APPLICATION = "guanai.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "guanai.accounts.context_processors.navigation",
            ],
            "builtins": ["guanai.core.templatetags.guanai_forms"],
        },
    },
]

DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'guanai.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the task worker read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # No JIT: the planner turns it on for any query estimated costly (a due list's status
    # subqueries on a million persons), and compiling took 14 s for a query that runs in 70 ms.
    # Short queries are this workload; the bulk jobs lose little without it.
    _pg_options = ["-c jit=off"]
    if _env_number("GUANAI_DB_STATEMENT_TIMEOUT", 0):
        # Web processes (set by `guanai serve`): no query outlives the request's time limit.
        _pg_options.append(f"-c statement_timeout={int(_env_number('GUANAI_DB_STATEMENT_TIMEOUT', 0) * 1000)}")
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(_pg_options)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Nothing a second process needs lives in one process's memory: sessions in the
# database, lockout counters on the user row, job progress on the Job row, locks as
# database row locks; no process-local cache that another process would miss.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    # The API's rate limits per token, shared by every process (table made by api's migration 0002).
    "api": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "guanai_api_cache",
            "OPTIONS": {"MAX_ENTRIES": 100000}},  # one entry per token and minute: never culled early
}

AUTH_USER_MODEL = "accounts.User"
# Every password check, on every login page, passes the lockout (accounts/backends.py).
AUTHENTICATION_BACKENDS = ["guanai.accounts.backends.LockoutBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "guanai.accounts.passwords.CharacterClassValidator"},
]
CSRF_FAILURE_VIEW = "guanai.ops.views.csrf_failure"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Level-3 protection: lockout after repeated failures, idle time-out.
GUANAI_LOCKOUT_THRESHOLD = int(os.environ.get("GUANAI_LOCKOUT_THRESHOLD", "5"))
GUANAI_LOCKOUT_MINUTES = int(os.environ.get("GUANAI_LOCKOUT_MINUTES", "15"))
# The REST API (/api/v1/): token lifetime, requests per token.
GUANAI_API_TOKEN_HOURS = _env_number("GUANAI_API_TOKEN_HOURS", 8)
GUANAI_API_RATE = os.environ.get("GUANAI_API_RATE", "600/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["guanai.api.base.BearerAuthentication",
                                       # the site's own pages: their session and the X-CSRFToken header
                                       "rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["guanai.api.base.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "guanai.api.base.Cursor",
    "DEFAULT_THROTTLE_CLASSES": ["guanai.api.base.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "guanai.api.base.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "关爱平台接口",
    "DESCRIPTION": "关爱平台 REST 接口（/api/v1/）：令牌见 POST /api/v1/auth/token/，"
                   "请求头 Authorization: Bearer <令牌>。错误以 JSON 返回：{\"detail\": 中文说明, \"errors\": {字段: [说明]}}。",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models name their choices "kind"/"status": each enum its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "AidKindEnum": "guanai.care.models.AidItem.KIND_CHOICES",
        "ActivityKindEnum": "guanai.care.models.Activity.KIND_CHOICES",
        "CareHomeKindEnum": "guanai.care.models.CareHome.KIND_CHOICES",
        "BriefingKindEnum": "guanai.briefings.models.Briefing.KIND_CHOICES",
        "DocumentKindEnum": "guanai.archive.models.Document.KIND_CHOICES",
        "DocumentFactKindEnum": "guanai.archive.models.DocumentFact.KIND_CHOICES",
        "ConferenceKindEnum": "guanai.coordination.models.Conference.KIND_CHOICES",
        "BriefingStatusEnum": "guanai.briefings.models.Briefing.STATUS_CHOICES",
        "CaseStatusEnum": "guanai.protection.models.Case.STATUS_CHOICES",
        "PersonStatusEnum": "guanai.registry.models.Person.STATUS_CHOICES",
        "UnitReportStatusEnum": "guanai.coordination.models.UnitReport.STATUS_CHOICES",
    },
}
GUANAI_IDLE_TIMEOUT_SECONDS = int(os.environ.get("GUANAI_IDLE_TIMEOUT_SECONDS", str(30 * 60)))
# Database connections a briefing's figures are asked on at once (stats.metrics.prefetch).
GUANAI_METRIC_WORKERS = int(os.environ.get("GUANAI_METRIC_WORKERS", "2"))
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# HTTPS: on unless debugging. Behind nginx (which holds the certificate) set
# GUANAI_PROXY_SSL_HEADER=1 so Django trusts its X-Forwarded-Proto; `guanai serve` on a
# loopback address without GUANAI_HTTPS set serves plain HTTP (only this machine reaches it).
HTTPS = _env_bool("GUANAI_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(_env_number("GUANAI_HSTS_SECONDS", 365 * 24 * 3600)) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("GUANAI_HSTS_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _env_bool("GUANAI_HSTS_PRELOAD", True)
if _env_bool("GUANAI_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The site ships every script it runs (no inline script, no eval: Alpine's CSP build);
# inline style attributes stay allowed. GUANAI_CSP replaces the whole policy.
GUANAI_CSP = os.environ.get("GUANAI_CSP", "").strip() or "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:", "font-src 'self' data:", "connect-src 'self'",
    "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
])

# Limits of one request and of the processes serving them (guanai/ops/limits.py).
# A request over its time or memory limit gets the Chinese 503 page; the process lives on.
GUANAI_REQUEST_TIMEOUT = _env_number("GUANAI_REQUEST_TIMEOUT", 120)  # seconds, 0: none
GUANAI_SERVE_MEMORY_MB = int(_env_number("GUANAI_SERVE_MEMORY_MB", 3072))  # per serve process, 0: none
GUANAI_WORKER_MEMORY_MB = int(_env_number("GUANAI_WORKER_MEMORY_MB", 4096))  # per task worker, 0: none
GUANAI_JOB_TIMEOUT = _env_number("GUANAI_JOB_TIMEOUT", 3600)  # seconds per background job, 0: none
# The largest request body (uploads included): above it, a Chinese 413 before anything is read.
GUANAI_MAX_REQUEST_MB = int(_env_number("GUANAI_MAX_REQUEST_MB", 100))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploads, photos, archive originals and exports: one folder every process shares (on
# several machines, a network folder mounted at the same path on each).
MEDIA_ROOT = Path(os.environ.get("GUANAI_MEDIA_ROOT", "") or VAR_DIR / "media").resolve()
MEDIA_URL = "/media/"
# WhiteNoise serves from the package's static folders directly, so a local run
# needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {
    "default": {
        "BACKEND": os.environ.get("GUANAI_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Follow-up rules of care work (care/followup.py holds the defaults); a JSON object
# in GUANAI_FOLLOWUP_RULES replaces the keys it names, e.g. {"risk": {"red": {"days": 15}}}.
GUANAI_FOLLOWUP_RULES = json.loads(os.environ.get("GUANAI_FOLLOWUP_RULES", "") or "{}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GUANAI_LOG_LEVEL", "WARNING")},
}
