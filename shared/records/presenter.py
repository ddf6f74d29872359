"""Records as the API answers them: JSON with hidden values and fields whose readRule fails removed, `expand`
filled (never through a relation the caller may not read), `fields` applied."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.collections.model import Collection
from shared.errors import BadRequestError
from shared.records.backfill_reads import BackfillReads
from shared.records.expand import expand_records, parse_expand
from shared.records.model import StoredRecord
from shared.records.record_loader import RecordLoader
from shared.records.request_rules import RequestRules
from shared.records.validation import record_to_json
from shared.tools.filter import FieldsSpec, apply_fields
from shared.tools.list_query import ListQueryError, parse_fields_param


def list_param_error(exc: ListQueryError) -> BadRequestError:
    """The 400 for a malformed list or projection parameter, naming it."""
    return BadRequestError(f"Invalid {exc.param} parameter.", {exc.param: {"code": exc.code, "message": exc.message}})


class RecordPresenter:
    def __init__(self, rules: RequestRules, loader: RecordLoader) -> None:
        self.rules = rules
        self.loader = loader
        self.backfills = BackfillReads(loader)

    def to_json(self, collection: Collection, record: StoredRecord) -> dict[str, Any]:
        # a computed field the backfill job has not reached yet is shown computed on read
        shown = self.backfills.apply(collection, record)
        body = record_to_json(collection, shown.data, can_see_hidden=self.rules.is_superuser,
                              show_email=self.rules.shows_email(collection, record))
        for name in self.rules.unreadable(collection, record):
            body.pop(name, None)  # its readRule fails for this caller: as if the field were hidden
        return body

    def readable(self, collection: Collection, record: StoredRecord, name: str) -> bool:
        return name not in self.rules.unreadable(collection, record)

    def present(self, collection: Collection, records: list[StoredRecord], *, expand: str = "",
                fields: FieldsSpec | None = None) -> list[dict[str, Any]]:
        pairs = [(r, self.to_json(collection, r)) for r in records]
        if expand:
            expand_records(self.loader, collection, pairs, parse_expand(expand), self.rules.can_view, self.to_json,
                           readable=self.readable)
        bodies = [b for _, b in pairs]
        if fields is not None:
            bodies = [apply_fields(b, fields) for b in bodies]
        return bodies

    def one(self, collection: Collection, record: StoredRecord, *, expand: str = "",
            fields: FieldsSpec | None = None) -> dict[str, Any]:
        return self.present(collection, [record], expand=expand, fields=fields)[0]

    def for_params(self, collection: Collection, record: StoredRecord, params: Mapping[str, str]) -> dict[str, Any]:
        """One record shaped by a request's `expand` and `fields` parameters."""
        try:
            fields = parse_fields_param(params)
        except ListQueryError as exc:
            raise list_param_error(exc) from exc
        return self.one(collection, record, expand=params.get("expand", ""), fields=fields)
