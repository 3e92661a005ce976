"""Production: same code, stricter checks. Fails fast when a required variable is missing."""

import os

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F403

if not os.environ.get("SECRET_KEY"):
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")

DEBUG = False
SESSION_COOKIE_SECURE = BASE_URL.startswith("https://")  # noqa: F405
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = 31536000 if SESSION_COOKIE_SECURE else 0
# No local mailbox page in production: mail goes through EMAIL_URL.
MAILBOX_DIR = None
