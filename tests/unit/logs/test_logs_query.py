"""Listing and counting logs: PocketBase's filter, sort, paging and list shape, bounded reads over the day
partitions, retention and truncation, and PocketBase's answers to bad queries."""

from __future__ import annotations

from typing import Any

import pytest

from shared.errors import BadRequestError
from shared.logs.model import LogEntry, new_log_id
from shared.logs.query import LogsView, list_logs, logs_stats
from shared.logs.repository import DAY_MS, WRITE_SHARDS, InMemoryLogRepository, StoredLog

NOW_MS = 1_796_133_355_845  # 2026-12-01 13:55:55.845Z
HOUR_MS = 3_600_000


def log(at_ms: int, status: int = 200, url: str = "/api/health", **data: Any) -> LogEntry:
    level = 8 if status >= 400 else 0
    return LogEntry(id=new_log_id(at_ms), created_ms=at_ms, level=level, message=f"GET {url}",
                    data={"type": "request", "status": status, "url": url, "method": "GET", "execTime": 1.0,
                          "auth": "", **data})


def store(*entries: LogEntry) -> InMemoryLogRepository:
    repository = InMemoryLogRepository()
    repository.put_many([StoredLog(e, e.created_ms // 1000 + 5 * 86_400) for e in entries])
    return repository


def view(repository: InMemoryLogRepository, max_days: int = 5, budget: int = 20_000) -> LogsView:
    return LogsView(repository, max_days, NOW_MS, budget=budget)


def test_logs_list_oldest_first_in_pocketbases_list_shape() -> None:
    # Given three logs a minute apart
    entries = [log(NOW_MS - n * 60_000) for n in (3, 2, 1)]

    # When the logs are listed with no sort
    page = list_logs(view(store(*entries)), {"perPage": "2"})

    # Then the oldest come first, as PocketBase lists them, two a page, with honest totals
    assert [item["id"] for item in page["items"]] == [entries[0].id, entries[1].id]
    assert {k: v for k, v in page.items() if k != "items"} == {"page": 1, "perPage": 2, "totalItems": 3,
                                                              "totalPages": 2}
    assert page["items"][0] == entries[0].to_api_json()


def test_a_filter_over_data_paths_and_columns_selects_logs() -> None:
    # Given successful and failed requests
    ok = log(NOW_MS - 3000, 200, "/api/a")
    bad = log(NOW_MS - 2000, 404, "/api/b")
    worse = log(NOW_MS - 1000, 500, "/api/c", auth="users")

    # When filtered on data.status, level, message and a data path with a missing key
    repository = store(ok, bad, worse)
    errors = list_logs(view(repository), {"filter": "data.status >= 400 && level = 8", "sort": "created"})
    users = list_logs(view(repository), {"filter": 'data.auth = "users" || message ~ "/api/a"'})
    missing = list_logs(view(repository), {"filter": 'data.nothing.here = null'})

    # Then each selects what PocketBase's SQL would
    assert [i["id"] for i in errors["items"]] == [bad.id, worse.id]
    assert [i["id"] for i in users["items"]] == [ok.id, worse.id]
    assert missing["totalItems"] == 3


def test_any_sort_pocketbase_allows_for_logs() -> None:
    # Given logs with different execution times
    entries = [log(NOW_MS - n * 1000, execTime=float(t)) for n, t in ((3, 5), (2, 1), (1, 9))]

    # When sorted by a data path, by created ascending, and at random
    by_time = list_logs(view(store(*entries)), {"sort": "-data.execTime"})
    oldest = list_logs(view(store(*entries)), {"sort": "@rowid", "fields": "id,level"})
    shuffled = list_logs(view(store(*entries)), {"sort": "@random"})

    # Then the order follows the key, and fields projects each item
    assert [i["data"]["execTime"] for i in by_time["items"]] == [9.0, 5.0, 1.0]
    assert oldest["items"] == [{"id": e.id, "level": 0} for e in entries]
    assert sorted(i["id"] for i in shuffled["items"]) == sorted(e.id for e in entries)


@pytest.mark.parametrize("params", [{"filter": "((("}, {"filter": "foo = 1"}, {"sort": "foo"},
                                    {"filter": "@request.auth.id = ''"}, {"page": "x"}])
def test_bad_list_queries_answer_pocketbases_400(params: dict[str, str]) -> None:
    # When a list is asked with an unparsable filter, an unknown field or sort, or a bad page
    with pytest.raises(BadRequestError) as raised:
        list_logs(view(store()), params)

    # Then it is PocketBase's generic 400, even with no log to read
    assert raised.value.body() == {"status": 400, "message": "Something went wrong while processing your request.",
                                   "data": {}}


def test_stats_count_matching_logs_per_hour_oldest_first() -> None:
    # Given logs in two hours, one an error
    entries = [log(NOW_MS - 2 * HOUR_MS), log(NOW_MS - 2 * HOUR_MS + 5), log(NOW_MS - 10, 500)]

    # When the stats are asked, all and over a filter
    repository = store(*entries)
    everything = logs_stats(view(repository), {})
    errors = logs_stats(view(repository), {"filter": "data.status >= 400"})

    # Then each hour has its count
    assert everything == [{"date": "2026-12-01 11:00:00.000Z", "total": 2},
                          {"date": "2026-12-01 13:00:00.000Z", "total": 1}]
    assert errors == [{"date": "2026-12-01 13:00:00.000Z", "total": 1}]
    with pytest.raises(BadRequestError) as raised:
        logs_stats(view(repository), {"filter": "nope = 1"})
    assert raised.value.message == "Invalid filter format."


def test_retention_and_truncation_hide_older_logs() -> None:
    # Given a log past a 1-day retention, one inside it, and a truncation between two recent ones
    old = log(NOW_MS - 2 * DAY_MS)
    kept = log(NOW_MS - HOUR_MS)
    repository = store(old, kept)

    # When listed with maxDays 1, then after a truncation, then with maxDays 0
    within = list_logs(view(repository, max_days=1), {})
    repository.truncate(NOW_MS - 10)
    after = list_logs(view(repository), {})
    disabled = list_logs(view(store(old, kept), max_days=0), {})

    # Then only the retained logs show, none after the truncation, none with retention off
    assert [i["id"] for i in within["items"]] == [kept.id]
    assert after["totalItems"] == 0
    assert disabled["items"] == [] and disabled["totalItems"] == 0


def test_a_created_filter_reads_only_the_partitions_it_covers() -> None:
    # Given logs over five days
    repository = store(*[log(NOW_MS - d * DAY_MS) for d in range(5)])

    # When the list is filtered to the last hour
    page = list_logs(view(repository), {"filter": 'created >= "2026-12-01 13:00:00"'})

    # Then one day's shards were read, and the answer is the same as an unbounded filter would give
    assert page["totalItems"] == 1
    assert repository.partition_reads == WRITE_SHARDS


def test_past_the_read_budget_a_time_ordered_page_drops_its_totals_and_a_sorted_one_is_refused() -> None:
    # Given more logs than the read budget
    repository = store(*[log(NOW_MS - n * 1000) for n in range(30)])

    # When a time-ordered page and a sorted page are asked with a budget of 10 reads
    page = list_logs(view(repository, budget=10), {"perPage": "5"})
    skipped = list_logs(view(repository, budget=10), {"perPage": "5", "skipTotal": "1"})

    # Then the time-ordered page is served with unknown totals; sorting on data needs all and answers 400
    assert len(page["items"]) == 5 and page["totalItems"] == -1 and page["totalPages"] == -1
    assert len(skipped["items"]) == 5 and skipped["totalItems"] == -1
    with pytest.raises(BadRequestError) as raised:
        list_logs(view(repository, budget=10), {"sort": "data.status"})
    assert "created filter" in raised.value.message
