"""OAuth2 client secrets sealed at rest: encrypted with KMS (the `oauth2` key) whenever a collection is stored,
decrypted only by the auth function, at the sign-in that needs one.

The collections function may only encrypt and the auth function only decrypt (shared/resources.py), so neither
the collections API nor any other function can read a secret back; answers never carry it either
(`Collection.to_api_json`). The encryption context names the collection and the provider, so a ciphertext copied
into another collection or provider does not decrypt. The cipher is `shared.app_settings.secrets`' KMS one.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Protocol

from shared.collections.model import Collection, OAuth2ProviderConfig
from shared.tools.env_settings import EnvSettings

SEALED_PREFIX = "kms:"


class OAuth2SecretsKey(EnvSettings):
    """The KMS key of OAuth2 client secrets (LB_OAUTH2_KEY), set for the functions granted `kms` on it."""

    oauth2_key: str | None = None


class Cipher(Protocol):
    def encrypt(self, plaintext: str, field: str) -> str: ...

    def decrypt(self, ciphertext: str, field: str) -> str: ...


class UnsealableSecretError(Exception):
    """A sealed client secret this function cannot decrypt (no key grant, or a ciphertext of another field)."""


@cache
def _cipher(key_id: str) -> Cipher:
    from shared.app_settings.secrets import KmsSecretCipher

    return KmsSecretCipher(key_id)


def default_cipher() -> Cipher | None:
    key = OAuth2SecretsKey().oauth2_key
    return _cipher(key) if key else None


def _field(collection_id: str, provider: str) -> str:
    return f"oauth2.{collection_id}.{provider}.clientSecret"


def sealed_storage_json(collection: Collection, cipher: Cipher | None) -> dict[str, Any]:
    """The collection's storage JSON with every clear client secret encrypted (sealed ones are kept as they are).

    Without a cipher (a function with no grant re-saving what it read) clear secrets could only come from a
    collection saved before sealing existed; they are stored as they were rather than lost.
    """
    data = collection.to_storage_json()
    if not collection.is_auth or cipher is None:
        return data
    for provider in data["oauth2"]["providers"]:
        secret = provider.get("clientSecret") or ""
        if secret and not secret.startswith(SEALED_PREFIX):
            provider["clientSecret"] = cipher.encrypt(secret, _field(collection.id, provider["name"]))
    return data


def unsealed(collection_id: str, config: OAuth2ProviderConfig, cipher: Cipher | None) -> OAuth2ProviderConfig:
    """The provider configuration with its client secret in clear, for the token request only."""
    secret = config.client_secret
    if not secret.startswith(SEALED_PREFIX):
        return config
    if cipher is None:
        raise UnsealableSecretError("this function holds no grant on the OAuth2 secrets key")
    try:
        plain = cipher.decrypt(secret, _field(collection_id, config.name))
    except Exception as exc:  # the cipher's storage error: KMS refused, or the context does not match
        raise UnsealableSecretError(str(exc)) from exc
    return config.model_copy(update={"client_secret": plain})
