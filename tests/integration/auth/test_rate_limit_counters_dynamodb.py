"""Rate-limit counters on moto: atomic ADDs per window, shared by every Lambda, one per sync step."""

from __future__ import annotations

from typing import Any

from shared.aws import client
from shared.ratelimit.limiter import RateLimiter, RequestInfo
from shared.ratelimit.repository import DynamoRateLimitCounterRepository, get_rate_limit_repository
from shared.ratelimit.rules import RateLimitRule

RULE = RateLimitRule.model_validate({"label": "/api/", "maxRequests": 3, "duration": 10})


class Clock:
    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now


def test_limit_holds_across_lambdas(moto_system_table: str) -> None:
    # Given two Lambda instances, each with its own limiter and client
    clock = Clock()
    a = RateLimiter([RULE], DynamoRateLimitCounterRepository(moto_system_table), clock=clock)
    b = RateLimiter([RULE], DynamoRateLimitCounterRepository(moto_system_table), clock=clock)
    request = RequestInfo(method="GET", path="/api/x", ip="203.0.113.1")

    # When one client's requests land on both
    decisions = [(a if i % 2 else b).check(request) for i in range(4)]

    # Then they share one counter
    assert [d.allowed for d in decisions if d] == [True, True, True, False]
    clock.now += 10
    fresh = a.check(request)
    assert fresh is not None and fresh.allowed and fresh.remaining == 2


def test_two_instances_on_one_table_stay_within_the_stated_tolerance(moto_system_table: str) -> None:
    # Given two Lambda instances syncing every 10 requests of a 100-per-window limit
    clock = Clock()
    limit = RateLimitRule.model_validate({"label": "/api/", "maxRequests": 100, "duration": 10})
    a, b = (RateLimiter([limit], DynamoRateLimitCounterRepository(moto_system_table), clock=clock,
                        sync_fraction=0.1) for _ in range(2))
    step = a.sync_step(limit)
    request = RequestInfo(method="GET", path="/api/x", ip="203.0.113.9")
    writes: list[str] = []
    events = client("dynamodb").meta.events
    events.register("before-call.dynamodb.UpdateItem", lambda **_: writes.append("w"),
                                    unique_id="count-limiter-writes")
    # When 300 requests of one client alternate between them in runs of 1 to 7
    allowed, sent, turn = 0, 0, 0
    while sent < 300:
        limiter = (a, b)[turn % 2]
        for _ in range(min(300 - sent, 1 + turn % 7)):
            decision = limiter.check(request)
            allowed += bool(decision and decision.allowed)
            sent += 1
        turn += 1
    events.unregister("before-call.dynamodb.UpdateItem", unique_id="count-limiter-writes")
    # Then together they allowed the limit, and at most (instances - 1) x (step - 1) more
    assert 100 <= allowed <= 100 + (2 - 1) * (step - 1)
    # And the shared counter was written about once per step, not once per request
    assert len(writes) <= 300 // step + 2


def test_counter_items_are_per_window_with_ttl(moto_system_table: str, dynamodb_client: Any) -> None:
    repo = get_rate_limit_repository(moto_system_table)

    assert [repo.increment("k#ip:1.2.3.4", 100, 170) for _ in range(3)] == [1, 2, 3]
    assert repo.increment("k#ip:1.2.3.4", 110, 180) == 1

    items = dynamodb_client.scan(TableName=moto_system_table)["Items"]
    assert sorted((i["pk"]["S"], i["sk"]["S"], i["n"]["N"], i["ttl"]["N"]) for i in items) == [
        ("rl#k#ip:1.2.3.4", "w#100", "3", "170"), ("rl#k#ip:1.2.3.4", "w#110", "1", "180")]


def test_missing_table_fails_open(moto_aws: None) -> None:
    limiter = RateLimiter([RULE], DynamoRateLimitCounterRepository("no-such-table"), clock=Clock())

    assert limiter.check(RequestInfo(method="GET", path="/api/x", ip="203.0.113.1")) is None
