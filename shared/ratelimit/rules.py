"""Rate-limit rules as in PocketBase's settings, the labels of a request, and which rule applies to it.

Resolution mirrors PocketBase's `FindRateLimitRule`: the request's labels are tried in order, most specific
first (`<collection>:<action>`, `*:<action>`, `METHOD /path`, `/path`); for each label an exact rule wins, then
a `*` wildcard rule (ours: `*` is one path segment), then a prefix rule (a label ending in `/`). Only rules of
the caller's audience ("" plus "@guest" or "@auth") are considered.
"""

import re
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import Literal

import msgspec
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

# PocketBase's collection routes and the tags their rate limiter is bound with (first tag = the action), by
# method and the path's segments after /api/collections/<collection>/ ("*" is a record id).
_COLLECTION_ROUTES: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {
    ("GET", ("records",)): ("list",),
    ("POST", ("records",)): ("create",),
    ("GET", ("records", "*")): ("view",),
    ("PATCH", ("records", "*")): ("update",),
    ("DELETE", ("records", "*")): ("delete",),
    ("GET", ("auth-methods",)): ("listAuthMethods",),
    ("POST", ("auth-refresh",)): ("authRefresh",),
    ("POST", ("auth-with-password",)): ("authWithPassword", "auth"),
    ("POST", ("auth-with-oauth2",)): ("authWithOAuth2", "auth"),
    ("POST", ("request-otp",)): ("requestOTP",),
    ("POST", ("auth-with-otp",)): ("authWithOTP", "auth"),
    ("POST", ("auth-with-totp",)): ("authWithTOTP", "auth"),  # Lambdabase's TOTP sign-in
    ("POST", ("request-password-reset",)): ("requestPasswordReset",),
    ("POST", ("confirm-password-reset",)): ("confirmPasswordReset",),
    ("POST", ("request-verification",)): ("requestVerification",),
    ("POST", ("confirm-verification",)): ("confirmVerification",),
    ("POST", ("request-email-change",)): ("requestEmailChange",),
    ("POST", ("confirm-email-change",)): ("confirmEmailChange",),
}
# GET /api/files/<collection>/<record>/<name>
_FILE_TAGS = ("file",)


def _route_tags(method: str, path: str) -> tuple[str, tuple[str, ...]] | None:
    """The collection and tags of a PocketBase collection or file route, None for any other path."""
    parts = path.split("/")  # "/api/collections/users/records/" -> "", "api", "collections", "users", "records", ""
    if len(parts) < 5 or parts[0] or parts[1] != "api" or not parts[3]:
        return None
    if parts[2] == "files":
        return (parts[3], _FILE_TAGS) if method == "GET" and len(parts) == 6 and all(parts[4:]) else None
    if parts[2] != "collections":
        return None
    rest = parts[4:-1] if len(parts) > 5 and parts[-1] == "" else parts[4:]  # one trailing slash is the same route
    if not all(rest):
        return None
    shape = ("records", "*") if len(rest) == 2 and rest[0] == "records" else tuple(rest)
    tags = _COLLECTION_ROUTES.get((method, shape))
    return (parts[3], tags) if tags else None


class RequestLabels(msgspec.Struct, frozen=True):
    """The labels a request answers to, most specific first, and its collection-route scope if any."""

    labels: tuple[str, ...]
    # PocketBase counts collection routes per collection and route, whichever rule matched them.
    scope: str = ""


def request_labels(method: str, path: str) -> RequestLabels:
    """Labels of a request, e.g. POST /api/collections/users/auth-with-password gives
    users:authWithPassword, users:auth, *:authWithPassword, *:auth, POST /api/..., /api/..."""
    method = method.upper()
    generic = (f"{method} {path}", path)
    route = _route_tags(method, path)
    if route is None:
        return RequestLabels(generic)
    collection, tags = route
    labels = (*(f"{collection}:{t}" for t in tags), *(f"*:{t}" for t in tags), *generic)
    return RequestLabels(labels, scope=f"{collection}:{'+'.join(tags)}")


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
