"""The password policy applied to every new password of an auth record, and the strength meter endpoint."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from shared import settings
from shared.auth.passwords import PasswordPolicy, strength
from shared.auth.settings import PasswordRules
from shared.collections.coerce import to_string
from shared.collections.model import Collection

# Fields whose values a user's password must not be based on (ASVS 6.2.11 context words).
PERSONAL_FIELDS = ("email", "username", "name")


@lru_cache(maxsize=1)
def password_policy() -> PasswordPolicy:
    return PasswordPolicy(settings.load(PasswordRules))


def _personal_words(collection: Collection, body: Mapping[str, Any], existing: Mapping[str, Any] | None
                    ) -> list[str]:
    words = []
    for name in PERSONAL_FIELDS:
        field = collection.field_by_name(name)
        if field is None:
            continue
        raw = body.get(name, (existing or {}).get(field.id))
        if isinstance(raw, str) and raw:
            words.append(raw)
    return words


def new_password_errors(collection: Collection, body: Mapping[str, Any], existing: Mapping[str, Any] | None
                        ) -> dict[str, Any]:
    """Policy errors (PocketBase's validation data) for the password a create or update of an auth record sets;
    {} when it sets none or the password is acceptable. `existing` is the stored record by field id."""
    if not collection.is_auth or body.get("password") is None:
        return {}
    # The policy judges the text that will be hashed, whatever JSON type carried it: PocketBase stores the
    # number 12345678 as the password "12345678", which must not slip past the common-password check.
    password = to_string(body["password"])
    if not password:
        return {}  # a list or an object casts to "": the password field itself answers "Cannot be blank."
    return password_policy().errors(password, _personal_words(collection, body, existing))


def strength_report(collection: Collection, body: Mapping[str, Any]) -> dict[str, Any]:
    """zxcvbn's score and feedback for a candidate password, and whether the policy would accept it."""
    password = to_string(body.get("password"))
    words = _personal_words(collection, body, None)
    errors = password_policy().errors(password, words)
    result = strength(password, words) if password else None
    return {
        "score": result.score if result else 0,
        "feedback": (result.feedback.model_dump() if result else {"warning": "", "suggestions": []}),
        "guessesLog10": round(result.guesses_log10, 3) if result else 0.0,
        "crackTimesDisplay": result.crack_times_display if result else {},
        "acceptable": not errors,
        "errors": errors,
    }
