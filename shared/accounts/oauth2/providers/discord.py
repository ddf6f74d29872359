"""Discord: `users/@me`; the email when `verified`, the avatar from Discord's CDN."""

from __future__ import annotations

from shared.accounts.oauth2.provider import AuthUser, OAuth2Provider, OAuth2Token, ProviderError, register, text_of


@register("discord")
class Discord(OAuth2Provider):
    display_name = "Discord"
    order = 12
    scopes = ("identify", "email")
    auth_url = "https://discord.com/api/oauth2/authorize"
    token_url = "https://discord.com/api/oauth2/token"
    user_info_url = "https://discord.com/api/users/@me"

    def fetch_user(self, token: OAuth2Token, nonce: str) -> AuthUser:
        raw = self.user_info(token)
        user_id = text_of(raw, "id")
        if not user_id:
            raise ProviderError("the Discord profile has no id")
        avatar = text_of(raw, "avatar")
        name = text_of(raw, "global_name")
        if not name:
            discriminator = text_of(raw, "discriminator")
            name = text_of(raw, "username") + (f"#{discriminator}" if discriminator not in ("", "0") else "")
        return self.user(token, raw, id=user_id, name=name, username=text_of(raw, "username"),
                         avatar_url=f"https://cdn.discordapp.com/avatars/{user_id}/{avatar}.png" if avatar else "",
                         email=text_of(raw, "email") if raw.get("verified") is True else "")
