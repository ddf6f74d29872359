"""Which addresses a delivery may reach: only globally routable ones, checked after DNS resolution.

Private (10/8, 172.16/12, 192.168/16, fc00::/7), loopback, link-local (169.254/16, the metadata service
169.254.169.254, fe80::/10), shared (100.64/10), multicast, reserved and unspecified addresses are refused, as
are IPv4 addresses mapped into IPv6. The local stack (and tests) may allow loopback, so a receiver on the laptop
works; nothing else private is ever allowed. The caller connects to the address checked here (pinned), so a
second DNS answer cannot swap in another target (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable

# Named because they are what SSRF aims at on AWS; both are refused already as link-local / unique-local.
METADATA_ADDRESSES = frozenset({ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")})

Resolver = Callable[[str, int], list[str]]


class TargetRefusedError(Exception):
    """The webhook's URL resolves to an address deliveries may not reach."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the host resolves to (A and AAAA)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise TargetRefusedError(f"The host {host} does not resolve.") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def address_refusal(address: str, *, allow_loopback: bool) -> str | None:
    """Why an address is refused, or None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return f"{ip} is the instance metadata service."
    if ip.is_loopback:
        return None if allow_loopback else f"{ip} is a loopback address."
    if not ip.is_global or ip.is_multicast:
        return f"{ip} is not a public address."
    return None


def pinned_address(host: str, port: int, *, allow_loopback: bool, resolve: Resolver = system_resolver) -> str:
    """The address to connect to: the host's first, once every address it resolves to is allowed.

    All of them are checked, not just the first, so that a name mixing public and private answers is refused.
    """
    try:
        addresses = [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        addresses = resolve(host, port)
    if not addresses:
        raise TargetRefusedError(f"The host {host} does not resolve.")
    for address in addresses:
        refusal = address_refusal(address, allow_loopback=allow_loopback)
        if refusal:
            raise TargetRefusedError(f"Refused to deliver to {host}: {refusal}")
    return addresses[0]
