"""One webhook POST over HTTP: the target checked and pinned (shared/webhooks/ssrf.py), a timeout, no redirects.

Each redirect, when the settings allow any, is checked as the first URL was. What comes back is an
`HttpOutcome`: the status (or the transport error), the first KB of the body, Retry-After and the duration.
"""

from __future__ import annotations

import time
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit, urlunsplit

import msgspec

from shared.webhooks.ssrf import Resolver, TargetRefusedError, pinned_address, system_resolver

EXCERPT_BYTES = 1024
USER_AGENT = "Lambdabase-Webhooks/1"

# httpx (with httpcore, h11, idna, certifi: about 15 ms) is imported by the first POST, not by every cold start
# of the functions that only read delivery outcomes (the webhooks API)
if TYPE_CHECKING:
    import httpx


class HttpOutcome(msgspec.Struct, frozen=True):
    status: int | None  # None: no response (timeout, connection error, refused target)
    error: str = ""  # "timeout" | "connection" | "refused" | "redirect" when status does not tell it all
    excerpt: str = ""
    retry_after: str | None = None
    duration_ms: int = 0
    detail: str = ""


@cache
def _client() -> httpx.Client:
    import httpx

    # One pool per instance; redirects are followed here by hand, each target checked first.
    return httpx.Client(follow_redirects=False, trust_env=False, verify=True)


def _pinned_url(url: str, *, allow_loopback: bool, resolve: Resolver) -> tuple[str, str, str]:
    """(the URL with the checked address in place of its host, the Host header, the host for TLS SNI)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefusedError(f"Unsupported webhook URL {url!r}.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = pinned_address(parts.hostname, port, allow_loopback=allow_loopback, resolve=resolve)
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    host_header = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), host_header, parts.hostname


def post(url: str, body: bytes, headers: dict[str, str], *, timeout_s: float, allow_loopback: bool,
         max_redirects: int = 0, resolve: Resolver = system_resolver) -> HttpOutcome:
    """POST `body` to `url`; never raises for what the network or the receiver does."""
    import httpx

    started = time.monotonic()

    def outcome(**kwargs: object) -> HttpOutcome:
        return HttpOutcome(duration_ms=int((time.monotonic() - started) * 1000), **kwargs)  # type: ignore[arg-type]

    target = url
    for _hop in range(max_redirects + 1):
        try:
            pinned, host, sni = _pinned_url(target, allow_loopback=allow_loopback, resolve=resolve)
        except TargetRefusedError as exc:
            return outcome(status=None, error="refused", detail=str(exc))
        request_headers = {**headers, "host": host, "user-agent": USER_AGENT, "content-type": "application/json"}
        try:
            with _client().stream("POST", pinned, content=body, headers=request_headers,
                                  timeout=httpx.Timeout(timeout_s), extensions={"sni_hostname": sni}) as response:
                excerpt = b""
                for chunk in response.iter_bytes():
                    excerpt += chunk
                    if len(excerpt) >= EXCERPT_BYTES:
                        break
                location = response.headers.get("location")
                status = response.status_code
                retry_after = response.headers.get("retry-after")
        except httpx.TimeoutException as exc:
            return outcome(status=None, error="timeout", detail=f"No answer within {timeout_s:g} s ({exc!r}).")
        except httpx.HTTPError as exc:
            return outcome(status=None, error="connection", detail=repr(exc)[:300])
        text = excerpt[:EXCERPT_BYTES].decode("utf-8", errors="replace")
        if 300 <= status < 400 and location and _hop < max_redirects:
            target = urljoin(target, location)
            continue
        return outcome(status=status, excerpt=text, retry_after=retry_after,
                       error="redirect" if 300 <= status < 400 else "")
    return outcome(status=None, error="redirect", detail="Too many redirects.")
