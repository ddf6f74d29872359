"""GitHub: an OAuth app's code flow; the email is the primary one, and only once GitHub has verified it."""

from __future__ import annotations

from typing import Any

from shared.accounts.oauth2.provider import AuthUser, OAuth2Provider, OAuth2Token, ProviderError, register, text_of


@register("github")
class GitHub(OAuth2Provider):
    display_name = "GitHub"
    order = 7
    scopes = ("read:user", "user:email")
    auth_url = "https://github.com/login/oauth/authorize"
    token_url = "https://github.com/login/oauth/access_token"
    user_info_url = "https://api.github.com/user"
    client_auth = "post"  # GitHub documents client_id and client_secret as body parameters

    def fetch_user(self, token: OAuth2Token, nonce: str) -> AuthUser:
        raw = self.user_info(token)
        user_id = raw.get("id")
        if not isinstance(user_id, int) or isinstance(user_id, bool):
            raise ProviderError("the GitHub profile has no numeric id")
        return self.user(token, raw, id=str(user_id), name=text_of(raw, "name"), username=text_of(raw, "login"),
                         avatar_url=text_of(raw, "avatar_url"), email=self._verified_primary_email(token))

    def _verified_primary_email(self, token: OAuth2Token) -> str:
        """GET /user/emails (scope user:email); none without the scope, as PocketBase reads a 401/403/404."""
        from shared.accounts.oauth2.outbound import OutboundError, ProviderAnswerError

        try:
            emails: Any = self.outbound.get_json(self.user_info_endpoint() + "/emails",
                                                 {"authorization": f"Bearer {token.access_token}"})
        except ProviderAnswerError as exc:
            if exc.status in (401, 403, 404):
                return ""
            raise ProviderError(f"GitHub emails request failed: {exc}") from exc
        except OutboundError as exc:
            raise ProviderError(f"GitHub emails request failed: {exc}") from exc
        for entry in emails if isinstance(emails, list) else []:
            if isinstance(entry, dict) and entry.get("verified") is True and entry.get("primary") is True:
                return text_of(entry, "email")
        return ""
