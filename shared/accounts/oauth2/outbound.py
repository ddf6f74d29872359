"""The OAuth2 calls to providers (token, user info, discovery, JWKS): SSRF-checked, pinned, timed out, size-capped.

Provider URLs are configured by superusers, so they are untrusted targets inside the function's network: each
host is resolved and checked as webhook targets are (shared/webhooks/ssrf.py: only public addresses), then the
request goes to that checked address (DNS rebinding), with TLS still verified against the host name.
`LB_OAUTH2_ALLOW_LOOPBACK` lets tests and the local stack reach a provider on 127.0.0.1; nothing else private.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import msgspec
from pydantic import Field

from shared import settings
from shared.webhooks.ssrf import TargetRefusedError, pinned_address

if TYPE_CHECKING:
    import httpx

MAX_BODY_BYTES = 1_048_576  # a token, a profile or a key set is a few KB; anything bigger is not one
USER_AGENT = "Lambdabase-OAuth2/1"


class OAuth2Settings(settings.Observability):
    """Deployment settings of the OAuth2 calls (LB_OAUTH2_*), not app settings: no superuser can widen them."""

    oauth2_timeout_s: float = Field(default=10.0, gt=0, le=30)
    oauth2_allow_loopback: bool = False


class OutboundError(Exception):
    """A provider call that failed: refused target, network, timeout, an error status or a body that is no JSON."""


class Outbound(msgspec.Struct, frozen=True):
    """Makes the provider calls of one sign-in."""

    timeout_s: float
    allow_loopback: bool

    def post_form(self, url: str, form: dict[str, str], headers: dict[str, str] | None = None) -> Any:
        return self._json("POST", url, headers or {}, form)

    def get_json(self, url: str, headers: dict[str, str] | None = None) -> Any:
        return self._json("GET", url, headers or {}, None)

    def get_bytes(self, url: str, max_bytes: int) -> bytes:
        """The body at `url` (an avatar), refused past `max_bytes` or for an error status."""
        status, body = self._send("GET", url, {"accept": "*/*"}, None, max_bytes)
        if status >= 400:
            raise ProviderAnswerError(status, None, f"GET {_origin(url)} answered {status}.")
        return body

    def _json(self, method: str, url: str, headers: dict[str, str], form: dict[str, str] | None) -> Any:
        status, body = self._send(method, url, headers, form)
        try:
            data = json.loads(body or b"null")
        except ValueError as exc:
            raise OutboundError(f"{method} {_origin(url)} answered {status} with no JSON body.") from exc
        if status >= 400:
            raise ProviderAnswerError(status, data, f"{method} {_origin(url)} answered {status}.")
        return data

    def _send(self, method: str, url: str, headers: dict[str, str], form: dict[str, str] | None,
              max_bytes: int = MAX_BODY_BYTES) -> tuple[int, bytes]:
        import httpx  # lazily: a cold start that signs in with a password never needs it

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OutboundError(f"Unsupported provider URL {url!r}.")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            address = pinned_address(parts.hostname, port, allow_loopback=self.allow_loopback)
        except TargetRefusedError as exc:
            raise OutboundError(str(exc)) from exc
        literal = f"[{address}]" if ":" in address else address
        pinned = urlunsplit((parts.scheme, f"{literal}:{parts.port}" if parts.port else literal,
                             parts.path or "/", parts.query, ""))
        request_headers = {"accept": "application/json", "user-agent": USER_AGENT, **headers,
                           "host": parts.netloc.rpartition("@")[2]}
        try:
            # No redirects: a token endpoint that redirects would carry the code and secret to where it points.
            with _client().stream(method, pinned, data=form, headers=request_headers,
                                  timeout=httpx.Timeout(self.timeout_s),
                                  extensions={"sni_hostname": parts.hostname}) as response:
                body = b""
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        raise OutboundError(f"{method} {_origin(url)} answered more than {max_bytes} bytes.")
                return response.status_code, body
        except httpx.TimeoutException as exc:
            raise OutboundError(f"{method} {_origin(url)} did not answer within {self.timeout_s:g} s.") from exc
        except httpx.HTTPError as exc:
            raise OutboundError(f"{method} {_origin(url)} failed: {exc!r}"[:300]) from exc


class ProviderAnswerError(OutboundError):
    """A provider answered an error status; `data` is its JSON body (an OAuth2 error object, usually)."""

    def __init__(self, status: int, data: Any, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.data = data


def _origin(url: str) -> str:
    # Only scheme, host and path in messages: a query may hold a code or a token.
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


@cache
def _client() -> httpx.Client:
    import httpx

    return httpx.Client(follow_redirects=False, trust_env=False, verify=True)


def default_outbound() -> Outbound:
    """The calls as this deployment's settings allow them (read on each sign-in: tests change them)."""
    config = settings.load(OAuth2Settings)
    return Outbound(timeout_s=config.oauth2_timeout_s, allow_loopback=config.oauth2_allow_loopback)
