"""Hypothesis fuzz of the list endpoint's filter and sort: any input lists or answers a 400 with a message."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.catalog.collections_admin import CollectionsAdmin
from shared.catalog.repository import get_collection_repository
from shared.errors import ApiError
from shared.records.context import RequestContext
from shared.records.repository import get_record_repository
from shared.records.scope import RecordScope
from shared.resources import RECORDS_TABLE, SYSTEM_TABLE
from tests.support.moto_cloud import running_cloud

TOKENS = ["title", "score", "tags", "owner", "owner.title", "posts_via_owner.score", "@request.auth.id",
          "@request.query.q", "@collection.items.title", "@now", "@todayStart", "id", "'x'", '"y"', "1", "-2.5",
          "null", "true", "=", "!=", ">", ">=", "<", "<=", "~", "!~", "?=", "?~", "&&", "||", "(", ")",
          ":length", ":lower", ":each", ":isset", "geoDistance(1,2,3,4)", "//c\n", ",", ".", "@", "'"]


@pytest.fixture(scope="module")
def service() -> Iterator[RecordScope]:
    with running_cloud():
        get_collection_repository.cache_clear()
        collections = get_collection_repository(SYSTEM_TABLE.physical_name)
        records = get_record_repository(RECORDS_TABLE.physical_name, SYSTEM_TABLE.physical_name)
        admin = CollectionsAdmin(collections, records)
        admin.create({"name": "items", "type": "base", "listRule": "", "fields": [
            {"name": "title", "type": "text"}, {"name": "score", "type": "number"},
            {"name": "tags", "type": "select", "values": ["a", "b"], "maxSelect": 2}]})
        items = collections.get("items").collection
        admin.update("items", {"fields": [*[f.to_json() for f in items.fields],
                                          {"name": "owner", "type": "relation", "collectionId": items.id}]})
        svc = RecordScope(collections, records, RequestContext(system=True))
        for i in range(3):
            svc.writer.create("items", {"title": f"t{i}", "score": i, "tags": ["a"]})
        yield RecordScope(collections, records, RequestContext(query={"q": "x"}))
        get_collection_repository.cache_clear()


def _check(service: RecordScope, params: dict[str, str]) -> None:
    try:
        page = service.reader.list_page("items", params)
    except ApiError as err:
        assert err.status in (400, 403) and err.message  # 403: @request/@collection in a guest's filter
        return
    assert set(page) == {"page", "perPage", "totalItems", "totalPages", "items"}


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(TOKENS), max_size=12).map(" ".join))
def test_token_soup_filters(service: RecordScope, text: str) -> None:
    _check(service, {"filter": text})


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=60), st.text(alphabet="-+,@.abcdeiklnmorstuvwxyz ", max_size=30))
def test_arbitrary_filter_and_sort(service: RecordScope, filter_text: str, sort_text: str) -> None:
    _check(service, {"filter": filter_text, "sort": sort_text, "perPage": "5"})
