"""Field-level rules (beyond PocketBase): a field's readRule hides it per record, its writeRule refuses writes.

Both are filters in PocketBase's rule syntax, evaluated like a collection rule for one record and request
(docs/rules.md): null is no restriction, "" lets everyone, superusers are never restricted.

- Read: a field whose readRule fails for a record is left out of that record's JSON, wherever a record is
  answered (the presenter: list, view, expand, auth responses, realtime, batch), and a relation it hides is
  not expanded. A rule that cannot be evaluated hides the field (fail closed).
- Filter and sort: a readRule that names the record could pass for some records and not others, so letting a
  client compare the field would tell it about values it cannot read. A field with a readRule is therefore
  filterable only when its rule is record-independent (names only `@request.*`/`@collection.*`) and passes
  for this request; otherwise it is refused exactly as a hidden field is, whatever the values.
- Write: a create, or an update that changes the value, of a field whose writeRule fails answers 400 with
  that field's error (WRITE_FORBIDDEN_CODE) and writes nothing. An update's rule sees the stored record, as
  an updateRule does; a create's sees the record the create would make, as a createRule does.
- An auth collection's roles assignment (a `roles` relation to `_roles`) is the one field whose null
  writeRule means superusers only: otherwise anyone allowed to update their own record, or to sign up,
  could grant themselves any role.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from shared.collections.fields import BaseField
from shared.collections.model import Collection
from shared.errors import ApiError
from shared.records.context import RequestContext
from shared.records.model import StoredRecord
from shared.tools.filter import FilterError
from shared.tools.filter.ast import identifier_paths

if TYPE_CHECKING:
    from shared.records.record_loader import RecordLoader

WRITE_FORBIDDEN_CODE = "validation_field_write_forbidden"
WRITE_FORBIDDEN_MESSAGE = "You are not allowed to set this field."


def has_read_rules(collection: Collection) -> bool:
    return any(f.read_rule is not None for f in collection.fields)


def _passes(rule: str, collection: Collection, record: StoredRecord | None, request: RequestContext,
            loader: RecordLoader, existing: StoredRecord | None = None) -> bool:
    from shared.records.rules import matches, parse_rule

    try:
        return matches(parse_rule(rule), collection, record, request, loader, allow_hidden=True, existing=existing)
    except (ApiError, FilterError):
        return False  # a rule that cannot be evaluated grants nothing


def unreadable_fields(collection: Collection, record: StoredRecord, request: RequestContext,
                      loader: RecordLoader) -> set[str]:
    """Names of the fields whose readRule fails for this record and request (cached per request)."""
    if request.is_superuser or not has_read_rules(collection):
        return set()
    key = (collection.id, record.id, record.version, loader.context_override or request.context)
    cached = loader.field_checks.get(("read", *key))
    if cached is None:
        # a record-independent rule is judged once per request (as for filters), the others per record
        cached = frozenset(f.name for f in collection.fields if f.read_rule is not None and not (
            filterable(collection, f, request, loader) if record_independent(f.read_rule)
            else _passes(f.read_rule, collection, record, request, loader)))
        loader.field_checks[("read", *key)] = cached
    return set(cached)


def field_readable(collection: Collection, record: StoredRecord, name: str, request: RequestContext,
                   loader: RecordLoader) -> bool:
    return name not in unreadable_fields(collection, record, request, loader)


@lru_cache(maxsize=512)
def record_independent(rule: str) -> bool:
    """Whether a rule names only `@request.*`/`@collection.*` (a blank rule too): the same for every record."""
    from shared.records.rules import parse_rule

    try:
        expr = parse_rule(rule)
    except FilterError:
        return False
    # a rule naming the record's own fields (or relations) could tell records apart by their values
    return expr is None or not identifier_paths(expr)


def filterable(collection: Collection, field: BaseField, request: RequestContext, loader: RecordLoader) -> bool:
    """Whether a client's filter or sort may use a field: no readRule, or one this request passes whatever the
    record (see the module docstring); cached per request."""
    if field.read_rule is None or request.is_superuser:
        return True
    key = ("filter", collection.id, field.id)
    if key not in loader.field_checks:
        loader.field_checks[key] = record_independent(field.read_rule) and _passes(
            field.read_rule, collection, None, request, loader)
    return bool(loader.field_checks[key])


def field_written_by(collection: Collection, key: str) -> BaseField | None:
    """The field a body key writes, with or without a modifier (`a`, `a+`, `+a`, `a-`, `a:autogenerate`)."""
    candidates = [key, key.removesuffix(":autogenerate"), key[1:] if key.startswith("+") else key,
                  key[:-1] if key.endswith(("+", "-")) else key]
    for name in candidates:
        found = collection.field_by_name(name)
        if found is not None:
            return found
    return None


def assigns_roles(field: BaseField, loader: RecordLoader) -> bool:
    """Whether a field is an auth collection's roles assignment (shared/records/roles.py)."""
    from shared.records.roles import ROLES_COLLECTION, is_roles_field

    if field.name != "roles" or field.field_type != "relation":
        return False
    roles = loader.collections.find(ROLES_COLLECTION)
    return roles is not None and is_roles_field(field, roles.collection.id)


def write_errors(collection: Collection, body: dict[str, Any], changed_ids: Iterable[str], record: StoredRecord,
                 existing: StoredRecord | None, request: RequestContext, loader: RecordLoader) -> dict[str, Any]:
    """Field errors for the fields this write sets whose writeRule fails (empty when every one passes)."""
    if request.is_superuser:
        return {}
    changed = set(changed_ids)
    sent = {f.name: f for key in body if (f := field_written_by(collection, key)) is not None}
    errors: dict[str, Any] = {}
    for name, field in sent.items():
        if existing is not None and field.id not in changed:
            continue  # an update that sends a field back unchanged writes nothing to it
        rule = field.write_rule
        if rule is None and collection.is_auth and assigns_roles(field, loader):
            # a user must never grant itself roles (sign-up, own-record updates): superusers only, unless the
            # collection's author delegates it with a writeRule
            errors[name] = {"code": WRITE_FORBIDDEN_CODE, "message": WRITE_FORBIDDEN_MESSAGE}
        elif rule is not None and not _passes(rule, collection, existing or record, request, loader,
                                              existing=existing):
            errors[name] = {"code": WRITE_FORBIDDEN_CODE, "message": WRITE_FORBIDDEN_MESSAGE}
    return errors
