"""The process-wide TOTP service: the system table, the TOTP KMS key and the accounts' sign-in throttle."""

from __future__ import annotations

from functools import lru_cache

from shared.accounts.collaborators import accounts
from shared.accounts.totp.sealing import totp_cipher
from shared.accounts.totp.service import TotpService
from shared.accounts.totp.settings import TotpSettings
from shared.app_settings.secrets import SecretCipher
from shared.auth.errors import AuthConfigurationError
from shared.auth.totp_repository import get_totp_repository


class MissingKeyCipher(SecretCipher):
    """Where LB_TOTP_KEY is not set: whether a record has TOTP can still be read (every sign-in asks), but no
    secret is ever sealed or opened without the key."""

    def encrypt(self, plaintext: str, field: str) -> str:
        raise AuthConfigurationError("LB_TOTP_KEY is not set: TOTP secrets cannot be sealed")

    def decrypt(self, ciphertext: str, field: str) -> str:
        raise AuthConfigurationError("LB_TOTP_KEY is not set: TOTP secrets cannot be opened")


@lru_cache(maxsize=1)
def totp_service() -> TotpService:
    config = TotpSettings()
    components = accounts()
    # CDK hands the key to the auth function only, as does the local stack; a secret is never kept in clear.
    cipher: SecretCipher = totp_cipher(config.totp_key) if config.totp_key else MissingKeyCipher()
    return TotpService(get_totp_repository(components.config.system_table), cipher, components.throttle, config)
