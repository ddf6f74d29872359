"""What a saved view holds, checked against its target collection: filter, sort, fields, layout and type options.

Each check returns PocketBase's field errors (`{name: {code, message}}`); an option's error names it
(`options.stackField`), so a client can point at the setting to fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from shared.collections.model import Collection
from shared.records.rules import unknown_identifier
from shared.tools.filter import FilterError, parse_filter, parse_sort

Find = Callable[[str], Collection | None]
Errors = dict[str, dict[str, str]]
# fields every record answers besides its collection's own
RECORD_KEYS = frozenset({"id", "collectionId", "collectionName"})
# the field types a kanban may stack by, a calendar may place by, a gallery may show
STACK_TYPES = ("select", "relation")
DATE_TYPES = ("date", "autodate")
RANK_TYPES = ("number",)
# PocketBase's thumb sizes (the files API's `thumb=`)
THUMB = re.compile(r"\d+x\d+[tbf]?")
# each type's field options: (key, the field types it may name, required)
TYPE_OPTIONS: dict[str, list[tuple[str, tuple[str, ...], bool]]] = {
    "kanban": [("stackField", STACK_TYPES, True), ("rankField", RANK_TYPES, False)],
    "calendar": [("dateField", DATE_TYPES, True), ("endField", DATE_TYPES, False)],
    "gallery": [("coverField", ("file",), True)],
}


def _error(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def rule_error(text: str, target: Collection, find: Find) -> str | None:
    """Why a filter or rule text is invalid against a collection (its syntax, then its identifiers)."""
    try:
        parse_filter(text)
        return unknown_identifier(text, target, find)
    except FilterError as exc:
        return str(exc)


def sort_error(text: str, target: Collection, find: Find) -> str | None:
    try:
        keys = parse_sort(text)
    except FilterError as exc:
        return str(exc)
    for key in keys:
        if key.path[0].startswith("@"):
            if key.path[0] not in ("@random", "@rowid"):
                return f"unknown sort key {key}"
            continue
        problem = unknown_identifier(f"{'.'.join(key.path)} = ''", target, find)
        if problem:
            return problem
    return None


def _field_names(target: Collection) -> set[str]:
    return {field.name for field in target.fields} | RECORD_KEYS


def layout_errors(values: dict[str, Any], target: Collection, find: Find) -> Errors:
    """The view's filter, sort, visible fields, column widths, group-by field and colour rules."""
    errors: Errors = {}
    names = _field_names(target)
    if values.get("filter") and (problem := rule_error(values["filter"], target, find)):
        errors["filter"] = _error("validation_invalid_filter", problem)
    if values.get("sort") and (problem := sort_error(values["sort"], target, find)):
        errors["sort"] = _error("validation_invalid_sort", problem)
    shown = values.get("fields")
    if shown is not None and (not isinstance(shown, list) or not all(isinstance(n, str) and n in names
                                                                      for n in shown)):
        errors["fields"] = _error("validation_invalid_view_fields",
                                  f"Must be a list of field names of {target.name!r}.")
    widths = values.get("columnWidths")
    if widths is not None and (not isinstance(widths, dict) or not all(
            k in names and isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 10_000
            for k, v in widths.items())):
        errors["columnWidths"] = _error("validation_invalid_column_widths",
                                        "Must map field names to widths between 1 and 10000.")
    if values.get("groupBy") and values["groupBy"] not in names:
        errors["groupBy"] = _error("validation_invalid_group_by", f"Unknown field {values['groupBy']!r}.")
    if (problem := _color_rules_error(values.get("colorRules"), target, find)) is not None:
        errors["colorRules"] = _error("validation_invalid_color_rules", problem)
    return errors


def _color_rules_error(rules: Any, target: Collection, find: Find) -> str | None:
    if rules is None:
        return None
    if not isinstance(rules, list) or len(rules) > 50:
        return "Must be a list of at most 50 {filter, color} objects."
    for number, item in enumerate(rules):
        if not isinstance(item, dict) or not isinstance(item.get("filter"), str) or not isinstance(
                item.get("color"), str):
            return f"Rule {number} must be an object with a filter and a color."
        if problem := rule_error(item["filter"], target, find):
            return f"Rule {number}: {problem}"
    return None


def _typed_field(target: Collection, options: dict[str, Any], key: str, types: tuple[str, ...], *,
                 required: bool) -> str | None:
    name = options.get(key)
    if name in (None, "") and not required:
        return None
    field = target.field_by_name(name) if isinstance(name, str) else None
    if field is None:
        return f"options.{key}: must name a field of {target.name!r}."
    if field.field_type not in types:
        return f"options.{key}: {name!r} is a {field.field_type} field, not {' or '.join(types)}."
    if key == "stackField" and getattr(field, "max_select", 1) > 1:
        return f"options.{key}: {name!r} holds several values; a card stacks by one."
    return None


def options_error(view_type: str, options: Any, target: Collection) -> str | None:
    """Why a view's `options` do not fit its type and target collection (the message names the option)."""
    if options is None:
        options = {}
    if not isinstance(options, dict):
        return "options: must be an object."
    for key, types, required in TYPE_OPTIONS.get(view_type, []):
        if problem := _typed_field(target, options, key, types, required=required):
            return problem
    thumb = options.get("thumb")
    if view_type == "gallery" and thumb is not None and not (isinstance(thumb, str) and THUMB.fullmatch(thumb)):
        return "options.thumb: must be a thumb size such as 100x100 (WxH, WxHt, WxHb, WxHf, 0xH or Wx0)."
    if view_type == "form" and options.get("form") is not None and not isinstance(options["form"], dict):
        return "options.form: must be an object."
    return None
