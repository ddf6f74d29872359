"""Turns an HTTP request into the RequestContext that rules see, the caller's address, and its identity.

Addresses follow PocketBase 0.40's `RemoteIP` and `RealIP`. On AWS the remote address is API Gateway's
`requestContext.http.sourceIp`: the peer of its TLS connection, so the client itself or the last proxy before
API Gateway (a CDN). API Gateway also appends that same address to `X-Forwarded-For`; the local gateway does the
same (local/events.py), so both give the same answers. A header decides the address only when the operator
names it in `trustedProxy.headers`, so a client cannot choose its own address by sending one.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import Scope

from shared.app_settings import provider

if TYPE_CHECKING:
    from shared.app_settings.model import TrustedProxySettings
    from shared.records.context import AuthState, RequestContext

# What Go's zero netip.Addr prints: PocketBase's remote IP of a request without a parsable peer address.
INVALID_IP = "invalid IP"


def expanded_ip(raw: str) -> str:
    """The address as Go's netip.Addr.StringExpanded writes it: IPv6 in full, IPv4 as is; INVALID_IP if none."""
    address = _parsed(raw)
    return _written(address) if address is not None else INVALID_IP


def _written(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    return address.exploded if address.version == 6 else str(address)


@lru_cache(maxsize=4096)
def _parsed(raw: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    # Cached: the same few clients and proxies come again and again, and parsing is most of the cost.
    try:
        return ipaddress.ip_address(raw.strip())
    except ValueError:
        return None


@lru_cache(maxsize=256)
def _network(item: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(item.strip(), strict=False)  # host bits allowed, as Go's ParsePrefix
    except ValueError:
        return None


def remote_ip(scope: Scope) -> str:
    """PocketBase's RemoteIP: API Gateway's sourceIp (through Mangum's scope), else the socket peer; expanded.

    A peer that is no address (a test client's name) is kept as it is, so it stays recognisable in logs.
    """
    event = scope.get("aws.event") or {}
    source = ((event.get("requestContext") or {}).get("http") or {}).get("sourceIp")
    if not source:
        client = scope.get("client")
        source = client[0] if client else ""
    address = _parsed(str(source))
    return _written(address) if address is not None else str(source)


def real_ip(headers: Headers, remote: str, trusted: TrustedProxySettings) -> str:
    """PocketBase's RealIP: the first trusted header giving a valid address, else `remote`.

    Of a header sent more than once the last value counts (the one the proxy wrote); in a list, the rightmost
    valid address (the one the proxy saw), or the leftmost with `useLeftmostIP` (what the first proxy was told,
    which any client can write). Addresses that do not parse are skipped, as PocketBase skips them.
    """
    for name in trusted.headers:
        values = headers.getlist(name)
        if not values or not values[-1]:
            continue
        hops = values[-1].split(",")
        for hop in (hops if trusted.use_leftmost_ip else reversed(hops)):
            address = _parsed(hop)
            if address is not None:
                return _written(address)
    return remote


def scope_client_ip(scope: Scope) -> str:
    """The caller's real address (see `real_ip`) for an ASGI middleware, under the instance's cached settings."""
    return real_ip(Headers(scope=scope), remote_ip(scope), provider.current().trusted_proxy)


def client_ip(request: Request) -> str:
    """The caller's real address: what rate limits, sign-in throttles, logs' userIP and superuserIPs use."""
    return scope_client_ip(request.scope)


def is_ip_in_list(ips_or_subnets: Sequence[str], ip: str) -> bool:
    """PocketBase's isIPInList: whether `ip` is one of the addresses or inside one of the CIDR subnets."""
    address = _parsed(ip)
    if address is None:
        return False
    for item in ips_or_subnets:
        if "/" in item:
            network = _network(item)
            if network is not None and address.version == network.version and address in network:
                return True
        elif _parsed(item) == address:
            return True
    return False


def request_context(request: Request, auth: AuthState | None, body: dict[str, Any] | None = None,
                    context: str = "default") -> RequestContext:
    # Imported here: the records engine is not needed to read a client's address (the health function does).
    from shared.records.context import RequestContext

    # PocketBase exposes headers lowercased with dashes as underscores: X-Token -> @request.headers.x_token
    headers = {k.lower().replace("-", "_"): v for k, v in request.headers.items()}
    return RequestContext(method=request.method, auth=auth, headers=headers, query=dict(request.query_params),
                          body={k: v for k, v in (body or {}).items() if isinstance(k, str)}, context=context,
                          ip=client_ip(request), user_agent=request.headers.get("user-agent", ""),
                          request_id=str(request.scope.get("aws.event", {}).get("requestContext", {})
                                         .get("requestId", "")))
