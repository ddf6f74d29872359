"""The OAuth2 provider interface: endpoints, the authorization URL, the code exchange and the user it names.

A provider is one class in `shared/accounts/oauth2/providers/`, registered by name with `@register`; it sets its
endpoints and scopes and turns the provider's profile into an `AuthUser`. The base class does the rest as
RFC 6749 and RFC 7636 say (PKCE S256 always), over the SSRF-checked calls of `outbound.py`.
"""

from __future__ import annotations

import base64
import hashlib
from abc import ABC, abstractmethod
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Literal
from urllib.parse import quote, urlencode

import msgspec

from shared.accounts.oauth2.logos import LOGOS
from shared.accounts.oauth2.outbound import Outbound, OutboundError
from shared.collections.model import OAuth2ProviderConfig


class ProviderError(Exception):
    """The provider did not hand over a usable token or user (logged, never shown to the caller)."""


class OAuth2Token(msgspec.Struct, frozen=True):
    """The token endpoint's answer."""

    access_token: str
    refresh_token: str = ""
    expiry: datetime | None = None
    id_token: str = ""
    raw: dict[str, Any] = msgspec.field(default_factory=dict)


class AuthUser(msgspec.Struct):
    """The provider's account, as PocketBase's auth.AuthUser; `email` only when the provider vouches for it."""

    id: str
    name: str = ""
    username: str = ""
    email: str = ""
    avatar_url: str = ""
    raw_user: dict[str, Any] = msgspec.field(default_factory=dict)
    access_token: str = ""
    refresh_token: str = ""
    expiry: datetime | None = None

    def meta(self, is_new: bool) -> dict[str, Any]:
        """PocketBase's `meta` of the sign-in answer (legacy `avatarUrl` included); a map there, in no set
        order, so sorted here (and `rawUser` too) to answer the same bytes each time."""
        expiry = self.expiry.strftime("%Y-%m-%d %H:%M:%S.") + f"{self.expiry.microsecond // 1000:03d}Z" \
            if self.expiry else ""
        meta = {"expiry": expiry, "rawUser": _sorted(self.raw_user), "id": self.id, "name": self.name,
                "username": self.username, "avatarURL": self.avatar_url, "accessToken": self.access_token,
                "refreshToken": self.refresh_token, "email": self.email, "avatarUrl": self.avatar_url,
                "isNew": is_new}
        return dict(sorted(meta.items()))


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def s256_challenge(verifier: str) -> str:
    """RFC 7636's S256 code challenge."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def nonce_for(verifier: str) -> str:
    """The OpenID `nonce` of a flow, derived from its PKCE verifier: the server keeps no state, yet an id_token
    obtained for another flow (another verifier) never matches."""
    return base64.urlsafe_b64encode(hashlib.sha256(b"lambdabase-oidc-nonce\x00" + verifier.encode()).digest()
                                    ).rstrip(b"=").decode()


class OAuth2Provider(ABC):
    """One configured provider of one collection."""

    display_name: ClassVar[str] = ""
    order: ClassVar[int] = 100
    scopes: ClassVar[tuple[str, ...]] = ()
    auth_url: ClassVar[str] = ""
    token_url: ClassVar[str] = ""
    user_info_url: ClassVar[str] = ""
    # RFC 6749 2.3.1: HTTP Basic is what every server must accept; a few (GitHub) want the credentials in the body.
    client_auth: ClassVar[Literal["basic", "post"]] = "basic"
    extra_auth_params: ClassVar[dict[str, str]] = {}
    uses_nonce: ClassVar[bool] = False

    def __init__(self, config: OAuth2ProviderConfig, outbound: Outbound) -> None:
        self.config = config
        self.outbound = outbound
        self.extra: dict[str, Any] = dict(config.extra or {})

    # endpoints: the configuration overrides the provider's defaults, as PocketBase's InitProvider
    def authorization_endpoint(self) -> str:
        return self.config.auth_url or self.auth_url

    def token_endpoint(self) -> str:
        return self.config.token_url or self.token_url

    def user_info_endpoint(self) -> str:
        return self.config.user_info_url or self.user_info_url

    def logo(self) -> str:
        return LOGOS.get(type(self).logo_key(), "")

    @classmethod
    def logo_key(cls) -> str:
        return cls.__module__.rsplit(".", 1)[-1]

    def label(self) -> str:
        return self.config.display_name or self.display_name or self.config.name

    def scope_list(self) -> tuple[str, ...]:
        return self.scopes

    def build_auth_url(self, state: str, code_challenge: str, nonce: str) -> str:
        """The authorization URL, parameters sorted as Go's url.Values, with PocketBase's trailing empty
        `redirect_uri=` for the client to complete."""
        params = {"client_id": self.config.client_id, "code_challenge": code_challenge,
                  "code_challenge_method": "S256", "response_type": "code", "state": state,
                  **self.extra_auth_params}
        if scope := " ".join(self.scope_list()):
            params["scope"] = scope
        if self.uses_nonce:
            params["nonce"] = nonce
        base = self.authorization_endpoint()
        joiner = "&" if "?" in base else "?"
        return base + joiner + urlencode(sorted(params.items())) + "&redirect_uri="

    def exchange(self, code: str, redirect_url: str, code_verifier: str) -> OAuth2Token:
        """RFC 6749 4.1.3 with RFC 7636's code_verifier."""
        form = {"grant_type": "authorization_code", "code": code, "code_verifier": code_verifier}
        if redirect_url:
            form["redirect_uri"] = redirect_url
        headers: dict[str, str] = {}
        if self.client_auth == "basic":
            pair = f"{quote(self.config.client_id, safe='')}:{quote(self.client_secret(), safe='')}"
            headers["authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            form |= {"client_id": self.config.client_id, "client_secret": self.client_secret()}
        try:
            data = self.outbound.post_form(self.token_endpoint(), form, headers)
        except OutboundError as exc:
            raise ProviderError(f"token request failed: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("access_token"), str) or not data["access_token"]:
            # an OAuth2 error object (RFC 6749 5.2) says why; its description is the provider's text, logged only
            error = data.get("error") if isinstance(data, dict) else None
            raise ProviderError(f"no access_token in the token answer (error {error!r})")
        expires_in = data.get("expires_in")
        expiry = datetime.now(UTC) + timedelta(seconds=int(expires_in)) \
            if isinstance(expires_in, (int, float, str)) and str(expires_in).isdigit() and int(expires_in) else None
        return OAuth2Token(access_token=data["access_token"], refresh_token=str(data.get("refresh_token") or ""),
                           expiry=expiry, id_token=str(data.get("id_token") or ""), raw=data)

    def client_secret(self) -> str:
        return self.config.client_secret

    def user_info(self, token: OAuth2Token, url: str | None = None) -> dict[str, Any]:
        """The JSON profile at the user-info endpoint (or `url`), with the access token as a Bearer."""
        try:
            data = self.outbound.get_json(url or self.user_info_endpoint(),
                                          {"authorization": f"Bearer {token.access_token}"})
        except OutboundError as exc:
            raise ProviderError(f"user info request failed: {exc}") from exc
        if not isinstance(data, dict):
            raise ProviderError("the user info answer is not a JSON object")
        return data

    @abstractmethod
    def fetch_user(self, token: OAuth2Token, nonce: str) -> AuthUser:
        """The account the token belongs to; `nonce` is the flow's (providers with id_tokens check it)."""

    def user(self, token: OAuth2Token, raw: dict[str, Any], **fields: Any) -> AuthUser:
        """An AuthUser carrying the token's parts."""
        return AuthUser(raw_user=raw, access_token=token.access_token, refresh_token=token.refresh_token,
                        expiry=token.expiry, **fields)


ProviderClass = type[OAuth2Provider]
PROVIDERS: dict[str, ProviderClass] = {}


def register(*names: str) -> Any:
    """Class decorator: make the provider available under these configuration names."""
    def decorate(cls: ProviderClass) -> ProviderClass:
        for name in names:
            PROVIDERS[name] = cls
        return cls
    return decorate


def text_of(raw: dict[str, Any], key: str) -> str:
    """A profile's string value ('' for a missing or non-string one, as Go's json into a string field would
    fail or leave it empty)."""
    value = raw.get(key)
    return value if isinstance(value, str) else ""


def truthy(value: Any) -> bool:
    """spf13/cast's ToBool of a claim that some providers send as "true" (Apple, OIDC email_verified)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in ("1", "t", "true")
    return isinstance(value, (int, float)) and value != 0
