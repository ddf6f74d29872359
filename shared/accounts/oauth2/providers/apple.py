"""Sign in with Apple: the user is the `id_token`, verified with Apple's JWKS; the client secret is an ES256 JWT.

The client secret is the JWT itself, as in PocketBase: made ahead by `POST /api/settings/apple/generate-client-
secret` (shared/accounts/oauth2/apple_secret.py) from the team's key, which is never stored. Apple sends the
user's name only in its first form_post redirect; `/api/oauth2-redirect` keeps it a minute for the sign-in
(shared/accounts/oauth2/apple_names.py), so the profile here has none.
"""

from __future__ import annotations

from shared.accounts.oauth2.id_tokens import verify_id_token
from shared.accounts.oauth2.provider import (
    AuthUser,
    OAuth2Provider,
    OAuth2Token,
    ProviderError,
    register,
    text_of,
    truthy,
)

APPLE_ISSUER = "https://appleid.apple.com"


@register("apple")
class Apple(OAuth2Provider):
    display_name = "Apple"
    order = 1
    scopes = ("name", "email")
    auth_url = "https://appleid.apple.com/auth/authorize"
    token_url = "https://appleid.apple.com/auth/token"
    jwks_url = "https://appleid.apple.com/auth/keys"
    extra_auth_params = {"response_mode": "form_post"}  # Apple requires it when the name or email scope is asked
    client_auth = "post"

    def fetch_user(self, token: OAuth2Token, nonce: str) -> AuthUser:
        if not token.id_token:
            raise ProviderError("Apple's token answer has no id_token")
        jwks = text_of(self.extra, "jwksURL") or self.jwks_url
        # Apple echoes no nonce unless one was sent, and this flow sends none (the authorization URL is PocketBase's)
        claims = verify_id_token(self.outbound, token.id_token, jwks, audience=self.config.client_id,
                                 issuers=[APPLE_ISSUER], nonce=None)
        if not text_of(claims, "sub"):
            raise ProviderError("Apple's id_token has no sub")
        return self.user(token, claims, id=text_of(claims, "sub"), name="",
                         email=text_of(claims, "email") if truthy(claims.get("email_verified")) else "")
