"""TOTP secrets sealed at rest: KMS `Encrypt` under the TOTP key, bound to their record by the encryption context.

The settings' `KmsSecretCipher` remembers every secret it opened, fine for a handful of settings secrets; an
auth function instance may check codes of any number of records, so this one keeps at most `OPENED_CACHE` of
them (least recently used first out): a code check costs a KMS `Decrypt` only the first time an instance sees a
record's ciphertext.
"""

from __future__ import annotations

import base64
import threading
from collections import OrderedDict

from botocore.exceptions import BotoCoreError, ClientError

from shared import aws
from shared.app_settings.secrets import SecretCipher
from shared.auth.errors import AuthStorageError
from shared.observability import logger

CIPHERTEXT_PREFIX = "kms:"
OPENED_CACHE = 2048  # a 32-character secret and its ciphertext: well under a megabyte in all


class KmsTotpCipher(SecretCipher):
    """KMS Encrypt/Decrypt under one symmetric key; `field` is the encryption context, so a ciphertext copied onto
    another record does not open."""

    def __init__(self, key_id: str) -> None:
        self._key_id = key_id
        self._opened: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def encrypt(self, plaintext: str, field: str) -> str:
        try:
            blob = aws.client("kms").encrypt(KeyId=self._key_id, Plaintext=plaintext.encode(),
                                             EncryptionContext={"field": field})["CiphertextBlob"]
        except (ClientError, BotoCoreError) as exc:
            logger.warning("totp secret not sealed", extra={"error": str(exc)})
            raise AuthStorageError() from exc
        return CIPHERTEXT_PREFIX + base64.b64encode(blob).decode()

    def decrypt(self, ciphertext: str, field: str) -> str:
        key = (ciphertext, field)
        with self._lock:
            if key in self._opened:
                self._opened.move_to_end(key)
                return self._opened[key]
        try:
            blob = base64.b64decode(ciphertext.removeprefix(CIPHERTEXT_PREFIX))
            # No KeyId: a symmetric ciphertext names its key, so a rotated key still opens it.
            plain = aws.client("kms").decrypt(CiphertextBlob=blob, EncryptionContext={"field": field})["Plaintext"]
        except (ClientError, BotoCoreError, ValueError) as exc:
            logger.warning("totp secret not opened", extra={"error": str(exc)})
            raise AuthStorageError() from exc
        text = bytes(plain).decode()
        with self._lock:
            self._opened[key] = text
            while len(self._opened) > OPENED_CACHE:
                self._opened.popitem(last=False)
        return text
