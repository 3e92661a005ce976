"""Production: same code, stricter checks. Fails fast when a required variable is missing."""

import os

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool
from config.settings.base import *  # noqa: F403

MAKE_A_KEY = 'python -c "import secrets; print(secrets.token_urlsafe(50))"'


def refuse_weak_secret(name: str, key: str) -> None:
    """Signatures (sessions, password resets, portal links) are only as strong as the key:
    refuse the public demo key, Django's generated `django-insecure-` keys, and keys short or
    repetitive enough to guess (Django's own security.W009 measure)."""
    if key == DEMO_SECRET_KEY:  # noqa: F405
        problem = "is the public development key"
    elif key.startswith("django-insecure-"):
        problem = "is a development key (it starts with django-insecure-)"
    elif len(key) < 50:
        problem = f"is {len(key)} characters long; at least 50 are needed"
    elif len(set(key)) < 5:
        problem = f"uses only {len(set(key))} different characters; at least 5 are needed"
    else:
        return
    # The message names the variable, never the key.
    raise ImproperlyConfigured(f"{name} {problem}. Make a new one with: {MAKE_A_KEY}")


if not os.environ.get("SECRET_KEY", "").strip():
    raise ImproperlyConfigured(f"SECRET_KEY must be set in production. Make one with: {MAKE_A_KEY}")
refuse_weak_secret("SECRET_KEY", SECRET_KEY)  # noqa: F405
for position, fallback in enumerate(SECRET_KEY_FALLBACKS, start=1):  # noqa: F405
    refuse_weak_secret(f"SECRET_KEY_FALLBACKS (key {position})", fallback)

DEBUG = False
SESSION_COOKIE_SECURE = BASE_URL.startswith("https://")  # noqa: F405
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = 31536000 if SESSION_COOKIE_SECURE else 0
# Behind a proxy that terminates TLS, Django sees plain HTTP: the proxy says what the client
# spoke in X-Forwarded-Proto, which it must set itself, overwriting the client's (nginx:
# `proxy_set_header X-Forwarded-Proto $scheme;`). Then request.is_secure() holds, absolute
# URLs start with https:// and HSTS is sent. Trusted only when TRUSTED_PROXY_COUNT says a
# proxy is there; without one, a client could send the header itself.
if TRUSTED_PROXY_COUNT > 0:  # noqa: F405
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# No local mailbox page in production: mail goes through EMAIL_URL.
MAILBOX_DIR = None
# Webhooks never go to private addresses in production unless this is set on purpose.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", False)
