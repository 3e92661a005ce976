"""Settings shared by every environment. Everything deployment-specific comes from env vars."""

from __future__ import annotations

import os
from datetime import timedelta

from django.utils.csp import CSP

from config.env import (
    BASE_DIR,
    VAR_DIR,
    database_config,
    email_mailer,
    env_bool,
    env_list,
    env_str,
    file_storage,
)

DEBUG = env_bool("DEBUG", False)

# The demo default only ever serves 127.0.0.1; production.py refuses to start with it (or with
# any other weak key).
DEMO_SECRET_KEY = "quotery-local-demo-secret-key-change-me-0123456789"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", DEMO_SECRET_KEY)
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])

BASE_URL = env_str("BASE_URL", "http://127.0.0.1:" + env_str("PORT", "8000")).rstrip("/")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = [BASE_URL]
# How many reverse proxies in front of the app append to X-Forwarded-For. 0 (the default):
# the header is ignored and REMOTE_ADDR is the client, so a spoofed header changes nothing.
TRUSTED_PROXY_COUNT = int(env_str("TRUSTED_PROXY_COUNT", "0"))
# Webhooks may go to private, loopback and link-local addresses only when this is on
# (SECURITY.md 27): local development and tests, never production unless set on purpose.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", False)
# How often the bell in the navigation asks for the unread count.
NOTIFICATION_POLL_SECONDS = int(env_str("NOTIFICATION_POLL_SECONDS", "30"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_tasks_db",
    # django-ninja: its Swagger UI files (served from our static files, no CDN) for /api/v1/docs/.
    "ninja",
    "quotery.core",
    "quotery.accounts",
    "quotery.catalog",
    "quotery.clients",
    "quotery.quotes",
    "quotery.sharing",
    "quotery.portal",
    "quotery.engagement",
    "quotery.notifications",
    "quotery.documents",
    "quotery.billing",
    "quotery.webhooks",
    "quotery.reminders",
    "quotery.api",
    "quotery.home",
    # The top floor (demo data, the scheduler): they import the apps listed before them.
    "quotery.demo",
    "quotery.scheduler",
]

MIDDLEWARE = [
    # First: answers /healthz and /readyz before anything reads the Host or the session.
    "quotery.core.health.HealthCheckMiddleware",
    # The client page and its beacon without a session skip the staff middleware below.
    "quotery.portal.fast_path.PortalFastPathMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "quotery.core.csrf.PortalAwareCsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "quotery.accounts.middleware.CurrentMembershipMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "quotery.core.middleware.ApplicationErrorMiddleware",
    # Last, so the paused-sign-in page it answers with still gets the headers above.
    "axes.middleware.AxesMiddleware",
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
                "quotery.accounts.context_processors.membership",
            ],
        },
    },
]

DATABASES = {"default": database_config(os.environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Sign-in throttling (SECURITY.md 25) by django-axes, which watches every authenticate() call:
# the login page and the Django admin alike. Failures are counted per account (the email) and
# per client address, each on its own: the account counter stops guessing one password from
# many addresses, the address counter stops trying one password on many accounts. At the
# limit, that account (or that address) is paused until no more than the limit's worth of
# failures lies within the last LOGIN_PAUSE_MINUTES. Failures during a pause are not counted,
# so hammering never extends it: a whole office behind one address waits at most that long.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env_str("LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env_str("LOGIN_PAUSE_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The address as the rest of Quotery sees it: X-Forwarded-For only behind TRUSTED_PROXY_COUNT
# proxies, so a client cannot reset its counter by sending the header itself.
AXES_CLIENT_IP_CALLABLE = "quotery.core.request_meta.client_ip"
AXES_USERNAME_CALLABLE = "quotery.accounts.login_throttle.attempted_email"
# A successful login clears that account's failures (and only those: see AccountThrottle).
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "quotery.accounts.login_throttle.AccountThrottle"
AXES_LOCKOUT_CALLABLE = "quotery.accounts.views.login_paused"
# Personal data stays out of the logs (SECURITY.md 24): axes' log lines name the account and
# address only masked, and it keeps no table of successful logins.
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "user_agent"]
AXES_DISABLE_ACCESS_LOG = True

LANGUAGE_CODE = "en"
# The languages a client's page, emails and PDFs can be in (quotery.core.languages); the
# rep's own app stays English. Translations live in locale/<lang>/LC_MESSAGES, the compiled
# .mo committed beside the .po.
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Logos, cached quote PDFs and sealed accepted PDFs: the filesystem (MEDIA_ROOT) by default,
# a private S3-compatible bucket when AWS_STORAGE_BUCKET_NAME is set (config.env).
STORAGES = {
    "default": file_storage(
        os.environ.get("AWS_STORAGE_BUCKET_NAME"),
        endpoint_url=os.environ.get("AWS_S3_ENDPOINT_URL"),
        region_name=os.environ.get("AWS_S3_REGION_NAME"),
    ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Uploads larger than this are refused before they reach a form (logos are far smaller).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

MAILERS = {"default": email_mailer(os.environ.get("EMAIL_URL"))}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "quotes@quotery.localhost")
# The local mailbox page (/mailbox/) shows what the file mailer wrote, so a developer can
# follow a portal link without a mail server. Only while no EMAIL_URL is configured, and
# never in production (production.py turns it off).
MAILBOX_DIR = None if os.environ.get("EMAIL_URL") else VAR_DIR / "mailbox"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# No inline script anywhere, no third-party origins. Inline style attributes stay allowed.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Portal links are capabilities and personal data stays in the database: no handler ever
    # writes either, whichever logger the line comes from (SECURITY.md 7, 24). Every handler
    # carries both filters.
    "filters": {
        "redact_portal_tokens": {"()": "quotery.core.logging.RedactPortalTokens"},
        "redact_personal_data": {"()": "quotery.core.logging.RedactPersonalData"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_portal_tokens", "redact_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Replaces Django's own "django" handlers, which (with DEBUG on) print every line of
        # the web server and the task worker a second time.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # The development server's request lines: through the same redacting handler
        # instead of Django's default one.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # Sign-in throttling: pauses and failures (masked), not its INFO chatter on every login.
        "axes": {"level": "WARNING"},
        # The HTTP client of webhook deliveries logs every request's URL at INFO; receivers'
        # URLs may carry their own tokens, and the delivery log says what happened.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

FORM_RENDERER = "quotery.core.forms.QuoteryFormRenderer"

# The seal of accepted PDFs (a PDF signature with an ECDSA P-256 key and its self-signed
# certificate). Created on first use when the files are absent; point both at your own
# PEM files to use a key made elsewhere. Keep the key private and backed up: PDFs sealed
# with a lost key can no longer be checked by `manage.py verify`.
SEAL_KEY_PATH = env_str("SEAL_KEY_PATH", str(VAR_DIR / "seal" / "seal-key.pem"))
SEAL_CERT_PATH = env_str("SEAL_CERT_PATH", str(VAR_DIR / "seal" / "seal-cert.pem"))
