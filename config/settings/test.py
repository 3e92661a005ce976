"""Test settings: the database from DATABASE_URL as in base, fast hashing, immediate tasks."""

import os

from config.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# WhiteNoise warns about a missing STATIC_ROOT; static files come from the finders in tests.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# SQLite tests use a file, not the in-memory database: the live server for browser tests then
# gives each request thread its own connection (WAL, IMMEDIATE) instead of sharing one
# connection between concurrent requests, as htmx sends them (a line fill and the live totals).
# One file per test process, so two test runs at once do not share (and delete) one database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(VAR_DIR / f"test-quotery-{os.getpid()}.sqlite3")  # noqa: F405
    }

# Tests seal with their own key (made on first use, safely shared by parallel test runs),
# never with a developer's or a configured one.
SEAL_KEY_PATH = str(VAR_DIR / "test-seal" / "seal-key.pem")  # noqa: F405
SEAL_CERT_PATH = str(VAR_DIR / "test-seal" / "seal-cert.pem")  # noqa: F405

# Tests deliver webhooks to receivers on 127.0.0.1; the SSRF tests turn this off.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
