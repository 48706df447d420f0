"""Kanava settings, read from the environment (see README, "Configuration").

SQLite in WAL mode by default so a fresh clone just runs; ``DATABASE_URL``
switches to PostgreSQL.  ``KANAVA_ENV=production`` turns on the deployment
hardening that ``manage.py check --deploy`` asks for.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from kanava.env import env, envbool, envint, envlist
from kanava.secrets import development_secret

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("KANAVA_VAR_DIR", str(BASE_DIR / "var")))

PRODUCTION = env("KANAVA_ENV", "development") == "production"
DEBUG = envbool("DEBUG", default=not PRODUCTION)

SECRET_KEY = env("SECRET_KEY") or development_secret(VAR_DIR, "secret_key", PRODUCTION)
# Fernet keys for secrets at rest, newest first (comma separated, rotation friendly).
FIELD_ENCRYPTION_KEYS = envlist("FIELD_ENCRYPTION_KEYS") or [
    development_secret(VAR_DIR, "field_key", PRODUCTION, fernet=True, env_name="FIELD_ENCRYPTION_KEYS")
]

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
# The public base URL used in emails, feeds, QR codes and SMS links.
SITE_URL = (env("SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "django_htmx",
    "kanava.core",
    "kanava.publishing",
    "kanava.audience",
    "kanava.channels",
    "kanava.inbox",
    "kanava.participation",
    "kanava.matters",
    "kanava.notices",
    "kanava.privacy",
    "kanava.crisis",
    "kanava.site",
    "kanava.api",
]

# Channel packages register themselves: every kanava/channels/<kind>/ with a
# manifest.py is an app; adding a channel touches no central file.
from kanava.channels.discovery import channel_apps  # noqa: E402

INSTALLED_APPS += channel_apps()

# Participation process kinds register themselves the same way (kanava/participation/kinds/<kind>/).
from kanava.participation.discovery import kind_apps  # noqa: E402

INSTALLED_APPS += kind_apps()

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kanava.core.middleware.ClientAddressMiddleware",
]

ROOT_URLCONF = "kanava.urls"
WSGI_APPLICATION = "kanava.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kanava" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kanava.core.context.kanava",
                "kanava.crisis.context.banner",
            ],
        },
    }
]

DATABASE_URL = env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'kanava.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers and the worker write side by side; IMMEDIATE avoids
        # lock upgrades that deadlock under concurrent writers.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if DEBUG else 600
    # A file, not memory, so real worker processes started by tests share it;
    # one per test run so parallel runs never meet.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_kanava_{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.Person"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: Finnish and Swedish are the national languages; English is offered.
LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "kanava" / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Helsinki"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "kanava" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": env("FILE_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
KANAVA_MAX_IMAGE_BYTES = envint("KANAVA_MAX_IMAGE_BYTES", 8 * 1024 * 1024)
KANAVA_MAX_ATTACHMENT_BYTES = envint("KANAVA_MAX_ATTACHMENT_BYTES", 20 * 1024 * 1024)

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache"
        if env("CACHE_URL", "").startswith("redis")
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": env("CACHE_URL", "kanava"),
    }
}
# Each web process trusts the site_version it read for this long (kanava.site.cache): a cached resident
# page (the crisis page under load) then costs no query, and a change shows within that many seconds.
KANAVA_SITE_VERSION_MEMO_SECONDS = float(env("KANAVA_SITE_VERSION_MEMO_SECONDS", "1" if PRODUCTION else "0"))

# Email: SMTP for everything (newsletters keep their own connection per batch).
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = envint("EMAIL_PORT", 1025)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Kanava <kanava@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work through Django's task API.  "database" needs no other
# service; "rq" runs the same tasks on Redis-backed workers.
TASK_BACKEND = env("KANAVA_TASKS", "database")
if TASK_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": env("REDIS_URL", "redis://127.0.0.1:6379/0"), "DEFAULT_TIMEOUT": 3600}}
elif TASK_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Outbox timing (seconds).
OUTBOX_TICK_SECONDS = float(env("OUTBOX_TICK_SECONDS", "2"))
OUTBOX_WORKER_DEAD_AFTER = float(env("OUTBOX_WORKER_DEAD_AFTER", "15"))
OUTBOX_MAX_ATTEMPTS = envint("OUTBOX_MAX_ATTEMPTS", 8)
# A claim held longer than this is recovered even if its worker still beats.
OUTBOX_CLAIM_LEASE = float(env("OUTBOX_CLAIM_LEASE", "1800"))
OUTBOX_BACKOFF_BASE = float(env("OUTBOX_BACKOFF_BASE", "5"))
OUTBOX_BACKOFF_CAP = float(env("OUTBOX_BACKOFF_CAP", "3600"))
# The inbox: how often each listening channel is polled for comments, mentions and messages.
INBOX_POLL_SECONDS = float(env("INBOX_POLL_SECONDS", "120"))
# Residents' feedback and comments from our own site: at most this many per address per window.
FEEDBACK_RATE_LIMIT = envint("FEEDBACK_RATE_LIMIT", 10)
FEEDBACK_RATE_WINDOW = envint("FEEDBACK_RATE_WINDOW", 600)

# Participation: unidentified actions one address may take per process and window (seconds).
PARTICIPATION_ANONYMOUS_LIMIT = envint("PARTICIPATION_ANONYMOUS_LIMIT", 20)
PARTICIPATION_ANONYMOUS_WINDOW = envint("PARTICIPATION_ANONYMOUS_WINDOW", 600)
# Identification codes per hour: per address or number, per client address; code checks per client address.
PARTICIPATION_CODES_PER_TARGET = envint("PARTICIPATION_CODES_PER_TARGET", 5)
PARTICIPATION_CODES_PER_ADDRESS = envint("PARTICIPATION_CODES_PER_ADDRESS", 20)
PARTICIPATION_CONFIRMS_PER_ADDRESS = envint("PARTICIPATION_CONFIRMS_PER_ADDRESS", 60)
# Strong identification (Suomi.fi e-Identification, SAML 2.0): kanava/participation/saml.py.
SUOMIFI_IDP_METADATA = env("SUOMIFI_IDP_METADATA", "")  # file or https URL; development: var/saml/test_idp_metadata.xml
SUOMIFI_IDP_METADATA_CERT = env("SUOMIFI_IDP_METADATA_CERT", "")  # certificate that signs remote metadata
SUOMIFI_SP_ENTITY_ID = env("SUOMIFI_SP_ENTITY_ID", "")  # default SITE_URL + /saml/metadata/
SUOMIFI_SP_BASE_URL = env("SUOMIFI_SP_BASE_URL", "")  # where /saml/acs/ is reached; default SITE_URL
SUOMIFI_SP_KEY_FILE = env("SUOMIFI_SP_KEY_FILE", "")  # PEM paths; required in production, var/saml/ in development
SUOMIFI_SP_CERT_FILE = env("SUOMIFI_SP_CERT_FILE", "")
# Task loops per worker process (``kanava_worker --threads``).
WORKER_THREADS = envint("KANAVA_WORKER_THREADS", 1)
# When a published post's reach figures are fetched, in seconds after it went
# out (1 hour, 6 hours, 1 day, 3 days, 7 days); the demo fetches sooner.
METRICS_SCHEDULE = [int(v) for v in envlist("METRICS_SCHEDULE", "3600,21600,86400,259200,604800")]
EMAIL_BATCH_SIZE = envint("EMAIL_BATCH_SIZE", 1000)
SMS_BATCH_SIZE = envint("SMS_BATCH_SIZE", 500)
# Link checks reach out from the server: private addresses are refused in
# production unless explicitly allowed.
LINK_CHECK_ALLOW_PRIVATE = envbool("LINK_CHECK_ALLOW_PRIVATE", default=not PRODUCTION)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["kanava.api.auth.OrganisationTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "kanava.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kanava API",
    "DESCRIPTION": "Messages, deliveries and subscribers of one organisation; participation processes and their input.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ContributionSourceEnum": ["online", "paper", "phone", "event", "email"],
        "SubscriberKindEnum": "kanava.audience.models.Subscriber.Kind",
        "SurveyQuestionKindEnum": ["single", "multiple", "scale", "ranking", "text"],
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "kanava": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
        # pysaml2 logs whole assertions, personal identity codes included: never let it.
        "saml2": {"level": "CRITICAL"},
    },
}

TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
KANAVA_DEFAULT_ORGANISATION = env("KANAVA_DEFAULT_ORGANISATION", "")
FORM_RENDERER = "kanava.core.forms_renderer.KanavaFormRenderer"
