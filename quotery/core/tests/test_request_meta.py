"""The client's address: X-Forwarded-For counts only behind configured proxies."""

from __future__ import annotations

from django.test import RequestFactory

from quotery.core.request_meta import RequestMeta, anonymised_ip, client_ip


def request_from(remote: str, forwarded: str | None = None):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_USER_AGENT="Agent/1.0")
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


def test_security_8_a_spoofed_forwarded_for_is_ignored_without_a_trusted_proxy(settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("198.51.100.9", "1.2.3.4")) == "198.51.100.9"


def test_security_8_behind_one_proxy_the_address_it_saw_counts_not_what_the_client_sent(
    settings,
) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = 1
    # the client sent "1.2.3.4" itself; the proxy appended the address it really saw
    assert client_ip(request_from("10.0.0.2", "1.2.3.4, 198.51.100.9")) == "198.51.100.9"
    # a proxy that sent no header: fall back to the socket address
    assert client_ip(request_from("10.0.0.2")) == "10.0.0.2"


def test_garbage_addresses_become_none(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from("10.0.0.2", "not-an-ip")) is None


def test_request_meta_bounds_the_user_agent() -> None:
    request = request_from("198.51.100.9")
    request.META["HTTP_USER_AGENT"] = "x" * 1000
    assert len(RequestMeta.from_request(request).user_agent) == 400


def test_anonymised_ip_keeps_the_network() -> None:
    assert anonymised_ip("198.51.100.9") == "198.51.100.0"
    assert anonymised_ip(None) is None
