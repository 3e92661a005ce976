"""The file storage switch: the filesystem by default, a private S3 bucket through
django-storages when AWS_STORAGE_BUCKET_NAME is set, with the endpoint, region and keys
read from the environment. Each case loads the settings in a fresh interpreter with its
own environment, as gunicorn would at start; the last one stores and reads a file in a
bucket on the test S3 server that way.

Exercises: config.env.file_storage, config.settings.base, config.settings.production
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from typing import Any

import pytest

from config.env import BASE_DIR
from tests import s3

DESCRIBE_STORAGE = """
import json
import django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
storage = storages["default"]
facts = {"setting": settings.STORAGES["default"], "class": type(storage).__name__}
for name in ("location", "bucket_name", "endpoint_url", "region_name", "access_key",
             "secret_key", "default_acl", "querystring_auth", "querystring_expire",
             "file_overwrite"):
    if hasattr(storage, name):
        facts[name] = str(getattr(storage, name))
if hasattr(storage, "client_config"):
    config = storage.client_config
    facts["client_config"] = {
        "signature_version": config.signature_version,
        "connect_timeout": config.connect_timeout,
        "read_timeout": config.read_timeout,
        "retries": config.retries,
    }
    facts["setting"]["OPTIONS"].pop("client_config")
print(json.dumps(facts, default=str))
"""

STORE_AND_READ = """
import django
django.setup()
from django.core.files.base import ContentFile
from django.core.files.storage import storages
storage = storages["default"]
name = storage.save("logos/from-production-settings.txt", ContentFile(b"stored"))
print(name, storage.exists(name), storage.open(name, "rb").read().decode())
"""


def run_with_settings(module: str, code: str, **environment: str) -> str:
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(DJANGO_SETTINGS_MODULE=module, SECRET_KEY=secrets.token_urlsafe(50), **environment)
    finished = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    return finished.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("module", ["config.settings.production", "config.settings.dev"])
def test_without_a_bucket_files_stay_on_the_filesystem(module: str) -> None:
    facts = json.loads(run_with_settings(module, DESCRIBE_STORAGE))

    assert facts["setting"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert facts["class"] == "FileSystemStorage"
    assert facts["location"] == str(BASE_DIR / "var" / "media")


@pytest.mark.parametrize("module", ["config.settings.production", "config.settings.dev"])
def test_with_a_bucket_files_go_to_a_private_s3_bucket(module: str) -> None:
    facts = json.loads(
        run_with_settings(
            module,
            DESCRIBE_STORAGE,
            AWS_STORAGE_BUCKET_NAME="quotery-files",
            AWS_S3_ENDPOINT_URL="https://objects.example.test",
            AWS_S3_REGION_NAME="eu-central-1",
            AWS_ACCESS_KEY_ID="AKIAQUOTERYEXAMPLE",
            AWS_SECRET_ACCESS_KEY="quotery-example-secret",
        )
    )

    assert facts["setting"] == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "quotery-files",
            "endpoint_url": "https://objects.example.test",
            "region_name": "eu-central-1",
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }
    assert facts["client_config"] == {
        "signature_version": "s3v4",
        "connect_timeout": 3,
        "read_timeout": 5,
        "retries": {"mode": "standard", "max_attempts": 3},
    }
    # the keys are read by django-storages from the environment, never copied into settings
    assert "quotery-example-secret" not in json.dumps(facts["setting"])
    assert facts["class"] == "S3Storage"
    assert facts["access_key"] == "AKIAQUOTERYEXAMPLE"
    assert facts["secret_key"] == "quotery-example-secret"
    assert (facts["default_acl"], facts["querystring_auth"]) == ("None", "True")
    assert (facts["querystring_expire"], facts["file_overwrite"]) == ("300", "False")


def test_an_empty_bucket_name_or_endpoint_means_not_set() -> None:
    facts = json.loads(
        run_with_settings(
            "config.settings.production",
            DESCRIBE_STORAGE,
            AWS_STORAGE_BUCKET_NAME="  ",
            AWS_S3_ENDPOINT_URL="https://objects.example.test",
        )
    )
    assert facts["class"] == "FileSystemStorage"

    facts = json.loads(
        run_with_settings(
            "config.settings.production",
            DESCRIBE_STORAGE,
            AWS_STORAGE_BUCKET_NAME="quotery-files",
            AWS_S3_ENDPOINT_URL="",
            AWS_S3_REGION_NAME="",
        )
    )
    assert facts["setting"]["OPTIONS"]["endpoint_url"] is None  # AWS itself
    assert facts["setting"]["OPTIONS"]["region_name"] is None


def test_production_settings_store_and_read_a_file_in_the_bucket(s3_server: Any) -> None:
    # given a bucket on the test S3 server, named only through the environment
    bucket = s3_server.new_bucket()

    printed = run_with_settings(
        "config.settings.production",
        STORE_AND_READ,
        AWS_STORAGE_BUCKET_NAME=bucket,
        AWS_S3_ENDPOINT_URL=s3_server.endpoint_url,
        AWS_S3_REGION_NAME=s3.REGION,
        AWS_ACCESS_KEY_ID=s3.ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=s3.SECRET_KEY,
    )

    assert printed == "logos/from-production-settings.txt True stored"
    assert s3_server.keys(bucket) == ["logos/from-production-settings.txt"]
    s3_server.drop_bucket(bucket)
