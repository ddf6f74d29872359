"""Each provider maps its documented profile to PocketBase's AuthUser: ids, names, avatars, and an email only
when the provider vouches for it; Apple's user is its verified id_token, and its client secret an ES256 JWT."""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from shared.accounts.oauth2.apple_secret import apple_client_secret
from shared.accounts.oauth2.outbound import Outbound, ProviderAnswerError
from shared.accounts.oauth2.provider import OAuth2Token, ProviderError
from shared.accounts.oauth2.providers import catalogue
from shared.collections.model import OAuth2ProviderConfig
from shared.errors import BadRequestError

TOKEN = OAuth2Token(access_token="at", refresh_token="rt", id_token="")


class CannedOutbound(Outbound, frozen=True):
    """Answers each URL with a canned JSON body (or an error status), and records what was asked."""

    answers: dict[str, Any] = {}
    calls: list[tuple[str, str, Any]] = []

    def get_json(self, url: str, headers: dict[str, str] | None = None) -> Any:
        self.calls.append(("GET", url, headers or {}))
        answer = self.answers[url]
        if isinstance(answer, int):
            raise ProviderAnswerError(answer, {}, f"GET {url} answered {answer}.")
        return answer

    def post_form(self, url: str, form: dict[str, str], headers: dict[str, str] | None = None) -> Any:
        self.calls.append(("POST", url, form))
        return self.answers[url]


def provider(name: str, answers: dict[str, Any], **config: Any) -> Any:
    settings = OAuth2ProviderConfig(name=name, client_id="cid", client_secret="secret", **config)
    return catalogue()[name](settings, CannedOutbound(1, False, answers))


def test_the_catalogue_knows_the_issues_providers() -> None:
    assert {"github", "google", "microsoft", "apple", "gitlab", "discord", "oidc", "oidc2", "oidc3"} <= \
        set(catalogue())


def test_gitlab_email_only_once_confirmed() -> None:
    url = "https://gitlab.com/api/v4/user"
    profile = {"id": 42, "username": "gl", "name": "Git Lab", "email": "gl@example.com",
               "avatar_url": "https://gitlab.example/a.png", "confirmed_at": "2020-01-01T10:00:00.000Z"}
    user = provider("gitlab", {url: profile}).fetch_user(TOKEN, "")
    assert (user.id, user.username, user.name, user.email, user.avatar_url) == (
        "42", "gl", "Git Lab", "gl@example.com", "https://gitlab.example/a.png")
    unconfirmed = provider("gitlab", {url: {**profile, "confirmed_at": None}}).fetch_user(TOKEN, "")
    assert unconfirmed.email == ""


@pytest.mark.parametrize(("profile", "name", "avatar"), [
    ({"id": "80351110224678912", "username": "nelly", "global_name": "Nelly",
      "avatar": "8342729096ea3675442027381ff50dfe", "discriminator": "0", "email": "nelly@example.com",
      "verified": True}, "Nelly",
     "https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png"),
    ({"id": "1", "username": "old", "discriminator": "1337", "avatar": None, "email": "o@example.com",
      "verified": False}, "old#1337", ""),
])
def test_discord_names_avatars_and_verified_email(profile: dict[str, Any], name: str, avatar: str) -> None:
    user = provider("discord", {"https://discord.com/api/users/@me": profile}).fetch_user(TOKEN, "")
    assert (user.name, user.avatar_url) == (name, avatar)
    assert user.email == (profile["email"] if profile["verified"] else "")


def test_microsoft_mail_by_default_and_id_token_claim_on_request() -> None:
    url = "https://graph.microsoft.com/v1.0/me"
    me = {"id": "ms-1", "displayName": "Mona", "mail": "mona@contoso.example"}
    assert provider("microsoft", {url: me}).fetch_user(TOKEN, "").email == "mona@contoso.example"
    id_token = jwt.encode({"verified_primary_email": ["x"], "email": "mona@verified.example", "xms_edov": True},
                          "k" * 32, algorithm="HS256")
    chosen = provider("microsoft", {url: me}, extra={"idTokenEmailClaim": "email_and_xms_edov"})
    assert "openid" in chosen.scope_list()
    user = chosen.fetch_user(OAuth2Token(access_token="at", id_token=id_token), "")
    assert (user.id, user.name, user.email) == ("ms-1", "Mona", "mona@verified.example")


def test_github_without_the_email_scope_has_no_email() -> None:
    answers = {"https://api.github.com/user": {"id": 7, "login": "octo", "name": None, "avatar_url": "a"},
               "https://api.github.com/user/emails": 404}
    user = provider("github", answers).fetch_user(TOKEN, "")
    assert (user.id, user.username, user.name, user.email) == ("7", "octo", "", "")


def test_a_profile_without_an_id_is_refused() -> None:
    with pytest.raises(ProviderError):
        provider("google", {"https://www.googleapis.com/oauth2/v3/userinfo": {"email": "x@example.com"}}
                 ).fetch_user(TOKEN, "")


def apple_key() -> tuple[Any, dict[str, Any]]:
    key = ec.generate_private_key(ec.SECP256R1())
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    return key, {**public, "kid": "apple1", "use": "sig", "alg": "ES256"}


def test_apple_user_is_its_verified_id_token() -> None:
    key, jwk = apple_key()
    now = int(time.time())
    claims = {"iss": "https://appleid.apple.com", "aud": "cid", "sub": "001.apple", "iat": now, "exp": now + 600,
              "email": "a@privaterelay.appleid.com", "email_verified": "true"}
    id_token = jwt.encode(claims, key, algorithm="ES256", headers={"kid": "apple1"})
    apple = provider("apple", {"https://appleid.apple.com/auth/keys": {"keys": [jwk]}})
    user = apple.fetch_user(OAuth2Token(access_token="at", id_token=id_token), "")
    assert (user.id, user.email) == ("001.apple", "a@privaterelay.appleid.com")
    # a token for another client is refused
    other = jwt.encode({**claims, "aud": "someone"}, key, algorithm="ES256", headers={"kid": "apple1"})
    with pytest.raises(ProviderError):
        apple.fetch_user(OAuth2Token(access_token="at", id_token=other), "")


def test_apple_client_secret_is_signed_from_the_team_key() -> None:
    # Given a team's P-256 key, When a superuser has the client secret made
    key, jwk = apple_key()
    from cryptography.hazmat.primitives import serialization

    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    secret = apple_client_secret({"clientId": "cid", "teamId": "TEAM123456", "keyId": "KEY1234567",
                                  "privateKey": pem, "duration": 3600})
    # Then Apple's claims, signed ES256 with the key's id, valid for the duration
    claims = jwt.decode(secret, jwt.PyJWK(jwk).key, algorithms=["ES256"], audience="https://appleid.apple.com")
    assert (claims["iss"], claims["sub"], jwt.get_unverified_header(secret)["kid"]) == ("TEAM123456", "cid",
                                                                                        "KEY1234567")
    assert claims["exp"] - claims["iat"] == 3600
    assert "form_post" in provider("apple", {}).build_auth_url("st", "ch", "n")


@pytest.mark.parametrize(("body", "codes"), [
    ({}, {"clientId": "validation_required", "duration": "validation_required", "keyId": "validation_required",
          "privateKey": "validation_required", "teamId": "validation_required"}),
    ({"clientId": "c", "teamId": "short", "keyId": "KEY1234567", "privateKey": "nope", "duration": 99999999},
     {"teamId": "validation_length_invalid", "privateKey": "validation_match_invalid",
      "duration": "validation_max_less_equal_than_required"}),
])
def test_apple_client_secret_form_is_validated_as_pocketbase(body: dict[str, Any], codes: dict[str, str]) -> None:
    with pytest.raises(BadRequestError) as raised:
        apple_client_secret(body)
    assert raised.value.message == "Invalid client secret data."
    assert {k: v["code"] for k, v in raised.value.data.items()} == codes


def test_a_key_that_does_not_load_is_a_400_without_its_text() -> None:
    pem = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS10ZXh0\n-----END PRIVATE KEY-----"
    with pytest.raises(BadRequestError) as raised:
        apple_client_secret({"clientId": "c", "teamId": "TEAM123456", "keyId": "KEY1234567", "privateKey": pem,
                             "duration": 60})
    assert raised.value.message.startswith("Failed to generate client secret. Raw error: \n")
    assert "c2VjcmV0" not in raised.value.message


def test_discovery_names_the_endpoints_and_must_be_the_issuers() -> None:
    issuer = "https://sso.example.com/realms/staff"
    well_known = issuer + "/.well-known/openid-configuration"
    doc = {"issuer": issuer, "authorization_endpoint": issuer + "/auth", "token_endpoint": issuer + "/token",
           "userinfo_endpoint": issuer + "/me", "jwks_uri": issuer + "/certs"}
    oidc = provider("oidc", {well_known: doc}, extra={"issuer": issuer})
    assert oidc.build_auth_url("st", "ch", "n").startswith(issuer + "/auth?client_id=cid&")
    assert "&nonce=n&" in oidc.build_auth_url("st", "ch", "n")
    # a document naming another issuer (a mix-up) is refused, and the refusal is remembered a while
    other = "https://evil.example.com"
    answers: dict[str, Any] = {other + "/.well-known/openid-configuration": {**doc, "issuer": issuer}}
    mixed = provider("oidc", answers, extra={"issuer": other})
    for _ in range(2):
        with pytest.raises(ProviderError):
            mixed.authorization_endpoint()
    assert len(mixed.outbound.calls) == 1
