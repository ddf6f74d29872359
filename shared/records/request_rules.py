"""The collection rules of one request: which rule applies, whether a record satisfies it, what the caller sees."""

from __future__ import annotations

from typing import Any

from shared.collections.model import Collection
from shared.collections.system import RECORD_RULE_FIELDS
from shared.errors import BadRequestError, ForbiddenError
from shared.records.context import RequestContext
from shared.records.field_rules import filterable, unreadable_fields, write_errors
from shared.records.model import StoredRecord
from shared.records.planner import FieldVisible, StaticValue
from shared.records.record_loader import RecordLoader
from shared.records.resolver import RecordResolver
from shared.records.rules import forbid_superuser_only_fields, matches, parse_rule, parse_user_filter
from shared.tools.filter import Expr, FilterError, Identifier, Literal, Operand

SUPERUSERS_ONLY = "Only superusers can perform this action."
OUT_OF_SCOPE = "The API token does not allow this action."


class RequestRules:
    """Rules evaluated for one caller; superusers skip rules, and a null rule is theirs alone."""

    def __init__(self, request: RequestContext, loader: RecordLoader) -> None:
        self.request = request
        self.loader = loader

    @property
    def is_superuser(self) -> bool:
        return self.request.is_superuser

    def rule(self, rule: str | None) -> Expr | None:
        """The parsed rule to enforce (None: nothing to check); 403 when only superusers may act."""
        if self.request.is_superuser:
            return None
        if rule is None:
            raise ForbiddenError(SUPERUSERS_ONLY)
        return parse_rule(rule)

    def allows(self, collection: Collection, action: str) -> bool:
        """Whether the request's API token, if any, covers this action on this collection."""
        grant = self.request.auth.grant if self.request.auth else None
        return grant is None or grant.allows(collection.id, collection.name, action)

    def require_action(self, collection: Collection, action: str) -> None:
        """403 for an action outside the API token's scopes, checked before any rule (superusers' too)."""
        if not self.allows(collection, action):
            raise ForbiddenError(OUT_OF_SCOPE)

    def user_filter(self, text: str) -> Expr | None:
        """The client's `filter` parameter, parsed (a 400 when invalid, 403 for what only superusers may name)."""
        return parse_user_filter(text, superuser=self.is_superuser)

    def check_sort(self, text: str) -> None:
        """As PocketBase: only superusers may sort by `@request.*` or `@collection.*` (403)."""
        forbid_superuser_only_fields(text, superuser=self.is_superuser)

    def matches(self, expr: Expr | None, collection: Collection, record: StoredRecord | None, *,
                allow_hidden: bool = True, existing: StoredRecord | None = None) -> bool:
        return matches(expr, collection, record, self.request, self.loader, allow_hidden=allow_hidden,
                       existing=existing)

    def static(self, collection: Collection) -> StaticValue:
        """Operands whose value is known before reading: literals and plain `@request.*` values (for key conditions)."""
        def static(operand: Operand) -> tuple[bool, Any]:
            if isinstance(operand, Literal):
                return True, operand.value
            if isinstance(operand, Identifier) and operand.is_request and not operand.modifier:
                try:
                    resolved = RecordResolver(collection, None, self.request, self.loader,
                                              allow_hidden=True).resolve(operand)
                except FilterError:
                    return False, None
                if not resolved.multi and len(resolved.values) <= 1:
                    return True, resolved.values[0] if resolved.values else None
            return False, None
        return static

    def plannable(self, collection: Collection) -> FieldVisible:
        """Fields this caller's reads may be narrowed by: not hidden ones, nor an auth record's email, nor one
        whose readRule may hide it, unless superuser (a key condition on them would turn the page into an
        oracle on their values)."""
        if self.request.is_superuser:
            return lambda _name: True

        def visible(name: str) -> bool:
            field = collection.field_by_name(name)
            if field is None:
                return True
            return (not field.hidden and not (collection.is_auth and name == "email")
                    and filterable(collection, field, self.request, self.loader))
        return visible

    def unreadable(self, collection: Collection, record: StoredRecord) -> set[str]:
        """The fields of this record whose readRule fails for the caller (left out of its JSON)."""
        return unreadable_fields(collection, record, self.request, self.loader)

    def check_field_writes(self, collection: Collection, body: dict[str, Any], record: StoredRecord,
                           existing: StoredRecord | None, changed_ids: frozenset[str]) -> None:
        """400 naming every field this write sets whose writeRule fails; nothing is written then."""
        errors = write_errors(collection, body, changed_ids, record, existing, self.request, self.loader)
        if errors:
            raise BadRequestError(f"Failed to {'update' if existing else 'create'} record.", errors)

    def can_view(self, collection: Collection, record: StoredRecord) -> bool:
        if not self.allows(collection, "view"):
            return False  # an expand or a file outside the API token's scopes shows nothing
        if self.request.is_superuser:
            return True
        if collection.view_rule is None:
            return False
        return (self.matches(parse_rule(collection.view_rule), collection, record)
                and self.own_rule_allows(collection, record, "view"))

    def own_rules_apply(self, collection: Collection) -> bool:
        """Whether this caller's reads of the collection are narrowed per record (a counter's total is not theirs)."""
        return not self.request.is_superuser and collection.system and collection.name in RECORD_RULE_FIELDS

    def own_rule_allows(self, collection: Collection, record: StoredRecord, action: str) -> bool:
        """The rule a record carries itself for an action (RECORD_RULE_FIELDS: `_views`), after its collection's."""
        field_name = RECORD_RULE_FIELDS.get(collection.name, {}).get(action) if collection.system else None
        if self.request.is_superuser or field_name is None:
            return True
        field = collection.field_by_name(field_name)
        text = record.data.get(field.id) if field else None
        if not isinstance(text, str):
            return False  # null (or not a text): superusers only, as a null collection rule
        try:
            return self.matches(parse_rule(text), collection, record)
        except (FilterError, BadRequestError):
            return False  # a rule saved before it became invalid admits no one

    def manages(self, collection: Collection, record: StoredRecord) -> bool:
        """Whether the caller may manage an auth record (manageRule): superusers, or whom the rule admits."""
        if self.request.is_superuser:
            return True
        if not collection.is_auth or self.request.auth is None:
            return False
        rule = parse_rule(collection.manage_rule) if collection.manage_rule else None
        return rule is not None and self.matches(rule, collection, record)

    def shows_email(self, collection: Collection, record: StoredRecord) -> bool:
        if not collection.is_auth or self.request.is_superuser:
            return True
        auth = self.request.auth
        if auth and auth.collection.id == collection.id and auth.record.id == record.id:
            return True
        visibility = collection.field_by_name("emailVisibility")
        # as PocketBase: whoever may manage the record (manageRule) sees its email
        return bool(visibility and record.data.get(visibility.id)) or self.manages(collection, record)
