"""Reading records through the API: one page of a list, or one record, under the collection's rules."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from shared.catalog.repository import CollectionRepository
from shared.errors import BadRequestError, NotFoundError
from shared.records.backfill_reads import list_error
from shared.records.cursor import CursorError, decode_cursor, encode_cursor, fingerprint
from shared.records.model import ReadMeter, StoredRecord
from shared.records.planner import Plan, plan_query
from shared.records.presenter import RecordPresenter, list_param_error
from shared.records.query import run_list
from shared.records.repository import RecordRepository
from shared.records.request_rules import RequestRules
from shared.records.resolver import RecordResolver
from shared.records.rules import combine
from shared.tools.filter import Expr, FilterError, Identifier, SortKey
from shared.tools.filter.ast import identifier_paths
from shared.tools.list_query import ListQueryError, parse_fields_param, parse_list_query


def _position(plan: Plan, cursor: str, collection_id: str, bound_to: str) -> None:
    """Start the plan past a cursor's id; only lists read in id order have cursors."""
    # a creation-order sort is served by the id order only while no write has marked the collection, and a
    # cursor walk must not change order halfway: those lists page with `page`
    if plan.kind != "scan" or not plan.ordered or plan.creation_order:
        raise CursorError("Cursors page lists in id order (no sort, or sort=id / -id / @rowid) that no index "
                          "serves; use page with this filter and sort.")
    if cursor:
        plan.after = decode_cursor(cursor, collection_id, bound_to, plan.forward)


class RecordReader:
    def __init__(self, collections: CollectionRepository, records: RecordRepository, rules: RequestRules,
                 presenter: RecordPresenter, meter: ReadMeter) -> None:
        self.collections = collections
        self.records = records
        self.rules = rules
        self.presenter = presenter
        self.meter = meter

    def list_page(self, id_or_name: str, params: Mapping[str, str], *,
                  scope_rule: Expr | None = None) -> dict[str, Any]:
        """One page; `scope_rule` narrows it as a rule does (a saved view's filter: shared/saved_views/)."""
        stored = self.collections.get(id_or_name)
        collection = stored.collection
        self.rules.require_action(collection, "list")
        rule = combine(self.rules.rule(collection.list_rule), scope_rule)
        self.rules.check_sort(params.get("sort", ""))
        try:
            query = parse_list_query(params)
        except ListQueryError as exc:
            raise list_param_error(exc) from exc
        user_filter = self.rules.user_filter(query.filter)
        superuser = self.rules.is_superuser
        pending = self.presenter.backfills.pending(collection)
        if pending and (error := list_error(pending, {p[0] for p in identifier_paths(user_filter)},
                                            {k.path[0] for k in query.sort})):
            raise error

        def matcher(record: StoredRecord) -> bool:
            return (self.rules.matches(rule, collection, record)
                    and self.rules.matches(user_filter, collection, record, allow_hidden=superuser)
                    and self.rules.own_rule_allows(collection, record, "list"))

        def value_of(record: StoredRecord, key: SortKey) -> Any:
            resolved = RecordResolver(collection, record, self.rules.request, self.rules.loader,
                                      allow_hidden=superuser).resolve(Identifier(key.path))
            return resolved.values[0] if resolved.values else None

        combined = combine(rule, user_filter)
        paths = identifier_paths(combined) + [k.path for k in query.sort]
        relations = [p for p in paths if len(p) > 1]

        def prefetch(records: list[StoredRecord]) -> None:
            self.rules.loader.prefetch(collection, records, relations)

        try:
            plan = plan_query(collection, stored.layout, combined, query.sort,
                              self.rules.static(collection), self.rules.plannable(collection))
            if self.rules.own_rules_apply(collection):
                plan.total_counter = None  # the counter counts records the caller's own-rule check hides
            bound_to = fingerprint(query.filter, params.get("sort", ""))
            if query.cursor is not None:
                _position(plan, query.cursor, collection.id, bound_to)
            result = run_list(self.records, plan, query.sort, page=1 if query.cursor is not None else query.page,
                              per_page=query.per_page,
                              skip_total=query.skip_total, matcher=matcher, value_of=value_of, meter=self.meter,
                              prefetch=prefetch if relations else None)
        except FilterError as exc:
            raise BadRequestError("Invalid filter parameters.", {"filter": {
                "code": "validation_invalid_filter", "message": str(exc)}}) from exc
        total = result.total
        out = {
            "page": query.page,
            "perPage": query.per_page,
            "totalItems": total,
            "totalPages": -1 if total < 0 else math.ceil(total / query.per_page),
            "items": self.presenter.present(collection, result.items, expand=query.expand, fields=query.fields),
        }
        if query.cursor is not None:
            # only for callers that asked: a PocketBase client never sends `cursor`, so never sees this key
            last = result.items[-1].id if len(result.items) == query.per_page else None
            out["nextCursor"] = encode_cursor(collection.id, bound_to, plan.forward, last) if last else ""
        return out

    def view(self, id_or_name: str, record_id: str, params: Mapping[str, str]) -> tuple[dict[str, Any], str]:
        """The record's JSON and its ETag; 404 when it does not exist or the viewRule hides it."""
        collection = self.collections.get(id_or_name).collection
        self.rules.require_action(collection, "view")
        rule = self.rules.rule(collection.view_rule)
        record = self.rules.loader.one(collection, record_id)
        if (record is None or not self.rules.matches(rule, collection, record)
                or not self.rules.own_rule_allows(collection, record, "view")):
            raise NotFoundError()
        try:
            fields = parse_fields_param(params)
        except ListQueryError as exc:
            raise list_param_error(exc) from exc
        return self.presenter.one(collection, record, expand=params.get("expand", ""), fields=fields), record.etag
