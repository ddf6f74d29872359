"""GitLab (gitlab.com, or a self-managed instance through the configured URLs); the email once confirmed."""

from __future__ import annotations

from datetime import datetime

from shared.accounts.oauth2.provider import AuthUser, OAuth2Provider, OAuth2Token, ProviderError, register, text_of


@register("gitlab")
class GitLab(OAuth2Provider):
    display_name = "GitLab"
    order = 8
    scopes = ("read_user",)
    auth_url = "https://gitlab.com/oauth/authorize"
    token_url = "https://gitlab.com/oauth/token"
    user_info_url = "https://gitlab.com/api/v4/user"

    def fetch_user(self, token: OAuth2Token, nonce: str) -> AuthUser:
        raw = self.user_info(token)
        user_id = raw.get("id")
        if not isinstance(user_id, int) or isinstance(user_id, bool):
            raise ProviderError("the GitLab profile has no numeric id")
        return self.user(token, raw, id=str(user_id), name=text_of(raw, "name"), username=text_of(raw, "username"),
                         avatar_url=text_of(raw, "avatar_url"),
                         email=text_of(raw, "email") if _confirmed(text_of(raw, "confirmed_at")) else "")


def _confirmed(stamp: str) -> bool:
    try:
        return bool(stamp) and datetime.fromisoformat(stamp.replace("Z", "+00:00")).year > 1
    except ValueError:
        return False
