"""Stored files read and written the same way on the filesystem and in an S3 bucket.

Django's storage API covers most of what Quotery does with files, with two gaps that matter
once several machines share one bucket: `Storage.save` on S3 either replaces an object that
is already there or checks for it first and then writes (a race between two machines), and
a missing object can surface as botocore's ClientError rather than FileNotFoundError.
`storage_save_new` and `storage_read` close those gaps, and `storage_discard` removes a copy
nobody refers to; everything else goes through `storages["default"]` as usual.
"""

from __future__ import annotations

import logging
import mimetypes

from botocore.exceptions import ClientError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

logger = logging.getLogger("quotery.storage")

# S3's answers when a conditional write finds the key taken (412), or another conditional
# write to the same key under way (409): either way this write did not happen.
KEY_TAKEN_STATUSES = {409, 412}


def storage_read(storage: Storage, name: str) -> bytes:
    """The bytes stored under `name`. Raises FileNotFoundError when nothing is stored there,
    whichever the backend. On S3 it is one GET (django-storages' file object would first
    ask for the object's size, twice)."""
    if isinstance(storage, S3Storage):
        try:
            answer = storage.connection.meta.client.get_object(
                Bucket=storage.bucket_name, Key=_s3_key(storage, name)
            )
        except ClientError as error:
            if _status(error) == 404:
                raise FileNotFoundError(f"No stored file {name}") from None
            raise
        data: bytes = answer["Body"].read()
        return data
    with storage.open(name, "rb") as handle:
        stored: bytes = handle.read()
    return stored


def storage_save_new(storage: Storage, name: str, content: bytes) -> None:
    """Stores `content` under exactly `name`, or raises FileExistsError when something is
    stored there already. Never replaces an object, also when machines race for one name.

    On S3 this is a conditional write (`If-None-Match: *`): the store itself refuses a key
    that exists, atomically. On the filesystem, Django's save creates the file exclusively
    (O_EXCL) and picks another name when it is taken; that copy is removed again.
    """
    if isinstance(storage, S3Storage):
        params = storage.get_object_parameters(name)
        params.setdefault("ContentType", mimetypes.guess_type(name)[0] or "binary/octet-stream")
        try:
            storage.connection.meta.client.put_object(
                Bucket=storage.bucket_name,
                Key=_s3_key(storage, name),
                Body=content,
                IfNoneMatch="*",
                **params,
            )
        except ClientError as error:
            if _status(error) in KEY_TAKEN_STATUSES:
                raise FileExistsError(f"A file is already stored as {name}") from None
            raise
        return
    stored_as = storage.save(name, ContentFile(content))
    if stored_as != name:
        storage.delete(stored_as)
        raise FileExistsError(f"A file is already stored as {name}")


def storage_discard(storage: Storage, name: str) -> None:
    """Deletes a copy nobody refers to. A failure is logged, not raised: the caller's work
    is done, and a leftover copy harms nothing (its key is referred to by no row)."""
    try:
        storage.delete(name)
    except (OSError, ClientError):
        logger.warning("A stored copy nobody refers to could not be deleted: %s", name)


def _s3_key(storage: S3Storage, name: str) -> str:
    """The object key django-storages itself uses for `name` (its location prefix included)."""
    key: str = storage._normalize_name(clean_name(name))
    return key


def _status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
