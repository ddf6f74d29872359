"""Rate-limit rules as in PocketBase's settings, the labels of a request, and which rule applies to it.

Resolution mirrors PocketBase's `FindRateLimitRule`: the request's labels are tried in order, most specific
first (`<collection>:<action>`, `*:<action>`, `METHOD /path`, `/path`); for each label an exact rule wins, then
a `*` wildcard rule (ours: `*` is one path segment), then a prefix rule (a label ending in `/`). Only rules of
the caller's audience ("" plus "@guest" or "@auth") are considered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

Audience = Literal["", "@guest", "@auth"]

# PocketBase's label grammar, with `*` (one path segment) and `.` also allowed in paths.
_LABEL = re.compile(r"^(\w+ /[\w/.*-]*|/[\w/.*-]*|\w+:\w+|\*:\w+|\w+)$")


class RateLimitRule(BaseModel):
    """`maxRequests` per `duration` seconds for requests carrying `label`, for one audience."""

    model_config = ConfigDict(frozen=True)

    label: str
    max_requests: int = Field(
        validation_alias=AliasChoices("maxRequests", "max_requests"), serialization_alias="maxRequests", ge=1
    )
    duration: int = Field(ge=1)
    audience: Audience = ""

    @field_validator("label")
    @classmethod
    def _label(cls, value: str) -> str:
        if not _LABEL.match(value):
            raise ValueError("label must be a tag (users:create, *:auth), a path (/api/) or METHOD /path")
        return value

    @property
    def is_prefix(self) -> bool:
        return self.label.endswith("/")

    @cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        if "*" not in self.label or "/" not in self.label:
            return None  # `*:create` is a literal tag, not a wildcard
        body = "[^/]+".join(re.escape(part) for part in self.label.split("*"))
        return re.compile(f"^{body}" if self.is_prefix else f"^{body}$")

    def matches_wildcard(self, label: str) -> bool:
        pattern = self._pattern
        if pattern is None:
            return False
        return bool(pattern.match(label + "/" if self.is_prefix else label))

    def matches_prefix(self, label: str) -> bool:
        return self.is_prefix and self._pattern is None and (label + "/").startswith(self.label)


# PocketBase's default rules.
DEFAULT_RULES: tuple[RateLimitRule, ...] = (
    RateLimitRule(label="*:auth", max_requests=2, duration=3),
    RateLimitRule(label="*:create", max_requests=20, duration=5),
    RateLimitRule(label="/api/batch", max_requests=3, duration=1),
    RateLimitRule(label="/api/", max_requests=300, duration=10),
)

_C = r"^/api/collections/(?P<collection>[^/]+)"
# PocketBase's collection routes and the tags their rate limiter is bound with (first tag = the action).
_COLLECTION_ROUTES: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (method, re.compile(pattern), tags) for method, pattern, tags in (
        ("GET", _C + r"/records/?$", ("list",)),
        ("POST", _C + r"/records/?$", ("create",)),
        ("GET", _C + r"/records/[^/]+/?$", ("view",)),
        ("PATCH", _C + r"/records/[^/]+/?$", ("update",)),
        ("DELETE", _C + r"/records/[^/]+/?$", ("delete",)),
        ("GET", _C + r"/auth-methods/?$", ("listAuthMethods",)),
        ("POST", _C + r"/auth-refresh/?$", ("authRefresh",)),
        ("POST", _C + r"/auth-with-password/?$", ("authWithPassword", "auth")),
        ("POST", _C + r"/auth-with-oauth2/?$", ("authWithOAuth2", "auth")),
        ("POST", _C + r"/request-otp/?$", ("requestOTP",)),
        ("POST", _C + r"/auth-with-otp/?$", ("authWithOTP", "auth")),
        ("POST", _C + r"/auth-with-totp/?$", ("authWithTOTP", "auth")),  # Lambdabase's TOTP sign-in
        ("POST", _C + r"/request-password-reset/?$", ("requestPasswordReset",)),
        ("POST", _C + r"/confirm-password-reset/?$", ("confirmPasswordReset",)),
        ("POST", _C + r"/request-verification/?$", ("requestVerification",)),
        ("POST", _C + r"/confirm-verification/?$", ("confirmVerification",)),
        ("POST", _C + r"/request-email-change/?$", ("requestEmailChange",)),
        ("POST", _C + r"/confirm-email-change/?$", ("confirmEmailChange",)),
        ("GET", r"^/api/files/(?P<collection>[^/]+)/[^/]+/[^/]+$", ("file",)),
    )
)


@dataclass(frozen=True)
class RequestLabels:
    """The labels a request answers to, most specific first, and its collection-route scope if any."""

    labels: tuple[str, ...]
    # PocketBase counts collection routes per collection and route, whichever rule matched them.
    scope: str = ""


def request_labels(method: str, path: str) -> RequestLabels:
    """Labels of a request, e.g. POST /api/collections/users/auth-with-password gives
    users:authWithPassword, users:auth, *:authWithPassword, *:auth, POST /api/..., /api/..."""
    method = method.upper()
    generic = (f"{method} {path}", path)
    for route_method, pattern, tags in _COLLECTION_ROUTES:
        if route_method != method:
            continue
        match = pattern.match(path)
        if match:
            collection = match.group("collection")
            labels = (*(f"{collection}:{t}" for t in tags), *(f"*:{t}" for t in tags), *generic)
            return RequestLabels(labels, scope=f"{collection}:{'+'.join(tags)}")
    return RequestLabels(generic)


def find_rule(rules: Sequence[RateLimitRule], labels: Iterable[str],
              audiences: Sequence[str] = ()) -> RateLimitRule | None:
    """The first rule matching the labels in order (exact, then wildcard, then prefix), or None."""
    allowed = [r for r in rules if not audiences or r.audience in audiences]
    for label in labels:
        for rule in allowed:
            if rule.label == label:
                return rule
        for rule in allowed:
            if rule.matches_wildcard(label):
                return rule
        for rule in allowed:
            if rule.matches_prefix(label):
                return rule
    return None


def audiences_for(authenticated: bool) -> tuple[Audience, ...]:
    return ("", "@auth") if authenticated else ("", "@guest")
