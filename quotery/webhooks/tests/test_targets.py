"""Where webhooks may go: URLs checked on save, addresses checked at every delivery, and the
connection made to the address that was checked (SECURITY.md 27)."""

from __future__ import annotations

import ipaddress
import socket

import pytest
from django.test import override_settings

from quotery.webhooks.targets import (
    TargetRefused,
    address_refused,
    resolve_target,
    url_problem,
)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.1.2.3",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",  # noqa: S104 (an address to refuse, not one to bind)
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "::ffff:169.254.169.254",
        "64:ff9b::a9fe:a9fe",  # NAT64 of the metadata address
    ],
)
def test_security_27_private_loopback_link_local_and_reserved_addresses_are_refused(address):
    assert address_refused(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert not address_refused(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("", "Enter the URL your receiver listens on."),
        (
            "http://crm.example.com/in",
            "The URL must start with https:// (webhooks are only sent encrypted).",
        ),
        ("ftp://crm.example.com/in", "The URL must start with https://"),
        ("https:///in", "The URL needs a host name"),
        ("https://a:b@crm.example.com/in", "Leave user names and passwords out of the URL"),
        ("https://crm.example.com/in#x", "Leave the #fragment out of the URL."),
        ("https://crm.example.com:99999/in", "This is not a valid URL."),
        ("https://crm.example.com/a b", "The URL cannot contain spaces"),
        ("https://localhost/in", "Webhooks cannot be sent to this machine (localhost)."),
        ("https://api.localhost/in", "Webhooks cannot be sent to this machine (localhost)."),
        ("https://127.0.0.1/in", "Webhooks cannot be sent to a private"),
        ("https://[::1]/in", "Webhooks cannot be sent to a private"),
        ("https://169.254.169.254/latest", "Webhooks cannot be sent to a private"),
        ("https://" + "a" * 2000 + ".com", "The URL is longer than 2000 characters."),
    ],
)
def test_security_27_urls_refused_on_save_in_production(url, problem):
    found = url_problem(url, allow_private=False)
    assert found is not None and found.startswith(problem)


def test_urls_allowed_on_save():
    assert url_problem("https://crm.example.com/hooks?tenant=4", allow_private=False) is None
    # with private targets allowed (development, tests), http and local addresses too
    assert url_problem("http://127.0.0.1:8080/hooks", allow_private=True) is None
    assert url_problem("http://localhost:8080/hooks", allow_private=True) is None
    assert url_problem("ftp://127.0.0.1/hooks", allow_private=True) is not None


@override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=False)
def test_security_27_a_name_that_resolves_to_a_private_address_is_refused_at_delivery():
    # This machine's own name resolves (through /etc/hosts) to one of its own addresses.
    name = socket.gethostname()
    addresses = {str(info[4][0]) for info in socket.getaddrinfo(name, 443)}
    if not all(address_refused(ipaddress.ip_address(a.split("%")[0])) for a in addresses):
        pytest.skip("this machine's name resolves to a public address")
    with pytest.raises(TargetRefused, match="private, loopback or link-local"):
        resolve_target(f"https://{name}/hooks")


@override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=True)
def test_the_delivery_connects_to_the_checked_address_and_names_the_host():
    target = resolve_target("http://localhost:8123/hooks/in?tenant=4")
    assert target.address in {"127.0.0.1", "::1"}
    assert target.connect_url in {
        "http://127.0.0.1:8123/hooks/in?tenant=4",
        "http://[::1]:8123/hooks/in?tenant=4",
    }
    assert target.host_header == "localhost:8123"
    secure = resolve_target("https://localhost/x")
    assert (secure.port, secure.host_header) == (443, "localhost")


@override_settings(WEBHOOKS_ALLOW_PRIVATE_TARGETS=True)
def test_an_unknown_host_is_refused_with_its_name():
    with pytest.raises(TargetRefused, match="could not be resolved"):
        resolve_target("https://no-such-host.invalid/hooks")
