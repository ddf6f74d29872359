"""A kanban read: one stack per option of the view's select field (or per record its relation field may link
to), plus the empty-value stack, each with its count and one page of cards, ordered by the rank field.

Each stack is one list narrowed by `stackField = value`: with an index on the stack field that is one indexed
page per stack (the count comes with it), as a filtered list costs. `stack=<value>` pages one stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.collections.model import Collection
from shared.errors import BadRequestError
from shared.records.rules import combine
from shared.records.scope import RecordScope
from shared.saved_views.merge import list_params
from shared.tools.filter import Compare, Expr, Identifier, Literal

# the stacks one read answers; stacks past them (a relation to a large collection) are read with `stack=`
MAX_STACKS = 50


def _invalid(message: str) -> BadRequestError:
    return BadRequestError("Something went wrong while processing your request.", {"stack": {
        "code": "validation_invalid_stack", "message": message}})


def _stacks(scope: RecordScope, target: Collection, field_name: str) -> list[tuple[str, dict[str, Any] | None]]:
    """(value, linked record or None) of every stack, the empty-value one last."""
    field = target.field_by_name(field_name)
    if field is None:
        raise BadRequestError("Something went wrong while processing your request.", {"options": {
            "code": "validation_invalid_view_option",
            "message": f"options.stackField: {field_name!r} is no longer a field of {target.name!r}."}})
    if field.field_type == "select":
        options: list[str] = list(getattr(field, "values", None) or [])[:MAX_STACKS]
        stacks: list[tuple[str, dict[str, Any] | None]] = [(value, None) for value in options]
        return [*stacks, ("", None)]
    # a relation's stacks are the linked collection's records the caller may list, under its listRule
    linked = scope.reader.list_page(getattr(field, "collection_id", ""), {
        "perPage": str(MAX_STACKS), "skipTotal": "1"})
    return [(str(item["id"]), item) for item in linked["items"]] + [("", None)]


def read_kanban(scope: RecordScope, target: Collection, values: dict[str, Any], params: Mapping[str, str],
                scope_rule: Expr | None) -> dict[str, Any]:
    options = values.get("options") or {}
    stack_field = str(options.get("stackField") or "")
    rank_field = str(options.get("rankField") or "")
    stacks = _stacks(scope, target, stack_field)
    wanted = params.get("stack")
    field = target.field_by_name(stack_field)
    if wanted is not None:
        if field is not None and field.field_type == "select" and wanted not in {v for v, _ in stacks}:
            raise _invalid(f"{wanted!r} is not an option of {stack_field!r}.")
        stacks = [next(((v, r) for v, r in stacks if v == wanted), (wanted, None))]
    answered = []
    for value, linked in stacks:
        stack_params = dict(params)
        stack_params.pop("skipTotal", None)  # every stack answers its count
        if wanted is None:
            stack_params.pop("page", None)  # the first page of each; `stack=` pages one
        condition = Compare(Identifier((stack_field,)), "=", Literal(value))
        page = scope.reader.list_page(target.id, list_params(stack_params, values, sort_before_view=rank_field),
                                      scope_rule=combine(scope_rule, condition))
        answered.append({"value": value, **({"record": linked} if linked is not None else {}),
                         "count": page["totalItems"], **page})
    return {"stackField": stack_field, "rankField": rank_field, "stacks": answered}
