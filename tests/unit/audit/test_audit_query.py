"""`GET /api/audit`'s query logic over the in-memory log: filter, sort, paging, the history path and the budget."""

from __future__ import annotations

import pytest

from shared.audit.model import AuditActor, AuditEntry, entry_id, format_created
from shared.audit.query import AuditView, list_audit, record_of
from shared.audit.repository import AuditRepository, InMemoryAuditRepository
from shared.errors import BadRequestError
from shared.tools.filter import parse_filter

NOW_MS = 1_796_140_000_000


def entry(n: int, record: str, action: str = "update", kind: str = "auth", age_days: float = 0) -> AuditEntry:
    created = int(NOW_MS - age_days * 86_400_000) - (100 - n) * 1000
    return AuditEntry.model_validate({
        "id": entry_id(created, f"ev-{n}"), "created": format_created(created), "action": action,
        "collectionId": "pbc_1", "collectionName": "posts", "record": record, "actor": AuditActor(kind=kind),
        "sequence": str(n)})


class CountingRepository(InMemoryAuditRepository):
    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    def scan(self, start_ms: int, end_ms: int, newest_first: bool):  # type: ignore[no-untyped-def]
        self.paths.append("scan")
        return super().scan(start_ms, end_ms, newest_first)

    def history(self, record_id: str, newest_first: bool):  # type: ignore[no-untyped-def]
        self.paths.append("history")
        return super().history(record_id, newest_first)


def view(repository: AuditRepository, budget: int = 1000) -> AuditView:
    return AuditView(repository, retention_days=30, now_ms=NOW_MS, budget=budget)


@pytest.fixture
def log() -> CountingRepository:
    repository = CountingRepository()
    repository.append([entry(i, "r1" if i % 2 else "r2", kind="superuser" if i % 3 == 0 else "auth")
                       for i in range(10)] + [entry(50, "r1", age_days=40)], expires_at=0)
    return repository


def test_newest_first_by_default_paged_in_pocketbases_shape(log: CountingRepository) -> None:
    page = list_audit(view(log), {"perPage": "4", "page": "2"})
    assert {k: page[k] for k in ("page", "perPage", "totalItems", "totalPages")} == {
        "page": 2, "perPage": 4, "totalItems": 10, "totalPages": 3}
    assert [e["sequence"] for e in page["items"]] == ["5", "4", "3", "2"]


def test_a_record_filter_reads_the_records_history_only(log: CountingRepository) -> None:
    page = list_audit(view(log), {"filter": "record = 'r1' && actor.kind = 'superuser'", "sort": "created"})
    assert log.paths == ["history"]
    assert [e["sequence"] for e in page["items"]] == ["3", "9"]


def test_entries_older_than_the_retention_are_hidden(log: CountingRepository) -> None:
    page = list_audit(view(log), {"filter": "record = 'r1'"})
    assert "50" not in [e["sequence"] for e in page["items"]]


def test_another_sort_reads_every_match_then_orders(log: CountingRepository) -> None:
    page = list_audit(view(log), {"sort": "-actor.kind,sequence", "perPage": "3"})
    assert [(e["actor"]["kind"], e["sequence"]) for e in page["items"]] == [
        ("superuser", "0"), ("superuser", "3"), ("superuser", "6")]


def test_past_the_budget_the_query_is_a_400_with_advice(log: CountingRepository) -> None:
    with pytest.raises(BadRequestError, match="would read more than 3 entries"):
        list_audit(view(log, budget=3), {"filter": "action = 'delete'"})


def test_record_of_finds_a_required_record_only_at_the_top_level() -> None:
    assert record_of(parse_filter("record = 'a' && action = 'update'")) == "a"
    assert record_of(parse_filter("record = 'a' || action = 'update'")) is None
    assert record_of(parse_filter("record != 'a'")) is None
