"""The bucket as Quotery uses it (moto's S3 server, real HTTP): nothing in it is readable
without the keys, a URL made for an object is signed and short-lived, and the readiness
check's `exists` is one HEAD request, never a listing.

Exercises: config.env.file_storage, django-storages' S3Storage as configured there,
quotery.documents.acceptance.accepted_pdf, quotery.accounts.services.company_logo_set
"""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from botocore.exceptions import EndpointConnectionError
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from quotery.accounts.models import Company, User
from quotery.accounts.services import company_logo_set
from quotery.accounts.tests.images import png_bytes
from quotery.documents.acceptance import accepted_pdf
from quotery.portal.tests.portal_fixtures import accept_shared, share_quote
from tests.network import free_port

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def anonymous_get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - our test server
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code


def sent_requests(storage: Any) -> list[str]:
    """The names of the S3 operations this thread's connection sends from now on."""
    sent: list[str] = []
    storage.connection.meta.client.meta.events.register(
        "before-call.s3", lambda model, **_: sent.append(model.name)
    )
    return sent


@pytest.mark.django_db
def test_security_23_no_object_in_the_bucket_is_readable_without_the_keys(
    s3_storage: Any, company: Company, rep: User
) -> None:
    # given a logo and a sealed accepted PDF stored the way Quotery stores them
    company_logo_set(company=company, upload=io.BytesIO(png_bytes()))
    acceptance = accept_shared(share_quote(rep))
    accepted_pdf(acceptance=acceptance)
    keys = s3_storage.keys()
    assert company.logo.name in keys and acceptance.pdf_name in keys

    # then an anonymous GET of each object's address is refused
    endpoint = f"{s3_storage.server.endpoint_url}/{s3_storage.name}"
    for key in keys:
        assert anonymous_get(f"{endpoint}/{key}") == 403, key
    # and neither the bucket nor any object grants anything to everyone
    # (moto itself answers an anonymous listing of the bucket; AWS refuses it without a
    # grant, and the grants are what is checked here)
    client = s3_storage.server.client()
    grants = client.get_bucket_acl(Bucket=s3_storage.name)["Grants"]
    for key in keys:
        grants += client.get_object_acl(Bucket=s3_storage.name, Key=key)["Grants"]
    assert [grant for grant in grants if grant["Grantee"].get("URI") == ALL_USERS] == []


def test_a_url_made_for_an_object_is_signed_and_expires_in_five_minutes(
    s3_storage: Any,
) -> None:
    storage = storages["default"]
    name = storage.save("documents/quote-pdfs/1/sample.pdf", ContentFile(b"%PDF-sample"))

    url = storage.url(name)

    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["300"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert "X-Amz-Signature" in query
    assert anonymous_get(url) == 200
    assert anonymous_get(url.split("?", 1)[0]) == 403


def test_readiness_exists_is_one_head_request_and_never_a_listing(s3_storage: Any) -> None:
    # given a bucket with some files in it
    storage = storages["default"]
    for number in range(5):
        storage.save(f"documents/quote-pdfs/1/{number}.pdf", ContentFile(b"%PDF"))
    sent = sent_requests(storage)

    # when a readiness check asks for a key that is there and one that is not
    there = storage.exists("documents/quote-pdfs/1/3.pdf")
    missing = storage.exists("readyz/never-stored")

    # then each answer is one HEAD request
    assert (there, missing) == (True, False)
    assert sent == ["HeadObject", "HeadObject"]


def test_readiness_exists_raises_when_the_store_cannot_be_reached(
    settings: Any, s3_server: Any
) -> None:
    # given the default storage pointed at a port where nothing listens
    unreachable = s3_server.storage_options("quotery-unreachable")
    unreachable["OPTIONS"]["endpoint_url"] = f"http://127.0.0.1:{free_port()}"
    settings.STORAGES = {**settings.STORAGES, "default": unreachable}

    # then exists() raises (after its bounded retries) rather than answer "not there"
    with pytest.raises(EndpointConnectionError):
        storages["default"].exists("readyz/never-stored")


def test_saving_under_a_taken_name_never_replaces_the_object(s3_storage: Any) -> None:
    storage = storages["default"]
    first = storage.save("logos/company-1-abc.png", ContentFile(b"first"))

    second = storage.save("logos/company-1-abc.png", ContentFile(b"second"))

    assert first == "logos/company-1-abc.png"
    assert second != first
    assert storage.open(first, "rb").read() == b"first"
    assert storage.open(second, "rb").read() == b"second"
