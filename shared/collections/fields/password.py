"""The "password" field: stored only as an argon2id hash and never serialised."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from shared.collections.coerce import to_string
from shared.collections.field_errors import FieldError
from shared.collections.fields.base import (
    BaseField,
    SettingsContext,
    check_bounds,
    check_regex,
    is_blank_text,
    run_checks,
)

if TYPE_CHECKING:
    from argon2 import PasswordHasher

# bcrypt's 72 byte input limit made PocketBase cap passwords at 71; kept for identical validation
DEFAULT_PASSWORD_MAX = 71
BCRYPT_MIN_COST, BCRYPT_MAX_COST = 4, 31


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    # imported lazily: argon2 is only needed by requests that touch passwords
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(plain: str) -> str:
    """An argon2id hash (argon2-cffi defaults) of the plain password."""
    return _hasher().hash(plain)


def verify_password(password_hash: str, plain: str) -> bool:
    """Whether plain matches the stored hash; false for empty or malformed hashes."""
    if not password_hash or not plain:
        return False
    from argon2.exceptions import Argon2Error, InvalidHashError

    try:
        return _hasher().verify(password_hash, plain)
    except (Argon2Error, InvalidHashError):
        return False


class PasswordField(BaseField):
    """PocketBase's PasswordField. `cost` is kept for wire compatibility; hashing uses argon2id."""

    type: Literal["password"] = "password"
    pattern: str = ""
    min: int = 0
    max: int = 0
    cost: int = 0
    required: bool = False

    def normalize(self, raw: Any) -> str:
        """The submitted plain password as text."""
        return to_string(raw)

    def from_stored(self, stored: Any) -> str:
        """Stored values are hashes, returned untouched."""
        return stored if isinstance(stored, str) else ""

    def validate(self, value: Any, *, is_new: bool) -> None:  # type: ignore[override]
        """Validate a newly submitted plain password (unchanged passwords are not re-validated)."""
        if is_blank_text(value, required=self.required):
            return
        length = len(value)
        if length < self.min:
            raise FieldError("validation_min_text_constraint", f"Must be at least {self.min} character(s)")
        limit = self.max if self.max > 0 else DEFAULT_PASSWORD_MAX
        if length > limit:
            raise FieldError("validation_max_text_constraint", f"Must be less than {limit} character(s)")
        if self.pattern:
            import re

            if not re.search(self.pattern, value):
                raise FieldError("validation_invalid_format", "Invalid value format")

    def validate_options(self, context: SettingsContext, errors: dict[str, FieldError]) -> None:
        run_checks(errors, "min", lambda: check_bounds(self.min, 1, DEFAULT_PASSWORD_MAX))
        run_checks(errors, "max", lambda: check_bounds(self.max, self.min, DEFAULT_PASSWORD_MAX))
        run_checks(errors, "cost", lambda: check_bounds(self.cost, BCRYPT_MIN_COST, BCRYPT_MAX_COST))
        run_checks(errors, "pattern", lambda: check_regex(self.pattern))
