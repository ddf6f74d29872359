"""Rate-limit rule resolution (PocketBase's label semantics) and fixed-window counting."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from shared.ratelimit.limiter import RateLimiter, RequestInfo
from shared.ratelimit.repository import InMemoryRateLimitCounterRepository, RateLimitStorageError
from shared.ratelimit.rules import DEFAULT_RULES, RateLimitRule, find_rule, request_labels
from shared.ratelimit.settings import RateLimitSettings

GUEST = ("", "@guest")
AUTH = ("", "@auth")


def rule(label: str, audience: str = "", max_requests: int = 5, duration: int = 10) -> RateLimitRule:
    return RateLimitRule.model_validate(
        {"label": label, "maxRequests": max_requests, "duration": duration, "audience": audience})


def test_collection_routes_get_tags_before_paths() -> None:
    labels = request_labels("POST", "/api/collections/users/auth-with-password")

    assert labels.labels == (
        "users:authWithPassword", "users:auth", "*:authWithPassword", "*:auth",
        "POST /api/collections/users/auth-with-password", "/api/collections/users/auth-with-password",
    )
    assert labels.scope == "users:authWithPassword+auth"
    assert request_labels("PATCH", "/api/collections/posts/records/abc").labels[:2] == (
        "posts:update", "*:update")
    assert request_labels("GET", "/api/files/posts/abc/a.png").labels[0] == "posts:file"
    assert request_labels("GET", "/api/health").labels == ("GET /api/health", "/api/health")


@pytest.mark.parametrize(("method", "path", "scope"), [
    ("GET", "/api/collections/posts/records", "posts:list"),
    ("get", "/api/collections/posts/records/", "posts:list"),  # one trailing slash is the same route
    ("GET", "/api/collections/posts/records//", ""),
    ("DELETE", "/api/collections/posts/records/abc/", "posts:delete"),
    ("GET", "/api/collections/posts/records/abc/extra", ""),
    ("PUT", "/api/collections/posts/records/abc", ""),  # a method the route does not take
    ("GET", "/api/collections//records", ""),  # a collection is a whole segment
    ("POST", "/api/collections/users/request-otp/", "users:requestOTP"),
    ("GET", "/api/files/posts/abc/a.png", "posts:file"),
    ("GET", "/api/files/posts/abc/a.png/", ""),  # a file route takes no trailing slash
    ("GET", "/api/files/posts//a.png", ""),
    ("GET", "api/collections/posts/records", ""),
])
def test_a_route_is_told_by_its_method_and_path_segments(method: str, path: str, scope: str) -> None:
    # Given a request's method and path, When its labels are taken, Then the route scope is the collection's
    # and action's, or none for a path that is not exactly a collection route
    assert request_labels(method, path).scope == scope


@pytest.mark.parametrize(("method", "path", "audiences", "expected"), [
    # the collection-specific tag beats the wildcard tag, which beats any path rule
    ("POST", "/api/collections/users/auth-with-password", GUEST, "users:authWithPassword"),
    ("POST", "/api/collections/admins/auth-with-password", GUEST, "*:auth"),
    ("POST", "/api/collections/posts/records", GUEST, "*:create"),
    # a wildcard path rule matches one segment
    ("GET", "/api/collections/posts/records", GUEST, "GET /api/collections/*/records"),
    ("GET", "/api/collections/posts/records/abc", GUEST, "/api/"),
    # METHOD + path beats a bare path; a prefix needs the trailing slash
    ("GET", "/api/batch", GUEST, "/api/batch"),
    ("POST", "/api/batch", GUEST, "POST /api/batch"),
    ("GET", "/api/settings/x", GUEST, "/api/"),
    ("GET", "/other", GUEST, None),
    # audience: the @guest rule is skipped for signed-in users, who fall through to the next label
    ("POST", "/api/collections/admins/auth-with-password", AUTH, "/api/"),
])
def test_rule_precedence(method: str, path: str, audiences: tuple[str, ...], expected: str | None) -> None:
    rules = [
        rule("/api/"), rule("/api/batch"), rule("POST /api/batch"), rule("*:auth", "@guest"),
        rule("*:create"), rule("users:authWithPassword"), rule("GET /api/collections/*/records"),
    ]

    found = find_rule(rules, request_labels(method, path).labels, audiences)

    assert (found.label if found else None) == expected


def test_prefix_label_matches_its_own_path_without_slash() -> None:
    assert find_rule([rule("/api/")], ["/api"]) is not None
    assert find_rule([rule("/api")], ["/api/x"]) is None


@pytest.mark.parametrize("label", ["api_tag", "users:create", "*:auth", "/", "/api/", "POST /api/x/*/y"])
def test_valid_labels(label: str) -> None:
    assert rule(label).label == label


@pytest.mark.parametrize("label", ["", "GET api", "/api/<script>", "users:*", "* /api/", "a b c"])
def test_invalid_labels_are_refused(label: str) -> None:
    with pytest.raises(ValidationError):
        rule(label)


def test_rules_read_pocketbase_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LB_RATE_LIMITS", '[{"label": "*:auth", "maxRequests": 3, "duration": 60, '
                                         '"audience": "@guest"}]')
    monkeypatch.setenv("LB_RATE_LIMITS_EXCLUDED_IPS", '["10.0.0.1"]')

    settings = RateLimitSettings()

    assert settings.rate_limits == (rule("*:auth", "@guest", 3, 60),)
    assert settings.rate_limits_excluded_ips == ("10.0.0.1",)
    assert settings.rate_limits[0].model_dump(by_alias=True)["maxRequests"] == 3


def test_defaults_mirror_pocketbase_and_duplicates_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    assert [(r.label, r.max_requests, r.duration) for r in RateLimitSettings().rate_limits] == [
        ("*:auth", 2, 3), ("*:create", 20, 5), ("/api/batch", 3, 1), ("/api/", 300, 10)]
    monkeypatch.setenv("LB_RATE_LIMITS", '[{"label": "/api/", "maxRequests": 1, "duration": 1},'
                                         ' {"label": "/api/", "maxRequests": 2, "duration": 1}]')
    with pytest.raises(ValidationError):
        RateLimitSettings()


@pytest.fixture
def limiter(clock: Any) -> RateLimiter:
    clock.now = 1_750_000_000  # a multiple of 10: windows of 10 s start here
    return RateLimiter([rule("/api/", max_requests=3, duration=10)], InMemoryRateLimitCounterRepository(),
                       excluded_ips=["10.9.9.9"], clock=clock)


def _guest(ip: str = "203.0.113.1", path: str = "/api/x") -> RequestInfo:
    return RequestInfo(method="GET", path=path, ip=ip)


def test_fixed_window_counts_down_then_blocks_then_resets(limiter: RateLimiter, clock: Any) -> None:
    decisions = [limiter.check(_guest()) for _ in range(4)]

    assert [d.remaining for d in decisions if d] == [2, 1, 0, 0]
    assert [d.allowed for d in decisions if d] == [True, True, True, False]
    blocked = decisions[-1]
    assert blocked is not None and blocked.reset_epoch == 1_750_000_010 and blocked.retry_after_s == 10

    clock.advance(10)
    fresh = limiter.check(_guest())
    assert fresh is not None and fresh.allowed and fresh.remaining == 2


def test_guests_count_per_ip_and_users_per_id(limiter: RateLimiter) -> None:
    for _ in range(3):
        limiter.check(_guest("203.0.113.1"))
    assert limiter.check(_guest("203.0.113.2")).allowed  # type: ignore[union-attr]

    for ip in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        limiter.check(RequestInfo(method="GET", path="/api/x", ip=ip, user_id="u1"))
    roaming = limiter.check(RequestInfo(method="GET", path="/api/x", ip="198.51.100.4", user_id="u1"))
    assert roaming is not None and not roaming.allowed


def test_superusers_excluded_ips_and_unmatched_paths_are_not_limited(limiter: RateLimiter) -> None:
    assert limiter.check(RequestInfo(method="GET", path="/api/x", ip="1.2.3.4", user_id="s",
                                     is_superuser=True)) is None
    assert limiter.check(_guest("10.9.9.9")) is None
    assert limiter.check(_guest(path="/_/")) is None
    assert limiter.check(_guest(ip="")) is None


def test_storage_failure_lets_requests_through(clock: Any) -> None:
    class Broken(InMemoryRateLimitCounterRepository):
        def increment(self, key: str, window_start: int, expires_at: int, amount: int = 1) -> int:
            raise RateLimitStorageError("table unavailable")

    limiter = RateLimiter(DEFAULT_RULES, Broken(), clock=clock)

    assert limiter.check(_guest()) is None


def test_disabled_limiter_decides_nothing(clock: Any) -> None:
    limiter = RateLimiter(DEFAULT_RULES, InMemoryRateLimitCounterRepository(), enabled=False, clock=clock)

    assert limiter.check(_guest()) is None
