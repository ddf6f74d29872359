"""Unfiltered log totals on moto: the days that are over are counted once and their counts kept on the meta item,
a log that still comes for such a day drops its count, and a count that may have missed a late log is not kept."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from local import cloud
from shared.aws import client
from shared.logs.dynamo_repository import COUNT_KEPT_MS, SETTLE_MS, DynamoLogRepository, log_repository
from shared.logs.model import LogEntry, new_log_id
from shared.logs.query import LogsView, list_logs
from shared.logs.repository import DAY_MS, StoredLog, day_of

NOW = 1_796_300_000_000  # 2026-12-03 10:13 UTC
WINDOW = (NOW - 5 * DAY_MS, NOW)


def stored(at_ms: int) -> StoredLog:
    entry = LogEntry(id=new_log_id(at_ms), created_ms=at_ms, level=0, message="GET /api/health",
                     data={"type": "request", "url": "/api/health", "status": 200, "execTime": 0.5})
    return StoredLog(entry, at_ms // 1000 + 10 * 86_400)


def repository(now_ms: int = NOW) -> DynamoLogRepository:
    """A request's repository, with its clock."""
    return DynamoLogRepository(log_repository().table, now_ms=lambda: now_ms)


def _partitions_queried(*, counts_only: bool) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        if not counts_only or params.get("Select") == "COUNT":
            seen.append(params["ExpressionAttributeValues"][":pk"]["S"])

    events = client("dynamodb").meta.events
    events.register("provide-client-params.dynamodb.Query", record)
    yield seen
    events.unregister("provide-client-params.dynamodb.Query", record)


@pytest.fixture
def queries(moto: cloud.MotoCloud) -> Iterator[list[str]]:
    """The partitions every Query of the test read."""
    yield from _partitions_queried(counts_only=False)


@pytest.fixture
def counts(moto: cloud.MotoCloud) -> Iterator[list[str]]:
    """The partitions every COUNT Query of the test counted."""
    yield from _partitions_queried(counts_only=True)


def test_days_that_are_over_are_counted_once_then_read_from_their_kept_counts(queries: list[str]) -> None:
    # Given logs on each of the last five days and today
    logs = [stored(NOW - n * DAY_MS - k * 1000) for n in range(5) for k in range(n + 1)]
    repository().put_many(logs)
    in_window = sum(1 for s in logs if WINDOW[0] <= s.entry.created_ms <= WINDOW[1])

    # When one request counts the window, then another does
    first = repository().count(*WINDOW, NOW, budget=1000)
    first_queries = len(queries)
    second = repository().count(*WINDOW, NOW, budget=1000)

    # Then both totals are exact; the second read only today's and the window's first (partial) day
    assert first == second == in_window
    assert first_queries == 6 * 4
    assert len(queries) - first_queries == 2 * 4


def test_a_kept_count_is_counted_again_after_its_hour(queries: list[str]) -> None:
    # Given a kept count of yesterday
    repository().put_many([stored(NOW - DAY_MS)])
    repository().count(*WINDOW, NOW, budget=1000)
    before = len(queries)

    # When a request counts more than COUNT_KEPT_MS later
    later = NOW + COUNT_KEPT_MS
    repository(later).count(later - 5 * DAY_MS, later, later, budget=1000)

    # Then every day of its window was counted again
    assert len(queries) - before == 6 * 4


def test_a_log_that_comes_for_a_day_already_over_is_counted(moto: cloud.MotoCloud) -> None:
    # Given yesterday's count kept
    repository().put_many([stored(NOW - DAY_MS)])
    assert repository().count(*WINDOW, NOW, budget=1000) == 1

    # When a log of yesterday is delivered late (a retried delivery)
    repository().put_many([stored(NOW - DAY_MS - 5000)])

    # Then the next count has it
    assert repository().count(*WINDOW, NOW, budget=1000) == 2


def test_a_count_made_while_a_late_log_lands_is_not_kept(moto: cloud.MotoCloud) -> None:
    # Given a request that has read the meta item (as a list does for its window) and counts yesterday
    repository().put_many([stored(NOW - DAY_MS)])
    reader = repository()
    reader.truncated_before()
    late = stored(NOW - DAY_MS - 5000)
    calls = client("dynamodb").meta.events
    landed: list[bool] = []

    def land_late_log(**_: Any) -> None:
        # the late log is written (and `late` moved) after the reader counted, before it keeps its counts
        if not landed:
            landed.append(True)
            repository().put_many([late])

    calls.register("provide-client-params.dynamodb.UpdateItem", land_late_log)
    try:
        # When it counts while the late log lands
        missed = reader.count(*WINDOW, NOW, budget=1000)
    finally:
        calls.unregister("provide-client-params.dynamodb.UpdateItem", land_late_log)

    # Then its own total missed the late log, but its count was not kept: the next request has both
    assert landed and missed == 1
    assert repository().count(*WINDOW, NOW, budget=1000) == 2


def test_a_day_not_yet_over_for_settle_ms_is_never_kept(queries: list[str]) -> None:
    # Given the first minutes of a day, yesterday's logs still arriving
    midnight = NOW - NOW % DAY_MS
    early = midnight + SETTLE_MS // 2
    repository(early).put_many([stored(midnight - 1000)])

    # When two requests count
    repository(early).count(early - 5 * DAY_MS, early, early, budget=1000)
    before = len(queries)
    repository(early).count(early - 5 * DAY_MS, early, early, budget=1000)

    # Then yesterday was counted by both (with today and the window's first day)
    assert len(queries) - before == 3 * 4


def test_an_unfiltered_list_totals_from_the_counts_and_a_budget_past_gives_minus_one(moto: cloud.MotoCloud) -> None:
    # Given ten logs yesterday
    repository().put_many([stored(NOW - DAY_MS - k * 1000) for k in range(10)])

    # When the logs are listed without a filter, with a budget they do not fit, then one they fit, then again
    over = list_logs(LogsView(repository(), 5, NOW, budget=5), {"perPage": "3"})
    listed = list_logs(LogsView(repository(), 5, NOW), {"perPage": "3"})
    kept = list_logs(LogsView(repository(), 5, NOW, budget=5), {"perPage": "3"})

    # Then the total is -1 past the budget, and exact within it; once kept, a count costs no reads of the budget
    assert (over["totalItems"], over["totalPages"], len(over["items"])) == (-1, -1, 3)
    assert (listed["totalItems"], listed["totalPages"], len(listed["items"])) == (10, 4, 3)
    assert kept["totalItems"] == 10 and kept["items"] == listed["items"]


def test_a_list_reads_no_partition_of_a_day_counted_empty(queries: list[str]) -> None:
    # Given one log, today's
    repository().put_many([stored(NOW - 1000)])

    # When the logs are listed without a filter twice, oldest first
    first = list_logs(LogsView(repository(), 5, NOW), {})
    before = len(queries)
    second = list_logs(LogsView(repository(), 5, NOW), {})

    # Then both find it; the second read only today's and the window's first day, once: to list, and so to count
    today = f"log#{day_of(NOW)}#"
    assert [i["id"] for i in first["items"]] == [i["id"] for i in second["items"]] and second["totalItems"] == 1
    read = queries[before:]
    assert len(read) == 2 * 4 and sum(pk.startswith(today) for pk in read) == 4


def test_a_list_whose_page_holds_the_whole_window_counts_it_from_its_own_read(counts: list[str]) -> None:
    # Given seven logs over the last three days: fewer than a page
    repository().put_many([stored(NOW - n * DAY_MS - k * 1000) for n in range(3) for k in range(n + 2)][:7])

    # When the logs are listed without a filter, newest first, then a page of 2
    whole = list_logs(LogsView(repository(), 5, NOW), {"sort": "-created"})
    whole_counts = len(counts)
    paged = list_logs(LogsView(repository(), 5, NOW), {"perPage": "2", "sort": "-created"})

    # Then the whole window's total came from its read, with no COUNT query, and kept the days' counts: the page
    # of 2, which read only part of today, counted today and the window's first, partial day (never kept)
    assert (whole["totalItems"], len(whole["items"]), whole_counts) == (7, 7, 0)
    assert paged["totalItems"] == 7 and [i["id"] for i in paged["items"]] == [i["id"] for i in whole["items"][:2]]
    assert sorted({pk.rpartition("#")[0] for pk in counts}) == [f"log#{day_of(WINDOW[0])}", f"log#{day_of(NOW)}"]
    assert len(counts) == 2 * 4


def test_a_page_that_stops_inside_a_day_counts_that_day_by_queries(counts: list[str]) -> None:
    # Given five logs yesterday
    repository().put_many([stored(NOW - DAY_MS - k * 1000) for k in range(5)])

    # When a page of 2 is listed oldest first
    listed = list_logs(LogsView(repository(), 5, NOW), {"perPage": "2"})

    # Then its total is exact: yesterday, read in part, was counted (every day of the window, none kept yet)
    assert (listed["totalItems"], listed["totalPages"], len(listed["items"])) == (5, 3, 2)
    assert f"log#{day_of(NOW - DAY_MS)}#0" in counts
