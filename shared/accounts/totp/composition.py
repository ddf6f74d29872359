"""The process-wide TOTP service: the system table, the TOTP KMS key and the accounts' sign-in throttle."""

from __future__ import annotations

from functools import lru_cache

from shared.accounts.collaborators import accounts
from shared.accounts.totp.service import TotpService
from shared.accounts.totp.settings import TotpSettings
from shared.app_settings.secrets import KmsSecretCipher
from shared.auth.errors import AuthConfigurationError
from shared.auth.totp_repository import get_totp_repository


@lru_cache(maxsize=1)
def totp_service() -> TotpService:
    config = TotpSettings()
    if not config.totp_key:
        # CDK hands the key to the auth function, as does the local stack; a secret is never kept in clear.
        raise AuthConfigurationError("LB_TOTP_KEY is not set: TOTP secrets cannot be sealed or opened")
    components = accounts()
    return TotpService(get_totp_repository(components.config.system_table), KmsSecretCipher(config.totp_key),
                       components.throttle, config)
