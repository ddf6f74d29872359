"""The secrets of a TOTP factor, pure: RFC 6238 codes with a ±1 step window, recovery codes and device tokens.

Recovery codes and device tokens are stored as plain SHA-256, not a password hash: each carries 80 (recovery)
or 256 (device) random bits, so guessing one from its hash is out of reach without a slow hash (ASVS 6.5.2).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

import pyotp

DIGITS = 6
PERIOD_S = 30
# ±1 step tolerates 30 s of clock drift or a code typed as it turns (RFC 6238 §5.2); wider only helps guessing.
WINDOW_STEPS = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read off paper
_RECOVERY_GROUPS, _RECOVERY_GROUP_LEN = 4, 4  # 16 symbols of 5 bits: 80 bits
_CODE = re.compile(rf"\d{{{DIGITS}}}")


def new_secret() -> str:
    """A new base32 secret of 160 bits (RFC 4226's recommended length for HMAC-SHA1)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, issuer: str, account: str) -> str:
    """The `otpauth://totp/...` URI that authenticator apps scan."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD_S).provisioning_uri(name=account, issuer_name=issuer)


def step_at(now: float) -> int:
    """The RFC 6238 time step (counter) of a moment."""
    return int(now) // PERIOD_S


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD_S).generate_otp(step)


def is_code_shaped(code: str) -> bool:
    return bool(_CODE.fullmatch(code))


def matching_step(secret: str, code: str, now: float) -> int | None:
    """The latest step within the window whose code is `code`, or None; every step is compared in constant time
    whether or not an earlier one matched, so timing does not tell which one did."""
    if not is_code_shaped(code):
        return None
    current = step_at(now)
    matched: int | None = None
    for step in range(current - WINDOW_STEPS, current + WINDOW_STEPS + 1):
        if hmac.compare_digest(code_at(secret, step), code):
            matched = step
    return matched


def new_recovery_codes() -> list[str]:
    """Ten codes such as `K7QM-2XHP-9TRC-VB4N`, shown once."""
    return ["-".join("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_GROUP_LEN))
                     for _ in range(_RECOVERY_GROUPS)) for _ in range(RECOVERY_CODE_COUNT)]


def normalise_recovery_code(code: str) -> str:
    """The form a recovery code is hashed under: case, spaces and dashes do not matter."""
    return re.sub(r"[\s-]", "", code).upper()


def is_recovery_shaped(code: str) -> bool:
    plain = normalise_recovery_code(code)
    return len(plain) == _RECOVERY_GROUPS * _RECOVERY_GROUP_LEN and all(c in _RECOVERY_ALPHABET for c in plain)


def recovery_hash(code: str) -> str:
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()


def new_device_token() -> str:
    return secrets.token_urlsafe(32)


def device_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
