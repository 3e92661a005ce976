"""Who is on the other end of a request: the client IP (trusting X-Forwarded-For only from
configured proxies) and the user agent, as services and events record them."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

USER_AGENT_MAX = 400


@dataclass(frozen=True)
class RequestMeta:
    ip: str | None
    user_agent: str

    @classmethod
    def from_request(cls, request: HttpRequest) -> RequestMeta:
        agent = request.META.get("HTTP_USER_AGENT", "")
        return cls(ip=client_ip(request), user_agent=agent[:USER_AGENT_MAX])


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, unless TRUSTED_PROXY_COUNT proxies sit in front of us: then the address
    that many hops back in X-Forwarded-For. A client cannot choose its address by sending the
    header itself, because the entries it adds are further left than the ones we read."""
    remote = request.META.get("REMOTE_ADDR", "")
    hops: int = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            remote = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(remote))
    except ValueError:
        return None


def anonymised_ip(ip: str | None) -> str | None:
    """The network, not the device: IPv4 keeps /24, IPv6 keeps /48."""
    if ip is None:
        return None
    address = ipaddress.ip_address(ip)
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)
