"""Resolves filter identifiers for records: fields, relations, back-relations, JSON paths and @request.*.

Relation traversals and `@collection` joins read through the same metered repository, so a rule can never
do unbounded work: back-relations read the target's reverse references (in proportion to the answer), and
`@collection` joins stop at the request's query budget with a 400.

A client's filter or sort (`allow_hidden=False`) sees what PocketBase lets it see (and no field whose readRule
could hide it from this request, shared/records/field_rules.py): no hidden field, an auth
record's email only where its emailVisibility is on (no exception for the caller's own record), and through
a relation or back-relation only the records the target collection's listRule lets this request list; a
collection without a listRule cannot be reached at all.
"""

from __future__ import annotations

import json
from typing import Any

from shared.collections.model import Collection
from shared.records.context import RequestContext, rule_body
from shared.records.field_rules import filterable
from shared.records.model import StoredRecord
from shared.records.record_loader import RecordLoader, field_values
from shared.records.roles import ROLES_FIELD, effective_roles
from shared.tools.filter import CONCEALED, ROWID_SORT, FilterEvaluationError, Identifier, Resolved

_SYSTEM_KEYS = ("collectionId", "collectionName")
# Never reachable from a filter, whoever asks.
_SECRET_FIELDS = ("password", "tokenKey")


def json_text(value: Any) -> str:
    """A list or object as PocketBase stores it in a JSON column: compact, unicode kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def _email_visible(collection: Collection, record: StoredRecord) -> bool:
    visibility = collection.field_by_name("emailVisibility")
    return bool(visibility is not None and record.data.get(visibility.id))


class RecordResolver:
    """Answers identifiers for one record (or none, for create rules checked before the record exists)."""

    def __init__(self, collection: Collection, record: StoredRecord | None, request: RequestContext,
                 loader: RecordLoader, *, allow_hidden: bool, existing: StoredRecord | None = None,
                 bindings: dict[str, StoredRecord | None] | None = None) -> None:
        self.collection = collection
        self.record = record
        self.request = request
        self.loader = loader
        self.allow_hidden = allow_hidden
        self.existing = existing
        self.bindings = bindings or {}
        self._body_cache: dict[str, Any] | None = None

    def resolve(self, identifier: Identifier) -> Resolved:
        path = identifier.path
        if path[0] == "@request":
            return self._request(identifier)
        if path[0] == "@collection":
            return self._collection(identifier)
        if self.record is None:
            return Resolved([], multi=False)
        if path == (ROWID_SORT,):
            # PocketBase's insertion order; our generated ids start with their creation time (data-model.md)
            return Resolved([self.record.id], multi=False)
        values, multi, applied = self._walk(self.collection, [self.record], list(path), False, identifier.modifier)
        return Resolved(values, multi=multi, modifier_applied=applied, null_fallback=not self._reaches_json(path))

    def _reaches_json(self, path: tuple[str, ...]) -> bool:
        """Whether the path ends in a JSON field or inside one: PocketBase compares those without COALESCE."""
        collection = self.collection
        for depth, name in enumerate(path, start=1):
            if "_via_" in name:
                found = self.loader.collections.find(name.partition("_via_")[0])
            else:
                field = collection.field_by_name(name)
                if field is None:
                    return False
                # a bare geoPoint is no JSON operand; `spot.lat` is a JSON path, as into any JSON field
                if field.field_type == "json" or (field.field_type == "geoPoint" and depth < len(path)):
                    return True
                if field.field_type != "relation":
                    return False
                found = self.loader.collections.find(getattr(field, "collection_id", ""))
            if found is None:
                return False
            collection = found.collection
        return False

    # record paths --------------------------------------------------------------------------------------
    def _walk(self, collection: Collection, records: list[StoredRecord], path: list[str], multi: bool,
              modifier: str | None) -> tuple[list[Any], bool, bool]:
        """The values at the end of `path`, whether they are multi-valued, and whether `:length` was applied.

        `:length` past a multi-valued hop is each reached record's own length, so it is applied here;
        otherwise the evaluator applies it to the values (a multi-valued field's items, for one record).
        """
        name, rest = path[0], path[1:]
        if "_via_" in name:
            return self._back_relation(collection, records, name, rest, modifier)
        field = collection.field_by_name(name)
        # a password hash must never be probed through filters (`secret ~ '$argon2id$a%'`), whoever asks
        if name in _SECRET_FIELDS or (field is not None and field.field_type == "password"):
            raise FilterEvaluationError(f"The field {name!r} cannot be filtered.")
        if field is not None and not self.allow_hidden and (
                field.hidden or not filterable(collection, field, self.request, self.loader)):
            # worded as for a field that does not exist: the error must not tell which hidden fields there are;
            # a readRule field is refused alike, for every record, so no answer depends on values it hides
            raise FilterEvaluationError(f"Unknown field {name!r} in collection {collection.name!r}.")
        if not rest:
            out: list[Any] = []
            field_multi = False
            per_record_length = modifier == "length" and (multi or len(records) > 1)
            conceal_email = name == "email" and collection.is_auth and not self.allow_hidden
            for record in records:
                values, field_multi = field_values(collection, record, name)
                if field_multi and modifier not in ("each", "length"):
                    # as PocketBase, a bare multi-valued field is its stored JSON text: `tags ?= "a"` is no
                    # element test (that is `tags:each`), `tags ~ "a"` looks into the text
                    values, field_multi = [json_text(values)], False
                if conceal_email and not _email_visible(collection, record):
                    # as PocketBase: a client may compare an email only where its owner made it visible
                    values = [CONCEALED]
                if per_record_length:
                    out.append(len(values))
                else:
                    out.extend(values)
            if conceal_email and not records:
                out = [CONCEALED]  # no related record: no visible email either, so nothing may match
            return out, multi or field_multi or len(records) > 1, per_record_length
        if field is None:
            raise FilterEvaluationError(f"Unknown field {name!r} in collection {collection.name!r}.")
        if field.field_type in ("json", "geoPoint"):  # geoPoint: `address.lon`, `address.lat`
            return self._json_path(collection, records, field.id, rest), multi or len(records) > 1, False
        if field.field_type != "relation":
            raise FilterEvaluationError(f"The field {name!r} has no sub-fields.")
        target = self.loader.collections.find(getattr(field, "collection_id", ""))
        if target is None:
            return [], multi, False
        ids: list[str] = []
        for record in records:
            values, _ = field_values(collection, record, name)
            ids.extend(v for v in values if v)
        related = self._reachable(target.collection, self.loader.many(target.collection, ids), name)
        if related is None:
            return [CONCEALED], multi or field.is_multiple() or len(records) > 1, False
        return self._walk(target.collection, related, rest, multi or field.is_multiple() or len(records) > 1,
                          modifier)

    def _reachable(self, target: Collection, related: list[StoredRecord], name: str) -> list[StoredRecord] | None:
        """The related records a client's filter may look into; None when there were some but none is listable.

        PocketBase joins the target's listRule into a client's query, so a related record the client could
        not list is no join row: a filter or sort cannot probe what the listRule hides.
        """
        if self.allow_hidden:
            return related
        grant = self.request.auth.grant if self.request.auth else None
        if grant is not None and not grant.allows(target.id, target.name, "list"):
            # as expand: a client filter must not probe a collection outside the API token's scopes
            raise FilterEvaluationError(f"{target.name!r} (through {name!r}) is outside the API token's scopes.")
        # a collection without a listRule is superusers-only: its fields are not filterable by anyone else
        if target.list_rule is None:
            raise FilterEvaluationError(f"The fields of {target.name!r} (through {name!r}) can be filtered "
                                        "only by superusers.")
        if not target.list_rule.strip():
            return related
        visible = [r for r in related if self.loader.listable(target, r, self.request)]
        return visible if visible or not related else None

    def _json_path(self, collection: Collection, records: list[StoredRecord], field_id: str,
                   rest: list[str]) -> list[Any]:
        out = []
        for record in records:
            value: Any = record.data.get(field_id)
            for key in rest:
                if isinstance(value, dict):
                    value = value.get(key)
                elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
                    value = value[int(key)]
                else:
                    value = None
            out.append(value)
        return out

    def _back_relation(self, collection: Collection, records: list[StoredRecord], name: str, rest: list[str],
                       modifier: str | None) -> tuple[list[Any], bool, bool]:
        target_name, _, field_name = name.partition("_via_")
        target = self.loader.collections.find(target_name)
        if target is None:
            raise FilterEvaluationError(f"Unknown back-relation {name!r}.")
        relation = target.collection.field_by_name(field_name)
        if relation is None or relation.field_type != "relation":
            raise FilterEvaluationError(f"Unknown back-relation {name!r}.")
        # a hidden relation field is not filterable, even backwards
        if not self.allow_hidden and (
                relation.hidden or not filterable(target.collection, relation, self.request, self.loader)):
            raise FilterEvaluationError(f"The back-relation {name!r} cannot be filtered.")
        reachable = self._reachable(target.collection, self.loader.referencing(
            target.collection, field_name, collection.id, [r.id for r in records]), name)
        if reachable is None:
            return [CONCEALED], True, False
        related = reachable
        if not rest:
            return [r.id for r in related], True, False
        return self._walk(target.collection, related, rest, True, modifier)

    # @collection ---------------------------------------------------------------------------------------
    def _collection(self, identifier: Identifier) -> Resolved:
        name = identifier.collection_name or ""
        alias = identifier.collection_alias or name
        stored = self.loader.collections.find(name)
        if stored is None:
            raise FilterEvaluationError(f"Unknown collection {name!r}.")
        rest = list(identifier.path[2:])
        if not rest:
            raise FilterEvaluationError("@collection needs a field.")
        if alias in self.bindings:
            row = self.bindings[alias]
            if row is None:
                return Resolved([], multi=False)
            values, multi, applied = self._walk(stored.collection, [row], rest, False, identifier.modifier)
            return Resolved(values, multi=multi, modifier_applied=applied)
        rows = self.loader.all_rows(stored.collection)
        if not rows:
            return Resolved([], multi=True)
        values, _, applied = self._walk(stored.collection, rows, rest, True, identifier.modifier)
        return Resolved(values, multi=True, modifier_applied=applied)

    # @request ------------------------------------------------------------------------------------------
    def _request(self, identifier: Identifier) -> Resolved:
        path, req = identifier.path, self.request
        if len(path) < 2:
            raise FilterEvaluationError("Incomplete @request identifier.")
        part = path[1]
        if part == "method" and len(path) == 2:
            return Resolved([req.method], multi=False)
        if part == "context" and len(path) == 2:
            return Resolved([self.loader.context_override or req.context], multi=False)
        if part in ("headers", "query") and len(path) == 3:
            source = req.headers if part == "headers" else req.query
            key = path[2].lower() if part == "headers" else path[2]
            present = key in source
            return Resolved([source.get(key)] if present else [], multi=False, exists=present)
        if part == "body" and len(path) >= 3:
            return self._body(identifier)
        if part == "auth":
            return self._auth(identifier)
        raise FilterEvaluationError(f"Unknown identifier {identifier.dotted!r}.")

    def _rule_body(self) -> dict[str, Any]:
        if self._body_cache is None:
            generated = self.record if self.existing is None else None
            self._body_cache = rule_body(self.collection, self.request.body, self.existing, generated,
                                         superuser=self.request.is_superuser)
        return self._body_cache

    def _body_relation(self, identifier: Identifier, value: Any) -> Resolved:
        """`@request.body.owner.name`: a field of the records the body's relation ids point at, as PocketBase
        joins them (a rule is the collection author's, so the target's listRule does not narrow it)."""
        field = self.collection.field_by_name(identifier.path[2])
        if field is None or field.field_type != "relation":
            raise FilterEvaluationError("Only direct @request.body fields, or fields of the records a relation in "
                                        "the body points at, can be compared.")
        target = self.loader.collections.find(getattr(field, "collection_id", ""))
        if target is None:
            return Resolved([], multi=field.is_multiple())
        ids = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str) and v]
        related = self.loader.many(target.collection, ids) if ids else []
        values, multi, applied = self._walk(target.collection, related, list(identifier.path[3:]),
                                            field.is_multiple(), identifier.modifier)
        return Resolved(values, multi=multi, modifier_applied=applied)

    def _body(self, identifier: Identifier) -> Resolved:
        key = identifier.path[2]
        body = self._rule_body()
        present = key in body
        value = body.get(key)
        if identifier.modifier == "changed":
            old: Any = None
            if self.existing is not None and (self.collection.field_by_name(key) or key == "id"):
                old_values, old_multi = field_values(self.collection, self.existing, key)
                old = old_values if old_multi else (old_values[0] if old_values else None)
            return Resolved([present and value != old], multi=False)
        if len(identifier.path) > 3:
            return self._body_relation(identifier, value)
        if isinstance(value, list) and identifier.modifier in ("each", "length"):
            return Resolved(list(value), multi=True, exists=present)
        if isinstance(value, list | dict):
            # as PocketBase, a list or object sent in the body compares as its JSON text
            return Resolved([json_text(value)], multi=False, exists=present)
        return Resolved([value] if present else [], multi=False, exists=present)

    def _auth(self, identifier: Identifier) -> Resolved:
        auth = self.request.auth
        rest = list(identifier.path[2:])
        if not rest:
            raise FilterEvaluationError("@request.auth needs a field.")
        if auth is None:
            return Resolved([], multi=False)
        if rest == ["collectionName"]:
            return Resolved([auth.collection.name], multi=False)
        if rest == ["collectionId"]:
            return Resolved([auth.collection.id], multi=False)
        if rest == [ROLES_FIELD]:
            names = effective_roles(self.loader, auth.collection, auth.record)
            if names is not None:  # otherwise `roles` is an ordinary field, or an unknown one
                return Resolved(list(names), multi=True)
        if auth.collection.field_by_name(rest[0]) is None and "_via_" not in rest[0]:
            # as PocketBase, whose request info simply lacks the key: an unknown auth field is null, no error
            return Resolved([], multi=False, exists=False)
        values, multi, applied = self._walk(auth.collection, [auth.record], rest, False, identifier.modifier)
        return Resolved(values, multi=multi, modifier_applied=applied)
