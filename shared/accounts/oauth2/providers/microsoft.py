"""Microsoft (Entra ID, the `common` tenant unless the URLs name another): Graph's `/me`.

As PocketBase, `mail` is the email unless `extra.idTokenEmailClaim` picks a claim of the id_token
(`verified_primary_email`, `email_and_xms_edov`, `any_verified`, `email`); that id_token came straight from the
token endpoint over TLS, which OIDC Core 3.1.3.7 accepts in place of a signature check.
"""

from __future__ import annotations

from typing import Any

import jwt

from shared.accounts.oauth2.provider import (
    AuthUser,
    OAuth2Provider,
    OAuth2Token,
    ProviderError,
    register,
    text_of,
    truthy,
)


@register("microsoft")
class Microsoft(OAuth2Provider):
    display_name = "Microsoft"
    order = 3
    scopes = ("User.Read",)
    auth_url = "https://login.microsoftonline.com/common/oauth2/v2.0/authorize"
    token_url = "https://login.microsoftonline.com/common/oauth2/v2.0/token"
    user_info_url = "https://graph.microsoft.com/v1.0/me"

    def scope_list(self) -> tuple[str, ...]:
        return (*self.scopes, "openid") if text_of(self.extra, "idTokenEmailClaim") else self.scopes

    def fetch_user(self, token: OAuth2Token, nonce: str) -> AuthUser:
        raw = self.user_info(token)
        if not text_of(raw, "id"):
            raise ProviderError("the Microsoft profile has no id")
        choice = text_of(self.extra, "idTokenEmailClaim")
        claims = self._claims(token) if choice else {}
        primary = text_of(claims, "verified_primary_email")
        edov = text_of(claims, "email") if truthy(claims.get("xms_edov")) else ""
        email = {"verified_primary_email": primary, "email_and_xms_edov": edov, "any_verified": primary or edov,
                 "email": text_of(claims, "email")}.get(choice, text_of(raw, "mail"))
        return self.user(token, raw, id=text_of(raw, "id"), name=text_of(raw, "displayName"), email=email)

    @staticmethod
    def _claims(token: OAuth2Token) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(token.id_token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return {}
        return claims
