"""Reading configuration from the environment, with defaults that serve a local demo."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

TRUE_WORDS = {"1", "true", "yes", "on"}


def env_str(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in TRUE_WORDS


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def database_config(url: str | None) -> dict[str, object]:
    """SQLite under var/ by default (WAL, IMMEDIATE transactions); PostgreSQL from DATABASE_URL."""
    if url:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=600))
        config["CONN_HEALTH_CHECKS"] = True
        if config["ENGINE"] == "django.db.backends.postgresql":
            # Django's, with the health check skipped right after a request that used the
            # connection (see the module).
            config["ENGINE"] = "quotery.core.postgresql"
        if config["ENGINE"] == "django.db.backends.sqlite3":
            config["OPTIONS"] = sqlite_options()
        return config
    VAR_DIR.mkdir(exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "quotery.sqlite3",
        "CONN_MAX_AGE": 600,
        "OPTIONS": sqlite_options(),
    }


def sqlite_options() -> dict[str, object]:
    return {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA busy_timeout=20000;"
            "PRAGMA foreign_keys=ON;"
        ),
    }


def email_mailer(url: str | None) -> dict[str, object]:
    """The default mailer: SMTP when EMAIL_URL says smtp://host:port, else a local file mailbox."""
    if not url:
        VAR_DIR.mkdir(exist_ok=True)
        return {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "mailbox")},
        }
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"}:
        raise ValueError("EMAIL_URL must look like smtp://host:port")
    options: dict[str, object] = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or (465 if parts.scheme == "smtps" else 25),
        "timeout": 10,
    }
    if parts.username:
        options["username"] = parts.username
        options["password"] = parts.password or ""
    if parts.scheme == "smtps":
        options["use_ssl"] = True
    return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}


# Presigned URLs (when anything asks a stored file for its .url) stay valid this long.
STORAGE_URL_EXPIRY_SECONDS = 300
# How long one S3 request may wait to connect, and between two reads of its answer, and how
# many times it is tried in all (botocore's "standard" retries, with up to 1 s and 2 s of
# backoff): at most about 27 s, inside gunicorn's 30 s worker timeout.
S3_CONNECT_TIMEOUT_SECONDS = 3
S3_READ_TIMEOUT_SECONDS = 5
S3_ATTEMPTS = 3


def file_storage(
    bucket: str | None, *, endpoint_url: str | None = None, region_name: str | None = None
) -> dict[str, object]:
    """Where logos and PDFs are stored: the filesystem under var/media by default; a private
    S3-compatible bucket (django-storages) when a bucket is named (AWS_STORAGE_BUCKET_NAME),
    at `endpoint_url` (AWS_S3_ENDPOINT_URL; AWS itself when empty) in `region_name`
    (AWS_S3_REGION_NAME).

    The keys are not copied into the settings: django-storages reads AWS_ACCESS_KEY_ID and
    AWS_SECRET_ACCESS_KEY from the environment itself, and without them boto3 looks further
    (an instance role, a profile), as it always does.
    """
    bucket = (bucket or "").strip()
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    from botocore.config import Config  # only where a bucket is used

    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": (endpoint_url or "").strip() or None,
            "region_name": (region_name or "").strip() or None,
            # Private objects: no ACL is sent, so each object is the bucket owner's alone;
            # a URL made for one is signed and short-lived.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": STORAGE_URL_EXPIRY_SECONDS,
            # Bounded waits: a store that stops answering fails a request (and the readiness
            # check) before gunicorn's worker timeout, instead of after botocore's minutes.
            "client_config": Config(
                signature_version="s3v4",
                connect_timeout=S3_CONNECT_TIMEOUT_SECONDS,
                read_timeout=S3_READ_TIMEOUT_SECONDS,
                retries={"mode": "standard", "max_attempts": S3_ATTEMPTS},
            ),
            # A name already taken gets a new one instead of replacing the object (as on the
            # filesystem); the sealed accepted PDF goes further (a conditional write, see
            # quotery.core.storage.storage_save_new).
            "file_overwrite": False,
        },
    }
