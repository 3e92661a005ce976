"""An S3 server on 127.0.0.1 for tests: moto's server mode, one per test process.

Tests reach it over real HTTP through boto3 and django-storages, exactly as Quotery reaches
a bucket in production. The root conftest.py starts it once per test process (`s3_server`)
and gives each test that asks for `s3_storage` a new, private bucket as its default storage.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3

from config.env import file_storage
from tests.network import free_port

REGION = "us-east-1"
# moto accepts any keys; these are passed explicitly so no key from the environment is used.
ACCESS_KEY = "quotery-test-access-key"
SECRET_KEY = "quotery-test-secret-key"


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str

    def client(self) -> Any:
        """A boto3 client signed with the test keys (the app's own view of the bucket)."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def new_bucket(self) -> str:
        """A new, empty bucket created as an operator would: private, no policy, no ACL."""
        name = f"quotery-test-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return name

    def drop_bucket(self, name: str) -> None:
        client = self.client()
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
            for entry in page.get("Contents", []):
                client.delete_object(Bucket=name, Key=entry["Key"])
        client.delete_bucket(Bucket=name)

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        """Every key in the bucket under `prefix`, listed by the server itself."""
        pages = (
            self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        )
        return sorted(entry["Key"] for page in pages for entry in page.get("Contents", []))

    def storage_options(self, bucket: str) -> dict[str, object]:
        """STORAGES["default"] for `bucket`: the production options (config.env.file_storage)
        pointed at this server, with the test keys."""
        setting = file_storage(bucket, endpoint_url=self.endpoint_url, region_name=REGION)
        options = dict(setting["OPTIONS"])  # type: ignore[call-overload]
        options.update(access_key=ACCESS_KEY, secret_key=SECRET_KEY)
        return {"BACKEND": setting["BACKEND"], "OPTIONS": options}


@contextmanager
def running_s3_server() -> Iterator[S3Server]:
    """moto's threaded server on a free port of 127.0.0.1, stopped on the way out."""
    from moto.server import ThreadedMotoServer

    # The server's request lines would fill every failing test's captured log.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield S3Server(endpoint_url=f"http://127.0.0.1:{port}")
    finally:
        server.stop()
