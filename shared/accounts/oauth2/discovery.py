"""The providers part of `auth-methods`: each configured provider with a fresh state and PKCE pair (S256, always)
and its authorization URL, as PocketBase answers them."""

from __future__ import annotations

import secrets
import string
from typing import Any

from shared.accounts.oauth2.outbound import Outbound
from shared.accounts.oauth2.provider import OAuth2Provider, ProviderError, nonce_for, s256_challenge
from shared.accounts.oauth2.providers import catalogue
from shared.collections.model import OAuth2ProviderConfig
from shared.observability import logger

_ALPHABET = string.ascii_letters + string.digits
STATE_LENGTH = 30  # PocketBase's; 178 bits
VERIFIER_LENGTH = 43  # RFC 7636's minimum, 256 bits of this alphabet


def random_text(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def provider_of(config: OAuth2ProviderConfig, outbound: Outbound) -> OAuth2Provider | None:
    """The provider this configuration names, or None for a name no module registers."""
    cls = catalogue().get(config.name)
    return cls(config, outbound) if cls else None


def provider_infos(configs: list[OAuth2ProviderConfig], outbound: Outbound) -> list[dict[str, Any]]:
    """One entry per usable provider, in the configured order; one that cannot be set up is left out (logged),
    as PocketBase skips a provider it fails to initialise."""
    infos = []
    for config in configs:
        provider = provider_of(config, outbound)
        if provider is None:
            continue
        state, verifier = random_text(STATE_LENGTH), random_text(VERIFIER_LENGTH)
        challenge = s256_challenge(verifier)
        try:
            url = provider.build_auth_url(state, challenge, nonce_for(verifier))
        except ProviderError as exc:
            logger.warning("OAuth2 provider left out of auth-methods", extra={"provider": config.name,
                                                                              "error": str(exc)})
            continue
        infos.append({"name": config.name, "displayName": provider.label(), "logo": provider.logo(),
                      "state": state, "authURL": url, "authUrl": url, "codeVerifier": verifier,
                      "codeChallenge": challenge, "codeChallengeMethod": "S256"})
    return infos
