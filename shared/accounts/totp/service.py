"""TOTP factors of auth records: enrol, confirm, verify (replay-safe, throttled), remember devices, disable.

No HTTP here and no access checks: shared/accounts/totp/flow.py decides who may act on which record. Every code
attempt passes the sign-in throttle first, under the identity `totp#<recordId>` of the record's collection, so
guessing codes gets PocketBase's 429 with Retry-After exactly as guessing passwords does.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

import msgspec

from shared.accounts.totp import codes
from shared.accounts.totp.settings import TotpSettings
from shared.app_settings.errors import SettingsStorageError
from shared.app_settings.secrets import SecretCipher
from shared.auth.errors import AuthStorageError
from shared.auth.throttle import SignInThrottle
from shared.auth.totp_repository import PendingTotp, RememberedDevice, TotpEnrolment, TotpRepository
from shared.errors import BadRequestError, TooManyRequestsError, field_error
from shared.observability import logger

INVALID_CODE = "Invalid or expired code."
ALREADY_ENABLED = "TOTP is already enabled for this record; disable it first."
NOT_PENDING = "There is no TOTP enrolment to confirm; start one first."
NOT_ENABLED = "TOTP is not enabled for this record."


def invalid_code() -> BadRequestError:
    """One answer for a wrong, expired, replayed or used code: which of them it was would help an attacker."""
    return BadRequestError(INVALID_CODE, {"code": field_error("validation_invalid_code", INVALID_CODE)})


def throttle_identity(record_id: str) -> str:
    """The sign-in throttle's identity of a record's TOTP attempts (what `clear-sign-in-failures` takes too)."""
    return f"totp#{record_id}"


def _context(collection_id: str, record_id: str) -> str:
    """KMS encryption context of a record's secret: a ciphertext copied to another record does not open."""
    return f"totp:{collection_id}:{record_id}"


class Enrolment(msgspec.Struct, frozen=True):
    """What an enrolment hands out, once: the secret, its `otpauth://` URI, and when it must be confirmed by."""

    secret: str
    uri: str
    expires_at: int


class Status(msgspec.Struct, frozen=True):
    enabled: bool
    pending: bool
    recovery_codes_left: int
    remembered_devices: int
    enabled_at: int | None


class TotpService:
    """The TOTP factors of every auth collection, over one repository, cipher and throttle."""

    def __init__(self, repository: TotpRepository, cipher: SecretCipher, throttle: SignInThrottle,
                 config: TotpSettings | None = None, clock: Callable[[], float] = time.time) -> None:
        self._repo = repository
        self._cipher = cipher
        self._throttle = throttle
        self._config = config or TotpSettings()
        self._clock = clock

    @property
    def config(self) -> TotpSettings:
        return self._config

    def enrolment(self, collection_id: str, record_id: str) -> TotpEnrolment | None:
        """The record's confirmed factor, or None."""
        return self._repo.active(collection_id, record_id)

    def status(self, collection_id: str, record_id: str) -> Status:
        active = self._repo.active(collection_id, record_id)
        pending = self._repo.pending(collection_id, record_id)
        now = int(self._clock())
        if active is None:
            return Status(enabled=False, pending=pending is not None and pending.expires_at > now,
                          recovery_codes_left=0, remembered_devices=0, enabled_at=None)
        devices = [d for d in self._repo.devices(active) if d.expires_at > now]
        return Status(enabled=True, pending=False, recovery_codes_left=self._repo.recovery_codes_left(active),
                      remembered_devices=len(devices), enabled_at=active.enabled_at)

    def enrol(self, collection_id: str, record_id: str, *, issuer: str, account: str) -> Enrolment:
        """A new pending secret (replacing any earlier pending one); nothing changes until it is confirmed."""
        if self._repo.active(collection_id, record_id) is not None:
            raise BadRequestError(ALREADY_ENABLED)
        secret = codes.new_secret()
        expires_at = int(self._clock()) + self._config.totp_enrolment_ttl_s
        self._repo.put_pending(PendingTotp(collection_id=collection_id, record_id=record_id,
                                           enrolment_id=secrets.token_hex(8), sealed_secret=self._seal(
                                               secret, collection_id, record_id), expires_at=expires_at))
        return Enrolment(secret=secret, uri=codes.provisioning_uri(secret, issuer, account), expires_at=expires_at)

    def confirm(self, collection_id: str, record_id: str, code: str, ip: str = "") -> list[str]:
        """Activate the pending secret with a valid code of it; the recovery codes, shown this once."""
        if self._repo.active(collection_id, record_id) is not None:
            raise BadRequestError(ALREADY_ENABLED)
        pending = self._repo.pending(collection_id, record_id)
        now = self._clock()
        if pending is None or pending.expires_at <= now:
            raise BadRequestError(NOT_PENDING)
        attempt = self._begin(collection_id, record_id, ip)
        step = codes.matching_step(self._open(pending.sealed_secret, collection_id, record_id), code, now)
        if step is None:
            self._throttle.failed(attempt)
            raise invalid_code()
        recovery = codes.new_recovery_codes()
        # The confirming code's step becomes the last accepted one, so it cannot sign in a second time.
        if not self._repo.activate(pending, step, int(now), [codes.recovery_hash(c) for c in recovery]):
            raise BadRequestError(NOT_PENDING)  # confirmed by a parallel request, or replaced by a new enrolment
        self._throttle.succeeded(attempt)
        logger.info("totp enabled", extra={"collection_id": collection_id, "record_id": record_id})
        return recovery

    def verify(self, collection_id: str, record_id: str, code: str, ip: str = "") -> TotpEnrolment:
        """Accept a current TOTP code (once per step, and only a later step than the last) or an unused recovery
        code of the record's factor; the enrolment it unlocked. 400 otherwise, 429 when throttled."""
        enrolment = self._repo.active(collection_id, record_id)
        attempt = self._begin(collection_id, record_id, ip)
        if enrolment is None or not self._accepts(enrolment, code):
            self._throttle.failed(attempt)
            logger.info("totp code rejected", extra={"collection_id": collection_id, "record_id": record_id,
                                                     "enrolled": enrolment is not None})
            raise invalid_code()
        self._throttle.succeeded(attempt)
        return enrolment

    def _accepts(self, enrolment: TotpEnrolment, code: str) -> bool:
        if codes.is_recovery_shaped(code):
            used = self._repo.use_recovery_code(enrolment, codes.recovery_hash(code))
            if used:
                logger.warning("totp recovery code used", extra={
                    "collection_id": enrolment.collection_id, "record_id": enrolment.record_id,
                    "left": self._repo.recovery_codes_left(enrolment)})
            return used
        secret = self._open(enrolment.sealed_secret, enrolment.collection_id, enrolment.record_id)
        step = codes.matching_step(secret, code, self._clock())
        # A conditional write, not a read-then-check: two parallel uses of one code cannot both pass.
        return step is not None and self._repo.advance_step(enrolment, step)

    def disable(self, collection_id: str, record_id: str, code: str | None, ip: str = "") -> None:
        """Drop the factor, its recovery codes and remembered devices; `code` None only for a superuser reset."""
        enrolment = self._repo.active(collection_id, record_id)
        if enrolment is None:
            raise BadRequestError(NOT_ENABLED)
        if code is not None:
            enrolment = self.verify(collection_id, record_id, code, ip)
        if not self._repo.disable(enrolment):
            raise BadRequestError(NOT_ENABLED)  # disabled (or re-enrolled) by a parallel request
        logger.info("totp disabled", extra={"collection_id": collection_id, "record_id": record_id,
                                            "with_code": code is not None})

    def remember_device(self, enrolment: TotpEnrolment) -> str | None:
        """A new device token for this factor, valid `totp_remember_device_days`; None when that is 0 (off)."""
        days = self._config.totp_remember_device_days
        if days <= 0:
            return None
        token = codes.new_device_token()
        now = int(self._clock())
        self._repo.put_device(RememberedDevice(collection_id=enrolment.collection_id, record_id=enrolment.record_id,
                                               enrolment_id=enrolment.enrolment_id,
                                               token_hash=codes.device_hash(token), created=now,
                                               expires_at=now + days * 86_400))
        return token

    def device_remembered(self, enrolment: TotpEnrolment, token: Any) -> bool:
        """Whether this token is a live remembered device of this very factor (so of this record)."""
        if not isinstance(token, str) or not token or len(token) > 256:
            return False
        device = self._repo.device(enrolment, codes.device_hash(token))
        return device is not None and device.expires_at > self._clock()

    def forget_devices(self, collection_id: str, record_id: str) -> None:
        """Every remembered device of the record's factor needs the second factor again."""
        enrolment = self._repo.active(collection_id, record_id)
        if enrolment is None:
            raise BadRequestError(NOT_ENABLED)
        self._repo.forget_devices(enrolment)

    def forget(self, collection_id: str, record_id: str) -> None:
        """The record is gone: so is its factor."""
        self._repo.delete_all(collection_id, record_id)

    def _begin(self, collection_id: str, record_id: str, ip: str) -> Any:
        try:
            return self._throttle.begin_attempt(collection_id, throttle_identity(record_id), ip)
        except TooManyRequestsError:
            logger.warning("totp attempts throttled", extra={"collection_id": collection_id, "record_id": record_id,
                                                             "ip": ip})
            raise

    def _seal(self, secret: str, collection_id: str, record_id: str) -> str:
        try:
            return self._cipher.encrypt(secret, _context(collection_id, record_id))
        except SettingsStorageError as exc:
            raise AuthStorageError() from exc

    def _open(self, sealed: str, collection_id: str, record_id: str) -> str:
        try:
            return self._cipher.decrypt(sealed, _context(collection_id, record_id))
        except SettingsStorageError as exc:
            raise AuthStorageError() from exc
