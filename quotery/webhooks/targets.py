"""Where a webhook may go (SSRF guard, SECURITY.md 27).

A URL is checked when it is saved (`url_problem`) and again, resolved, at every delivery
(`resolve_target`): every address the host resolves to must be public unless the
`WEBHOOKS_ALLOW_PRIVATE_TARGETS` setting allows private ones (tests, local development).
The delivery then connects to the address that was checked, naming the host in the Host
header and in TLS's SNI, so a DNS answer that changes between the check and the connection
(DNS rebinding) cannot send the request anywhere else.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from quotery.core.exceptions import ValidationFailed
from quotery.webhooks.models import URL_MAX_LENGTH

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Names that are the machine itself, whatever DNS says.
LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


class TargetRefused(ValidationFailed):
    """The endpoint's address is one deliveries may not go to."""

    code = "webhook_target_refused"


def private_targets_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_TARGETS", False))


def address_refused(address: IPAddress) -> bool:
    """Private, loopback, link-local, multicast, reserved and unspecified addresses (and
    IPv4 mapped into IPv6 or NAT64 with one of those inside) are never public."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address in ipaddress.IPv6Network("64:ff9b::/96"):
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None and address_refused(inner):
            return True
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def url_problem(url: str, *, allow_private: bool | None = None) -> str | None:
    """Why `url` cannot be a webhook endpoint, in a sentence, or None. Needs https unless
    private targets are allowed (then http too); refuses credentials in the URL, a private
    address written as the host, and local names. Names are resolved only at delivery."""
    allow = private_targets_allowed() if allow_private is None else allow_private
    if not url or not url.strip():
        return "Enter the URL your receiver listens on."
    if len(url) > URL_MAX_LENGTH:
        return f"The URL is longer than {URL_MAX_LENGTH} characters."
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return "The URL cannot contain spaces or control characters."
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "This is not a valid URL."
    schemes = ("https", "http") if allow else ("https",)
    if parts.scheme not in schemes:
        return (
            "The URL must start with https:// or http://."
            if allow
            else "The URL must start with https:// (webhooks are only sent encrypted)."
        )
    host = parts.hostname or ""
    if not host:
        return "The URL needs a host name, e.g. https://example.com/webhooks."
    if parts.username is not None or parts.password is not None:
        return "Leave user names and passwords out of the URL; deliveries are signed instead."
    if parts.fragment:
        return "Leave the #fragment out of the URL."
    if port == 0:
        return "The URL's port must be between 1 and 65535."
    if allow:
        return None
    if host.rstrip(".").lower() in LOCAL_NAMES or host.rstrip(".").lower().endswith(".localhost"):
        return "Webhooks cannot be sent to this machine (localhost)."
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return None
    if address_refused(literal):
        return "Webhooks cannot be sent to a private, loopback or link-local address."
    return None


@dataclass(frozen=True)
class Target:
    """Where one delivery connects: the checked address, and the URL's own host and port."""

    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]  # every address the host resolved to, all checked
    path: str  # path and query, as in the URL

    @property
    def address(self) -> str:
        return self.addresses[0]

    @property
    def connect_url(self) -> str:
        return self.connect_url_for(self.address)

    def connect_url_for(self, address: str) -> str:
        """The URL with a checked address in place of the host name."""
        ip = f"[{address}]" if ":" in address else address
        return f"{self.scheme}://{ip}:{self.port}{self.path}"

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def resolve_target(url: str) -> Target:
    """The address a delivery to `url` connects to; TargetRefused, naming why, when the URL
    is not allowed or any address its host resolves to is refused."""
    allow = private_targets_allowed()
    problem = url_problem(url, allow_private=allow)
    if problem:
        raise TargetRefused(problem)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise TargetRefused(f"The host name {host!r} could not be resolved.") from error
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise TargetRefused(f"The host name {host!r} has no address.")
    if not allow and any(address_refused(address) for address in addresses):
        raise TargetRefused(
            f"{host} resolves to a private, loopback or link-local address; webhooks are "
            "not sent there."
        )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    unique = tuple(dict.fromkeys(str(address) for address in addresses))
    return Target(parts.scheme, host, port, unique, path)
