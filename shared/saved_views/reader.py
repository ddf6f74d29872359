"""Reading records through a saved view: the view checked (its viewRule), then the data shaped for its type.

Every read is a RecordReader list under the target collection's listRule, narrowed by the view's filter as a
rule, with the request's filter, sort, page, perPage, fields and expand merged on top (shared/saved_views/merge.py);
so each costs what the same list costs, and reports its plan with LB_DEBUG_QUERY.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from shared.collections.datetime import format_datetime, parse_datetime
from shared.collections.model import Collection
from shared.collections.system import VIEWS_COLLECTION_NAME
from shared.errors import BadRequestError, NotFoundError
from shared.records.rules import combine, parse_rule
from shared.records.scope import RecordScope
from shared.saved_views.kanban import read_kanban
from shared.saved_views.merge import list_params
from shared.saved_views.record_hooks import view_values
from shared.tools.filter import Expr, FilterError

# the longest calendar window one read answers (a year, a leap day included)
MAX_CALENDAR_DAYS = 366
# PocketBase's files API always serves this thumb, whatever the field's `thumbs`
DEFAULT_THUMB = "100x100"


def _invalid(param: str, code: str, message: str) -> BadRequestError:
    return BadRequestError("Something went wrong while processing your request.", {param: {
        "code": code, "message": message}})


def view_filter(values: dict[str, Any]) -> Expr | None:
    try:
        return parse_rule(str(values.get("filter") or ""))
    except FilterError as exc:  # saved valid; its collection may have changed since
        raise _invalid("filter", "validation_invalid_filter", f"The view's filter: {exc}") from exc


def form_definition(values: dict[str, Any]) -> dict[str, Any]:
    """A form view's definition: its `options.form` (public forms give it its meaning, docs/api-views.md)."""
    options = values.get("options") or {}
    form = options.get("form") if isinstance(options, dict) else None
    return form if isinstance(form, dict) else {}


class SavedViewReader:
    def __init__(self, scope: RecordScope) -> None:
        self.scope = scope

    def read(self, collection: str, view_id: str, params: Mapping[str, str]) -> dict[str, Any]:
        scope = self.scope
        views = scope.collections.get(VIEWS_COLLECTION_NAME).collection
        target = scope.collections.get(collection).collection
        record = scope.loader.one(views, view_id)
        # a view the caller may not see, or one of another collection, is absent, as a record outside its rule
        if record is None or not scope.rules.can_view(views, record):
            raise NotFoundError()
        values = view_values(views, record)
        if values.get("collection") != target.id:
            raise NotFoundError()
        header = {"id": record.id, "name": values.get("name"), "type": values.get("type")}
        kind = values.get("type")
        if kind == "form":
            return {"view": header, "form": form_definition(values)}
        scope_rule = view_filter(values)
        if kind == "kanban":
            return {"view": header, **read_kanban(scope, target, values, params, scope_rule)}
        if kind == "calendar":
            return {"view": header, **self._calendar(target, values, params, scope_rule)}
        if kind == "gallery":
            return {"view": header, **self._gallery(target, values, params, scope_rule)}
        return scope.reader.list_page(target.id, list_params(params, values), scope_rule=scope_rule)

    def _calendar(self, target: Collection, values: dict[str, Any], params: Mapping[str, str],
                  scope_rule: Expr | None) -> dict[str, Any]:
        options = values.get("options") or {}
        start, end = (self._moment(params, name) for name in ("start", "end"))
        if end <= start:
            raise _invalid("end", "validation_invalid_window", "The end must be after the start.")
        if end - start > timedelta(days=MAX_CALENDAR_DAYS):
            raise _invalid("end", "validation_window_too_long",
                           f"The window may be at most {MAX_CALENDAR_DAYS} days long.")
        starts, ends = format_datetime(start), format_datetime(end)
        date_field, end_field = str(options.get("dateField") or ""), str(options.get("endField") or "")
        self._require_field(target, date_field, "dateField")
        # the window is [start, end): a record overlaps it when it starts before its end and starts or ends
        # inside it (a record without an end, or without an end field, is an instant)
        text = f"{date_field} != '' && {date_field} < '{ends}' && ({date_field} >= '{starts}'"
        if end_field:
            self._require_field(target, end_field, "endField")
            text += f" || {end_field} > '{starts}'"
        window = parse_rule(text + ")")
        page = self.scope.reader.list_page(target.id, list_params(params, values, sort_after_view=date_field),
                                           scope_rule=combine(scope_rule, window))
        return {"start": starts, "end": ends, **page}

    @staticmethod
    def _moment(params: Mapping[str, str], name: str) -> Any:
        raw = params.get(name, "")
        if not raw:
            raise _invalid(name, "validation_required", "Cannot be blank.")
        moment = parse_datetime(raw)
        if moment is None:
            raise _invalid(name, "validation_invalid_datetime", "Must be a valid date.")
        return moment

    @staticmethod
    def _require_field(target: Collection, name: Any, option: str) -> None:
        if not isinstance(name, str) or target.field_by_name(name) is None:
            raise _invalid("options", "validation_invalid_view_option",
                           f"options.{option}: {name!r} is no longer a field of {target.name!r}.")

    def _gallery(self, target: Collection, values: dict[str, Any], params: Mapping[str, str],
                 scope_rule: Expr | None) -> dict[str, Any]:
        options = values.get("options") or {}
        cover = str(options.get("coverField") or "")
        self._require_field(target, cover, "coverField")
        merged = list_params(params, values)
        shown = merged["fields"].split(",") if merged.get("fields") else []
        # read the id and cover even when the caller's fields leave them out, then drop them again
        added = [name for name in ("id", cover) if shown and name not in shown]
        if added:
            merged["fields"] = ",".join([*shown, *added])
        page = self.scope.reader.list_page(target.id, merged, scope_rule=scope_rule)
        thumb = str(options.get("thumb") or DEFAULT_THUMB)
        covers: dict[str, str] = {}
        for item in page["items"]:
            record_id = str(item.get("id", ""))
            # taken from the record as the caller sees it: a hidden or unreadable cover shows none
            files = item.get(cover)
            for name in added:
                item.pop(name, None)
            first = files[0] if isinstance(files, list) and files else files
            covers[record_id] = (f"/api/files/{target.id}/{quote(record_id)}/{quote(first)}?thumb={thumb}"
                                 if isinstance(first, str) and first else "")
        field = target.field_by_name(cover)
        return {**page, "covers": covers, "coverProtected": bool(getattr(field, "protected", False))}
