"""Password policy (ASVS 5.0 V6.2: length, no composition rules, common and context words) and strength."""

import string
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from shared.auth.settings import PasswordRules
from shared.errors import BadRequestError, field_error

VALIDATION_MESSAGE = "An error occurred while validating the submitted data."
_EDGE_CHARS = string.digits + string.punctuation + string.whitespace


class PasswordFeedback(BaseModel):
    warning: str = ""
    suggestions: list[str] = []


class PasswordStrength(BaseModel):
    """zxcvbn's verdict: score 0 (too guessable) to 4 (very unguessable)."""

    score: int
    feedback: PasswordFeedback
    guesses_log10: float
    crack_times_display: dict[str, str]


class PasswordPolicy:
    """Checks a new password; the hash is never involved, so it runs before any storage work."""

    def __init__(self, rules: PasswordRules | None = None) -> None:
        self._rules = rules or PasswordRules()

    def errors(self, password: str, user_inputs: Sequence[str] = (), field: str = "password") -> dict[str, Any]:
        """PocketBase-shaped validation data for the first problem found, or {} when the password is fine."""
        rules = self._rules
        if not password:
            return {field: field_error("validation_required", "Cannot be blank.")}
        # Length counts characters, not bytes, and the password is never trimmed or truncated (ASVS 6.2.8).
        if len(password) < rules.password_min_length:
            return {field: field_error("validation_min_text_constraint",
                                       f"Must be at least {rules.password_min_length} character(s).")}
        if len(password) > rules.password_max_length:
            return {field: field_error("validation_max_text_constraint",
                                       f"Must be less than {rules.password_max_length + 1} character(s).")}
        folded = password.casefold()
        if folded in common_passwords(rules.password_min_length, rules.password_blocklist_size):
            return {field: field_error("validation_password_too_common",
                                       "The password is too common, please choose a less predictable one.")}
        if _core(folded) in _context_words(rules.password_context_words, user_inputs):
            return {field: field_error("validation_password_too_guessable",
                                       "The password must not be based on your name, email or the app name.")}
        return {}

    def validate(self, password: str, user_inputs: Sequence[str] = (), field: str = "password") -> None:
        """Raise a 400 in PocketBase's validation shape when the password breaks the policy."""
        if data := self.errors(password, user_inputs, field):
            raise BadRequestError(VALIDATION_MESSAGE, data)


@lru_cache(maxsize=4)
def common_passwords(min_length: int, size: int) -> frozenset[str]:
    """The `size` most common passwords long enough to pass the length rule, from zxcvbn's ranked list."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # heavy: loaded on first password check only

    fitting = (p.casefold() for p in FREQUENCY_LISTS["passwords"] if len(p) >= min_length)
    result: set[str] = set()
    for candidate in fitting:
        if len(result) >= size:
            break
        result.add(candidate)
    return frozenset(result)


def _core(folded: str) -> str:
    """The password without leading/trailing digits and symbols: "Alice2024!" is still "alice"."""
    return folded.strip(_EDGE_CHARS)


def _context_words(words: Iterable[str], user_inputs: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for raw in (*words, *user_inputs):
        value = (raw or "").casefold().strip()
        if not value:
            continue
        found.add(value)
        if "@" in value:  # an email's local part is as guessable as the address
            found.add(value.split("@", 1)[0])
    return {w for w in found if len(w) >= 3}


def strength(password: str, user_inputs: Sequence[str] = ()) -> PasswordStrength:
    """Estimate guessability with zxcvbn, for a strength meter; `user_inputs` are the user's own words."""
    from zxcvbn import zxcvbn

    limit = 128  # zxcvbn's cost grows with length; past this the score is 4 anyway
    result = zxcvbn(password[:limit], user_inputs=[u for u in user_inputs if u], max_length=limit)
    feedback = result.get("feedback") or {}
    return PasswordStrength(
        score=int(result["score"]),
        feedback=PasswordFeedback(warning=feedback.get("warning") or "",
                                  suggestions=list(feedback.get("suggestions") or [])),
        guesses_log10=float(result["guesses_log10"]),
        crack_times_display={k: str(v) for k, v in result["crack_times_display"].items()},
    )
