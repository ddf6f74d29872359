"""Generic OpenID Connect (PocketBase's `oidc`, `oidc2`, `oidc3` slots), configured by URLs or by issuer.

PocketBase's configuration works unchanged: `authURL`, `tokenURL`, `userInfoURL`, and in `extra` `jwksURL` and
`issuers`. Lambdabase adds `extra.issuer`: the endpoints and the JWKS then come from the issuer's discovery
document (OpenID Connect Discovery 1.0), whose `issuer` must be exactly the configured one. Whenever a JWKS is
known the `id_token` is verified (signature, `iss`, `aud`, `exp`, `nonce`), and its `sub` must be the user
info's; an id_token that cannot be verified is never the only evidence of who signed in.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from shared.accounts.oauth2.id_tokens import verify_id_token
from shared.accounts.oauth2.outbound import OutboundError
from shared.accounts.oauth2.provider import (
    AuthUser,
    OAuth2Provider,
    OAuth2Token,
    ProviderError,
    register,
    text_of,
    truthy,
)

DISCOVERY_TTL_S = 3600
FAILURE_TTL_S = 60
_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()


@register("oidc", "oidc2", "oidc3")
class OpenIDConnect(OAuth2Provider):
    display_name = "OIDC"
    order = 99
    scopes = ("openid", "email", "profile")
    uses_nonce = True

    def _document(self) -> dict[str, Any]:
        issuer = text_of(self.extra, "issuer")
        if not issuer:
            return {}
        with _lock:
            cached = _discovered.get(issuer)
        if cached and time.monotonic() - cached[0] < (DISCOVERY_TTL_S if cached[1] else FAILURE_TTL_S):
            if not cached[1]:
                raise ProviderError("OpenID discovery failed a moment ago")
            return cached[1]
        try:
            doc = self.outbound.get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        except OutboundError as exc:
            self._remember(issuer, {})
            raise ProviderError(f"OpenID discovery failed: {exc}") from exc
        # Discovery 4.3: a document that names another issuer is not this issuer's (mix-up, RFC 9700 4.4).
        if not isinstance(doc, dict) or doc.get("issuer") != issuer:
            self._remember(issuer, {})
            raise ProviderError("the discovery document is not the configured issuer's")
        self._remember(issuer, doc)
        return doc

    @staticmethod
    def _remember(issuer: str, doc: dict[str, Any]) -> None:
        # A failure is remembered too: `auth-methods` is public, and each guest must not cost a slow outbound call.
        with _lock:
            _discovered[issuer] = (time.monotonic(), doc)

    def authorization_endpoint(self) -> str:
        return self.config.auth_url or text_of(self._document(), "authorization_endpoint")

    def token_endpoint(self) -> str:
        return self.config.token_url or text_of(self._document(), "token_endpoint")

    def user_info_endpoint(self) -> str:
        return self.config.user_info_url or text_of(self._document(), "userinfo_endpoint")

    def _jwks_url(self) -> str:
        return text_of(self.extra, "jwksURL") or text_of(self._document(), "jwks_uri")

    def _issuers(self) -> list[str]:
        listed = self.extra.get("issuers")
        if isinstance(listed, list) and listed:
            return [str(item) for item in listed]
        issuer = text_of(self.extra, "issuer")
        return [issuer] if issuer else []

    def fetch_user(self, token: OAuth2Token, nonce: str) -> AuthUser:
        claims: dict[str, Any] | None = None
        jwks_url = self._jwks_url()
        if jwks_url and token.id_token:
            claims = verify_id_token(self.outbound, token.id_token, jwks_url, audience=self.config.client_id,
                                     issuers=self._issuers(), nonce=nonce)
        elif jwks_url:
            raise ProviderError("the token answer has no id_token")
        if self.user_info_endpoint():
            raw = self.user_info(token)
            # OIDC Core 5.3.2: the user info must be about the id_token's subject, else it is someone else's.
            if claims is not None and raw.get("sub") != claims.get("sub"):
                raise ProviderError("the user info's sub is not the id_token's")
        elif claims is not None:
            raw = claims
        else:
            raise ProviderError("neither a user info endpoint nor a JWKS to verify the id_token is configured")
        if not text_of(raw, "sub"):
            raise ProviderError("the OpenID user has no sub")
        return self.user(token, raw, id=text_of(raw, "sub"), name=text_of(raw, "name"),
                         username=text_of(raw, "preferred_username"), avatar_url=text_of(raw, "picture"),
                         email=text_of(raw, "email") if truthy(raw.get("email_verified")) else "")
