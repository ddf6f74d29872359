"""Roles with inheritance: the `_roles` graph, the effective role names of an auth record, and cycle checks.

An auth record has roles through a multiple relation field named `roles` to `_roles` (docs/rules.md). A
role's `includes` names the roles it includes; the effective roles are the assigned ones and every role they
include, transitively, by name. Rules read them as `@request.auth.roles`.

The graph is cached per instance for ROLE_CACHE_SECONDS, as the settings are: a change of `_roles` made
through this instance drops the cache at once, another instance sees it at most that long later. The
assignment itself (the auth record's `roles`) is read with the auth record on every request, so taking a
role from a user takes effect at once everywhere.

Example: `admin` includes `editor`, `editor` includes `viewer`; a user with `roles = [admin]` has the
effective roles {admin, editor, viewer}, and making `viewer` include `admin` is refused (a cycle).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from shared.collections.model import Collection
from shared.errors import BadRequestError
from shared.records.model import StoredRecord

if TYPE_CHECKING:
    from shared.records.record_loader import RecordLoader

ROLES_COLLECTION = "_roles"
ROLES_FIELD = "roles"
ROLE_CACHE_SECONDS = 5.0
ROLE_CYCLE_CODE = "validation_role_cycle"


class Role(msgspec.Struct, frozen=True):
    id: str
    name: str
    includes: tuple[str, ...]


class RoleGraph:
    """Roles by id, with their includes; pure, so inheritance and cycles are checked without storage."""

    def __init__(self, roles: Iterable[Role]) -> None:
        self.by_id: dict[str, Role] = {r.id: r for r in roles}

    @classmethod
    def from_records(cls, collection: Collection, records: Iterable[StoredRecord]) -> RoleGraph:
        name_field, includes_field = collection.field_by_name("name"), collection.field_by_name("includes")
        if name_field is None or includes_field is None:
            return cls([])
        return cls(Role(r.id, str(r.data.get(name_field.id) or ""),
                        tuple(includes_field.from_stored(r.data.get(includes_field.id)) or ())) for r in records)

    def with_role(self, role: Role | None, removed_id: str = "") -> RoleGraph:
        """The graph after one pending change: a role saved, or (None) one deleted."""
        roles = {k: v for k, v in self.by_id.items() if k != removed_id}
        if role is not None:
            roles[role.id] = role
        return RoleGraph(roles.values())

    def effective_names(self, assigned_ids: Iterable[str]) -> list[str]:
        """Names of the assigned roles and of every role they include, transitively (unknown ids skipped)."""
        seen: set[str] = set()
        stack = [i for i in assigned_ids if isinstance(i, str)]
        while stack:
            role = self.by_id.get(stack.pop())
            if role is None or role.id in seen:
                continue  # `seen` also ends any cycle saved before this check existed
            seen.add(role.id)
            stack.extend(role.includes)
        return sorted({self.by_id[i].name for i in seen if self.by_id[i].name})

    def cycle_through(self, role_id: str) -> list[str] | None:
        """The names along a cycle that leads from `role_id` back to itself (first and last the same), or None."""
        path: list[str] = []
        on_path: set[str] = set()
        done: set[str] = set()

        def visit(current: str) -> bool:
            if current == role_id and path:
                return True
            if current in on_path or current in done or current not in self.by_id:
                return False
            path.append(current)
            on_path.add(current)
            for included in self.by_id[current].includes:
                if visit(included):
                    return True
            path.pop()
            on_path.discard(current)
            done.add(current)
            return False

        if not visit(role_id):
            return None
        return [self.by_id[i].name or i for i in [*path, role_id]]


class RoleCache:
    """The role graph of one records table, per instance, reloaded after ROLE_CACHE_SECONDS or a local change."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._graphs: weakref.WeakKeyDictionary[Any, tuple[float, RoleGraph]] = weakref.WeakKeyDictionary()

    def graph(self, owner: Any, load: Callable[[], RoleGraph]) -> RoleGraph:
        """The cached graph of `owner` (a records repository), loaded with `load` when missing or stale."""
        now = self._clock()
        with self._lock:
            cached = self._graphs.get(owner)
        if cached is not None and now - cached[0] < ROLE_CACHE_SECONDS:
            return cached[1]
        graph = load()
        with self._lock:
            self._graphs[owner] = (now, graph)
        return graph

    def invalidate(self) -> None:
        with self._lock:
            self._graphs.clear()


ROLE_CACHE = RoleCache()


def is_roles_field(field: Any, roles_collection_id: str) -> bool:
    """Whether an auth collection's field is its roles assignment: a relation named `roles` to `_roles`."""
    return (field is not None and field.name == ROLES_FIELD and field.field_type == "relation"
            and getattr(field, "collection_id", "") == roles_collection_id)


def cycle_error(names: list[str], action: str = "update") -> BadRequestError:
    return BadRequestError(f"Failed to {action} record.", {"includes": {
        "code": ROLE_CYCLE_CODE,
        "message": "Roles cannot include each other in a cycle: " + " -> ".join(names) + "."}})


def check_no_cycle(graph: RoleGraph, pending: Mapping[str, StoredRecord | None], collection: Collection,
                   record: StoredRecord, action: str = "update") -> None:
    """400 naming the cycle when saving `record` would make a role include itself, directly or through others.

    `pending` holds the roles a batch changed before this request (None: deleted), which win over the stored.
    """
    for role_id, changed in pending.items():
        graph = graph.with_role(_role_of(collection, changed), removed_id=role_id)
    graph = graph.with_role(_role_of(collection, record), removed_id=record.id)
    names = graph.cycle_through(record.id)
    if names is not None:
        raise cycle_error(names, action)


def _role_of(collection: Collection, record: StoredRecord | None) -> Role | None:
    return None if record is None else RoleGraph.from_records(collection, [record]).by_id.get(record.id)


def _cached_graph(loader: RecordLoader) -> tuple[str, RoleGraph] | None:
    stored = loader.collections.find(ROLES_COLLECTION)
    if stored is None:
        return None
    roles = stored.collection
    graph = ROLE_CACHE.graph(loader.records, lambda: RoleGraph.from_records(
        roles, loader.records.scan(roles.id, loader.meter)))
    return roles.id, graph


def effective_roles(loader: RecordLoader, auth_collection: Collection, auth_record: StoredRecord) -> list[str] | None:
    """`@request.auth.roles`: the auth record's effective role names; None when its collection has no roles field."""
    field = auth_collection.field_by_name(ROLES_FIELD)
    if field is None or field.field_type != "relation":
        return None
    cached = _cached_graph(loader)
    if cached is None or not is_roles_field(field, cached[0]):
        return None
    assigned = field.from_stored(auth_record.data.get(field.id)) or []
    return cached[1].effective_names(assigned)


def check_role_write(loader: RecordLoader, collection: Collection, record: StoredRecord | None,
                     action: str = "update") -> None:
    """Before a `_roles` create or update (or, record None, delete) is written: refuse a cycle (400), and drop
    this instance's cache.

    The graph is read fresh (and with the batch's pending changes), never from the cache: a stale graph
    could let a cycle through. Dropping the cache before the write is safe: a reload in between is at most
    ROLE_CACHE_SECONDS stale, the stated tolerance.
    """
    if collection.name != ROLES_COLLECTION:
        return
    if record is None:
        ROLE_CACHE.invalidate()
        return
    stored = RoleGraph.from_records(collection, loader.all_rows(collection))
    pending = {rid: r for (cid, rid), r in loader.pending.items() if cid == collection.id}
    check_no_cycle(stored, pending, collection, record, action)
    ROLE_CACHE.invalidate()
