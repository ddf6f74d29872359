"""POST /api/collections/meta/dry-run-view: a view query's fields and a sample of its rows, nothing stored.

As PocketBase's collectionDryRunView (the dashboard previews a view with it): the fields a view with this
query would get, and up to SAMPLE_ROWS of its rows as records of a temporary view collection. The rows are
computed from a bounded read of the source (SAMPLE_SCAN records), never the whole collection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.collections.field_errors import FieldError, length_error, required_error
from shared.collections.ids import crc32_checksum, random_string
from shared.collections.model import Collection
from shared.errors import BadRequestError
from shared.records.model import ReadMeter, StoredRecord
from shared.records.repository import RecordRepository
from shared.views import limits
from shared.views.definition import ViewDefinition, parsed
from shared.views.fields import FindCollection, infer_fields, resolve_sources
from shared.views.group_sums import Member, extremes_of, member_of, row_data
from shared.views.rows import compute

SAMPLE_ROWS = 10  # PocketBase's sample size
SAMPLE_SCAN = 200  # source records read at most to find them (a WHERE may skip many)
Present = Callable[[Collection, StoredRecord], dict[str, Any]]


def _grouped_sample(definition: ViewDefinition, scanned: list[StoredRecord], present: Present
                    ) -> list[dict[str, Any]]:
    """A view grouped by columns: the sampled records' groups, summed as the maintained view sums them."""
    groups: dict[str, list[Member]] = {}
    for record in scanned:
        member = member_of(definition, record.id, record.data)
        if member is not None:
            groups.setdefault(member.group, []).append(member)
    sample = []
    for group, members in list(groups.items())[:SAMPLE_ROWS]:
        sums: dict[str, float] = {}
        for member in members:
            for name, value in member.sums.items():
                sums[name] = sums.get(name, 0) + value
        data = row_data(definition, members[0].keys, sums)
        if data is not None:
            data.update(extremes_of(definition, members))
            sample.append(present(definition.view, StoredRecord(definition.view.id, group, data)))
    return sample


def _invalid(error: FieldError) -> BadRequestError:
    return BadRequestError("An error occurred while validating the submitted data.", {"query": error.as_data()})


def dry_run_view(body: Any, find: FindCollection, records: RecordRepository, present: Present) -> dict[str, Any]:
    """{fields, sample} for the body's `query`; 400s as PocketBase's."""
    text = body.get("query") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text:
        raise _invalid(required_error())
    if len(text) > limits.MAX_QUERY_LENGTH:
        raise _invalid(length_error(0, limits.MAX_QUERY_LENGTH))
    try:
        query = parsed(text)
        sources = resolve_sources(query, find)
        fields = infer_fields(query, sources)
    except ValueError as exc:
        raw = str(exc).removeprefix("Invalid query - ")
        raise BadRequestError("Invalid view query. Raw error: \n" + raw, {}) from exc
    name = "temp_view_" + random_string(5)
    temp = Collection(id="pbc_" + crc32_checksum(name), name=name, type="view", view_query=text)
    temp.fields = fields  # type: ignore[assignment]
    definition = ViewDefinition(temp, query, sources)
    meter = ReadMeter()
    scanned = list(records.scan(sources.source.id, meter, limit=SAMPLE_SCAN))
    if definition.column_grouped:
        return {"fields": [field.to_json() for field in fields], "sample": _grouped_sample(definition, scanned,
                                                                                             present)}
    group_field = definition.group_field
    keys: list[str] = []
    for record in scanned:
        key = record.id if group_field is None else str(record.data.get(group_field.id) or "")
        if key and key not in keys:
            keys.append(key)
    sample: list[dict[str, Any]] = []
    for key in keys:
        data = compute(definition, records, key, meter)
        if data is not None:
            sample.append(present(temp, StoredRecord(temp.id, key, data)))
        if len(sample) >= SAMPLE_ROWS:
            break
    return {"fields": [field.to_json() for field in fields], "sample": sample}
