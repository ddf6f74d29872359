"""TOTP secrets sealed at rest: KMS `Encrypt` under the TOTP key, bound to their record by the encryption context.

An auth function instance may check codes of any number of records, so it remembers at most `OPENED_CACHE`
opened secrets (least recently used first out): a code check costs a KMS `Decrypt` only the first time an
instance sees a record's ciphertext.
"""

from __future__ import annotations

from shared.app_settings.secrets import KmsSecretCipher
from shared.auth.errors import AuthStorageError

OPENED_CACHE = 2048  # a 32-character secret and its ciphertext: well under a megabyte in all


def totp_cipher(key_id: str) -> KmsSecretCipher:
    """The KMS cipher of TOTP secrets under `key_id`; a KMS failure is the auth storage error (503)."""
    return KmsSecretCipher(key_id, error=AuthStorageError, label="totp secret", remember=OPENED_CACHE)
