"""The settings' secret values (SMTP password, S3 secrets): which they are, and how they are encrypted at rest.

Each secret is encrypted on its own with KMS `Encrypt` under the deployment's settings key (moto's KMS on the
local stack), not with envelope encryption: a secret is a few dozen bytes, far under KMS's 4 KB limit, so a data
key would add a second ciphertext and a local AES step for nothing. A save costs one KMS call per non-empty
secret; a load costs one `Decrypt` per secret whose ciphertext this instance has not seen yet (so once per cold
start, not once per cache refresh). The encryption context binds a ciphertext to its field: a ciphertext copied
into another field does not decrypt.
"""

from __future__ import annotations

import base64
import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from shared import aws
from shared.app_settings.errors import SettingsStorageError
from shared.observability import logger

# (section path, field) of every secret, by PocketBase's JSON names.
SECRET_FIELDS: tuple[tuple[str, ...], ...] = (("smtp", "password"), ("s3", "secret"), ("backups", "s3", "secret"),
                                              ("forms", "turnstile", "secret"), ("forms", "hcaptcha", "secret"))
CIPHERTEXT_PREFIX = "kms:"


def get_path(doc: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The value at `path`, or None where a section is missing (an item saved before the field existed)."""
    for key in path:
        if not isinstance(doc, dict) or key not in doc:
            return None
        doc = doc[key]
    return doc


def set_path(doc: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


class SecretCipher(ABC):
    """Turns a secret into text safe to store, and back; `field` is bound into the ciphertext."""

    @abstractmethod
    def encrypt(self, plaintext: str, field: str) -> str: ...

    @abstractmethod
    def decrypt(self, ciphertext: str, field: str) -> str: ...


class KmsSecretCipher(SecretCipher):
    """KMS Encrypt/Decrypt under one symmetric key; `field` is the encryption context, so a ciphertext copied into
    another field (or record) does not open. Opened values are remembered by ciphertext, at most `remember` of them
    (least recently used out), so a load costs a `Decrypt` only the first time an instance sees a ciphertext.

    `error` is the domain error a KMS failure raises, `label` names the secrets in logs: the settings', webhooks',
    OAuth2 client and TOTP secrets all seal through this one class.
    """

    def __init__(self, key_id: str, *, error: type[Exception] = SettingsStorageError,
                 label: str = "settings secret", remember: int = 4096) -> None:
        self._key_id = key_id
        self._error, self._label, self._remember = error, label, remember
        self._plain: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def encrypt(self, plaintext: str, field: str) -> str:
        try:
            blob = aws.client("kms").encrypt(KeyId=self._key_id, Plaintext=plaintext.encode(),
                                             EncryptionContext={"field": field})["CiphertextBlob"]
        except (ClientError, BotoCoreError) as exc:
            logger.warning(f"{self._label} not encrypted", extra={"error": str(exc)})
            raise self._error() from exc
        token = CIPHERTEXT_PREFIX + base64.b64encode(blob).decode()
        self._keep((token, field), plaintext)
        return token

    def decrypt(self, ciphertext: str, field: str) -> str:
        with self._lock:
            known = self._plain.get((ciphertext, field))
            if known is not None:
                self._plain.move_to_end((ciphertext, field))
                return known
        try:
            blob = base64.b64decode(ciphertext.removeprefix(CIPHERTEXT_PREFIX))
            # No KeyId: a symmetric ciphertext names its key, so a rotated or re-pointed key still decrypts.
            plain = aws.client("kms").decrypt(CiphertextBlob=blob, EncryptionContext={"field": field})["Plaintext"]
        except (ClientError, BotoCoreError, ValueError) as exc:
            logger.warning(f"{self._label} not decrypted", extra={"error": str(exc)})
            raise self._error() from exc
        text = bytes(plain).decode()
        self._keep((ciphertext, field), text)
        return text

    def _keep(self, key: tuple[str, str], text: str) -> None:
        with self._lock:
            self._plain[key] = text
            while len(self._plain) > self._remember:
                self._plain.popitem(last=False)


class ReversedSecretCipher(SecretCipher):
    """A fake for unit tests: reversible, unmistakably not the clear text, and no AWS."""

    def encrypt(self, plaintext: str, field: str) -> str:
        return "fake:" + base64.b64encode(f"{field}\x00{plaintext}".encode()[::-1]).decode()

    def decrypt(self, ciphertext: str, field: str) -> str:
        bound, _, plain = base64.b64decode(ciphertext.removeprefix("fake:"))[::-1].decode().partition("\x00")
        if bound != field:
            raise SettingsStorageError()
        return plain


def seal(doc: dict[str, Any], cipher: SecretCipher) -> dict[str, Any]:
    """A copy of the settings JSON with every non-empty secret encrypted."""
    import copy

    sealed = copy.deepcopy(doc)
    for path in SECRET_FIELDS:
        value = get_path(sealed, path)
        if value:
            set_path(sealed, path, cipher.encrypt(value, ".".join(path)))
    return sealed


def unseal(doc: dict[str, Any], cipher: SecretCipher | None) -> dict[str, Any]:
    """The settings JSON with its secrets decrypted; without a cipher (no key grant) they read as empty."""
    import copy

    clear = copy.deepcopy(doc)
    for path in SECRET_FIELDS:
        value = get_path(clear, path)
        if value:
            set_path(clear, path, cipher.decrypt(value, ".".join(path)) if cipher is not None else "")
    return clear
