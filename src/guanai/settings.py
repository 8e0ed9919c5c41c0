"""Django settings for Guanai, configured from environment variables.

Local runs need nothing set: SQLite at var/guanai.sqlite3, a development secret.
Production (GUANAI_DEBUG=0) refuses to start without GUANAI_SECRET_KEY.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("GUANAI_HOME", Path.cwd())).resolve()
VAR_DIR = BASE_DIR / "var"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("GUANAI_DEBUG", True)
_DEV_SECRET = "guanai-insecure-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("GUANAI_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "GUANAI_SECRET_KEY must be set when GUANAI_DEBUG is off (production mode)."
        )
    SECRET_KEY = _DEV_SECRET

# Key for encrypting personal data at rest (ID numbers); separate from SECRET_KEY so
# that rotating sessions does not make stored data unreadable.
FIELD_ENCRYPTION_KEY = os.environ.get("GUANAI_FIELD_KEY", "") or SECRET_KEY

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
    "django_tasks_db",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
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
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Level-3 protection: lockout after repeated failures, idle time-out.
GUANAI_LOCKOUT_THRESHOLD = int(os.environ.get("GUANAI_LOCKOUT_THRESHOLD", "5"))
GUANAI_LOCKOUT_MINUTES = int(os.environ.get("GUANAI_LOCKOUT_MINUTES", "15"))
GUANAI_IDLE_TIMEOUT_SECONDS = int(os.environ.get("GUANAI_IDLE_TIMEOUT_SECONDS", str(30 * 60)))
# Database connections a briefing's figures are asked on at once (stats.metrics.prefetch).
GUANAI_METRIC_WORKERS = int(os.environ.get("GUANAI_METRIC_WORKERS", "2"))
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
X_FRAME_OPTIONS = "DENY"

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
MEDIA_ROOT = VAR_DIR / "media"
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
