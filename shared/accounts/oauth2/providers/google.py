"""Google: OpenID's userinfo endpoint; the email only when `email_verified` is true."""

from __future__ import annotations

from shared.accounts.oauth2.provider import AuthUser, OAuth2Provider, OAuth2Token, ProviderError, register, text_of


@register("google")
class Google(OAuth2Provider):
    display_name = "Google"
    order = 2
    scopes = ("https://www.googleapis.com/auth/userinfo.profile", "https://www.googleapis.com/auth/userinfo.email")
    auth_url = "https://accounts.google.com/o/oauth2/v2/auth"
    token_url = "https://oauth2.googleapis.com/token"
    user_info_url = "https://www.googleapis.com/oauth2/v3/userinfo"

    def fetch_user(self, token: OAuth2Token, nonce: str) -> AuthUser:
        raw = self.user_info(token)
        if not text_of(raw, "sub"):
            raise ProviderError("the Google profile has no sub")
        return self.user(token, raw, id=text_of(raw, "sub"), name=text_of(raw, "name"),
                         avatar_url=text_of(raw, "picture"),
                         email=text_of(raw, "email") if raw.get("email_verified") is True else "")
